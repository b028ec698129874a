// Tests of the engine double (js/engine-double/server.js) against the REAL
// recorded engine responses in shared/fixtures/engine/ and the Enterprise v2
// spec (v2-openapi.yaml). Run: node --test tests/engine-double.test.js
//
// The fixtures live beside the repository clone (<parent>/shared/...), as in CI.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import { startEngineDouble, V1_CHECK_HEADER } from '../js/engine-double/server.js';
import {
  demoScenario, makeScenario, parseDockerImageString, normalizeTag, vulnFindings, healthcheckFinding,
  DEFAULT_POLICY_ID, sha256Hex,
} from '../js/engine-double/scenarios.js';

const FIXTURES = new URL('../../shared/fixtures/engine/', import.meta.url);
const fixtureText = (name) => readFileSync(new URL(name, FIXTURES), 'utf8');
const fixture = (name) => JSON.parse(fixtureText(name));

const ADMIN = `Basic ${Buffer.from('admin:foobar').toString('base64')}`;
const STOP_TAG = 'gcr.io/jenkinsxio/builder-maven:latest';
const STOP_DIGEST = 'sha256:8fdd536f0caa79bb924b9c1b9451b49957322d1b07ab23def8c9a49448e5d462';
const STOP_IMAGE_ID = 'c1d974aa689be7e7bd02120230be10de2ea3f3beb85b1c4975cfb218b8468ef0';
const ALPINE_DIGEST = 'sha256:d05ecd4520cab5d9e5d877595fb0532aadcd6c90f4bbc837bc11679f704c4c82';
const DEBIAN_TAG = 'docker.io/library/debian:9';
const DEBIAN_DIGEST = `sha256:${sha256Hex(DEBIAN_TAG)}`;
const NGINX_TAG = 'docker.io/library/nginx:1.15';
const NGINX_DIGEST = `sha256:${sha256Hex(NGINX_TAG)}`;
const BROKEN_TAG = 'registry.example.com:5000/team/broken:1.0';

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

/** A manual clock so that state changes are deterministic. */
function manualClock(start = Date.UTC(2024, 0, 2, 3, 4, 5)) {
  let t = start;
  const now = () => t;
  now.advance = (ms) => { t += ms; };
  return now;
}

async function call(double, method, path, { auth = ADMIN, body, headers = {}, raw = false } = {}) {
  const root = double.url.replace(/\/v[12]$/, '');
  const h = { 'Content-Type': 'application/json', ...headers };
  if (auth) h.Authorization = auth;
  const res = await fetch(root + path, { method, headers: h, body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)) });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json: raw ? undefined : json };
}

const typeOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Same keys (or, with subset, at least the fixture's keys) and the same JSON
 * value types, recursively. Arrays: a "tuple" (mixed element types, like a v1
 * check row) is compared index by index, otherwise every element against the
 * fixture's first element.
 */
function assertSameShape(actual, expected, path = '$', opts = {}) {
  assert.equal(typeOf(actual), typeOf(expected), `${path}: expected ${typeOf(expected)}, got ${typeOf(actual)} (${JSON.stringify(actual)?.slice(0, 120)})`);
  if (typeOf(expected) === 'object') {
    const ek = Object.keys(expected).sort();
    const ak = Object.keys(actual).sort();
    if (opts.subset) {
      for (const k of ek) assert.ok(ak.includes(k), `${path}: missing key ${k} (has ${ak.join(', ')})`);
    } else {
      assert.deepEqual(ak, ek, `${path}: key set differs`);
    }
    for (const k of ek) assertSameShape(actual[k], expected[k], `${path}.${k}`, opts);
  } else if (Array.isArray(expected)) {
    if (expected.length === 0 || actual.length === 0) return;
    const tuple = new Set(expected.map(typeOf)).size > 1;
    if (tuple) {
      assert.equal(actual.length, expected.length, `${path}: tuple length`);
      expected.forEach((e, i) => assertSameShape(actual[i], e, `${path}[${i}]`, opts));
    } else {
      actual.forEach((a, i) => assertSameShape(a, expected[0], `${path}[${i}]`, opts));
    }
  }
}

/** The single value of a one-key object (v1 check nesting is keyed by digest and tag). */
function only(obj, what) {
  const keys = Object.keys(obj);
  assert.equal(keys.length, 1, `${what}: expected one key, got ${keys}`);
  return [keys[0], obj[keys[0]]];
}

// --- a tiny reader for the block-style YAML of v2-openapi.yaml -------------

const V2_SPEC_LINES = fixtureText('v2-openapi.yaml').split('\n');
const indentOf = (line) => line.match(/^ */)[0].length;

function yamlNode(lineIndex) {
  const indent = indentOf(V2_SPEC_LINES[lineIndex]);
  let end = lineIndex + 1;
  while (end < V2_SPEC_LINES.length && (V2_SPEC_LINES[end].trim() === '' || indentOf(V2_SPEC_LINES[end]) > indent)) end += 1;
  return { start: lineIndex, end, indent };
}

function yamlChild(node, key) {
  for (let i = node.start + 1; i < node.end; i += 1) {
    const line = V2_SPEC_LINES[i];
    if (indentOf(line) === node.indent + 2 && line.trim().startsWith(`${key}:`)) return yamlNode(i);
  }
  return null;
}

/** Schema node: `schema('PolicyEvaluationResult', 'properties', 'details')`. */
function schema(name, ...path) {
  const i = V2_SPEC_LINES.findIndex((l) => l === `    ${name}:`);
  assert.ok(i > 0, `schema ${name} not found in v2-openapi.yaml`);
  let node = yamlNode(i);
  for (const key of path) {
    node = yamlChild(node, key);
    assert.ok(node, `${name}.${path.join('.')} not found`);
  }
  return node;
}

function requiredOf(node) {
  const req = yamlChild(node, 'required');
  if (!req) return [];
  const inline = V2_SPEC_LINES[req.start].match(/required:\s*\[(.*)\]/);
  if (inline) return inline[1].split(',').map((s) => s.trim()).filter(Boolean);
  const out = [];
  for (let i = req.start + 1; i < V2_SPEC_LINES.length; i += 1) {
    const m = V2_SPEC_LINES[i].match(/^(\s*)- (\S+)\s*$/);
    if (!m || m[1].length < node.indent + 2) break;
    out.push(m[2]);
  }
  return out;
}

function propertiesOf(node) {
  const props = yamlChild(node, 'properties');
  if (!props) return [];
  const out = [];
  for (let i = props.start + 1; i < props.end; i += 1) {
    const m = V2_SPEC_LINES[i].match(/^(\s*)([A-Za-z0-9_]+):/);
    if (m && m[1].length === props.indent + 2) out.push(m[2]);
  }
  return out;
}

const additionalPropertiesFalse = (node) => Boolean(yamlChild(node, 'additionalProperties'))
  && /additionalProperties:\s*false/.test(V2_SPEC_LINES[yamlChild(node, 'additionalProperties').start]);

/** Required keys present; with `closed`, no keys beyond the declared properties. */
function assertSchema(obj, node, label, { closed = false, allowExtra = [] } = {}) {
  assert.equal(typeOf(obj), 'object', `${label}: not an object`);
  for (const k of requiredOf(node)) assert.ok(k in obj, `${label}: required key ${k} missing`);
  const props = propertiesOf(node);
  if (closed || additionalPropertiesFalse(node)) {
    for (const k of Object.keys(obj)) {
      if (!allowExtra.includes(k)) assert.ok(props.includes(k), `${label}: key ${k} not declared in the schema (${props.join(', ')})`);
    }
  }
}

// ---------------------------------------------------------------------------
// pure functions
// ---------------------------------------------------------------------------

describe('tag normalisation (port of the engine parse_dockerimage_string)', () => {
  test('the engine adds docker.io and :latest but never library/', () => {
    assert.equal(normalizeTag('alpine:3.9'), 'docker.io/alpine:3.9');
    assert.equal(normalizeTag('3.9'), 'docker.io/3.9:latest'); // recorded: v1-check-pass-shortname-tag.json
    assert.equal(normalizeTag('debian'), 'docker.io/debian:latest');
    assert.equal(normalizeTag('library/debian:9'), 'docker.io/library/debian:9');
    assert.equal(normalizeTag('docker.io/library/debian'), 'docker.io/library/debian:latest');
    assert.equal(normalizeTag('myhost:5000/team/app'), 'myhost:5000/team/app:latest');
    assert.equal(normalizeTag('gcr.io/jenkinsxio/builder-maven:latest'), 'gcr.io/jenkinsxio/builder-maven:latest');
    assert.equal(normalizeTag('localhost/app:1'), 'localhost/app:1');
    assert.equal(normalizeTag('team/app:'), 'docker.io/team/app:latest');
  });

  test('digests and image ids are recognised, bad characters rejected', () => {
    const d = parseDockerImageString(`alpine@${ALPINE_DIGEST}`);
    assert.equal(d.fulltag, null);
    assert.equal(d.digest, ALPINE_DIGEST);
    assert.equal(d.fulldigest, `docker.io/alpine@${ALPINE_DIGEST}`);
    assert.equal(parseDockerImageString(STOP_IMAGE_ID).imageId, STOP_IMAGE_ID);
    assert.throws(() => parseDockerImageString('bad image!'), /bad character\(s\) \[' ', '!'\]/);
  });

  test('vulnerability findings follow the stock bundle (medium warn, above stop) and the recorded texts', () => {
    const rows = fixture('v1-check-fail-detail.json');
    const [, byTag] = only(rows[0], 'digest');
    const [, evals] = only(byTag, 'tag');
    const table = evals[0].detail.result.result[STOP_IMAGE_ID].result;
    const demo = demoScenario().images[STOP_TAG];
    const fromRecording = new Map(table.rows.map((r) => [r[2], r]));
    // every demo finding whose vulnerability occurs in the recording reproduces its row
    const recorded = demo.findings.filter((f) => fromRecording.has(f.trigger_id));
    assert.ok(recorded.length >= 7, `only ${recorded.length} demo findings are recorded rows`);
    assert.deepEqual(demo.findings.filter((f) => !fromRecording.has(f.trigger_id)).map((f) => f.trigger_id),
      ['CVE-2005-3906+jdk-tool.hpi'], 'the one finding taken from v1-vuln-all-nvd-java.json instead');
    for (const f of recorded) {
      const row = fromRecording.get(f.trigger_id);
      assert.equal(f.message, row[5]);
      assert.equal(f.action, row[6]);
      assert.equal(f.gate, row[3]);
      assert.equal(f.trigger, row[4]);
    }
    assert.deepEqual(vulnFindings([{ vuln: 'CVE-1', severity: 'Low', package_name: 'x', package_version: '1', package_type: 'dpkg' }]), []);
  });
});

// ---------------------------------------------------------------------------
// v1
// ---------------------------------------------------------------------------

describe('v1 double', () => {
  let d;
  const clock = manualClock();
  before(async () => { d = await startEngineDouble({ api: 'v1', now: clock }); });
  after(async () => { await d.close(); });

  test('url, unauthenticated ping, health, version and swagger', async () => {
    assert.match(d.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    for (const p of ['/v1', '/v1/', '/']) {
      const r = await call(d, 'GET', p, { auth: null });
      assert.equal(r.status, 200, p);
      assert.equal(r.json, 'v1');
    }
    assert.equal((await call(d, 'GET', '/health', { auth: null })).status, 200);
    const v = await call(d, 'GET', '/version', { auth: null });
    assert.equal(v.status, 200);
    assertSameShape(v.json, fixture('v1-version-literal.json'));
    assert.deepEqual(v.json.api, {});
    assert.deepEqual((await call(d, 'GET', '/v1/version', { auth: null })).json, v.json);
    for (const p of ['/swagger.json', '/v1/swagger.json']) {
      const s = await call(d, 'GET', p, { auth: null });
      assert.equal(s.status, 200);
      assert.equal(s.json.swagger, '2.0');
      assert.equal(s.json.info.version, '0.1.20');
    }
  });

  test('401 is plain text "Unauthorized" with the Basic challenge', async () => {
    for (const auth of [null, `Basic ${Buffer.from('admin:wrong').toString('base64')}`, `Basic ${Buffer.from('nobody:foobar').toString('base64')}`]) {
      const r = await call(d, 'GET', '/v1/images', { auth });
      assert.equal(r.status, 401);
      assert.equal(r.text, 'Unauthorized');
      assert.equal(r.headers.get('www-authenticate'), 'basic realm="Authentication required"');
      assert.match(r.headers.get('content-type'), /^text\/html/);
    }
    const entry = d.log.findLast((e) => e.status === 401);
    assert.equal(entry.user, 'nobody');
  });

  test('status, system and policies match the recorded shapes', async () => {
    const s = await call(d, 'GET', '/v1/status');
    assert.equal(s.status, 200);
    assertSameShape(s.json, fixture('v1-status.json'));
    const sys = await call(d, 'GET', '/v1/system');
    assert.deepEqual(sys.json.service_states.map((x) => x.servicename), ['apiext', 'catalog', 'policy_engine', 'simplequeue', 'analyzer']);
    assert.ok(sys.json.service_states.every((x) => x.service_detail.up === true && 'hostid' in x));
    const p = await call(d, 'GET', '/v1/policies');
    assertSameShape(p.json, fixture('v1-policies-default-bundle.json'));
    const rec = { ...fixture('v1-policies-default-bundle.json')[0] };
    assert.deepEqual({ ...p.json[0], created_at: rec.created_at, last_updated: rec.last_updated }, rec);
    const one = await call(d, 'GET', `/v1/policies/${DEFAULT_POLICY_ID}`);
    assert.equal(one.json.length, 1);
    assert.equal(one.json[0].policybundle.id, DEFAULT_POLICY_ID);
  });

  test('POST /images: one-element list, not_analyzed, the recorded record shape', async () => {
    const r = await call(d, 'POST', '/v1/images?autosubscribe=True', { body: { tag: STOP_TAG, annotations: { owner: 'ci' } } });
    assert.equal(r.status, 200);
    assert.ok(Array.isArray(r.json), 'v1 answers a LIST');
    assert.equal(r.json.length, 1);
    const rec = r.json[0];
    assert.equal(rec.analysis_status, 'not_analyzed');
    assert.equal(rec.imageDigest, STOP_DIGEST);
    assert.equal(rec.image_detail[0].imageId, STOP_IMAGE_ID);
    assert.equal(rec.image_detail[0].fulltag, STOP_TAG);
    assert.deepEqual(rec.annotations, { owner: 'ci' });
    // v1-image-analyzing.json is a single record with null metadata/analyzed_at
    // (annotations are free-form; the recording has none)
    assertSameShape({ ...rec, annotations: {} }, fixture('v1-image-analyzing.json'));
    const last = d.log.at(-1);
    assert.deepEqual({ method: last.method, path: last.path, query: last.query, user: last.user, body: last.body },
      { method: 'POST', path: '/v1/images', query: { autosubscribe: 'True' }, user: 'admin', body: { tag: STOP_TAG, annotations: { owner: 'ci' } } });
  });

  test('state progresses over time and /check, /vuln answer 404 until analyzed', async () => {
    const notAnalyzed = fixture('v1-error-404-not-analyzed-not-analyzed.json');
    const analyzing = fixture('v1-error-404-not-analyzed-analyzing.json');
    let r = await call(d, 'GET', `/v1/images/${STOP_DIGEST}/check?tag=${STOP_TAG}&detail=true`);
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, notAnalyzed);
    r = await call(d, 'GET', `/v1/images/${STOP_DIGEST}/vuln/os`);
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, notAnalyzed);

    clock.advance(1500); // analysisMs 4000: analyzing from 1000 ms
    r = await call(d, 'GET', `/v1/images/${STOP_DIGEST}`);
    assert.equal(r.json[0].analysis_status, 'analyzing');
    assertSameShape({ ...r.json[0], annotations: {} }, fixture('v1-image-analyzing.json'));
    r = await call(d, 'GET', `/v1/images/${STOP_DIGEST}/vuln/all`);
    assert.deepEqual([r.status, r.json], [404, analyzing]);
    r = await call(d, 'GET', `/v1/images/${STOP_DIGEST}/check?tag=${STOP_TAG}`);
    assert.deepEqual([r.status, r.json], [404, analyzing]);

    clock.advance(2600);
    r = await call(d, 'GET', `/v1/images/${STOP_DIGEST}`);
    assert.equal(r.status, 200);
    assert.equal(r.json[0].analysis_status, 'analyzed');
    assertSameShape([{ ...r.json[0], annotations: {} }], fixture('v1-image-add-analyzed.json'));
    assert.equal(r.json[0].image_content.metadata.distro, 'centos');
    const noDetail = await call(d, 'GET', `/v1/images/${STOP_DIGEST}?history=false&detail=false`);
    assertSameShape([{ ...noDetail.json[0], annotations: {} }], fixture('v1-image-get-detail-false-analyzed.json'));
    assert.deepEqual(noDetail.json[0].image_detail, []);
  });

  test('re-adding an analyzed image returns it unchanged; force=true resets it', async () => {
    let r = await call(d, 'POST', '/v1/images', { body: { tag: STOP_TAG } });
    assert.equal(r.json[0].analysis_status, 'analyzed');
    r = await call(d, 'POST', '/v1/images?force=true', { body: { tag: STOP_TAG } });
    assert.equal(r.json[0].analysis_status, 'not_analyzed');
    assert.equal(r.json[0].analyzed_at, null);
    clock.advance(5000);
    assert.equal(d.statusOf(STOP_DIGEST), 'analyzed');
  });

  test('check detail=true has the recorded nested shape (v1-check-fail-detail.json)', async () => {
    const r = await call(d, 'GET', `/v1/images/${STOP_DIGEST}/check?history=false&detail=true&tag=${STOP_TAG}`);
    assert.equal(r.status, 200);
    const rec = fixture('v1-check-fail-detail.json');
    assert.equal(r.json.length, 1);
    const [digest, byTag] = only(r.json[0], 'digest');
    const [, recByTag] = only(rec[0], 'recorded digest');
    assert.equal(digest, STOP_DIGEST);
    const [tag, evals] = only(byTag, 'tag');
    const [recTag, recEvals] = only(recByTag, 'recorded tag');
    assert.equal(tag, recTag);
    assert.equal(evals.length, 1);
    const e = evals[0];
    const re = recEvals[0];
    assert.equal(e.status, 'fail');
    assert.equal(e.policyId, DEFAULT_POLICY_ID);
    assert.match(e.last_evaluation, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assertSameShape({ ...e, detail: null }, { ...re, detail: null });
    assert.deepEqual(e.detail.policy, re.detail.policy, 'the stock bundle, verbatim');
    assertSameShape(e.detail.policy, re.detail.policy);

    // detail.result: everything but the image-id-keyed table
    const { result: table, ...resultRest } = e.detail.result;
    const { result: recTable, ...recRest } = re.detail.result;
    assertSameShape(resultRest, recRest);
    assert.equal(e.detail.result.final_action, 'stop');
    assert.equal(e.detail.result.final_action_reason, 'policy_evaluation');
    assert.equal(e.detail.result.image_id, STOP_IMAGE_ID);
    assert.equal(e.detail.result.image_digest, STOP_DIGEST);
    assert.equal(e.detail.result.status, 'fail');
    assert.deepEqual(Object.keys(table).sort(), Object.keys(recTable).sort(), 'same image id + policy_data/policy_name/whitelist_* keys');
    for (const k of ['policy_data', 'policy_name', 'whitelist_data', 'whitelist_names']) assertSameShape(table[k], recTable[k], k);
    const t = table[STOP_IMAGE_ID].result;
    assertSameShape(t, recTable[STOP_IMAGE_ID].result);
    assert.deepEqual(t.header, V1_CHECK_HEADER);
    assert.deepEqual(t.header, recTable[STOP_IMAGE_ID].result.header);
    assert.equal(t.row_count, t.rows.length);
    assert.equal(t.final_action, 'stop');
    assert.ok(t.rows.every((row) => row[0] === STOP_IMAGE_ID && row[1] === STOP_TAG && row[8] === '48e6f7d6-1765-11e8-b5f9-8b6f228548b6'));
    assert.deepEqual(new Set(t.rows.map((row) => row[6])), new Set(['warn', 'stop']));
  });

  test('check detail=false and a pass image match v1-check-pass.json', async () => {
    await call(d, 'POST', '/v1/images', { body: { tag: 'docker.io/alpine:3.9' } });
    clock.advance(2000);
    const r = await call(d, 'GET', `/v1/images/${ALPINE_DIGEST}/check?history=false&detail=false&tag=docker.io/alpine:3.9`);
    assert.equal(r.status, 200);
    assertSameShape(r.json, fixture('v1-check-pass.json'));
    const e = r.json[0][ALPINE_DIGEST]['docker.io/alpine:3.9'][0];
    assert.deepEqual(e.detail, {});
    assert.equal(e.status, 'pass'); // WARN is a pass
    // the stored evaluation keeps its time on re-check; interactive evaluates anew
    clock.advance(3000);
    const again = await call(d, 'GET', `/v1/images/${ALPINE_DIGEST}/check?detail=false&tag=docker.io/alpine:3.9`);
    assert.equal(again.json[0][ALPINE_DIGEST]['docker.io/alpine:3.9'][0].last_evaluation, e.last_evaluation);
    const inter = await call(d, 'GET', `/v1/images/${ALPINE_DIGEST}/check?detail=false&interactive=true&tag=docker.io/alpine:3.9`);
    assert.notEqual(inter.json[0][ALPINE_DIGEST]['docker.io/alpine:3.9'][0].last_evaluation, e.last_evaluation);
  });

  test('the check tag is normalised like the engine does (3.9 -> docker.io/3.9:latest); %3A in the digest is decoded', async () => {
    const r = await call(d, 'GET', `/v1/images/sha256%3A${ALPINE_DIGEST.slice(7)}/check?history=false&detail=false&tag=3.9`);
    assert.equal(r.status, 200);
    assertSameShape(r.json, fixture('v1-check-pass-shortname-tag.json'));
    assert.deepEqual(Object.keys(r.json[0]), [ALPINE_DIGEST], 'keyed by the plain sha256: digest');
    assert.deepEqual(Object.keys(r.json[0][ALPINE_DIGEST]), ['docker.io/3.9:latest']);
    assert.equal(d.log.at(-1).path, `/v1/images/${ALPINE_DIGEST}/check`);
    const short = await call(d, 'GET', `/v1/images/${ALPINE_DIGEST}/check?detail=false&tag=alpine:3.9`);
    assert.deepEqual(Object.keys(short.json[0][ALPINE_DIGEST]), ['docker.io/alpine:3.9']);
    const img = await call(d, 'GET', `/v1/images/sha256%3a${ALPINE_DIGEST.slice(7)}`);
    assert.equal(img.status, 200);
    assert.equal(img.json[0].imageDigest, ALPINE_DIGEST);
  });

  test('unknown policy id: 404 "Policy bundle <id> not found in DB" (catalog error passed through)', async () => {
    const r = await call(d, 'GET', `/v1/images/${ALPINE_DIGEST}/check?tag=docker.io/alpine:3.9&policyId=no-such-bundle`);
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, { message: 'Policy bundle no-such-bundle not found in DB', httpcode: 404, detail: { error_codes: [] } });
    assertSameShape(r.json, fixture('v1-error-404-not-analyzed-analyzing.json'));
    const ok = await call(d, 'GET', `/v1/images/${ALPINE_DIGEST}/check?tag=docker.io/alpine:3.9&policyId=${DEFAULT_POLICY_ID}&detail=false`);
    assert.equal(ok.status, 200);
  });

  test('check without tag is a connexion 400 problem (before authentication)', async () => {
    const r = await call(d, 'GET', `/v1/images/${ALPINE_DIGEST}/check`, { auth: null });
    assert.equal(r.status, 400);
    assert.match(r.headers.get('content-type'), /application\/problem\+json/);
    assert.deepEqual(r.json, { detail: "Missing query parameter 'tag'", status: 400, title: 'Bad Request', type: 'about:blank' });
  });

  test('vulnerabilities: types, os/non-os split by package type, "None" strings, recorded shapes', async () => {
    let r = await call(d, 'GET', `/v1/images/${STOP_DIGEST}/vuln`);
    assert.deepEqual(r.json, ['os', 'non-os', 'all']);
    const os = (await call(d, 'GET', `/v1/images/${STOP_DIGEST}/vuln/os?vendor_only=True`)).json;
    const nonOs = (await call(d, 'GET', `/v1/images/${STOP_DIGEST}/vuln/non-os`)).json;
    const all = (await call(d, 'GET', `/v1/images/${STOP_DIGEST}/vuln/all`)).json;
    assert.deepEqual(Object.keys(os).sort(), ['imageDigest', 'vulnerabilities', 'vulnerability_type']);
    assert.equal(os.vulnerability_type, 'os');
    assert.equal(os.imageDigest, STOP_DIGEST);
    assert.deepEqual(os.vulnerabilities.map((v) => v.package_type), ['rpm']);
    assert.ok(nonOs.vulnerabilities.every((v) => ['java', 'python'].includes(v.package_type)));
    assert.equal(all.vulnerabilities.length, os.vulnerabilities.length + nonOs.vulnerabilities.length);
    // absent values are the string "None"
    assert.equal(os.vulnerabilities[0].package_path, 'None');
    assert.equal(os.vulnerabilities[0].package_cpe, 'None');
    assert.ok(nonOs.vulnerabilities.some((v) => v.fix === 'None'));
    assert.ok(all.vulnerabilities.every((v) => Object.values(v).every((x) => x !== null)), 'never null');
    // newest recorded body: exactly its keys and types
    assertSameShape(all, fixture('v1-vuln-all-nvd-java.json'));
    // older recording (fewer fields): at least its keys, same types
    assertSameShape(os, fixture('v1-vuln-os-debian.json'), '$', { subset: true });
    r = await call(d, 'GET', `/v1/images/sha256%3A${STOP_DIGEST.slice(7)}/vuln/os`);
    assert.equal(r.json.imageDigest, STOP_DIGEST);
    r = await call(d, 'GET', `/v1/images/${STOP_DIGEST}/vuln/java`);
    assert.deepEqual([r.status, r.json.message], [404, 'content type (java) not available']);
  });

  test('unknown image: 400 registry error like the recorded ones, naming the image', async () => {
    const r = await call(d, 'POST', '/v1/images', { body: { tag: 'nosuch/image:1.0' } });
    assert.equal(r.status, 400);
    assertSameShape(r.json, fixture('v1-error-400-registry-permission-denied.json'));
    assert.equal(r.json.message, 'cannot fetch image digest/manifest from registry');
    assert.deepEqual(r.json.detail.error_codes, ['REGISTRY_IMAGE_NOT_FOUND']);
    assert.match(r.json.detail.raw_exception_message, /docker:\/\/docker\.io\/nosuch\/image:1\.0.*manifest unknown.*error_code=REGISTRY_IMAGE_NOT_FOUND$/);
  });

  test('Docker Hub resolves library/ either way, the record keeps the tag as the engine normalised it', async () => {
    const r = await call(d, 'POST', '/v1/images', { body: { tag: 'debian:9' } });
    assert.equal(r.status, 200);
    assert.equal(r.json[0].imageDigest, DEBIAN_DIGEST);
    assert.equal(r.json[0].image_detail[0].fulltag, 'docker.io/debian:9');
    assert.equal(r.json[0].image_detail[0].repo, 'debian');
  });

  test('GET /images?fulltag= finds by normalised tag; unknown tag 404 "image data not found in DB"', async () => {
    let r = await call(d, 'GET', '/v1/images?fulltag=alpine:3.9&history=false');
    assert.equal(r.status, 200);
    assert.equal(r.json.length, 1);
    assert.equal(r.json[0].imageDigest, ALPINE_DIGEST);
    r = await call(d, 'GET', `/v1/images?fulltag=${encodeURIComponent('docker.io/alpine:3.8')}`);
    assert.equal(r.status, 404);
    const rec = fixture('v1-error-404-image-data-not-found.json');
    assert.equal(r.json.message, rec.message);
    assert.equal(r.json.httpcode, rec.httpcode);
    assertSameShape(r.json, rec, '$', { subset: true });
    r = await call(d, 'GET', `/v1/images?fulltag=${STOP_IMAGE_ID}`); // the catalog also filters on an image id
    assert.deepEqual([r.status, r.json[0].imageDigest], [200, STOP_DIGEST]);
    r = await call(d, 'GET', '/images'); // unprefixed path: the engine rewrites it to /v1
    assert.equal(r.status, 200);
    assert.ok(r.json.length >= 3);
    r = await call(d, 'GET', '/v1/images?analysis_status=analyzed');
    assert.ok(r.json.every((x) => x.analysis_status === 'analyzed'));
    r = await call(d, 'GET', `/v1/images/sha256:${'0'.repeat(64)}`);
    assert.deepEqual([r.status, r.json.message], [404, 'image not found in DB']);
  });

  test('analysis_failed: 404 on /check with that state; re-adding resets to not_analyzed', async () => {
    let r = await call(d, 'POST', '/v1/images', { body: { tag: BROKEN_TAG } });
    const digest = r.json[0].imageDigest;
    clock.advance(2000);
    r = await call(d, 'GET', `/v1/images/${digest}`);
    assert.equal(r.json[0].analysis_status, 'analysis_failed');
    assert.equal(r.json[0].analyzed_at, null);
    r = await call(d, 'GET', `/v1/images/${digest}/check?tag=${BROKEN_TAG}`);
    assert.deepEqual([r.status, r.json.message], [404, 'image is not analyzed - analysis_status: analysis_failed']);
    r = await call(d, 'POST', '/v1/images', { body: { tag: BROKEN_TAG } });
    assert.equal(r.json[0].analysis_status, 'not_analyzed');
    clock.advance(600);
    assert.equal(d.statusOf(digest), 'analyzing');
    clock.advance(1000);
    assert.equal(d.statusOf(digest), 'analysis_failed');
  });

  test('x-anchore-account: allowed accounts pass, others get the engine 403 JSON error', async () => {
    let r = await call(d, 'GET', '/v1/images', { headers: { 'x-anchore-account': 'admin' } });
    assert.equal(r.status, 200);
    r = await call(d, 'GET', '/v1/images', { headers: { 'x-anchore-account': 'other' } });
    assert.equal(r.status, 403);
    assertSameShape(r.json, fixture('v1-error-406-registry-validate-failed.json'));
    assert.equal(r.json.message, 'Not authorized. Requires permissions: domain=other action=listImages target=*');
    assert.equal(d.log.at(-1).account, 'other');
  });

  test('request validation: bad JSON, bad body, both source and tag', async () => {
    let r = await call(d, 'POST', '/v1/images', { body: '{not json' });
    assert.deepEqual([r.status, r.json.title], [400, 'Bad Request']);
    r = await call(d, 'POST', '/v1/images', { body: {} });
    assert.deepEqual([r.status, r.json.message], [400, 'Must include either "tag", "tag" and "digest", or "source" property in body']);
    r = await call(d, 'POST', '/v1/images', { body: { tag: STOP_TAG, source: { tag: { pullstring: STOP_TAG } } } });
    assert.deepEqual([r.status, r.json.message], [400, 'Cannot use both source property and tag, digest, or dockerfile property at top level']);
    r = await call(d, 'POST', '/v1/images', { body: { source: { tag: { pullstring: STOP_TAG } } } });
    assert.equal(r.status, 200);
    r = await call(d, 'POST', '/v1/images', { body: { tag: STOP_TAG, dockerfile: 'not base64!' } });
    assert.equal(r.status, 400);
    r = await call(d, 'DELETE', '/v1/status');
    assert.equal(r.status, 405);
    r = await call(d, 'GET', '/v1/no/such/route');
    assert.equal(r.status, 404);
  });

  test('every request is logged with decoded path, query, user, account and body', () => {
    assert.ok(d.log.length > 20);
    for (const e of d.log) {
      assert.deepEqual(Object.keys(e).sort(), ['account', 'body', 'method', 'path', 'query', 'status', 't', 'user']);
      assert.equal(typeof e.t, 'number');
      assert.equal(typeof e.status, 'number');
    }
    assert.ok(d.log.every((e, i) => i === 0 || e.t >= d.log[i - 1].t), 'in arrival order');
  });
});

