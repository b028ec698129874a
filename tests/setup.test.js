// scripts/setup.sh must not hide a failed install: ShellCheck with the check that flags functions
// run where `set -e` is off, and the wasm-bindgen-cli step driven by a stub `cargo`.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;
const SCRIPTS = ['scripts/build.sh', 'scripts/bundle.sh', 'scripts/install-anchore-cli.sh', 'scripts/setup.sh', 'scripts/test.sh', 'scripts/test-fresh.sh', '.ci/run'];
const SHELLCHECK = ['--enable=check-set-e-suppressed', '--format=gcc'];

test('the scripts pass ShellCheck, including check-set-e-suppressed, with no disables', async () => {
  const { stdout } = await run('shellcheck', [...SHELLCHECK, ...SCRIPTS], { cwd: ROOT }).catch((e) => e);
  assert.equal(stdout, '', `ShellCheck:\n${stdout}`);
  for (const file of SCRIPTS) {
    assert.doesNotMatch(await readFile(path.join(ROOT, file), 'utf8'), /shellcheck\s+disable/, `${file} disables a ShellCheck check`);
  }
});

test('ShellCheck as configured flags the pattern that hid the failed install', async () => {
  // The form setup.sh had: a function that runs a command, called on the left of ||.
  const dir = await mkdtemp(path.join(tmpdir(), 'ag-shellcheck-'));
  const file = path.join(dir, 'old.sh');
  await writeFile(file, '#!/usr/bin/env bash\nset -euo pipefail\nstep() { echo "$*"; "$@"; echo done; }\nstep false --locked || step true\n');
  const result = spawnSync('shellcheck', [...SHELLCHECK, file], { encoding: 'utf8' });
  assert.notEqual(result.status, 0);
  assert.match(result.stdout, /SC2310/);
});

/**
 * A copy of the real setup.sh in a folder of its own, where every tool it calls is a stub on
 * PATH: rustup (target present), wasm-pack, Chromium, ChromeDriver, ShellCheck and openssl
 * (present), cargo (the one under test), apt-get and npm (must not run: node_modules is marked
 * installed) and install-anchore-cli.sh (a no-op).
 */
async function sandbox(unlocked) {
  const dir = await mkdtemp(path.join(tmpdir(), 'ag-setup-'));
  const bin = path.join(dir, 'stub-bin');
  await mkdir(path.join(dir, 'scripts'), { recursive: true });
  await mkdir(bin);
  await mkdir(path.join(dir, 'node_modules'));
  await copyFile(path.join(ROOT, 'scripts/setup.sh'), path.join(dir, 'scripts/setup.sh'));
  await copyFile(path.join(ROOT, 'Cargo.lock'), path.join(dir, 'Cargo.lock'));
  const lock = await readFile(path.join(ROOT, 'package-lock.json'));
  await writeFile(path.join(dir, 'package-lock.json'), lock);
  await writeFile(path.join(dir, 'node_modules/.installed-lock'), `${createHash('sha256').update(lock).digest('hex')}\n`);
  const stubs = {
    'scripts/install-anchore-cli.sh': 'exit 0',
    'stub-bin/rustup': 'echo wasm32-unknown-unknown',
    'stub-bin/wasm-pack': 'echo wasm-pack 0.0.0',
    'stub-bin/chromium': 'exit 0',
    'stub-bin/chromedriver': 'exit 0',
    'stub-bin/shellcheck': 'exit 0',
    'stub-bin/openssl': 'exit 0',
    'stub-bin/apt-get': 'echo "apt-get must not run here: $*" >&2; exit 1',
    'stub-bin/npm': 'echo "npm must not run here: $*" >&2; exit 1',
    // Every cargo call is logged; the locked install fails as this registry makes it fail; the
    // unlocked one installs a wasm-bindgen of the wanted version, or fails, as the test says.
    'stub-bin/cargo': `echo "cargo $*" >> "$STUB_LOG"
case " $* " in
  *" --locked "*) echo 'error: failed to select a version for the requirement \`webpki-roots = "^1.0.10"\`' >&2; exit 101 ;;
esac
if [ "$STUB_UNLOCKED" = ok ]; then
  mkdir -p "$CARGO_INSTALL_ROOT/bin"
  printf '#!/bin/sh\\necho "wasm-bindgen %s"\\n' "$4" > "$CARGO_INSTALL_ROOT/bin/wasm-bindgen"
  chmod +x "$CARGO_INSTALL_ROOT/bin/wasm-bindgen"
  exit 0
fi
echo 'error: could not compile wasm-bindgen-cli' >&2; exit 101`,
  };
  for (const [name, body] of Object.entries(stubs)) {
    await writeFile(path.join(dir, name), `#!/usr/bin/env bash\n${body}\n`);
    await chmod(path.join(dir, name), 0o755);
  }
  const env = {
    PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: dir,
    CARGO_HOME: path.join(dir, 'cargo-home'),
    CARGO_INSTALL_ROOT: path.join(dir, 'cargo-root'),
    STUB_LOG: path.join(dir, 'cargo.log'),
    STUB_UNLOCKED: unlocked,
  };
  const result = spawnSync('bash', [path.join(dir, 'scripts/setup.sh')], { env, encoding: 'utf8' });
  const calls = (await readFile(env.STUB_LOG, 'utf8').catch(() => '')).trim().split('\n');
  return { result, calls };
}

const wanted = async () => /name = "wasm-bindgen"\nversion = "([^"]+)"/.exec(await readFile(path.join(ROOT, 'Cargo.lock'), 'utf8'))[1];

test('setup.sh: when the --locked install of wasm-bindgen-cli fails, the unlocked one runs', async () => {
  const version = await wanted();
  const { result, calls } = await sandbox('ok');
  assert.deepEqual(calls, [
    `cargo install wasm-bindgen-cli --version ${version} --locked`,
    `cargo install wasm-bindgen-cli --version ${version}`,
  ]);
  assert.equal(result.status, 0, result.stderr);
});

test('setup.sh: when both installs of wasm-bindgen-cli fail, it exits non-zero naming the tool', async () => {
  const { result, calls } = await sandbox('fail');
  assert.equal(calls.length, 2, calls.join('\n'));
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /FAILED: could not install wasm-bindgen-cli/);
  // It stopped there: nothing after the failed step ran.
  assert.doesNotMatch(result.stdout + result.stderr, /must not run here/);
});
