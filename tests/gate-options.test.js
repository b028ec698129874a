// The gate's own rules end to end: --fail-on-severity (with --only-fixed), --fail-on-warn and
// --allowlist (YAML or JSON, with expiring entries), against the engine double.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';

import Ajv2020 from 'ajv/dist/2020.js';
import YAML from 'yaml';

import { parseAllowlist } from '../js/core.js';
import { startEngineDouble } from '../js/engine-double/server.js';
import { healthcheckFinding, makeScenario, vuln } from '../js/engine-double/scenarios.js';
import { runCli } from './support/cli.js';

const CREDENTIALS = { ANCHORE_CLI_USER: 'admin', ANCHORE_CLI_PASS: 'foobar' };

const DOCS = new URL('../docs/', import.meta.url);

const HIGH_NO_FIX = vuln('CVE-2015-6420', 'High', 'commons-collections', '3.2.1', 'java', { url: 'https://nvd.nist.gov/vuln/detail/CVE-2015-6420' });
const MEDIUM_FIXED = vuln('CVE-2019-3842', 'Medium', 'libudev1', '232-25+deb9u9', 'dpkg', { fix: '232-25+deb9u11' });

const scenario = () => makeScenario({
  images: {
    'docker.io/team/api:1': { analysisMs: 200, findings: [], vulnerabilities: [HIGH_NO_FIX, MEDIUM_FIXED] },
    'docker.io/team/web:1': { analysisMs: 200, findings: [healthcheckFinding()], vulnerabilities: [] },
  },
});

async function scan(engine, args, files = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'anchore-gate-options-'));
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  const run = await runCli(['--engine-url', engine.url, '--poll-interval', '0.2', '--report-dir', 'R', ...args], { cwd: dir, env: CREDENTIALS });
  let report = null;
  try {
    report = JSON.parse(await readFile(path.join(dir, 'R', 'anchore-gate.json'), 'utf8'));
  } catch { /* usage errors write no report */ }
  return { ...run, report };
}

