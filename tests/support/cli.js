// Running the CLI as a CI job does: a child process with a clean environment, its output and
// exit code collected, and the report directory read back. Shared by the reliability and
// security suites (faults, TLS, proxy, secrets, paths).
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const CLI = new URL('../../js/cli.js', import.meta.url).pathname;
export const GUARD = new URL('./loopback-guard.js', import.meta.url).pathname;

/**
 * @param {string[]} args
 * @param {object} [o]
 * @param {object} [o.env]        added to a minimal PATH/HOME environment
 * @param {string} [o.cwd]
 * @param {string[]} [o.node]     extra node options, e.g. ['--import', file]
 * @param {(chunk: string, so_far: {stdout, stderr}) => void} [o.onOutput]
 */
export function runCli(args, { env = {}, cwd, node = [], onOutput } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...node, CLI, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = { stdout: '', stderr: '' };
    child.stdout.on('data', (d) => { out.stdout += d; onOutput?.(String(d), out); });
    child.stderr.on('data', (d) => { out.stderr += d; onOutput?.(String(d), out); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ...out }));
  });
}

export async function tempDir(prefix = 'anchore-gate-test-') {
  return mkdtemp(path.join(tmpdir(), prefix));
}

/** Every file of a report directory, and anchore-gate.json parsed. */
export async function reportFiles(dir) {
  const names = (await readdir(dir)).sort();
  const contents = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await readFile(path.join(dir, n), 'utf8')])));
  return { names, contents, report: contents['anchore-gate.json'] ? JSON.parse(contents['anchore-gate.json']) : null };
}

/** A loopback port nothing listens on. */
export async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Every file under `dir`, as relative paths (to see that nothing was written elsewhere). */
export async function listTree(dir) {
  const out = [];
  async function walk(rel) {
    for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const p = path.join(rel, entry.name);
      out.push(entry.isDirectory() ? `${p}/` : p);
      if (entry.isDirectory()) await walk(p);
    }
  }
  await walk('');
  return out.sort();
}
