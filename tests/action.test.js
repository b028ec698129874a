// The GitHub Action as the runner runs it: the COMMITTED dist/action.js in a child process, every
// input of action.yml as an INPUT_<NAME> variable (upper-cased, hyphens kept, defaults filled in
// as the runner does), $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY files, against the engine double.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import YAML from 'yaml';

import { startEngineDouble } from '../js/engine-double/server.js';
import { healthcheckFinding, makeScenario, vuln, vulnFindings } from '../js/engine-double/scenarios.js';

const ROOT = new URL('..', import.meta.url).pathname;
const ACTION_YML = YAML.parse(await readFile(path.join(ROOT, 'action.yml'), 'utf8'));
const ENTRY = path.join(ROOT, ACTION_YML.runs.main);
const PASSWORD = 'Act10n-p4ss%word';
const ARTIFACTS = path.join(ROOT, 'tests', 'artifacts');

const HIGH = vuln('CVE-2015-6420', 'High', 'commons-collections', '3.2.1', 'java', { feed_group: 'nvdv2:cves', url: 'https://nvd.nist.gov/vuln/detail/CVE-2015-6420' });
const LOW = vuln('CVE-2018-16868', 'Low', 'libgnutls30', '3.5.8-5+deb9u4', 'dpkg', { feed_group: 'debian:9' });
const BASE = { analysisMs: 300, outcome: 'analyzed', findings: [], vulnerabilities: [] };
const GO = 'docker.io/library/alpine:3.9';
const WARN = 'docker.io/library/nginx:1.15';
const STOP = 'gcr.io/team/app:1';
const BROKEN = 'registry.example.com/team/broken:1';

function scenario(extra = {}) {
  return makeScenario({
    users: { admin: PASSWORD },
    images: {
      [GO]: { ...BASE, vulnerabilities: [LOW] },
      [WARN]: { ...BASE, findings: [healthcheckFinding()], vulnerabilities: [LOW] },
      [STOP]: { ...BASE, findings: [healthcheckFinding(), ...vulnFindings([HIGH])], vulnerabilities: [HIGH, LOW] },
      [BROKEN]: { ...BASE, outcome: 'analysis_failed' },
      ...extra,
    },
  });
}

/** Runs the committed entry like the runner: defaults for every declared input, then `withInputs`. */
async function runAction(withInputs, { env = {}, files = {}, summaryBefore = '' } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'anchore-gate-action-'));
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  const outputFile = path.join(dir, 'github_output');
  const summaryFile = path.join(dir, 'step_summary');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, summaryBefore);
  const inputs = {};
  for (const [name, spec] of Object.entries(ACTION_YML.inputs)) inputs[name] = String(spec.default ?? '');
  Object.assign(inputs, withInputs);
  const runnerEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: dir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_RUN_ID: '4242',
    ...env,
  };
  for (const [name, value] of Object.entries(inputs)) runnerEnv[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  const { code, stdout, stderr } = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY], { cwd: dir, env: runnerEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
  });
  const outputText = await readFile(outputFile, 'utf8');
  const summary = await readFile(summaryFile, 'utf8');
  const lines = stdout.split('\n');
  return {
    dir, code, stdout, stderr, lines, summary, outputText,
    outputs: parseOutputs(outputText),
    errors: lines.filter((l) => l.startsWith('::error')),
    warnings: lines.filter((l) => l.startsWith('::warning')),
  };
}

/** `name<<delimiter` … `delimiter` blocks, as the runner reads $GITHUB_OUTPUT. */
function parseOutputs(text) {
  const outputs = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    if (!lines[i]) continue;
    const m = /^([^<=]+)<<(ghadelimiter_[0-9a-f-]{36})$/.exec(lines[i]);
    assert.ok(m, `not a heredoc output line: ${JSON.stringify(lines[i])}`);
    const end = lines.indexOf(m[2], i + 1);
    assert.ok(end > i, `no closing delimiter for ${m[1]}`);
    assert.ok(!(m[1] in outputs), `output ${m[1]} set twice`);
    outputs[m[1]] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return outputs;
}

