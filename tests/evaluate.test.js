// `anchore-gate evaluate`: the same gate and report directory with no engine, on grype's JSON,
// on a saved run (anchore-gate.json or a whole AnchoreReport/ folder) and on raw engine answers.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { runCli } from './support/cli.js';

const GRYPE = new URL('fixtures/grype/grype-image-golden.json', import.meta.url).pathname;
const ENGINE = new URL('../../shared/fixtures/engine/', import.meta.url).pathname;

async function evaluate(args, files = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'anchore-gate-evaluate-'));
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  const run = await runCli(['evaluate', ...args, '--report-dir', 'R'], { cwd: dir });
  let report = null;
  let names = [];
  try {
    names = (await readdir(path.join(dir, 'R'))).sort();
    report = JSON.parse(await readFile(path.join(dir, 'R', 'anchore-gate.json'), 'utf8'));
  } catch { /* input errors write no report */ }
  return { ...run, report, names, dir };
}

test('grype output: the vulnerability rules decide', async () => {
  const plain = await evaluate([GRYPE]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stderr, /has no policy verdict; without --fail-on-severity nothing in it can fail/);
  assert.deepEqual(plain.names, ['anchore-gate-gitlab-cs.json', 'anchore-gate-junit.xml', 'anchore-gate.json', 'anchore-gate.sarif', 'report.html']);
  assert.equal(plain.report.images[0].image, 'user-input');

  const critical = await evaluate([GRYPE, '--fail-on-severity', 'critical']);
  assert.equal(critical.code, 1);
  assert.deepEqual(critical.report.images[0].gate_failures, ['1 vulnerability at or above Critical (--fail-on-severity): CVE-1999-0002']);
  const sarif = JSON.parse(await readFile(path.join(critical.dir, 'R', 'anchore-gate.sarif'), 'utf8'));
  assert.equal(sarif.version, '2.1.0');

  // CVE-1999-0002 has no fix; CVE-1999-0001 (Low) has one.
  assert.equal((await evaluate([GRYPE, '--fail-on-severity', 'critical', '--only-fixed'])).code, 0);
  assert.equal((await evaluate([GRYPE, '--fail-on-severity', 'low', '--only-fixed'])).code, 1);

  const allowed = await evaluate([GRYPE, '--fail-on-severity', 'critical', '--allowlist', 'a.yaml'], {
    'a.yaml': 'entries:\n  - vulnerability: CVE-1999-0002\n    image: user-input\n    reason: test fixture\n',
  });
  assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
  assert.equal(allowed.report.images[0].vulnerabilities.find((v) => v.id === 'CVE-1999-0002').allowlisted.reason, 'test fixture');
});

test('a saved run is decided again under other options', async () => {
  const work = await mkdtemp(path.join(tmpdir(), 'anchore-gate-evaluate-run-'));
  const demo = await runCli(['demo', '--report-dir', 'Run'], { cwd: work });
  assert.equal(demo.code, 0, demo.stderr);
  const run = path.join(work, 'Run');
  const saved = JSON.parse(await readFile(path.join(run, 'anchore-gate.json'), 'utf8'));
  assert.equal(saved.exit_code, 2, 'the demo has an analysis_failed image');

  const again = await evaluate([path.join(run, 'anchore-gate.json')]);
  assert.equal(again.code, 2);
  assert.deepEqual(again.report.images.map((i) => i.status), saved.images.map((i) => i.status));
  const lenient = await evaluate([run, '--no-fail-on-error']);
  assert.equal(lenient.code, 1, 'the folder: STOP remains');
  assert.equal(lenient.report.images.length, saved.images.length, 'the folder is one run, not one per file');
  const severity = await evaluate([run, '--no-fail-on-error', '--no-fail-on-stop', '--fail-on-severity', 'medium']);
  assert.equal(severity.code, 1);
  assert.ok(severity.report.images.filter((i) => i.status === 'fail').length > lenient.report.images.filter((i) => i.status === 'fail').length);
  const nothing = await evaluate([run, '--no-fail-on-error', '--no-fail-on-stop']);
  assert.equal(nothing.code, 0);
});

test('raw engine answers', async () => {
  const fail = await evaluate([path.join(ENGINE, 'v1-check-fail-detail.json')]);
  assert.equal(fail.code, 1, fail.stderr);
  assert.deepEqual(fail.report.images[0].counts, { stop: 41, warn: 16, go: 0, allowlisted: 0 });
  const pass = await evaluate([path.join(ENGINE, 'v1-check-pass.json')]);
  assert.equal(pass.code, 0, pass.stderr);
});

test('bad input names the file', async () => {
  const missing = await evaluate(['nothing-here.json']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /evaluate: cannot read nothing-here\.json: no such file/);
  const foreign = await evaluate(['x.json'], { 'x.json': '{"hello": "world"}' });
  assert.equal(foreign.code, 2);
  assert.match(foreign.stderr, /x\.json: not a report file/);
  const none = await evaluate([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /name the files to evaluate/);
});