describe('v1 double in real time', () => {
  test('not_analyzed -> analyzing -> analyzed, in order and on time', async () => {
    const d = await startEngineDouble({
      api: 'v1',
      scenario: makeScenario({ images: { 'quick/app:1': { analysisMs: 600, vulnerabilities: [] } } }),
    });
    try {
      const t0 = Date.now();
      const add = await call(d, 'POST', '/v1/images', { body: { tag: 'quick/app:1' } });
      const digest = add.json[0].imageDigest;
      const seen = [add.json[0].analysis_status];
      let doneAt;
      while (Date.now() - t0 < 5000) {
        const st = (await call(d, 'GET', `/v1/images/${digest}`)).json[0].analysis_status;
        if (st !== seen.at(-1)) seen.push(st);
        if (st === 'analyzed') { doneAt = Date.now(); break; }
        await sleep(40);
      }
      assert.deepEqual(seen, ['not_analyzed', 'analyzing', 'analyzed']);
      assert.ok(doneAt - t0 >= 600, `analysed after ${doneAt - t0} ms`);
    } finally {
      await d.close();
    }
  });

  test('fault hook: a fault function can replace, delay or drop responses', async () => {
    const d = await startEngineDouble({ api: 'v1' });
    try {
      d.scenario.faults.push(({ path, n }) => (path === '/v1/status' && n === 0 ? { status: 503, body: { message: 'down' } } : null));
      d.scenario.faults.push(({ path }) => (path === '/v1/system' ? { delayMs: 150 } : null));
      let r = await call(d, 'GET', '/v1/status');
      assert.deepEqual([r.status, r.json], [503, { message: 'down' }]);
      r = await call(d, 'GET', '/v1/status');
      assert.equal(r.status, 200);
      const t = Date.now();
      r = await call(d, 'GET', '/v1/system');
      assert.equal(r.status, 200);
      assert.ok(Date.now() - t >= 140);
      d.scenario.faults.splice(0, Infinity, () => ({ destroy: true }));
      await assert.rejects(call(d, 'GET', '/v1/status'));
      assert.equal(d.log.at(-1).status, 0);
    } finally {
      await d.close();
    }
  });
});