describe('gate options against the engine double', () => {
  let engine;
  test.before(async () => { engine = await startEngineDouble({ api: 'v2', scenario: scenario() }); });
  test.after(async () => { await engine.close(); });

  test('--fail-on-severity fails a policy pass; --only-fixed ignores what has no fix', async () => {
    const plain = await scan(engine, ['--image', 'docker.io/team/api:1']);
    assert.equal(plain.code, 0, plain.stdout + plain.stderr);

    const high = await scan(engine, ['--image', 'docker.io/team/api:1', '--fail-on-severity', 'high']);
    assert.equal(high.code, 1);
    const [image] = high.report.images;
    assert.equal(image.status, 'fail');
    assert.equal(image.final_action, 'go', 'the engine policy said GO');
    assert.deepEqual(image.gate_failures, ['1 vulnerability at or above High (--fail-on-severity): CVE-2015-6420']);
    assert.equal(high.report.options.fail_on_severity, 'High');
    assert.match(high.stdout, /FAIL, final action GO: 1 vulnerability at or above High/);

    const fixed = await scan(engine, ['--image', 'docker.io/team/api:1', '--fail-on-severity', 'High', '--only-fixed']);
    assert.equal(fixed.code, 0, 'the High one has no fix');
    const medium = await scan(engine, ['--image', 'docker.io/team/api:1', '--fail-on-severity', 'Medium', '--only-fixed']);
    assert.equal(medium.code, 1);
    assert.match(medium.report.images[0].gate_failures[0], /^1 fixable vulnerability at or above Medium .*CVE-2019-3842$/);
  });

  test('--fail-on-warn', async () => {
    const warn = await scan(engine, ['--image', 'docker.io/team/web:1']);
    assert.equal(warn.code, 0);
    const strict = await scan(engine, ['--image', 'docker.io/team/web:1', '--fail-on-warn']);
    assert.equal(strict.code, 1);
    assert.match(strict.report.images[0].gate_failures[0], /^policy: WARN \(--fail-on-warn/);
  });

  test('an allowlist covers, shows and expires', async () => {
    const allowlist = [
      'entries:',
      '  - vulnerability: CVE-2015-6420',
      '    package: commons-collections',
      '    reason: "deserialisation gadget, no untrusted input reaches it"',
      '  - vulnerability: CVE-2019-3842',
      '    reason: old exception',
      '    expires: 2020-01-31',
    ].join('\n');
    const run = await scan(engine, ['--image', 'docker.io/team/api:1', '--fail-on-severity', 'Medium', '--allowlist', 'allow.yaml'], { 'allow.yaml': allowlist });
    assert.equal(run.code, 1, 'the expired entry no longer covers the Medium one');
    const [image] = run.report.images;
    const byId = Object.fromEntries(image.vulnerabilities.map((v) => [v.id, v]));
    assert.deepEqual(byId['CVE-2015-6420'].allowlisted, { entry: 1, reason: 'deserialisation gadget, no untrusted input reaches it', expires: null });
    assert.equal(byId['CVE-2019-3842'].allowlisted, null);
    assert.deepEqual(image.gate_failures, ['1 vulnerability at or above Medium (--fail-on-severity): CVE-2019-3842']);
    assert.deepEqual(run.report.allowlist.expired, [{ entry: 2, expires: '2020-01-31', reason: 'old exception', matches: 'CVE-2019-3842' }]);
    assert.equal(run.report.allowlist.applied, 1);
    assert.match(run.stdout, /allowlist entry 2 \(CVE-2019-3842\) expired on 2020-01-31 and no longer applies/);

    const json = JSON.stringify([{ vulnerability: 'CVE-2015-6420', reason: 'r' }, { vulnerability: 'CVE-2019-3842', reason: 'r' }]);
    const covered = await scan(engine, ['--image', 'docker.io/team/api:1', '--fail-on-severity', 'Medium', '--allowlist', 'allow.json'], { 'allow.json': json });
    assert.equal(covered.code, 0, covered.stdout);
  });

  test('a malformed allowlist is an error naming the file and the entry', async () => {
    const bad = await scan(engine, ['--image', 'docker.io/team/api:1', '--allowlist', 'allow.yaml'], { 'allow.yaml': '- vulnerability: CVE-1\n  reason: ok\n- vulnerabilty: CVE-2\n  reason: typo\n' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /allow\.yaml: entry 2: unknown field `vulnerabilty`/);
    const yaml = await scan(engine, ['--image', 'docker.io/team/api:1', '--allowlist', 'allow.yaml'], { 'allow.yaml': 'entries: [\n' });
    assert.equal(yaml.code, 2);
    assert.match(yaml.stderr, /allow\.yaml is not valid YAML or JSON/);
    const level = await scan(engine, ['--image', 'docker.io/team/api:1', '--fail-on-severity', 'severe']);
    assert.equal(level.code, 2);
    assert.match(level.stderr, /--fail-on-severity: expected one of Critical, High, Medium, Low, Negligible, Unknown, got "severe"/);
    const fixedAlone = await scan(engine, ['--image', 'docker.io/team/api:1', '--only-fixed']);
    assert.equal(fixedAlone.code, 2);
    assert.match(fixedAlone.stderr, /--only-fixed needs --fail-on-severity/);
  });
});

test('the documented example allowlist follows the documented schema and the parser', async () => {
  const schema = JSON.parse(await readFile(new URL('allowlist.schema.json', DOCS), 'utf8'));
  const example = YAML.parse(await readFile(new URL('allowlist.example.yaml', DOCS), 'utf8'));
  const validate = new Ajv2020({ allErrors: true }).compile(schema);
  assert.ok(validate(example), JSON.stringify(validate.errors));
  assert.equal(parseAllowlist(JSON.stringify(example), 'allowlist.example.yaml').length, 3);
  // The schema and the parser refuse the same mistakes.
  for (const bad of [[{ vulnerability: 'CVE-1' }], [{ reason: 'r' }], [{ package: 'p', reason: 'r', colour: 'x' }], [{ package: 'p', reason: 'r', expires: 'soon' }]]) {
    assert.equal(validate(bad), false, JSON.stringify(bad));
    assert.throws(() => parseAllowlist(JSON.stringify(bad), 'x'), (e) => e.kind === 'config');
  }
});
