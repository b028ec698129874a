// The process ends with its verdict: once the run is decided nothing (an in-flight retry, a
// connection attempt into a network that drops packets, a timer) keeps it alive. Every case of
// an unreachable engine must exit within a second of printing the verdict.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { once } from 'node:events';
import { after, test } from 'node:test';

import { closedPort, runCli, tempDir } from './support/cli.js';

const cleanups = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

/** Runs a scan against `url`; returns the time from the verdict line to the process's end. */
async function verdictToExit(url, extra = []) {
  const dir = await tempDir();
  let verdictAt = null;
  const started = performance.now();
  const run = await runCli(['--engine-url', url, '--image', 'alpine:3.9', '--report-dir', path.join(dir, 'R'), '--request-timeout', '2', '--timeout', '5', ...extra], {
    cwd: dir,
    env: { ANCHORE_CLI_USER: 'u', ANCHORE_CLI_PASS: 'p' },
    // The first line that says the verdict: the gate's own, before the report is written.
    onOutput: (_, so_far) => { if (verdictAt === null && /\bverdict:? (ERROR|FAIL|PASS)\b/.test(so_far.stdout)) verdictAt = performance.now(); },
  });
  const ended = performance.now();
  assert.equal(run.code, 2, run.stdout + run.stderr);
  assert.ok(verdictAt !== null, `no verdict line:\n${run.stdout}`);
  return { afterVerdict: ended - verdictAt, total: ended - started, run };
}

/**
 * A listening socket that never accepts, with a backlog of 0, and its accept queue filled: the
 * kernel then drops every further SYN, as a host behind a full queue or a dropping firewall does.
 */
async function droppingPort() {
  const child = spawn('python3', ['-c', [
    'import socket, sys',
    's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)',
    'print(s.getsockname()[1], flush=True)',
    'sys.stdin.read()',
  ].join('\n')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = await once(child.stdout, 'data');
  const port = Number(String(line).trim());
  cleanups.push(async () => { child.stdin.end(); child.kill(); });
  // Fill the accept queue until a connection attempt no longer completes.
  const fillers = [];
  for (let i = 0; i < 8; i++) {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    fillers.push(socket);
    const connected = await Promise.race([once(socket, 'connect').then(() => true), new Promise((r) => setTimeout(() => r(false), 300))]);
    if (!connected) break;
  }
  cleanups.push(async () => { for (const s of fillers) s.destroy(); });
  return port;
}

/** An HTTP server that takes requests and never answers them. */
async function silentServer() {
  const sockets = new Set();
  const server = http.createServer(() => {});
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => { for (const s of sockets) s.destroy(); server.close(); });
  return server.address().port;
}

test('refused connections: exit within 1 s of the verdict', async () => {
  const { afterVerdict } = await verdictToExit(`http://127.0.0.1:${await closedPort()}/v1`);
  assert.ok(afterVerdict < 1000, `${afterVerdict.toFixed(0)} ms from verdict to exit`);
});

test('dropped packets (full accept queue): exit within 1 s of the verdict', { timeout: 60_000 }, async () => {
  const port = await droppingPort();
  const { afterVerdict, run } = await verdictToExit(`http://127.0.0.1:${port}/v1`);
  assert.match(run.stdout + run.stderr, /timed out|did not answer|cannot reach/i);
  assert.ok(afterVerdict < 1000, `${afterVerdict.toFixed(0)} ms from verdict to exit`);
});

test('an engine that never answers: exit within 1 s of the verdict', { timeout: 60_000 }, async () => {
  const port = await silentServer();
  const { afterVerdict } = await verdictToExit(`http://127.0.0.1:${port}/v1`);
  assert.ok(afterVerdict < 1000, `${afterVerdict.toFixed(0)} ms from verdict to exit`);
});