// ---------------------------------------------------------------------------
// v2
// ---------------------------------------------------------------------------

describe('v2 double', () => {
  let d;
  const clock = manualClock();
  before(async () => { d = await startEngineDouble({ api: 'v2', now: clock }); });
  after(async () => { await d.close(); });

  test('version reports api.version "2" (v2-version-literal.json), /v2 prefix only', async () => {
    assert.match(d.url, /\/v2$/);
    for (const p of ['/version', '/v2/version']) {
      const r = await call(d, 'GET', p, { auth: null });
      assert.equal(r.status, 200);
      assertSameShape(r.json, fixture('v2-version-literal.json'));
      assert.equal(r.json.api.version, '2');
      assertSchema(r.json, schema('ServiceVersion'), 'ServiceVersion', { closed: true });
    }
    assert.equal((await call(d, 'GET', '/images')).status, 404, 'no unprefixed API routes on v2');
    assert.equal((await call(d, 'GET', '/v2/health', { auth: null })).status, 200);
    const st = await call(d, 'GET', '/v2/status');
    assertSchema(st.json, schema('StatusResponse'), 'StatusResponse', { closed: true });
    const sys = await call(d, 'GET', '/v2/system');
    for (const s of sys.json.service_states) assertSchema(s, schema('Service'), 'Service', { closed: true });
  });

  test('POST /images answers a single AnchoreImage object; GET too; list is {items}', async () => {
    const r = await call(d, 'POST', '/v2/images?auto_subscribe=false&force=false', {
      body: { source: { tag: { pull_string: NGINX_TAG, dockerfile: Buffer.from('FROM debian:9\n').toString('base64') } }, annotations: { team: 'web' } },
    });
    assert.equal(r.status, 200);
    assert.ok(!Array.isArray(r.json), 'v2 answers an OBJECT');
    assert.equal(r.json.image_digest, NGINX_DIGEST);
    assert.equal(r.json.analysis_status, 'not_analyzed');
    const check = (img) => {
      assertSchema(img, schema('AnchoreImage'), 'AnchoreImage', { closed: true, allowExtra: ['analyzed_at'] });
      assertSchema(img.image_content, schema('ImageContent'), 'ImageContent', { closed: true });
      assert.deepEqual(Object.keys(img.image_content.metadata).sort(), propertiesOf(schema('ImageContent', 'properties', 'metadata')).sort());
      for (const det of img.image_detail) assertSchema(det, schema('ImageDetail'), 'ImageDetail', { closed: true });
      for (const s of img.analysis_status_detail) assertSchema(s, schema('AnalysisStatusDetail'), 'AnalysisStatusDetail', { closed: true });
    };
    check(r.json);
    assert.equal(r.json.image_detail[0].full_tag, NGINX_TAG);
    clock.advance(800);
    let g = await call(d, 'GET', `/v2/images/${NGINX_DIGEST}`);
    assert.equal(g.json.analysis_status, 'analyzing');
    assert.deepEqual(g.json.analysis_status_detail.map((x) => [x.from_status, x.to_status]), [['not_analyzed', 'analyzing']]);
    clock.advance(2000);
    g = await call(d, 'GET', `/v2/images/${NGINX_DIGEST}`);
    assert.equal(g.json.analysis_status, 'analyzed');
    assert.equal(g.json.image_content.metadata.dockerfile_mode, 'Actual');
    check(g.json);
    const list = await call(d, 'GET', `/v2/images?full_tag=${encodeURIComponent(NGINX_TAG)}`);
    assert.deepEqual(Object.keys(list.json), ['items']);
    assert.equal(list.json.items[0].image_digest, NGINX_DIGEST);
    assertSchema(list.json, schema('AnchoreImageList'), 'AnchoreImageList', { closed: true });
    const miss = await call(d, 'GET', '/v2/images?full_tag=docker.io/nope:1');
    assert.equal(miss.status, 404);
    const bad = await call(d, 'GET', '/v2/images/sha256:xyz');
    assert.equal(bad.status, 400);
  });

  test('ancestors: the base image with chosen_base_image true', async () => {
    const r = await call(d, 'GET', `/v2/images/${NGINX_DIGEST}/ancestors`);
    assert.equal(r.status, 200);
    assert.equal(r.json.length, 1);
    assertSchema(r.json[0], schema('ImageAncestor'), 'ImageAncestor', { closed: true });
    assert.equal(r.json[0].image_digest, DEBIAN_DIGEST);
    assert.equal(r.json[0].chosen_base_image, true);
    assert.deepEqual(r.json[0].tags, [DEBIAN_TAG]);
  });

  test('check: PolicyEvaluation with the spec required keys (detail defaults to true)', async () => {
    const r = await call(d, 'GET', `/v2/images/${NGINX_DIGEST}/check?tag=${NGINX_TAG}&base_digest=${DEBIAN_DIGEST}`);
    assert.equal(r.status, 200);
    const pe = r.json;
    assertSchema(pe, schema('PolicyEvaluation'), 'PolicyEvaluation', { closed: true });
    assert.equal(pe.evaluated_tag, NGINX_TAG);
    assert.equal(pe.policy_id, DEFAULT_POLICY_ID);
    const ev = pe.evaluations[0];
    assertSchema(ev, schema('PolicyEvaluationResult'), 'PolicyEvaluationResult', { closed: true });
    assertSchema(ev.details, schema('PolicyEvaluationResult', 'properties', 'details'), 'details', { closed: true });
    assert.deepEqual([ev.status, ev.final_action, ev.final_action_reason], ['pass', 'warn', 'policy_evaluation']);
    assert.equal(ev.number_of_findings, ev.details.findings.length);
    assert.equal(ev.comparison_image_digest, DEBIAN_DIGEST);
    for (const f of ev.details.findings) assertSchema(f, schema('PolicyEvaluationFinding'), 'PolicyEvaluationFinding', { closed: true });
    assert.ok(ev.details.findings.some((f) => f.inherited_from_base === true));
    assert.ok(ev.details.findings.some((f) => f.inherited_from_base === false));
    const pol = ev.details.policy;
    assertSchema(pol, schema('Policy'), 'Policy');
    for (const rs of pol.rule_sets) {
      assertSchema(rs, schema('RuleSet'), 'RuleSet');
      for (const rule of rs.rules) assertSchema(rule, schema('PolicyRule'), 'PolicyRule');
    }
    for (const a of pol.allowlists) assertSchema(a, schema('Allowlist'), 'Allowlist');
    for (const m of pol.mappings) {
      assertSchema(m, schema('MappingRule'), 'MappingRule');
      assertSchema(m.image, schema('ImageRef'), 'ImageRef');
    }
    assertSchema(ev.matched_mapping_rule, schema('MappingRule'), 'matched_mapping_rule');
    const nodetail = await call(d, 'GET', `/v2/images/${NGINX_DIGEST}/check?tag=${NGINX_TAG}&detail=false`);
    assert.equal(nodetail.json.evaluations[0].details, null);
    assert.equal(nodetail.json.evaluations[0].comparison_image_digest, null);
  });

  test('check: 404 until analyzed, unknown policy_id 404, missing tag 400', async () => {
    let r = await call(d, 'POST', '/v2/images', { body: { source: { tag: { pull_string: STOP_TAG } } } });
    r = await call(d, 'GET', `/v2/images/${STOP_DIGEST}/check?tag=${STOP_TAG}`);
    assert.deepEqual([r.status, r.json.message], [404, 'image is not analyzed - analysis_status: not_analyzed']);
    clock.advance(5000);
    r = await call(d, 'GET', `/v2/images/${STOP_DIGEST}/check?tag=${STOP_TAG}&policy_id=nope`);
    assert.deepEqual([r.status, r.json.message], [404, 'Policy bundle nope not found in DB']);
    r = await call(d, 'GET', `/v2/images/${STOP_DIGEST}/check`);
    assert.equal(r.status, 400);
    r = await call(d, 'GET', `/v2/images/${STOP_DIGEST}/check?tag=${STOP_TAG}`);
    const ev = r.json.evaluations[0];
    assert.deepEqual([ev.status, ev.final_action], ['fail', 'stop']);
    assert.ok(!Array.isArray(r.json));
  });

  test('allowlisted findings carry allowlist_match; a GO image passes', async () => {
    await call(d, 'POST', '/v2/images', { body: { source: { tag: { pull_string: DEBIAN_TAG } } } });
    clock.advance(2000);
    const r = await call(d, 'GET', `/v2/images/${DEBIAN_DIGEST}/check?tag=${DEBIAN_TAG}`);
    const ev = r.json.evaluations[0];
    assert.deepEqual([ev.status, ev.final_action], ['pass', 'go']);
    const f = ev.details.findings[0];
    assert.equal(f.allowlisted, true);
    assertSchema(f.allowlist_match, schema('PolicyFindingAllowlistMatch'), 'PolicyFindingAllowlistMatch', { closed: true });
    assert.equal(f.action, 'warn', 'v2 keeps the rule action of an allowlisted finding');
  });

  test('vuln: ImagePackageVulnerabilityResponse, inherited_from_base against the base', async () => {
    const r = await call(d, 'GET', `/v2/images/${NGINX_DIGEST}/vuln/all?base_digest=auto`);
    assert.equal(r.status, 200);
    assertSchema(r.json, schema('ImagePackageVulnerabilityResponse'), 'ImagePackageVulnerabilityResponse', { closed: true });
    assert.equal(r.json.image_digest, NGINX_DIGEST);
    assert.equal(r.json.base_digest, DEBIAN_DIGEST);
    const declared = [...propertiesOf(schema('PackageVulnerability')), 'inherited_from_base'];
    for (const v of r.json.vulnerabilities) {
      for (const k of Object.keys(v)) assert.ok(declared.includes(k), `vulnerability key ${k} not in the v2 spec`);
      for (const n of v.nvd_data) assertSchema(n, schema('NvdDataObject'), 'NvdDataObject', { closed: true });
    }
    assert.deepEqual(r.json.vulnerabilities.filter((v) => v.inherited_from_base).map((v) => v.vuln).sort(), ['CVE-2007-5686', 'CVE-2011-3374', 'CVE-2011-3389']);
    const plain = await call(d, 'GET', `/v2/images/${NGINX_DIGEST}/vuln/os`);
    assert.ok(plain.json.vulnerabilities.every((v) => v.inherited_from_base === false));
    const types = await call(d, 'GET', `/v2/images/${NGINX_DIGEST}/vuln`);
    assert.deepEqual(types.json, ['os', 'non-os', 'all']);
    const bad = await call(d, 'GET', `/v2/images/${NGINX_DIGEST}/vuln/java`);
    assert.equal(bad.status, 400);
  });

  test('policies: PolicyRecord list', async () => {
    const r = await call(d, 'GET', '/v2/policies?detail=true');
    assert.equal(r.status, 200);
    for (const p of r.json) {
      assertSchema(p, schema('PolicyRecord'), 'PolicyRecord', { closed: true });
      assertSchema(p.policy, schema('Policy'), 'Policy');
    }
    assert.deepEqual(r.json.map((p) => [p.policy_id, p.active]), [[DEFAULT_POLICY_ID, true]]);
  });

  test('v2 add: re-add after analysis_failed resets; unknown image 400', async () => {
    let r = await call(d, 'POST', '/v2/images', { body: { source: { tag: { pull_string: BROKEN_TAG } } } });
    const digest = r.json.image_digest;
    clock.advance(1500);
    r = await call(d, 'GET', `/v2/images/${digest}`);
    assert.equal(r.json.analysis_status, 'analysis_failed');
    r = await call(d, 'POST', '/v2/images?force=false', { body: { source: { tag: { pull_string: BROKEN_TAG } } } });
    assert.equal(r.json.analysis_status, 'not_analyzed');
    r = await call(d, 'POST', '/v2/images', { body: { source: { tag: { pull_string: 'docker.io/nope:1' } } } });
    assert.deepEqual([r.status, r.json.detail.error_codes], [400, ['REGISTRY_IMAGE_NOT_FOUND']]);
  });
});

