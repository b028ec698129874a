// The CLI end to end, as a CI job runs it: a child process against the engine double, for the
// v1 and the v2 API. Timings are asserted from the double's own request log, never wall-clock.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';

import { startEngineDouble } from '../js/engine-double/server.js';
import { healthcheckFinding, makeScenario, vuln, vulnFindings } from '../js/engine-double/scenarios.js';
import { closedPort, reportFiles, runCli, tempDir as tempDirWith } from './support/cli.js';

const tempDir = () => tempDirWith('anchore-gate-cli-');

const PASSWORD = 'S3cr3t-p4ss!word';

const HIGH = vuln('CVE-2015-6420', 'High', 'commons-collections', '3.2.1', 'java', {
  feed_group: 'nvdv2:cves', url: 'https://nvd.nist.gov/vuln/detail/CVE-2015-6420',
  package_path: '/root/.m2/repository/commons-collections/commons-collections/3.2.1/commons-collections-3.2.1.jar',
});
const LOW = vuln('CVE-2018-16868', 'Low', 'libgnutls30', '3.5.8-5+deb9u4', 'dpkg', {
  feed_group: 'debian:9', url: 'https://security-tracker.debian.org/tracker/CVE-2018-16868',
});

function images(specs) {
  return Object.fromEntries(specs.map(([tag, spec]) => [tag, { analysisMs: 400, outcome: 'analyzed', findings: [], vulnerabilities: [], ...spec }]));
}

/** go, warn and stop images. */
function mixedScenario() {
  return makeScenario({
    users: { admin: PASSWORD },
    images: images([
      ['docker.io/library/alpine:3.9', { vulnerabilities: [LOW] }],
      ['docker.io/library/nginx:1.15', { findings: [healthcheckFinding()], vulnerabilities: [LOW] }],
      ['gcr.io/team/app:1', { findings: [healthcheckFinding(), ...vulnFindings([HIGH])], vulnerabilities: [HIGH, LOW] }],
    ]),
  });
}