async function allFiles(dir) {
  const out = {};
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const p = path.join(entry.parentPath ?? entry.path, entry.name);
      out[path.relative(dir, p)] = await readFile(p, 'utf8');
    }
  }
  return out;
}

/** The password only ever appears in the ::add-mask:: commands, which the runner consumes. */
async function assertNoSecret(run, secret = PASSWORD) {
  const shown = run.lines.filter((l) => !l.startsWith('::add-mask::')).join('\n');
  assert.ok(!shown.includes(secret), 'password on stdout');
  assert.ok(!run.stderr.includes(secret), 'password on stderr');
  for (const [name, content] of Object.entries(await allFiles(run.dir))) {
    assert.ok(!content.includes(secret), `password in ${name}`);
  }
}

function assertMaskFirst(run, secret = PASSWORD) {
  const escaped = secret.replace(/%/g, '%25');
  assert.equal(run.lines[0], `::add-mask::${escaped}`, `the first line masks the password: ${run.lines.slice(0, 3).join(' | ')}`);
  assert.equal(run.stderr.split('\n')[0].includes(secret), false);
}

describe('action.yml and the committed bundle', () => {
  test('runs on node24 from dist/action.js with the wasm beside it', () => {
    assert.equal(ACTION_YML.runs.using, 'node24');
    assert.equal(ACTION_YML.runs.main, 'dist/action.js');
    assert.ok(existsSync(ENTRY));
    assert.ok(existsSync(path.join(ROOT, 'dist', 'anchore_gate_bg.wasm')));
    assert.ok(ACTION_YML.name && ACTION_YML.description && ACTION_YML.branding);
  });

  test('every input the action reads is declared, and every declared one is read; outputs alike', async () => {
    const source = await readFile(path.join(ROOT, 'js', 'action.js'), 'utf8');
    const read = new Set([...source.matchAll(/\b(?:input|booleanInput|secondsInput|lines)\('([a-z-]+)'/g)].map((m) => m[1]));
    assert.deepEqual([...read].sort(), Object.keys(ACTION_YML.inputs).sort());
    for (const [name, spec] of Object.entries(ACTION_YML.inputs)) {
      assert.match(name, /^[a-z]+(-[a-z]+)*$/, 'lower-case, hyphenated');
      assert.ok(spec.description?.length > 10, `${name} is documented`);
    }
    const set = new Set([...source.matchAll(/^\s+'?([a-z-]+)'?: /gm)].map((m) => m[1]));
    for (const name of Object.keys(ACTION_YML.outputs)) assert.ok(set.has(name), `output ${name} is set`);
  });
});

for (const api of ['v1', 'v2']) {
  describe(`the action against the ${api} engine double`, () => {
    let engine;
    before(async () => { engine = await startEngineDouble({ api, scenario: scenario() }); });
    after(async () => { await engine.close(); });
    const inputs = (extra) => ({ 'engine-url': engine.url, user: 'admin', password: PASSWORD, 'poll-interval': '0.2', ...extra });

    test('GO, WARN and STOP: exit 1, outputs, summary, annotations, mask first, no password', async () => {
      const run = await runAction(inputs({ images: `${GO}\n${WARN}\n# a comment\n${STOP}\n` }));
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assertMaskFirst(run);
      const dir = path.join(run.dir, 'AnchoreReport');
      assert.deepEqual(run.outputs, {
        verdict: 'fail',
        'stop-count': '1',
        'warn-count': '2',
        'go-count': '0',
        'failed-images': '1',
        'errored-images': '0',
        'report-dir': dir,
        'report-json': path.join(dir, 'anchore-gate.json'),
        'sarif-file': path.join(dir, 'anchore-gate.sarif'),
        'junit-file': path.join(dir, 'anchore-gate-junit.xml'),
        // report.html, once the CLI writes one (the viewer's issue); until then empty.
        'html-report': existsSync(path.join(dir, 'report.html')) ? path.join(dir, 'report.html') : '',
      });
      for (const key of ['report-json', 'sarif-file', 'junit-file']) assert.ok(existsSync(run.outputs[key]), key);
      assert.deepEqual(Object.keys(ACTION_YML.outputs).sort(), Object.keys(run.outputs).sort());

      // The step summary.
      const md = run.summary;
      assert.match(md, /^## ❌ anchore-gate: FAIL\n\n\*\*3\*\* images: \*\*2\*\* passed, \*\*1\*\* failed, \*\*0\*\* errored · exit code \*\*1\*\*/);
      assert.ok(md.includes(`| \`${GO}\` | ✅ pass | GO | 0 | 0 | 0 | 0 | 0 | 0 | 1 | 0 | 0 |`), md);
      assert.ok(md.includes(`| \`${WARN}\` | ✅ pass | WARN | 0 | 1 | 0 |`), md);
      assert.ok(md.includes(`| \`${STOP}\` | ❌ fail | STOP | 1 | 1 | 0 | 0 | 1 | 0 | 1 | 0 | 0 |`), md);
      assert.ok(md.includes(`#### STOP findings\n\n| Image | Gate | Trigger | Check output |\n| :-- | :-- | :-- | :-- |\n| \`${STOP}\` | vulnerabilities | package | HIGH Vulnerability found`), md);
      assert.ok(md.includes('[run page](https://github.com/acme/shop/actions/runs/4242)'), md);
      await mkdir(ARTIFACTS, { recursive: true });
      await writeFile(path.join(ARTIFACTS, `action-step-summary-${api}.md`), md);

      // Annotations: an error for the STOP image, a warning for the WARN one, images in the titles.
      assert.equal(run.errors.length, 1, run.errors.join('\n'));
      assert.match(run.errors[0], /^::error title=anchore-gate STOP%3A gcr\.io\/team\/app%3A1::gcr\.io\/team\/app:1: /);
      assert.equal(run.warnings.length, 1, run.warnings.join('\n'));
      assert.match(run.warnings[0], /^::warning title=anchore-gate WARN%3A docker\.io\/library\/nginx%3A1\.15::/);
      await assertNoSecret(run);
    });

    test('an image list file puts the annotations on its lines; True/FALSE spellings', async () => {
      const run = await runAction(inputs({ 'fail-on-stop': 'FALSE', 'verify-tls': 'True' }), {
        files: { anchore_images: `# images\n${GO}\n\n${STOP}   Dockerfile\n`, Dockerfile: 'FROM alpine:3.9\n' },
      });
      assert.equal(run.code, 0, run.stdout);
      assert.equal(run.outputs.verdict, 'fail');
      assert.match(run.errors[0], /^::error title=anchore-gate STOP%3A gcr\.io\/team\/app%3A1,file=anchore_images,line=4::/);
      assert.match(run.summary, /_The verdict is FAIL, but the step passes: fail-on-stop is off._/);
    });

    test('only GO: exit 0, verdict pass, no annotations', async () => {
      const run = await runAction(inputs({ images: GO }));
      assert.equal(run.code, 0, run.stdout);
      assert.equal(run.outputs.verdict, 'pass');
      assert.deepEqual([run.errors.length, run.warnings.length], [0, 0]);
      assert.match(run.summary, /^## ✅ anchore-gate: PASS/);
    });

    test('an error: exit 2; fail-on-error off leaves the STOP (1); both off pass (0)', async () => {
      const images = `${STOP}\n${BROKEN}`;
      const run = await runAction(inputs({ images }));
      assert.equal(run.code, 2, run.stdout);
      assert.equal(run.outputs.verdict, 'error');
      assert.equal(run.outputs['errored-images'], '1');
      assert.equal(run.warnings.length, 1);
      assert.match(run.warnings[0], /^::warning title=anchore-gate error%3A registry\.example\.com\/team\/broken%3A1::registry\.example\.com\/team\/broken:1: analysis_failed: /);
      assert.match(run.summary, /- ⚠️ `registry\.example\.com\/team\/broken:1` \(--image\): `analysis_failed`: /);

      const lenient = await runAction(inputs({ images, 'fail-on-error': 'false' }));
      assert.equal(lenient.code, 1, lenient.stdout);
      const both = await runAction(inputs({ images, 'fail-on-error': 'False', 'fail-on-stop': 'false' }));
      assert.equal(both.code, 0, both.stdout);
      assert.equal(both.outputs.verdict, 'error');
    });
  });
}

describe('the action: limits, switches, bad input, credentials', () => {
  let engine;
  const many = {};
  for (let i = 0; i < 12; i += 1) many[`docker.io/team/stop${i}:1`] = { ...BASE, findings: vulnFindings([HIGH]), vulnerabilities: [HIGH] };
  for (let i = 0; i < 11; i += 1) many[`docker.io/team/warn${i}:1`] = { ...BASE, findings: [healthcheckFinding()] };
  before(async () => { engine = await startEngineDouble({ api: 'v2', scenario: scenario(many) }); });
  after(async () => { await engine.close(); });
  const inputs = (extra) => ({ 'engine-url': engine.url, user: 'admin', password: PASSWORD, 'poll-interval': '0.2', ...extra });

  test('gate-option inputs: fail-on-warn, fail-on-severity, only-fixed, allowlist', async () => {
    const warn = await runAction(inputs({ images: WARN, 'fail-on-warn': 'true' }));
    assert.equal(warn.code, 1, warn.stdout);
    assert.equal(warn.outputs.verdict, 'fail');
    const low = await runAction(inputs({ images: GO, 'fail-on-severity': 'Low' }));
    assert.equal(low.code, 1, low.stdout);
    assert.match(low.stdout, /1 vulnerability at or above Low \(--fail-on-severity\): CVE-2018-16868/);
    assert.equal((await runAction(inputs({ images: GO, 'fail-on-severity': 'Low', 'only-fixed': 'true' }))).code, 0, 'it has no fix');
    const allowed = await runAction(inputs({ images: GO, 'fail-on-severity': 'low', allowlist: 'allow.yaml' }), {
      files: { 'allow.yaml': '- vulnerability: CVE-2018-16868\n  reason: BEAST needs TLS 1.0 in a browser\n' },
    });
    assert.equal(allowed.code, 0, allowed.stdout);
    const bad = await runAction(inputs({ images: GO, 'fail-on-severity': 'severe' }));
    assert.equal(bad.code, 2);
    assert.match(bad.errors[0], /--fail-on-severity: expected one of Critical/);
    const flag = await runAction(inputs({ images: GO, 'only-fixed': 'yes' }));
    assert.equal(flag.code, 2);
    assert.match(flag.errors[0], /only-fixed/);
  });

  test('annotations: at most 10 per level, the tenth counts the rest', async () => {
    const run = await runAction(inputs({ images: Object.keys(many).join('\n') }));
    assert.equal(run.code, 1, run.stdout);
    assert.equal(run.outputs['failed-images'], '12');
    assert.equal(run.errors.length, 10);
    assert.equal(run.warnings.length, 10);
    assert.match(run.errors[9], /^::error title=anchore-gate%3A 3 more images the gate fails::3 more images the gate fails \(the runner shows 10 per level; see the step summary\): STOP: docker\.io\/team\/stop9:1; /);
    assert.match(run.warnings[9], /^::warning title=anchore-gate%3A 2 more warnings \(errors and WARN\)::/);
    // Every image still has its row in the summary.
    for (const image of Object.keys(many)) assert.ok(run.summary.includes(`| \`${image}\` |`), image);
  });

  test('the step summary stays under the runner\'s 1024 KiB with what an earlier step wrote', async () => {
    const images = Object.keys(many).join('\n');
    const earlier = `${'x'.repeat(99)}\n`.repeat(10_450); // 1,045,000 bytes: under 4 KiB left
    const full = await runAction(inputs({ images }), { summaryBefore: earlier });
    assert.equal(full.summary, earlier, 'nothing appended to a nearly full summary');
    assert.ok(full.warnings.some((l) => l.startsWith('::warning title=anchore-gate::no step summary: $GITHUB_STEP_SUMMARY already holds 1045000 bytes')), full.warnings.join('\n'));
    const half = `${'y'.repeat(99)}\n`.repeat(10_420); // 1,042,000 bytes: room for a cut summary
    const cut = await runAction(inputs({ images }), { summaryBefore: half });
    assert.ok(cut.summary.startsWith(half));
    assert.ok(Buffer.byteLength(cut.summary) <= 1024 * 1024, `${Buffer.byteLength(cut.summary)} bytes`);
    assert.match(cut.summary.slice(half.length), /^## ❌ anchore-gate: FAIL\n/);
    assert.match(cut.summary, /> \*\*Note:\*\* this summary was cut to stay under the runner's 1024 KiB step-summary limit: .* not shown\./);
    assert.ok(!cut.summary.includes('| :-- | :-- | :-- | :-- |\n\n'), 'no empty table');
  });

  test('step-summary and annotations off', async () => {
    const run = await runAction(inputs({ images: STOP, 'step-summary': 'false', annotations: 'FALSE' }));
    assert.equal(run.code, 1);
    assert.equal(run.summary, '');
    assert.deepEqual([run.errors.length, run.warnings.length], [0, 0]);
    assert.equal(run.outputs.verdict, 'fail');
  });

  test('a bad boolean or number names the input; the mask still comes first', async () => {
    const requests = engine.log.length;
    const run = await runAction(inputs({ images: GO, 'fail-on-stop': 'yes' }));
    assert.equal(run.code, 2);
    assertMaskFirst(run);
    assert.equal(run.errors.length, 1);
    assert.equal(run.errors[0], '::error title=anchore-gate%3A bad input::input fail-on-stop: expected true or false (true, True, TRUE, false, False, FALSE), got "yes"');
    assert.equal(run.outputs.verdict, 'error');
    assert.equal(engine.log.length, requests, 'nothing was sent');

    const annotations = await runAction(inputs({ images: GO, annotations: 'owner=team' }));
    assert.match(annotations.errors[0], /input annotations: expected true or false .* \(image annotations KEY=VALUE go in the input image-annotations\)$/);
    const timeout = await runAction(inputs({ images: GO, timeout: 'soon' }));
    assert.equal(timeout.code, 2);
    assert.match(timeout.errors[0], /input timeout: expected a positive number of seconds, got "soon"$/);
    const list = await runAction(inputs({ images: '', 'image-list': 'ci/images.txt' }));
    assert.equal(list.code, 2);
    assert.match(list.summary, /cannot read ci/);
    await assertNoSecret(run);
  });

  test('credentials in the engine URL are masked first and never shown', async () => {
    const secret = 'Url-S3cret:/@x';
    const withUrlUser = await startEngineDouble({ api: 'v1', scenario: makeScenario({ users: { admin: secret }, images: { [GO]: { ...BASE } } }) });
    try {
      const u = new URL(withUrlUser.url);
      u.username = 'admin';
      u.password = secret;
      const run = await runAction({ 'engine-url': u.toString(), images: GO, 'poll-interval': '0.2' });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const masks = run.lines.filter((l) => l.startsWith('::add-mask::'));
      assert.ok(run.lines.slice(0, masks.length).every((l) => l.startsWith('::add-mask::')), 'masks come first');
      assert.ok(masks.includes(`::add-mask::${secret}`), masks.join('\n'));
      // Mask values are workflow-command data: `%` is sent as %25.
      assert.ok(masks.includes(`::add-mask::${encodeURIComponent(secret).replace(/%/g, '%25')}`), masks.join('\n'));
      assert.ok(masks.includes(`::add-mask::${Buffer.from(`admin:${secret}`).toString('base64')}`), 'the Basic credentials too');
      await assertNoSecret(run, secret);
      assert.ok(!run.stdout.replace(/^::add-mask::.*$/gm, '').includes(encodeURIComponent(secret)));
    } finally {
      await withUrlUser.close();
    }
  });
});