describe('scenario helpers', () => {
  test('demo scenario: 4-6 images, GO/WARN/STOP/failed outcomes, 1-4 s analysis', () => {
    const s = demoScenario();
    const imgs = Object.values(s.images);
    assert.ok(imgs.length >= 4 && imgs.length <= 6);
    assert.ok(imgs.every((i) => i.analysisMs >= 1000 && i.analysisMs <= 4000));
    assert.ok(imgs.some((i) => i.outcome === 'analysis_failed'));
    assert.deepEqual(s.users, { admin: 'foobar' });
    assert.deepEqual(s.policies, [{ id: DEFAULT_POLICY_ID, name: 'Default bundle', active: true }]);
    assert.equal(healthcheckFinding().trigger_id, '41cb7cdf04850e33a11f80c42bf660b3');
  });

  test('bad scenarios are rejected at start', async () => {
    await assert.rejects(startEngineDouble({ scenario: { images: { 'a:1': { digest: 'sha256:short' } } } }), /digest/);
    await assert.rejects(startEngineDouble({ scenario: { images: { 'a:1': {}, 'docker.io/a:1': {} } } }), /same tag/);
    await assert.rejects(startEngineDouble({ api: 'v3' }), /api must be/);
  });

  test('finalAction override, custom users/accounts/policies', async () => {
    const d = await startEngineDouble({
      api: 'v1',
      scenario: {
        users: { ci: 's3cret' },
        accounts: ['ci', 'team'],
        policies: [{ id: 'p-off', name: 'Off', active: false }, { id: 'p-on', name: 'On', active: true }],
        images: { 'x/y:1': { analysisMs: 0, findings: [healthcheckFinding()], finalAction: 'stop' } },
      },
    });
    try {
      const auth = `Basic ${Buffer.from('ci:s3cret').toString('base64')}`;
      let r = await call(d, 'POST', '/v1/images', { auth, body: { tag: 'x/y:1' }, headers: { 'x-anchore-account': 'team' } });
      assert.equal(r.json[0].userId, 'team');
      assert.equal(r.json[0].analysis_status, 'not_analyzed', 'a new record always starts not_analyzed');
      r = await call(d, 'GET', `/v1/images/${r.json[0].imageDigest}/check?tag=x/y:1`, { auth, headers: { 'x-anchore-account': 'team' } });
      const [, byTag] = only(r.json[0], 'digest');
      const e = byTag['docker.io/x/y:1'][0];
      assert.equal(e.policyId, 'p-on');
      assert.equal(e.status, 'fail');
      assert.equal(e.detail.result.final_action, 'stop');
      assert.equal(e.detail.result.final_action_reason, 'blacklisted');
      assert.equal(e.detail.result.result[e.detail.result.image_id].result.final_action, 'warn');
      assert.equal(e.detail.policy.id, 'p-on');
      r = await call(d, 'GET', '/v1/images', { auth });
      assert.deepEqual(r.json, [], 'records are per account');
      assert.equal((await call(d, 'GET', '/v1/images')).status, 401, 'admin is not a user of this scenario');
    } finally {
      await d.close();
    }
  });
});
