// Input files from a hostile workspace (the image list may come from a pull request): a FIFO,
// a directory or a huge file named as a Dockerfile, `.git/config` (the job's token after
// actions/checkout) directly or through a link, a file not named like a Dockerfile — each ends
// as an error that names the line, at once, and nothing of it reaches the engine. The same for
// the image list and the allowlist themselves.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';

import { startEngineDouble } from '../js/engine-double/server.js';
import { makeScenario } from '../js/engine-double/scenarios.js';
import { reportFiles, runCli, tempDir } from './support/cli.js';

const PASSWORD = 'inputs-pw';
const TOKEN = 'AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46Z2hzX1NFQ1JFVA==';
const GOOD = 'docker.io/library/alpine:3.9';

async function workspace() {
  const dir = await tempDir('anchore-gate-inputs-');
  await writeFile(path.join(dir, 'Dockerfile'), 'FROM alpine:3.9\n');
  await mkdir(path.join(dir, '.git'));
  await writeFile(path.join(dir, '.git', 'config'), `[http "https://github.com/"]\n\textraheader = ${TOKEN}\n`);
  await mkdir(path.join(dir, 'fifo'));
  execFileSync('mkfifo', [path.join(dir, 'fifo', 'Dockerfile')]);
  await symlink('.git/config', path.join(dir, 'Dockerfile.link'));
  await writeFile(path.join(dir, 'config.txt'), 'not a Dockerfile\n');
  await mkdir(path.join(dir, 'dir.Dockerfile'));
  await mkdir(path.join(dir, 'big'));
  await writeFile(path.join(dir, 'big', 'Dockerfile'), `FROM alpine\n${'RUN true\n'.repeat(1_000_000)}`); // 9 MB
  return dir;
}

async function scan(dir, args, images = { [GOOD]: { analysisMs: 50 } }) {
  const engine = await startEngineDouble({ api: 'v1', scenario: makeScenario({ users: { admin: PASSWORD }, images }) });
  try {
    const started = performance.now();
    const run = await runCli(['--engine-url', engine.url, '--user', 'admin', '--poll-interval', '0.2', '--report-dir', 'R', ...args], { cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD } });
    return { run, seconds: (performance.now() - started) / 1000, log: engine.log };
  } finally {
    await engine.close();
  }
}

describe('input files', () => {
  test('hostile Dockerfiles end as errors naming their line; nothing of them is uploaded', { timeout: 60_000 }, async () => {
    const dir = await workspace();
    const lines = [
      `${GOOD} Dockerfile`,
      'app/fifo:1 fifo/Dockerfile',
      'app/git:1 .git/config',
      'app/link:1 Dockerfile.link',
      'app/name:1 config.txt',
      'app/dir:1 dir.Dockerfile',
      'app/big:1 big/Dockerfile',
    ];
    await writeFile(path.join(dir, 'anchore_images'), `${lines.join('\n')}\n`);
    const { run, log } = await scan(dir, []);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    const { report } = await reportFiles(path.join(dir, 'R'));
    const row = (image) => report.images.find((i) => i.image === image);
    assert.equal(row(GOOD).status, 'pass');
    const expected = {
      'app/fifo:1': [2, /a named pipe \(FIFO\), not a regular file/],
      'app/git:1': [3, /inside version-control metadata \(\.git\/\)/],
      'app/link:1': [4, /it is \.git\/config in the workspace: it is inside version-control metadata/],
      'app/name:1': [5, /does not look like a Dockerfile .*--dockerfile-any-name/],
      'app/dir:1': [6, /a directory, not a regular file/],
      'app/big:1': [7, /it is 8\.6 MiB, more than the 1 MiB accepted/],
    };
    for (const [image, [line, why]] of Object.entries(expected)) {
      const r = row(image);
      assert.equal(r?.status, 'error', image);
      assert.equal(r.error.kind, 'dockerfile', image);
      assert.match(r.error.message, new RegExp(`^anchore_images:${line}: `), image);
      assert.match(r.error.message, why, image);
    }
    // Only the good image reached the engine, with its own Dockerfile.
    const posts = log.filter((e) => e.method === 'POST');
    assert.deepEqual(posts.map((e) => e.body.tag), [GOOD]);
    assert.equal(Buffer.from(posts[0].body.dockerfile, 'base64').toString(), 'FROM alpine:3.9\n');
    assert.doesNotMatch(JSON.stringify(log), /eC1hY2Nlc3MtdG9rZW4|extraheader/);
  });

  test('--dockerfile-any-name uploads an oddly named Dockerfile, never one in .git/', async () => {
    const dir = await workspace();
    await writeFile(path.join(dir, 'anchore_images'), `${GOOD} config.txt\napp/git:1 .git/config\n`);
    const { run, log } = await scan(dir, ['--dockerfile-any-name']);
    const { report } = await reportFiles(path.join(dir, 'R'));
    assert.equal(report.images[0].status, 'pass', run.stdout);
    assert.match(report.images[1].error.message, /version-control metadata/);
    assert.deepEqual(log.filter((e) => e.method === 'POST').map((e) => Buffer.from(e.body.dockerfile, 'base64').toString()), ['not a Dockerfile\n']);
  });

  test('one large Dockerfile on 600 lines: read once, a clear error per line, no crash', { timeout: 60_000 }, async () => {
    const dir = await workspace();
    const lines = Array.from({ length: 600 }, (_, i) => `app/many-${i}:1 big/Dockerfile`);
    await writeFile(path.join(dir, 'anchore_images'), `${lines.join('\n')}\n`);
    const { run, seconds, log } = await scan(dir, ['--timeout', '5']);
    assert.equal(run.code, 2, run.stderr);
    const { report } = await reportFiles(path.join(dir, 'R'));
    assert.equal(report.images.length, 600);
    assert.ok(report.images.every((i) => i.error?.kind === 'dockerfile' && /more than the 1 MiB accepted/.test(i.error.message)));
    assert.equal(log.filter((e) => e.method === 'POST').length, 0);
    assert.ok(seconds < 30, `${seconds.toFixed(1)} s`);
  });

  test('an image list or allowlist that is a FIFO or a directory is refused at once', { timeout: 30_000 }, async () => {
    const dir = await workspace();
    execFileSync('mkfifo', [path.join(dir, 'list.fifo')]);
    const list = await scan(dir, ['list.fifo']);
    assert.equal(list.run.code, 2);
    const { report } = await reportFiles(path.join(dir, 'R'));
    assert.match(report.error.message, /list\.fifo.*a named pipe \(FIFO\), not a regular file/);

    const allowlist = await scan(dir, ['--image', GOOD, '--allowlist', 'fifo/Dockerfile']);
    assert.equal(allowlist.run.code, 2);
    assert.match(allowlist.run.stderr, /--allowlist: cannot read fifo\/Dockerfile: it is a named pipe \(FIFO\), not a regular file/);
    const ca = await scan(dir, ['--image', GOOD, '--ca-cert', 'big']);
    assert.match(ca.run.stderr, /--ca-cert: cannot read big: it is a directory, not a regular file/);
  });
});
