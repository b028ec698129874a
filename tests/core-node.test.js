// The WASM core as Node sees it through js/core.js: plain objects in and out, errors as Error
// objects with a `kind`, and a whole run driven by runGate with the real recorded bodies.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

import { Gate, parseImageArg, parseImageList, runGate, version } from '../js/index.js';

const FIXTURES = new URL('../../shared/fixtures/engine/', import.meta.url);
const fixture = (name) => readFile(new URL(name, FIXTURES), 'utf8');
const FAIL_DIGEST = 'sha256:8fdd536f0caa79bb924b9c1b9451b49957322d1b07ab23def8c9a49448e5d462';

test('the image list crosses as plain objects, problems included', () => {
  const entries = parseImageList('alpine:3.9 Dockerfile\n# c\nBad:Ref\n', 'anchore_images');
  assert.deepEqual(entries[0], { source: 'anchore_images:1', image: 'alpine:3.9', dockerfile: 'Dockerfile', problem: null });
  assert.equal(Object.getPrototypeOf(entries[1]), Object.prototype);
  assert.equal(entries[1].problem.kind, 'image_list');
  assert.match(entries[1].problem.message, /^anchore_images:3: invalid image reference "Bad:Ref"/);
  assert.equal(parseImageArg('alpine=df').dockerfile, 'df');
  assert.match(version, /^\d+\.\d+\.\d+$/);
});

test('bad configuration throws an Error with kind "config"', () => {
  assert.throws(() => new Gate({ engine_url: 'http://e/v1', timeout_ms: 'soon' }, Date.now()), (e) => {
    assert.ok(e instanceof Error);
    assert.equal(e.kind, 'config');
    assert.match(e.message, /^gate configuration: invalid type: string "soon", expected u64/);
    return true;
  });
  const gate = new Gate({ engine_url: 'http://e/v1', images: [parseImageArg('alpine')] }, Date.now());
  assert.throws(() => gate.handleFailure(Date.now(), 1, 'gremlins', 'x'), (e) => e.kind === 'internal' && /unknown failure kind "gremlins"/.test(e.message));
});

test('a whole v1 run through runGate on the recorded bodies', async () => {
  const bodies = {
    check: await fixture('v1-check-fail-detail.json'),
    vuln: await fixture('v1-vuln-os-debian.json'),
    version: await fixture('v1-version-literal.json'),
  };
  let polls = 0;
  const sent = [];
  async function send({ method, url }) {
    sent.push(`${method} ${url}`);
    if (url.endsWith('/version')) return { status: 200, body: bodies.version };
    if (method === 'POST') return { status: 200, body: JSON.stringify([{ imageDigest: FAIL_DIGEST, analysis_status: 'not_analyzed' }]) };
    if (url.includes('/check?')) return { status: 200, body: bodies.check };
    if (url.includes('/vuln/')) return { status: 200, body: bodies.vuln };
    polls += 1;
    return { status: 200, body: JSON.stringify([{ imageDigest: FAIL_DIGEST, analysis_status: polls < 2 ? 'analyzing' : 'analyzed' }]) };
  }
  const events = [];
  const { report, files } = await runGate(
    { engine_url: 'http://engine.test:8228', images: [parseImageArg('gcr.io/jenkinsxio/builder-maven:latest')], poll_interval_ms: 20 },
    { send, onEvent: (e) => events.push(e) },
  );
  assert.equal(report.verdict, 'fail');
  assert.equal(report.exit_code, 1);
  assert.equal(report.engine.api, 'v1');
  const [image] = report.images;
  assert.deepEqual(image.counts, { stop: 41, warn: 16, go: 0, allowlisted: 0 });
  assert.equal(image.findings.length, 57);
  assert.equal(typeof image.duration_ms, 'number');
  assert.equal(Object.getPrototypeOf(image.vulnerability_counts), Object.prototype, 'maps cross as plain objects');
  assert.equal(Object.values(image.vulnerability_counts).reduce((a, b) => a + b), 23);
  assert.equal(sent[0], 'GET http://engine.test:8228/version');
  assert.ok(events.some((e) => e.kind === 'evaluated' && /STOP \(stop 41, warn 16, go 0\)/.test(e.message)));
  assert.deepEqual(files.map((f) => f.name), [
    'anchore-gate.json', 'anchore-gate.sarif', 'anchore-gate-junit.xml', 'anchore-gate-gitlab-cs.json', 'anchore_gates.json', 'anchore_security.json',
    'anchoreengine-api-response-evaluation-1.json', 'anchoreengine-api-response-vulnerabilities-1.json',
  ]);
  assert.deepEqual(JSON.parse(files[0].content), report);
  assert.equal(files.find((f) => f.name === 'anchoreengine-api-response-evaluation-1.json').content, bodies.check, 'the raw engine answer is kept verbatim');
});
