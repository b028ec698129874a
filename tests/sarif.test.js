// SARIF and JUnit from the core's one renderer: the CLI's --sarif/--junit/--summary files and the
// report directory's copies after real runs against the engine double (v1 and v2), the SARIF
// validated against the OASIS SARIF 2.1.0 JSON schema (tests/fixtures/sarif/), the JUnit parsed
// as XML with its counts checked against its elements.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';

import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

import { renderJunit, renderSarif, renderSummary } from '../js/core.js';
import { startEngineDouble } from '../js/engine-double/server.js';
import { healthcheckFinding, makeScenario, vuln, vulnFindings } from '../js/engine-double/scenarios.js';

const CLI = new URL('../js/cli.js', import.meta.url).pathname;
const SCHEMA = JSON.parse(await readFile(new URL('./fixtures/sarif/sarif-schema-2.1.0.json', import.meta.url), 'utf8'));
const PASSWORD = 'S4rif-Secr3t!';
const HOSTILE = '</failure><x a="1"> & \'q\' | [l](javascript:alert(1)) `c` @team %0A::error::x\nline2\r\u0001end';

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validateSarif = ajv.compile(SCHEMA);

function assertValidSarif(log, what) {
  const ok = validateSarif(log);
  assert.ok(ok, `${what} is not valid SARIF 2.1.0: ${JSON.stringify(validateSarif.errors?.slice(0, 5), null, 1)}`);
  // What GitHub code scanning needs beyond the schema.
  const run = log.runs[0];
  const rules = run.tool.driver.rules;
  assert.equal(new Set(rules.map((r) => r.id)).size, rules.length, `${what}: rule ids are unique`);
  for (const r of run.results) {
    assert.equal(rules[r.ruleIndex].id, r.ruleId, `${what}: ruleIndex points at the rule`);
    assert.ok(r.message.text.length > 0);
    assert.ok(r.locations[0].physicalLocation.artifactLocation.uri.length > 0, `${what}: a result without a file location`);
    assert.ok(r.message.text.startsWith(`${r.properties.image}: `), `${what}: the image is named in ${r.message.text}`);
  }
}

const HIGH = vuln('CVE-2015-6420', 'High', 'commons-collections', '3.2.1', 'java', { feed_group: 'nvdv2:cves', url: 'https://nvd.nist.gov/vuln/detail/CVE-2015-6420' });
const LOW = vuln('CVE-2018-16868', 'Low', 'libgnutls30', '3.5.8-5+deb9u4', 'dpkg', { feed_group: 'debian:9', url: 'https://security-tracker.debian.org/tracker/CVE-2018-16868' });

function scenario() {
  const base = { analysisMs: 300, outcome: 'analyzed', findings: [], vulnerabilities: [] };
  return makeScenario({
    users: { admin: PASSWORD },
    images: {
      'docker.io/library/alpine:3.9': { ...base, vulnerabilities: [LOW] },
      'docker.io/library/nginx:1.15': { ...base, findings: [healthcheckFinding()], vulnerabilities: [LOW] },
      'gcr.io/team/app:1': { ...base, findings: [healthcheckFinding(), ...vulnFindings([HIGH])], vulnerabilities: [HIGH, LOW] },
      'registry.example.com/team/broken:1': { ...base, outcome: 'analysis_failed' },
    },
  });
}

function runCli(args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH, ANCHORE_CLI_PASS: PASSWORD }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

const runs = {};
before(async () => {
  for (const api of ['v1', 'v2']) {
    const engine = await startEngineDouble({ api, scenario: scenario() });
    try {
      const dir = await mkdtemp(path.join(tmpdir(), `anchore-gate-sarif-${api}-`));
      const images = Object.keys(scenario().images).flatMap((i) => ['--image', i]);
      const run = await runCli([
        '--engine-url', engine.url, '--user', 'admin', '--poll-interval', '0.2', '--report-dir', 'R', ...images,
        '--sarif', 'out/gate.sarif', '--junit', 'out/junit.xml', '--summary', 'out/summary.md',
      ], dir);
      const read = (f) => readFile(path.join(dir, f), 'utf8');
      runs[api] = {
        run,
        sarif: await read('out/gate.sarif'),
        junit: await read('out/junit.xml'),
        summary: await read('out/summary.md'),
        reportText: await read('R/anchore-gate.json'),
        dirSarif: await read('R/anchore-gate.sarif'),
        dirJunit: await read('R/anchore-gate-junit.xml'),
      };
    } finally {
      await engine.close();
    }
  }
});

