// Credentials handled as the tools users trust do: plain-HTTP Basic auth warned about for every
// host but loopback addresses (not names that merely start with "127."), and a password on the
// command line (readable by every local user through ps) warned about, with the safe options.
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { test } from 'node:test';

import { isLoopback } from '../js/cli.js';
import { closedPort, runCli, tempDir } from './support/cli.js';

test('loopback is an address, not a name prefix', () => {
  for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.255.1.2', '[::1]', '::1', '[::ffff:127.0.0.1]']) {
    assert.equal(isLoopback(host), true, host);
  }
  for (const host of ['127.attacker.example', '127.0.0.1.nip.io', 'localhost.example.com', '128.0.0.1', '10.0.0.1', '[::2]', '[::ffff:10.0.0.1]', 'example.com']) {
    assert.equal(isLoopback(host), false, host);
  }
});

const PLAIN_HTTP = /warning: sending Basic credentials over plain HTTP to (\S+); use https:\/\//;

test('Basic credentials over http:// are warned about unless the host is a loopback address', async () => {
  const dir = await tempDir();
  const port = await closedPort();
  const scan = (host) => runCli(['--engine-url', `http://${host}:${port}/v1`, '--image', 'alpine:3.9', '--report-dir', path.join(dir, 'R'), '--request-timeout', '1', '--timeout', '1'], {
    cwd: dir, env: { ANCHORE_CLI_USER: 'ci', ANCHORE_CLI_PASS: 's3cret-pass' },
  });
  for (const host of ['127.0.0.1', 'localhost']) {
    const run = await scan(host);
    assert.doesNotMatch(run.stderr, PLAIN_HTTP, host);
  }
  // Names that start like a loopback address resolve wherever their owner wants.
  const run = await scan('127.0.0.1.nip.io');
  assert.equal(PLAIN_HTTP.exec(run.stderr)?.[1], `127.0.0.1.nip.io:${port}`);
  assert.doesNotMatch(run.stdout + run.stderr, /s3cret-pass/);
});

test('a password on the command line is warned about; a file or the environment is not', async () => {
  const dir = await tempDir();
  const port = await closedPort();
  const url = `http://127.0.0.1:${port}/v1`;
  const base = ['--image', 'alpine:3.9', '--report-dir', path.join(dir, 'R'), '--request-timeout', '1', '--timeout', '1', '--user', 'ci'];
  const ARGV = /warning: (.+) on the command line can be read by every local user .*use --password-file FILE or the ANCHORE_CLI_PASS environment variable/;

  const flag = await runCli(['--engine-url', url, ...base, '--password', 'pw-on-argv'], { cwd: dir });
  assert.equal(ARGV.exec(flag.stderr)?.[1], '--password');
  assert.doesNotMatch(flag.stdout + flag.stderr, /pw-on-argv/);

  const inUrl = await runCli(['--engine-url', `http://ci:pw-in-url@127.0.0.1:${port}/v1`, ...base], { cwd: dir });
  assert.equal(ARGV.exec(inUrl.stderr)?.[1], 'a password in --engine-url');
  assert.doesNotMatch(inUrl.stdout + inUrl.stderr, /pw-in-url/);

  await writeFile(path.join(dir, 'pw'), 'pw-in-file\n');
  const file = await runCli(['--engine-url', url, ...base, '--password-file', path.join(dir, 'pw')], { cwd: dir });
  const environment = await runCli(['--engine-url', url, ...base], { cwd: dir, env: { ANCHORE_CLI_PASS: 'pw-in-env' } });
  const envUrl = await runCli(base, { cwd: dir, env: { ANCHORE_CLI_URL: `http://ci:pw-in-env-url@127.0.0.1:${port}/v1` } });
  for (const run of [file, environment, envUrl]) assert.doesNotMatch(run.stderr, ARGV);
});
