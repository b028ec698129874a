// The npm tarball installs into an empty folder and runs with no Rust toolchain on PATH:
// `anchore-gate --help` and a demo scan against the bundled engine double.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;

test('npm pack → install into an empty folder → help and demo', { timeout: 180_000 }, async () => {
  const work = await mkdtemp(path.join(tmpdir(), 'anchore-gate-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT });
  const [packed] = JSON.parse(stdout);
  const files = packed.files.map((f) => f.path);
  for (const needed of ['js/cli.js', 'js/engine-double/server.js', 'pkg/nodejs/anchore_gate_bg.wasm', 'pkg/nodejs/anchore_gate.js', 'pkg/nodejs/package.json', 'pkg/web/anchore_gate_bg.wasm', 'README.md', 'package.json']) {
    assert.ok(files.includes(needed), `${needed} missing from the tarball`);
  }
  assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('tests/') || f.startsWith('target/')), 'sources or tests in the tarball');
  console.log(`tarball ${packed.filename}: ${packed.size} bytes packed, ${packed.unpackedSize} unpacked, ${files.length} files`);

  const app = path.join(work, 'app');
  await run('mkdir', ['-p', app]);
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(work, packed.filename)], { cwd: app });
  // No cargo, rustc or wasm-pack: only what a CI runner with Node has.
  const env = { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: work };
  const bin = path.join(app, 'node_modules', '.bin', 'anchore-gate');

  const help = await run(bin, ['--help'], { cwd: app, env });
  assert.match(help.stdout, /^anchore-gate \d+\.\d+\.\d+: container-image security gate/);

  const demo = await run(bin, ['demo', '--report-dir', 'R'], { cwd: app, env });
  assert.match(demo.stdout, /DEMO: a bundled engine SIMULATOR/);
  assert.match(demo.stdout, /verdict: ERROR \(exit 2\)/);
  const report = JSON.parse(await readFile(path.join(app, 'R', 'anchore-gate.json'), 'utf8'));
  assert.deepEqual(report.images.map((i) => i.status), ['pass', 'pass', 'pass', 'fail', 'error']);
});