async function withEngine(api, scenario, fn) {
  const engine = await startEngineDouble({ api, scenario });
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

function baseArgs(engine, dir) {
  return ['--engine-url', engine.url, '--user', 'admin', '--report-dir', path.join(dir, 'AnchoreReport'), '--poll-interval', '0.2'];
}

function assertNoSecret(run, files) {
  assert.ok(!run.stdout.includes(PASSWORD) && !run.stderr.includes(PASSWORD), 'password in the output');
  for (const [name, content] of Object.entries(files.contents)) {
    assert.ok(!content.includes(PASSWORD), `password in ${name}`);
  }
}

for (const api of ['v1', 'v2']) {
  describe(`CLI against the ${api} engine double`, () => {
    test('go, warn and stop: exit 1, every report file, no password anywhere', async () => {
      const dir = await tempDir();
      await writeFile(path.join(dir, 'anchore_images'), '# the app\ndocker.io/library/alpine:3.9\ndocker.io/library/nginx:1.15   Dockerfile\ngcr.io/team/app:1\n');
      await writeFile(path.join(dir, 'Dockerfile'), 'FROM nginx:1.15\r\nHEALTHCHECK NONE\r\n');
      await withEngine(api, mixedScenario(), async (engine) => {
        const run = await runCli([...baseArgs(engine, dir), '--debug'], { cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD } });
        assert.equal(run.code, 1, run.stdout + run.stderr);
        const files = await reportFiles(path.join(dir, 'AnchoreReport'));
        const { report } = files;
        assert.equal(report.schema, 'anchore-gate/report/1');
        assert.equal(report.verdict, 'fail');
        assert.equal(report.engine.api, api);
        assert.equal(report.engine.url, engine.url);
        assert.deepEqual(report.images.map((i) => [i.image, i.status, i.final_action]), [
          ['docker.io/library/alpine:3.9', 'pass', 'go'],
          ['docker.io/library/nginx:1.15', 'pass', 'warn'],
          ['gcr.io/team/app:1', 'fail', 'stop'],
        ]);
        assert.deepEqual(report.images[2].counts, { stop: 1, warn: 1, go: 0, allowlisted: 0 });
        assert.equal(report.images[2].stop_action_details, 'Policy evaluation failed');
        assert.deepEqual(report.images[2].vulnerabilities.map((v) => [v.id, v.severity, v.fix]).sort(), [['CVE-2015-6420', 'High', null], ['CVE-2018-16868', 'Low', null]]);
        assert.equal(report.images[1].source, 'anchore_images:3');
        assert.ok(report.images.every((i) => /^sha256:[0-9a-f]{64}$/.test(i.digest)));

        // The Jenkins plugin's files, in the shape of this API version.
        const expected = ['anchore-gate.json', 'anchore-gate.sarif', 'anchore-gate-junit.xml', 'anchore-gate-gitlab-cs.json', 'anchore_gates.json', 'anchore_security.json', 'report.html'];
        for (let n = 1; n <= 3; n += 1) expected.push(`anchoreengine-api-response-evaluation-${n}.json`, `anchoreengine-api-response-vulnerabilities-${n}.json`);
        assert.deepEqual(files.names, expected.sort());
        const gates = JSON.parse(files.contents['anchore_gates.json']);
        if (api === 'v1') {
          const tables = Object.values(gates);
          assert.equal(tables.length, 3);
          assert.deepEqual(tables[0].result.header.slice(0, 3), ['Image_Id', 'Repo_Tag', 'Trigger_Id']);
        } else {
          assert.ok(Array.isArray(gates));
          assert.deepEqual(gates.map((g) => g.final_action), ['go', 'warn', 'stop']);
          assert.equal(gates[2].failure_details, 'Policy evaluation failed');
        }
        const security = JSON.parse(files.contents['anchore_security.json']);
        assert.equal(security.data.length, 4);
        assert.equal(security.columns.some((c) => c.title === 'Inherited From Base'), api === 'v2');
        const rawCheck = JSON.parse(files.contents['anchoreengine-api-response-evaluation-3.json']);
        assert.ok(api === 'v1' ? Array.isArray(rawCheck) : Array.isArray(rawCheck.evaluations));

        // The Dockerfile went up base64-encoded, CRLF normalised as the plugin does.
        const submit = engine.log.find((e) => e.method === 'POST' && JSON.stringify(e.body).includes('nginx'));
        const b64 = api === 'v1' ? submit.body.dockerfile : submit.body.source.tag.dockerfile;
        assert.equal(Buffer.from(b64, 'base64').toString(), 'FROM nginx:1.15\nHEALTHCHECK NONE\n');
        // Basic auth up front: no request went without credentials.
        assert.ok(engine.log.filter((e) => !e.path.endsWith('/version')).every((e) => e.user === 'admin'));

        assert.match(run.stdout, /FAIL\s+STOP\s+1\s+1\s+0/);
        assert.match(run.stdout, /verdict: FAIL \(exit 1\)/);
        assertNoSecret(run, files);

        const lenient = await runCli([...baseArgs(engine, dir), '--no-fail-on-stop', '--quiet'], { cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD } });
        assert.equal(lenient.code, 0, lenient.stderr);
        assert.doesNotMatch(lenient.stdout, /submitted/, '--quiet prints no progress');
      });
    });

    test('analysis_failed ends that image at once; the others finish', async () => {
      const dir = await tempDir();
      const scenario = makeScenario({
        users: { admin: PASSWORD },
        images: images([
          ['docker.io/library/alpine:3.9', {}],
          ['registry.example.com/team/broken:1', { outcome: 'analysis_failed', analysisMs: 300 }],
        ]),
      });
      await withEngine(api, scenario, async (engine) => {
        const run = await runCli([...baseArgs(engine, dir), '--image', 'docker.io/library/alpine:3.9', '--image', 'registry.example.com/team/broken:1'], { cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD } });
        assert.equal(run.code, 2, run.stdout + run.stderr);
        const { report } = await reportFiles(path.join(dir, 'AnchoreReport'));
        assert.equal(report.images[0].status, 'pass');
        const broken = report.images[1];
        assert.equal(broken.error.kind, 'analysis_failed');
        assert.match(broken.error.message, /could not analyze registry\.example\.com\/team\/broken:1/);
        // Nothing was asked about the broken image after the engine said analysis_failed.
        const submitted = engine.log.find((e) => e.method === 'POST' && JSON.stringify(e.body).includes('broken')).t;
        const about = engine.log.filter((e) => e.path.includes(broken.digest));
        assert.ok(about.every((e) => !e.path.includes('/check') && !e.path.includes('/vuln')), 'no check or vuln request for a failed image');
        const afterFailure = about.filter((e) => e.t - submitted >= 300);
        assert.equal(afterFailure.length, 1, `one poll saw analysis_failed, none followed: ${JSON.stringify(about.map((e) => Math.round(e.t - submitted)))}`);
        assert.ok(broken.duration_ms < 3_000, `took ${broken.duration_ms} ms`);
      });
    });

    test('a wrong password ends the run at the first 401', async () => {
      const dir = await tempDir();
      await withEngine(api, mixedScenario(), async (engine) => {
        const images = ['docker.io/library/alpine:3.9', 'docker.io/library/nginx:1.15', 'gcr.io/team/app:1'];
        const run = await runCli([...baseArgs(engine, dir), '--concurrency', '1', ...images.flatMap((i) => ['--image', i])], { cwd: dir, env: { ANCHORE_CLI_PASS: 'wrong-password' } });
        assert.equal(run.code, 2);
        const authed = engine.log.filter((e) => !e.path.endsWith('/version'));
        assert.equal(authed.length, 1, `one request, then stop: ${JSON.stringify(authed.map((e) => [e.method, e.path, e.status]))}`);
        assert.equal(authed[0].status, 401);
        const { report } = await reportFiles(path.join(dir, 'AnchoreReport'));
        assert.equal(report.error.kind, 'unauthorized');
        assert.ok(report.images.every((i) => i.error?.kind === 'unauthorized'));
        assert.match(run.stdout, /401 Unauthorized.*--password/);
        assert.ok(!run.stdout.includes('wrong-password') && !run.stderr.includes('wrong-password'));
      });
    });

    test('an unknown image shows the registry error; an unknown policy id is named', async () => {
      const dir = await tempDir();
      await withEngine(api, mixedScenario(), async (engine) => {
        const run = await runCli([...baseArgs(engine, dir), '--image', 'docker.io/library/alpine:3.9', '--image', 'quay.io/nobody/nothing:0'], { cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD } });
        assert.equal(run.code, 2);
        const { report } = await reportFiles(path.join(dir, 'AnchoreReport'));
        assert.equal(report.images[0].status, 'pass');
        assert.equal(report.images[1].error.kind, 'registry');
        assert.match(report.images[1].error.message, /^the engine could not add quay\.io\/nobody\/nothing:0: cannot fetch image digest\/manifest from registry/);
        assert.equal(engine.log.filter((e) => e.method === 'POST' && e.status === 400).length, 1, 'not retried');

        const policy = await runCli([...baseArgs(engine, dir), '--image', 'docker.io/library/alpine:3.9', '--policy', 'no-such-policy'], { cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD } });
        assert.equal(policy.code, 2);
        const after = await reportFiles(path.join(dir, 'AnchoreReport'));
        assert.equal(after.report.images[0].error.kind, 'policy_not_found', JSON.stringify(after.report.images[0].error));
        assert.match(after.report.images[0].error.message, /"no-such-policy"/);
        assert.deepEqual(after.names.filter((n) => n.startsWith('anchoreengine')), [], 'files of the earlier run are gone');
      });
    });

    test('a timeout names the state the image was stuck in', async () => {
      const dir = await tempDir();
      const scenario = makeScenario({ users: { admin: PASSWORD }, images: images([['docker.io/library/slow:1', { analysisMs: 600_000 }]]) });
      await withEngine(api, scenario, async (engine) => {
        const run = await runCli([...baseArgs(engine, dir), '--image', 'docker.io/library/slow:1', '--timeout', '1.5'], { cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD } });
        assert.equal(run.code, 2);
        const { report } = await reportFiles(path.join(dir, 'AnchoreReport'));
        const error = report.images[0].error;
        assert.equal(error.kind, 'timeout');
        assert.match(error.message, /^timed out after 1\.5 s waiting for analysis: the engine still reports analysis_status "not_analyzed"/);
        // Status polls backed off and stayed under the 0.2 s cap: bounded, not a busy loop.
        const polls = engine.log.filter((e) => e.method === 'GET' && !e.path.endsWith('/version'));
        assert.ok(polls.length >= 3 && polls.length <= 15, `${polls.length} polls`);
      });
    });

    test('ten images progress in parallel: the run takes about as long as the slowest', async () => {
      const dir = await tempDir();
      const specs = Array.from({ length: 10 }, (_, i) => [`docker.io/team/app${i}:1`, { analysisMs: 500 + 150 * i, vulnerabilities: [LOW] }]);
      const slowest = 500 + 150 * 9;
      await withEngine(api, makeScenario({ users: { admin: PASSWORD }, images: images(specs) }), async (engine) => {
        const run = await runCli([...baseArgs(engine, dir), '--concurrency', '10', ...specs.flatMap(([tag]) => ['--image', tag])], { cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD } });
        assert.equal(run.code, 0, run.stdout + run.stderr);
        const submits = engine.log.filter((e) => e.method === 'POST');
        const vulns = engine.log.filter((e) => e.path.includes('/vuln/'));
        assert.equal(submits.length, 10);
        assert.equal(vulns.length, 10);
        const firstSubmit = Math.min(...submits.map((e) => e.t));
        // Every image was submitted before the fastest one could have finished its analysis...
        assert.ok(Math.max(...submits.map((e) => e.t)) - firstSubmit < 500, 'submits were not concurrent');
        // ...and the last result came within one poll interval (0.2 s) plus round trips of the
        // slowest analysis. In turn, one after another, it would take the sum: 11.75 s.
        const span = Math.max(...vulns.map((e) => e.t)) - firstSubmit;
        assert.ok(span >= slowest, `span ${span}`);
        assert.ok(span <= slowest + 200 + 500, `span ${span} ms for a slowest analysis of ${slowest} ms`);
        console.log(`ten images: last result ${Math.round(span)} ms after the first submit; slowest analysis ${slowest} ms; sequential sum 11750 ms; ${engine.log.length} requests`);
      });
    });

    test('the API version is detected when the URL does not say it', async () => {
      const dir = await tempDir();
      await withEngine(api, mixedScenario(), async (engine) => {
        const root = engine.url.replace(/\/v[12]$/, '');
        const run = await runCli(['--engine-url', root, '--user', 'admin', '--report-dir', path.join(dir, 'R'), '--poll-interval', '0.2', '--image', 'docker.io/library/alpine:3.9'], { cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD } });
        assert.equal(run.code, 0, run.stdout + run.stderr);
        assert.equal(engine.log[0].path, '/version');
        assert.match(run.stdout, new RegExp(`speaks API ${api}`));
        const { report } = await reportFiles(path.join(dir, 'R'));
        assert.equal(report.engine.api, api);
      });
    });
  });
}

