// Runs the REAL anchore-cli 0.9.3 (PyPI "anchorecli", written by Anchore, not
// by us) against the v1 engine double and checks the outputs and exit codes
// that shared/docs/engine-api.md §3 records for the real engine.
//
// anchore-cli must be installed in <repo>/.venv/anchore-cli:
//   bash scripts/install-anchore-cli.sh
// (ANCHORE_CLI_VENV overrides the venv location, as in the install script.)
// This test FAILS, it does not skip, when anchore-cli is missing.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startEngineDouble } from '../js/engine-double/server.js';
import { demoScenario } from '../js/engine-double/scenarios.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const VENV = process.env.ANCHORE_CLI_VENV ?? join(REPO, '.venv', 'anchore-cli');
const CLI = join(VENV, 'bin', 'anchore-cli');

const STOP_TAG = 'gcr.io/jenkinsxio/builder-maven:latest';
const STOP_DIGEST = 'sha256:8fdd536f0caa79bb924b9c1b9451b49957322d1b07ab23def8c9a49448e5d462';
const STOP_IMAGE_ID = 'c1d974aa689be7e7bd02120230be10de2ea3f3beb85b1c4975cfb218b8468ef0';
const ALPINE_TAG = 'docker.io/alpine:3.9';
const BROKEN_TAG = 'registry.example.com:5000/team/broken:1.0';
const SLOW_TAG = 'docker.io/library/slow:1';

let double;
let skew = 0; // added to the double's clock to jump an image into its next state
let home;

const MISSING = `anchore-cli not found at ${CLI}.
Install it with:  bash scripts/install-anchore-cli.sh
(python3 -m venv .venv/anchore-cli; pip install --no-deps anchorecli==0.9.3 plus its pinned
dependencies Click==8.0.1 prettytable==2.2.0 python-dateutil==2.8.2 requests==2.26.0 six==1.16.0
urllib3==1.26.6 'PyYAML>=6', see shared/docs/engine-api.md §3)`;

