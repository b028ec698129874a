// The JUnit file as its consumers read it: valid against the Jenkins xUnit plugin's junit-10.xsd
// (vendored, tests/fixtures/junit/SOURCE.md) with a real XSD validator (xmllint --schema), and
// counted the way GitLab's and the Jenkins JUnit plugin's readers count, which must agree with
// the report and with the counts the file states.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, test } from 'node:test';

import { XMLParser } from 'fast-xml-parser';

import { renderJunit } from '../js/core.js';
import { runCli, tempDir } from './support/cli.js';

const XSD = new URL('./fixtures/junit/junit-10.xsd', import.meta.url).pathname;

/** `xmllint --noout --schema junit-10.xsd`: null when valid, else what it said. */
async function xsdErrors(xml) {
  const file = path.join(await tempDir('anchore-gate-junit-'), 'junit.xml');
  await writeFile(file, xml);
  const r = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
  if (r.error) throw new Error(`xmllint could not run (scripts/setup.sh installs libxml2-utils): ${r.error.message}`);
  return r.status === 0 ? null : r.stderr;
}

const parse = (xml) => new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => ['testsuite', 'testcase'].includes(n) }).parse(xml);

/**
 * GitLab's reader, lib/gitlab/ci/parsers/test/junit.rb (gitlabhq/gitlabhq @ 028d8ac9fdde17782cc002563ecd7c5f77ea699f):
 * every <testcase> under <testsuites>/<testsuite> is one test; its status is failed if it has a
 * <failure>, else error if it has an <error>, else skipped if it has a <skipped>, else success.
 * The counts attributes are not read.
 */
function gitlabCounts(doc) {
  const counts = { success: 0, failed: 0, error: 0, skipped: 0 };
  const walk = (suites) => {
    for (const s of suites ?? []) {
      for (const c of s.testcase ?? []) {
        if ('failure' in c) counts.failed += 1;
        else if ('error' in c) counts.error += 1;
        else if ('skipped' in c) counts.skipped += 1;
        else counts.success += 1;
      }
      walk(s.testsuite);
    }
  };
  walk(doc.testsuites.testsuite);
  return counts;
}

/**
 * The Jenkins JUnit plugin, src/main/java/hudson/tasks/junit/CaseResult.java (jenkinsci/junit-plugin
 * @ 002534a5f33ed02cfe22b53ae0c32fc0b88b7d00): a case with a <skipped> element is SKIPPED
 * (isMarkedAsSkipped); otherwise one with an <error> or <failure> is FAILED (getError /
 * getErrorMessage read either); else PASSED.
 */
function jenkinsCounts(doc) {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const s of doc.testsuites.testsuite ?? []) {
    for (const c of s.testcase ?? []) {
      if ('skipped' in c) counts.skipped += 1;
      else if ('error' in c || 'failure' in c) counts.failed += 1;
      else counts.passed += 1;
    }
  }
  return counts;
}

/** What the file must say for a report, from the report's own rows (README: JUnit). */
function expected(report) {
  let stopFindings = 0;
  let allowlisted = 0;
  let findings = 0;
  for (const i of report.images) {
    findings += i.findings.length;
    allowlisted += i.findings.filter((f) => f.allowlisted).length;
    stopFindings += i.findings.filter((f) => !f.allowlisted && f.action === 'stop').length;
  }
  const fail = report.images.filter((i) => i.status === 'fail').length;
  const error = report.images.filter((i) => i.status === 'error').length;
  const runError = report.error && !report.images.some((i) => i.error) ? 1 : 0;
  const tests = report.images.length + findings + runError;
  return {
    gitlab: { success: tests - fail - stopFindings - error - runError - allowlisted, failed: fail + stopFindings, error: error + runError, skipped: allowlisted },
    jenkins: { passed: tests - fail - stopFindings - error - runError - allowlisted, failed: fail + stopFindings + error + runError, skipped: allowlisted },
    attributes: { tests, failures: fail + stopFindings, errors: error + runError },
  };
}

function assertCounts(xml, report, what) {
  const doc = parse(xml);
  const want = expected(report);
  assert.deepEqual(gitlabCounts(doc), want.gitlab, `${what}: GitLab's count`);
  assert.deepEqual(jenkinsCounts(doc), want.jenkins, `${what}: Jenkins JUnit's count`);
  const t = doc.testsuites;
  assert.deepEqual({ tests: +t.tests, failures: +t.failures, errors: +t.errors }, want.attributes, `${what}: <testsuites> counts`);
  let skipped = 0;
  for (const s of t.testsuite) {
    const cases = s.testcase;
    assert.equal(+s.tests, cases.length, `${what}: ${s.name} tests`);
    assert.equal(+s.failures, cases.filter((c) => 'failure' in c).length, `${what}: ${s.name} failures`);
    assert.equal(+s.errors, cases.filter((c) => 'error' in c).length, `${what}: ${s.name} errors`);
    assert.equal(+s.skipped, cases.filter((c) => 'skipped' in c).length, `${what}: ${s.name} skipped`);
    skipped += +s.skipped;
  }
  assert.equal(skipped, want.gitlab.skipped);
}

let demo;
before(async () => {
  const dir = await tempDir('anchore-gate-junit-demo-');
  const run = await runCli(['demo', '--report-dir', 'R'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  demo = {
    xml: await readFile(path.join(dir, 'R', 'anchore-gate-junit.xml'), 'utf8'),
    reportText: await readFile(path.join(dir, 'R', 'anchore-gate.json'), 'utf8'),
  };
});

test('the demo run\'s JUnit validates against junit-10.xsd; GitLab and Jenkins count what the report says', async () => {
  assert.equal(await xsdErrors(demo.xml), null);
  const report = JSON.parse(demo.reportText);
  assertCounts(demo.xml, report, 'demo');
  const want = expected(report);
  // The demo has every kind of case: passed, failed (STOP), errored, skipped (allowlisted).
  assert.ok(want.gitlab.success > 0 && want.gitlab.failed > 0 && want.gitlab.error > 0 && want.gitlab.skipped > 0, JSON.stringify(want));
});

test('hostile engine text and a run error with no image still validate and count right', async () => {
  const report = JSON.parse(demo.reportText);
  const hostile = '</failure><x a="1"> & \'q\' ]]> <![CDATA[ \u0001 \uFFFE end';
  report.images[0].image = `x${hostile}`;
  for (const i of report.images) for (const f of i.findings) Object.assign(f, { gate: hostile, trigger: hostile, message: hostile, trigger_id: hostile });
  report.images.find((i) => i.error).error.message = hostile;
  const xml = renderJunit(JSON.stringify(report));
  assert.equal(await xsdErrors(xml), null);
  assertCounts(xml, report, 'hostile');

  const empty = { ...JSON.parse(demo.reportText), images: [], error: { kind: 'image_list', message: 'anchore_images lists no images' } };
  const emptyXml = renderJunit(JSON.stringify(empty));
  assert.equal(await xsdErrors(emptyXml), null);
  assertCounts(emptyXml, empty, 'run error');
});

test('the validator can fail: the old `skipped` on <testsuites> and a missing required attribute are refused', async () => {
  const withSkipped = demo.xml.replace('<testsuites name="anchore-gate" ', '<testsuites name="anchore-gate" skipped="1" ');
  assert.notEqual(withSkipped, demo.xml);
  assert.match(await xsdErrors(withSkipped), /skipped.*not allowed/);
  const noName = demo.xml.replace(/<testcase classname="([^"]*)" name="[^"]*"/, '<testcase classname="$1"');
  assert.match(await xsdErrors(noName), /name.*required/);
});
