// The package as users get it: `npm publish --dry-run` is clean, the tarball holds what runs and
// nothing else, and the README's install lines work as written against the tarball, in an
// empty folder with no Rust toolchain on PATH (help, --version, a demo scan).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8'));
const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');

test('npm publish --dry-run passes with no warning', { timeout: 120_000 }, async () => {
  // --ignore-scripts: prepack only checks that pkg/ is built, which the pack test below needs too.
  const { stdout, stderr } = await run('npm', ['publish', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT });
  // Not being logged in is expected here (nothing is sent); any other warning is a defect in
  // package.json or the file list (npm says "auto-corrected", "invalid", …).
  const warnings = stderr.split('\n').filter((l) => /npm (warn|error)/i.test(l) && !/requires you to be logged in/.test(l));
  assert.deepEqual(warnings, []);
  const published = JSON.parse(stdout);
  const entry = published[pkg.name] ?? published;
  assert.equal(entry.name, 'anchore-gate');
  assert.equal(entry.version, pkg.version);
});

test('package.json has what the registry page and provenance need', () => {
  assert.match(pkg.repository?.url ?? '', /^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
  assert.ok(pkg.homepage && pkg.bugs?.url && pkg.keywords?.length >= 5, 'homepage, bugs and keywords');
});

test('every npx line in the README pins this version', () => {
  const lines = readme.split('\n').filter((l) => /\bnpx\b[^`]*\banchore-gate\b/.test(l) && !/--no-install/.test(l));
  assert.ok(lines.length >= 8, `only ${lines.length} npx lines found`);
  for (const line of lines) assert.match(line, new RegExp(`npx --yes anchore-gate@${pkg.version.replace(/\./g, '\\.')} `), line);
});

test('npm pack → the README\'s install lines in an empty folder → help, version and demo', { timeout: 240_000 }, async () => {
  const work = await mkdtemp(path.join(tmpdir(), 'anchore-gate-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT });
  const [packed] = JSON.parse(stdout);
  const files = packed.files.map((f) => f.path);
  for (const needed of ['js/cli.js', 'js/index.js', 'js/engine-double/server.js', 'pkg/nodejs/anchore_gate_bg.wasm', 'pkg/nodejs/anchore_gate.js', 'pkg/nodejs/package.json', 'pkg/web/anchore_gate_bg.wasm', 'README.md', 'package.json']) {
    assert.ok(files.includes(needed), `${needed} missing from the tarball`);
  }
  const leftovers = files.filter((f) => /^(src|tests|target|bench|examples|dist|scripts|\.github|\.ci)\//.test(f) || /(^|\/)\.(build|old)-|\.tgz$|(^|\/)\.gitignore$|\.rs$/.test(f));
  assert.deepEqual(leftovers, [], 'sources, tests or build leftovers in the tarball');
  console.log(`tarball ${packed.filename}: ${packed.size} bytes packed, ${packed.unpackedSize} unpacked, ${files.length} files`);

  // The README's "without the registry" block, run line by line as written, beside the tarball.
  const block = /Without the registry[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'the README has no "Without the registry" install block');
  const commands = block.trim().split('\n');
  assert.equal(commands[0], `npm install --no-save ./${packed.filename}`, 'the README installs the tarball npm pack makes');
  const app = path.join(work, 'app');
  await mkdir(app);
  await copyFile(path.join(work, packed.filename), path.join(app, packed.filename));
  // No cargo, rustc or wasm-pack: only what a CI runner with Node has.
  const env = { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: work, npm_config_cache: path.join(ROOT, 'node_modules', '.cache', 'npm-pack-test'), npm_config_prefer_offline: 'true' };
  const outputs = [];
  for (const command of commands) outputs.push((await run('bash', ['-c', command], { cwd: app, env })).stdout);
  assert.equal(outputs.at(-1).trim(), pkg.version);

  const bin = path.join(app, 'node_modules', '.bin', 'anchore-gate');
  const help = await run(bin, ['--help'], { cwd: app, env });
  assert.match(help.stdout, /^anchore-gate \d+\.\d+\.\d+: container-image security gate/);

  const demo = await run(bin, ['demo', '--report-dir', 'R'], { cwd: app, env });
  assert.match(demo.stdout, /DEMO: a bundled engine SIMULATOR/);
  assert.match(demo.stdout, /verdict: ERROR \(exit 2\)/);
  const report = JSON.parse(await readFile(path.join(app, 'R', 'anchore-gate.json'), 'utf8'));
  assert.deepEqual(report.images.map((i) => i.status), ['pass', 'pass', 'pass', 'fail', 'error']);
});
