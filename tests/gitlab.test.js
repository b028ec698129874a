// anchore-gate-gitlab-cs.json, GitLab's container-scanning report, validated with ajv (draft-07,
// the draft it declares) against GitLab's own schema (tests/fixtures/gitlab/SOURCE.md), from a
// real run against the engine double, from `evaluate` on grype's JSON, and with hostile text.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, test } from 'node:test';

import Ajv from 'ajv';
import addFormats from 'ajv-formats';

import { evaluate } from '../js/core.js';
import { runCli, tempDir } from './support/cli.js';

const SCHEMA = JSON.parse(await readFile(new URL('./fixtures/gitlab/container-scanning-report-format.json', import.meta.url), 'utf8'));
const GRYPE = await readFile(new URL('./fixtures/grype/grype-image-golden.json', import.meta.url));
const NAME = 'anchore-gate-gitlab-cs.json';

// The schema is draft-07 ($schema), ajv's default draft; `self` is GitLab's own keyword.
assert.equal(SCHEMA.$schema, 'http://json-schema.org/draft-07/schema#');
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(SCHEMA);

function assertValid(doc, what) {
  assert.ok(validate(doc), `${what} does not validate: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`);
  assert.equal(doc.version, SCHEMA.self.version, `${what}: declares the schema version it was validated against`);
}

/** Every (image, vulnerability, package, version) of a report, as GitLab's entries must cover them. */
function expectedEntries(report) {
  const keys = new Set();
  for (const i of report.images) for (const v of i.vulnerabilities) keys.add(JSON.stringify([i.image, v.id, v.package_name, v.package_version]));
  return [...keys].sort();
}
const entries = (doc) => doc.vulnerabilities.map((v) => JSON.stringify([v.location.image, v.identifiers[0].value, v.location.dependency.package.name, v.location.dependency.version])).sort();

let demo;
before(async () => {
  const dir = await tempDir('anchore-gate-gitlab-');
  const run = await runCli(['demo', '--report-dir', 'R'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  demo = {
    doc: JSON.parse(await readFile(path.join(dir, 'R', NAME), 'utf8')),
    reportText: await readFile(path.join(dir, 'R', 'anchore-gate.json'), 'utf8'),
  };
});

test('the demo run\'s GitLab report validates; one entry per image and package, with severity, fix and location', () => {
  const { doc } = demo;
  const report = JSON.parse(demo.reportText);
  assertValid(doc, 'demo');
  assert.equal(doc.scan.type, 'container_scanning');
  assert.equal(doc.scan.status, 'success');
  assert.match(doc.scan.start_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  assert.equal(doc.scan.start_time, report.started_at.slice(0, 19));
  // The demo's broken image is a scan message, not silence.
  assert.ok(doc.scan.messages.some((m) => m.level === 'warn' && m.value.startsWith('registry.example.com:5000/team/broken:1.0: analysis_failed')), JSON.stringify(doc.scan.messages));
  assert.ok(expectedEntries(report).length > 5);
  assert.deepEqual(entries(doc), expectedEntries(report));
  assert.equal(new Set(doc.vulnerabilities.map((v) => v.id)).size, doc.vulnerabilities.length, 'ids are unique');
  const severity = { Critical: 'Critical', High: 'High', Medium: 'Medium', Low: 'Low', Negligible: 'Low', Unknown: 'Unknown' };
  for (const image of report.images) {
    for (const v of image.vulnerabilities) {
      const entry = doc.vulnerabilities.find((e) => e.location.image === image.image && e.identifiers[0].value === v.id && e.location.dependency.package.name === v.package_name);
      assert.equal(entry.severity, severity[v.severity], `${image.image} ${v.id}`);
      assert.equal(entry.solution, v.fix ? `Upgrade ${v.package_name} to ${v.fix}.` : undefined);
      if (v.url?.startsWith('http')) assert.equal(entry.identifiers[0].url, v.url);
    }
  }
  // Operating systems from the engine's feed groups: the debian image says so.
  const debian = doc.vulnerabilities.filter((v) => v.location.image === 'docker.io/library/debian:9');
  assert.ok(debian.length > 0 && debian.every((v) => v.location.operating_system === 'debian:9'), JSON.stringify(debian.map((v) => v.location)));
});

test('evaluate on grype\'s JSON and a report full of hostile text still validate', () => {
  const OPTIONS = { fail_on_stop: true, fail_on_error: true, fail_on_warn: false, fail_on_severity: null, only_fixed: false, allowlist: [], allowlist_source: null };
  const fromGrype = evaluate([{ name: 'grype.json', content: new Uint8Array(GRYPE) }], OPTIONS, Date.now());
  const grypeDoc = JSON.parse(fromGrype.find((f) => f.name === NAME).content);
  assertValid(grypeDoc, 'grype');
  assert.ok(grypeDoc.vulnerabilities.length > 0);

  const report = JSON.parse(demo.reportText);
  const hostile = '"}]}\u0000\u2028::error::x ##[add-mask]y <script>';
  for (const i of report.images) {
    i.image = `${i.image}${hostile}`;
    for (const v of i.vulnerabilities) Object.assign(v, { id: hostile, package_name: '', package: hostile, package_version: '', url: `javascript:${hostile}`, fix: hostile.repeat(2000), feed_group: hostile });
  }
  const files = evaluate([{ name: 'anchore-gate.json', content: JSON.stringify(report) }], OPTIONS, Date.now());
  const doc = JSON.parse(files.find((f) => f.name === NAME).content);
  assertValid(doc, 'hostile');
  assert.ok(doc.vulnerabilities.every((v) => !v.identifiers[0].url && v.solution.length <= 7000 && v.identifiers[0].type === 'anchore'));
});

test('the validator can fail', () => {
  const doc = structuredClone(demo.doc);
  delete doc.vulnerabilities[0].location.operating_system;
  assert.equal(validate(doc), false);
  const bad = structuredClone(demo.doc);
  bad.vulnerabilities[0].severity = 'Negligible';
  assert.equal(validate(bad), false);
  const time = structuredClone(demo.doc);
  time.scan.end_time = '2026-11-29T04:00:00.000Z';
  assert.equal(validate(time), false);
});