/** Run anchore-cli; resolves { code, out } (stdout + stderr). Every test FAILS when it is missing. */
function cli(args, { pass = 'foobar', env = {} } = {}) {
  if (!existsSync(CLI)) return Promise.reject(new Error(MISSING));
  return new Promise((resolve, reject) => {
    const child = spawn(CLI, args, {
      env: {
        PATH: process.env.PATH,
        HOME: home, // no ~/.anchore/credentials.yaml from the developer's machine
        LANG: 'C.UTF-8',
        ANCHORE_CLI_URL: double.url,
        ANCHORE_CLI_USER: 'admin',
        ANCHORE_CLI_PASS: pass,
        ...env,
      },
    });
    let out = '';
    child.stdout.on('data', (b) => { out += b; });
    child.stderr.on('data', (b) => { out += b; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** Log entries since a given index, as "METHOD path?query" strings. */
function requestsSince(i) {
  return double.log.slice(i).map((e) => {
    const q = new URLSearchParams(e.query).toString();
    return `${e.method} ${e.path}${q ? `?${q}` : ''} ${e.status}`;
  });
}

describe('real anchore-cli 0.9.3 against the v1 engine double', () => {
  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'anchore-cli-home-'));
    const scenario = demoScenario();
    // one image that stays not_analyzed for 150 s of double-time, so that the
    // 101/100 exit codes of `image vuln` can be provoked deterministically
    scenario.images[SLOW_TAG] = { analysisMs: 600_000, vulnerabilities: [] };
    double = await startEngineDouble({ api: 'v1', scenario, now: () => Date.now() + skew });
  });

  after(async () => {
    await double?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  test('it is the real anchore-cli 0.9.3', async () => {
    const r = await cli(['--version']);
    assert.equal(r.code, 0);
    assert.match(r.out, /anchore-cli, version 0\.9\.3/);
  });

  test('wrong password: the ping passes unauthenticated, the next call gets 401 -> exit 2', async () => {
    const i = double.log.length;
    const r = await cli(['image', 'add', ALPINE_TAG], { pass: 'wrong' });
    assert.equal(r.code, 2, r.out);
    assert.equal(r.out.trim(), '"Unauthorized"');
    assert.deepEqual(requestsSince(i), ['GET /v1 200', 'POST /v1/images?autosubscribe=True 401']);
    assert.equal(double.log.at(-1).user, 'admin');
  });

  test('image vuln before analysis: exit 101 (not_analyzed), then 100 (analyzing)', async () => {
    let r = await cli(['image', 'add', SLOW_TAG]);
    assert.equal(r.code, 0, r.out);
    r = await cli(['image', 'vuln', SLOW_TAG, 'os']);
    assert.equal(r.code, 101, r.out);
    assert.match(r.out, /^Error: image is not analyzed - analysis_status: not_analyzed$/m);
    assert.match(r.out, /^HTTP Code: 404$/m);
    assert.match(r.out, /^Detail: \{'error_codes': \[\]\}$/m);
    skew += 200_000; // slow image: analyzing from 150 s to 600 s (no other image is added yet)
    r = await cli(['image', 'vuln', SLOW_TAG, 'all']);
    assert.equal(r.code, 100, r.out);
    assert.match(r.out, /analysis_status: analyzing/);
    // the request used ?fulltag= (swagger 0.1.20 detected) and vendor_only=True
    const last = double.log.filter((e) => e.path.endsWith('/vuln/all')).at(-1);
    assert.deepEqual(last.query, { vendor_only: 'True' });
    assert.ok(double.log.some((e) => e.path === '/v1/images' && e.query.fulltag === SLOW_TAG && e.query.history === 'false'));
    assert.ok(double.log.some((e) => e.path === '/swagger.json' && e.status === 200));
  });

  test('image add: exit 0, record printed, legacy body with the tag as typed', async () => {
    const i = double.log.length;
    const r = await cli(['image', 'add', STOP_TAG]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, new RegExp(`^Image Digest: ${STOP_DIGEST}$`, 'm'));
    assert.match(r.out, /^Analysis Status: not_analyzed$/m);
    assert.match(r.out, /^Analyzed At: None$/m);
    assert.match(r.out, new RegExp(`^Image ID: ${STOP_IMAGE_ID}$`, 'm'));
    assert.match(r.out, new RegExp(`^Full Tag: ${STOP_TAG}$`, 'm'));
    const post = double.log.slice(i).find((e) => e.method === 'POST');
    assert.deepEqual(post.query, { autosubscribe: 'True' });
    assert.deepEqual(post.body, { tag: STOP_TAG });
  });

  test('image wait: polls with ?fulltag=&history=false until analyzed, exit 0', async () => {
    const i = double.log.length;
    const r = await cli(['image', 'wait', STOP_TAG, '--interval', '0.25', '--timeout', '60']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^Status: (not_analyzed|analyzing)$/m);
    assert.match(r.out, /^Analysis Status: analyzed$/m);
    assert.match(r.out, /^Distro: centos$/m);
    assert.match(r.out, /^Layer Count: 14$/m);
    const polls = double.log.slice(i).filter((e) => e.path === '/v1/images');
    assert.ok(polls.length >= 2);
    assert.ok(polls.every((e) => e.query.fulltag === STOP_TAG && e.query.history === 'false'));
  });

  test('evaluate check --detail on the STOP image: exit 1, the recorded table', async () => {
    const i = double.log.length;
    const r = await cli(['evaluate', 'check', STOP_TAG, '--detail']);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, new RegExp(`^Image Digest: ${STOP_DIGEST}$`, 'm'));
    assert.match(r.out, new RegExp(`^Full Tag: ${STOP_TAG}$`, 'm'));
    assert.match(r.out, new RegExp(`^Image ID: ${STOP_IMAGE_ID}$`, 'm'));
    assert.match(r.out, /^Status: fail$/m);
    assert.match(r.out, /^Policy ID: 2c53a13c-1765-11e8-82ef-23527761d060$/m);
    assert.match(r.out, /^Final Action: stop$/m);
    assert.match(r.out, /^Final Action Reason: policy_evaluation$/m);
    assert.match(r.out, /^Gate\s+Trigger\s+Detail\s+Status\s*$/m);
    assert.match(r.out, /^dockerfile\s+instruction\s+Dockerfile directive 'HEALTHCHECK' not found, matching condition 'not_exists' check\s+warn\s*$/m);
    assert.match(r.out, /^vulnerabilities\s+package\s+HIGH Vulnerability found in non-os package type \(java\) - \S+commons-collections-3\.2\.1\.jar \(CVE-2015-6420 - https:\/\/nvd\.nist\.gov\/vuln\/detail\/CVE-2015-6420\)\s+stop\s*$/m);
    const check = double.log.slice(i).find((e) => e.path.endsWith('/check'));
    assert.equal(check.path, `/v1/images/${STOP_DIGEST}/check`);
    assert.deepEqual(check.query, { history: 'false', detail: 'true', tag: STOP_TAG });
  });

  test('evaluate check by digest (sent as sha256%3A...) with --tag: exit 1', async () => {
    const i = double.log.length;
    const r = await cli(['evaluate', 'check', STOP_DIGEST, '--tag', STOP_TAG]);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /^Status: fail$/m);
    assert.deepEqual(requestsSince(i), [
      'GET /v1 200',
      `GET /v1/images/${STOP_DIGEST}/check?history=false&detail=false&tag=${encodeURIComponent(STOP_TAG)} 200`,
    ]);
  });

  test('image vuln os and all: exit 0, os = rpm only, "None" fixes shown', async () => {
    let r = await cli(['image', 'vuln', STOP_TAG, 'os']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^Vulnerability ID\s+Package\s+Severity\s+Fix\s+CVE Refs\s+Vulnerability URL\s+Type\s+Feed Group\s+Package Path\s*$/m);
    assert.match(r.out, /^RHSA-2019:4326\s+fribidi-1\.0\.2-1\.el7\s+High\s+1\.0\.2-1\.el7_7\.1\s+https:\/\/access\.redhat\.com\/errata\/RHSA-2019:4326\s+rpm\s+centos:7\s+None\s*$/m);
    assert.doesNotMatch(r.out, /java/);
    r = await cli(['image', 'vuln', STOP_TAG, 'all']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^CVE-2015-6420\s+commons-collections-3\.2\.1\s+High\s+None\s+CVE-2015-6420\s+https:\/\/nvd\.nist\.gov\/vuln\/detail\/CVE-2015-6420\s+java\s+nvdv2:cves\s+\/root\/\.m2\S+\s*$/m);
    assert.match(r.out, /^RHSA-2019:4326\s/m);
    assert.equal(r.out.trim().split('\n').length, 1 + 7);
    r = await cli(['image', 'vuln', STOP_TAG]);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(r.out.trim().split('\n'), ['os: available', 'non-os: available', 'all: available']);
  });

  test('evaluate check on a WARN image: exit 0 (pass); --tag 3.9 is normalised to docker.io/3.9:latest', async () => {
    let r = await cli(['image', 'add', ALPINE_TAG]);
    assert.equal(r.code, 0, r.out);
    r = await cli(['image', 'wait', ALPINE_TAG, '--interval', '0.25', '--timeout', '60']);
    assert.equal(r.code, 0, r.out);
    r = await cli(['evaluate', 'check', ALPINE_TAG]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^Status: pass$/m);
    assert.match(r.out, /^Full Tag: docker\.io\/alpine:3\.9$/m);
    r = await cli(['evaluate', 'check', ALPINE_TAG, '--tag', '3.9']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^Full Tag: docker\.io\/3\.9:latest$/m); // as recorded in v1-check-pass-shortname-tag.json
  });

  test('analysis_failed: image wait exits 0, evaluate check exits 1 (404)', async () => {
    let r = await cli(['image', 'add', BROKEN_TAG]);
    assert.equal(r.code, 0, r.out);
    r = await cli(['image', 'wait', BROKEN_TAG, '--interval', '0.25', '--timeout', '60']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^Analysis Status: analysis_failed$/m);
    r = await cli(['evaluate', 'check', BROKEN_TAG]);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /^Error: image is not analyzed - analysis_status: analysis_failed$/m);
    assert.match(r.out, /^HTTP Code: 404$/m);
    // re-adding a failed image resets it
    r = await cli(['image', 'add', BROKEN_TAG]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^Analysis Status: not_analyzed$/m);
  });

  test('errors: unknown image 400 -> exit 1; unknown policy 404 -> exit 1; wait on an unknown tag -> exit 2', async () => {
    let r = await cli(['image', 'add', 'docker.io/library/nosuch:1']);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /^Error: cannot fetch image digest\/manifest from registry$/m);
    assert.match(r.out, /^HTTP Code: 400$/m);
    assert.match(r.out, /'error_codes': \['REGISTRY_IMAGE_NOT_FOUND'\]/);
    assert.match(r.out, /docker:\/\/docker\.io\/library\/nosuch:1/);
    r = await cli(['evaluate', 'check', STOP_TAG, '--policy', 'no-such-bundle']);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /^Error: Policy bundle no-such-bundle not found in DB$/m);
    assert.match(r.out, /^HTTP Code: 404$/m);
    r = await cli(['image', 'wait', 'docker.io/library/nosuch:1', '--interval', '0.1', '--timeout', '5']);
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /Requested image not found in system/);
  });

  test('system status, system wait and policy list work', async () => {
    let r = await cli(['system', 'status']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^Service analyzer \(anchore-analyzer, http:\/\/analyzer:\d+\): up$/m);
    r = await cli(['system', 'wait', '--timeout', '10', '--interval', '0.1']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Feed sync: Success\./);
    r = await cli(['policy', 'list']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^2c53a13c-1765-11e8-82ef-23527761d060\s+True\s/m);
  });
});