for (const api of ['v1', 'v2']) {
  describe(`SARIF and JUnit after a ${api} run`, () => {
    test('the CLI writes --sarif, --junit and --summary: the same as the report directory and the core renderers', () => {
      const r = runs[api];
      assert.equal(r.run.code, 2, r.run.out);
      assert.equal(r.sarif, r.dirSarif);
      assert.equal(r.junit, r.dirJunit);
      assert.equal(r.sarif, renderSarif(r.reportText));
      assert.equal(r.junit, renderJunit(r.reportText));
      assert.equal(r.summary, renderSummary(r.reportText, { report_dir: 'R' }));
      assert.match(r.summary, /^## ⚠️ anchore-gate: ERROR\n/);
      for (const text of [r.run.out, r.sarif, r.junit, r.summary, r.reportText]) assert.ok(!text.includes(PASSWORD));
    });

    test('SARIF: valid against the 2.1.0 schema, a rule per gate/trigger and vulnerability id, the image in every result', () => {
      const log = JSON.parse(runs[api].sarif);
      assertValidSarif(log, `${api} SARIF`);
      const run = log.runs[0];
      const ids = run.tool.driver.rules.map((r) => r.id).sort();
      assert.deepEqual(ids, ['CVE-2015-6420', 'CVE-2018-16868', 'dockerfile/instruction', 'vulnerabilities/package']);
      const byImage = (image) => run.results.filter((r) => r.properties.image === image).map((r) => `${r.ruleId}:${r.level}`).sort();
      assert.deepEqual(byImage('docker.io/library/alpine:3.9'), ['CVE-2018-16868:note']);
      assert.deepEqual(byImage('docker.io/library/nginx:1.15'), ['CVE-2018-16868:note', 'dockerfile/instruction:warning']);
      assert.deepEqual(byImage('gcr.io/team/app:1'), ['CVE-2015-6420:error', 'CVE-2018-16868:note', 'dockerfile/instruction:warning', 'vulnerabilities/package:error']);
      const cve = run.tool.driver.rules.find((r) => r.id === 'CVE-2015-6420');
      assert.equal(cve.properties['security-severity'], '8.0');
      assert.equal(cve.helpUri, 'https://nvd.nist.gov/vuln/detail/CVE-2015-6420');
      const notes = run.invocations[0].toolExecutionNotifications;
      assert.equal(notes.length, 1);
      assert.match(notes[0].message.text, /^registry\.example\.com\/team\/broken:1: analysis_failed: /);
      assert.equal(run.invocations[0].executionSuccessful, false);
    });

    test('JUnit: well-formed, a suite per image, counts that match its elements', () => {
      const xml = runs[api].junit;
      assert.equal(XMLValidator.validate(xml), true, 'well-formed XML');
      const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) }).parse(xml);
      const suites = doc.testsuites.testsuite;
      assert.deepEqual(suites.map((s) => s.name), ['docker.io/library/alpine:3.9', 'docker.io/library/nginx:1.15', 'gcr.io/team/app:1', 'registry.example.com/team/broken:1']);
      const count = (cases, key) => cases.filter((c) => c[key] !== undefined).length;
      let total = { tests: 0, failures: 0, errors: 0, skipped: 0 };
      for (const s of suites) {
        const cases = s.testcase;
        const actual = { tests: cases.length, failures: count(cases, 'failure'), errors: count(cases, 'error'), skipped: count(cases, 'skipped') };
        assert.deepEqual({ tests: +s.tests, failures: +s.failures, errors: +s.errors, skipped: +s.skipped }, actual, s.name);
        for (const k of Object.keys(total)) total[k] += actual[k];
      }
      assert.deepEqual(total, { tests: 7, failures: 2, errors: 1, skipped: 0 });
      const t = doc.testsuites;
      // <testsuites> carries no `skipped` (junit-10.xsd has none there; tests/junit.test.js).
      assert.deepEqual({ tests: +t.tests, failures: +t.failures, errors: +t.errors }, { tests: total.tests, failures: total.failures, errors: total.errors });
      const app = suites[2].testcase;
      assert.equal(app[0].name, 'policy evaluation');
      assert.equal(app[0].failure.type, 'STOP');
      assert.equal(suites[3].testcase[0].error.type, 'analysis_failed');
    });
  });
}

describe('renderers on hostile engine text', () => {
  function hostileReport() {
    const report = JSON.parse(runs.v2.reportText);
    const app = report.images[2];
    app.image = `gcr.io/team/app:1${HOSTILE}`;
    for (const f of app.findings) {
      Object.assign(f, { gate: HOSTILE, trigger: HOSTILE, message: HOSTILE, trigger_id: HOSTILE, recommendation: HOSTILE });
    }
    for (const v of app.vulnerabilities) Object.assign(v, { id: HOSTILE, package: HOSTILE, url: HOSTILE, fix: HOSTILE });
    app.findings[0].allowlisted = true;
    app.findings[0].allowlist_match = { id: 'w', name: HOSTILE, matched_rule_id: 'r' };
    report.images[3].error.message = HOSTILE;
    return report;
  }

  test('SARIF stays valid, the text is data, allowlisted findings are suppressed', () => {
    const log = JSON.parse(renderSarif(JSON.stringify(hostileReport())));
    assertValidSarif(log, 'hostile SARIF');
    const results = log.runs[0].results.filter((r) => r.properties.image.includes('</failure>'));
    assert.ok(results.length >= 4);
    assert.ok(results.every((r) => r.message.text.endsWith(HOSTILE) || r.message.text.includes(HOSTILE)));
    assert.equal(results.filter((r) => r.suppressions).length, 1);
    assert.ok(log.runs[0].tool.driver.rules.every((r) => !('helpUri' in r) || /^https?:\/\//.test(r.helpUri)));
  });

  test('JUnit stays well-formed and holds the text exactly', () => {
    const xml = renderJunit(JSON.stringify(hostileReport()));
    assert.equal(XMLValidator.validate(xml), true, 'well-formed XML');
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', processEntities: true, htmlEntities: true, isArray: (n) => ['testsuite', 'testcase'].includes(n) }).parse(xml);
    const suite = doc.testsuites.testsuite[2];
    const expected = HOSTILE.replace('\u0001', '\uFFFD');
    assert.equal(suite.name, `gcr.io/team/app:1${expected}`);
    assert.equal(suite.testcase.filter((c) => c.skipped !== undefined).length, 1);
  });

  test('the validators can fail', () => {
    const log = JSON.parse(runs.v1.sarif);
    log.runs[0].results[0].level = 'fatal';
    assert.equal(validateSarif(log), false, 'a bad level is caught');
    delete log.version;
    assert.equal(validateSarif(log), false);
    assert.notEqual(XMLValidator.validate('<testsuites><testsuite></testsuites>'), true);
    assert.notEqual(XMLValidator.validate(`<a b="${HOSTILE}"/>`), true, 'raw hostile text breaks XML');
  });
});