describe('CLI input errors', () => {
  test('a bad line is an error naming it; the good lines are still scanned', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'anchore_images'), 'docker.io/library/alpine:3.9\nNot/Valid:Ref\ndocker.io/library/nginx:1.15 Dockerfile.missing\ndocker.io/library/alpine:3.9\ngcr.io/team/app:1 /etc/hostname\n');
    await withEngine('v1', mixedScenario(), async (engine) => {
      const run = await runCli(baseArgs(engine, dir), { cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD } });
      assert.equal(run.code, 2);
      const { report } = await reportFiles(path.join(dir, 'AnchoreReport'));
      assert.deepEqual(report.images.map((i) => [i.source, i.status, i.error?.kind ?? null]), [
        ['anchore_images:1', 'pass', null],
        ['anchore_images:2', 'error', 'image_list'],
        ['anchore_images:3', 'error', 'dockerfile'],
        ['anchore_images:4', 'error', 'duplicate_image'],
        ['anchore_images:5', 'error', 'dockerfile'],
      ]);
      assert.match(report.images[4].error.message, /cannot read Dockerfile "\/etc\/hostname": it is outside the working directory/);
      assert.ok(engine.log.every((e) => !JSON.stringify(e.body ?? '').includes('dockerfile')), 'nothing was uploaded');
      assert.match(report.images[1].error.message, /^anchore_images:2: invalid image reference "Not\/Valid:Ref": repository names must be lowercase/);
      assert.match(report.images[2].error.message, /cannot read Dockerfile "Dockerfile.missing": no such file/);
    });
  });

  test('a missing list, an empty list, bad options', async () => {
    const dir = await tempDir();
    const missing = await runCli(['--engine-url', 'http://127.0.0.1:9/v1', '--report-dir', path.join(dir, 'R')], { cwd: dir });
    assert.equal(missing.code, 2);
    const { report } = await reportFiles(path.join(dir, 'R'));
    assert.equal(report.error.kind, 'image_list');
    assert.match(report.error.message, /^cannot read anchore_images: no such file/);

    await writeFile(path.join(dir, 'empty'), '# nothing yet\n\n');
    const empty = await runCli(['empty', '--engine-url', 'http://127.0.0.1:9/v1', '--report-dir', path.join(dir, 'E')], { cwd: dir });
    assert.equal(empty.code, 2);
    assert.match((await reportFiles(path.join(dir, 'E'))).report.error.message, /^empty lists no images/);

    const bad = await runCli(['--timeout', 'soon', '--image', 'alpine'], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--timeout: expected a positive number of seconds, got "soon"/);
    const unknown = await runCli(['--frobnicate'], { cwd: dir });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown option '--frobnicate'/);
  });

  test('an unreachable engine fails fast and says where', async () => {
    const dir = await tempDir();
    const port = await closedPort();
    const run = await runCli(['--engine-url', `http://127.0.0.1:${port}/v1`, '--image', 'alpine:3.9', '--report-dir', path.join(dir, 'R')], { cwd: dir });
    assert.equal(run.code, 2);
    const { report } = await reportFiles(path.join(dir, 'R'));
    assert.equal(report.error.kind, 'engine_unreachable');
    assert.match(report.error.message, new RegExp(`^cannot reach the engine at http://127\\.0\\.0\\.1:${port}/v1: ECONNREFUSED`));
  });

  test('--help and --version', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    for (const option of ['--image', '--engine-url', '--password-file', '--ca-cert', '--exclude-base', '--no-fail-on-error', '--report-dir']) {
      assert.ok(help.stdout.includes(option), option);
    }
    const version = await runCli(['--version']);
    assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+$/);
  });
});
