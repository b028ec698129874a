// The gate against an engine that misbehaves: the engine double with seeded fault injection
// (js/engine-double/faults.js). Everything is judged from the double's own request log, the
// fault plan's log and the report — never from wall-clock limits.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';

import { faultPlan, faults, outageRule, paths, seededUnit } from '../js/engine-double/faults.js';
import { startEngineDouble } from '../js/engine-double/server.js';
import { healthcheckFinding, makeScenario, vuln, vulnFindings } from '../js/engine-double/scenarios.js';
import { GUARD, reportFiles, runCli, tempDir } from './support/cli.js';

const PANIC = new URL('./support/core-panic.js', import.meta.url).pathname;

const PASSWORD = 'F4ult-t0lerant!pw';
const HIGH = vuln('CVE-2015-6420', 'High', 'commons-collections', '3.2.1', 'java', { feed_group: 'nvdv2:cves' });
const LOW = vuln('CVE-2018-16868', 'Low', 'libgnutls30', '3.5.8-5+deb9u4', 'dpkg', { feed_group: 'debian:9' });

/** 20 images: GO, WARN and STOP in turn, two whose analysis fails; short analyses. */
function twentyImages() {
  const images = {};
  const expected = [];
  for (let i = 0; i < 20; i += 1) {
    const tag = `registry.example.com/team/service-${String(i).padStart(2, '0')}:1.${i}`;
    const kind = i === 7 || i === 16 ? 'failed' : ['go', 'warn', 'stop'][i % 3];
    const spec = { analysisMs: 300 + 40 * i, outcome: 'analyzed', findings: [], vulnerabilities: [LOW] };
    if (kind === 'warn') spec.findings = [healthcheckFinding()];
    if (kind === 'stop') { spec.findings = [healthcheckFinding(), ...vulnFindings([HIGH])]; spec.vulnerabilities = [HIGH, LOW]; }
    if (kind === 'failed') spec.outcome = 'analysis_failed';
    images[tag] = spec;
    expected.push([tag, kind]);
  }
  return { images, expected };
}

function verdictOf(row) {
  if (row.status === 'error') return row.error?.kind === 'analysis_failed' ? 'failed' : `error:${row.error?.kind}`;
  return `${row.final_action}`;
}

function args(engine, dir, images, extra = []) {
  return [
    '--engine-url', engine.url, '--user', 'admin', '--report-dir', path.join(dir, 'AnchoreReport'),
    '--poll-interval', '0.2', '--request-timeout', '1', ...images.flatMap((i) => ['--image', i]), ...extra,
  ];
}

/** Client-side view of a run: requests sent per image (from the report) and retries (from --debug). */
function figures(run, report) {
  const sent = report.images.reduce((sum, i) => sum + i.requests, 0);
  const retries = (run.stdout.match(/; retry \d+ in /g) ?? []).length;
  return { sent, retries };
}

describe('engine faults', () => {
  test('seeded faults are reproducible and independent of arrival order', () => {
    const plan = (seed) => faultPlan({ seed, rules: [{ name: '5xx', rate: 0.3, fault: faults.serverError() }] });
    const requests = Array.from({ length: 200 }, (_, n) => ({ method: 'GET', path: `/v1/images/sha256:${String(n % 20).padStart(64, '0')}`, n }));
    const decide = (p, order) => order.map((r) => [`${r.method} ${r.path}`, p.hook(r)?.status ?? 200]).sort();
    const a = decide(plan(7), requests);
    const b = decide(plan(7), [...requests].reverse().map((r, n) => ({ ...r, n })));
    // Per path, the k-th request gets the same answer whichever order they came in.
    const perPath = (d) => Object.entries(d.reduce((m, [k, s]) => ({ ...m, [k]: [...(m[k] ?? []), s] }), {})).map(([k, v]) => [k, v.sort().join()]);
    assert.deepEqual(perPath(a), perPath(b));
    const c = decide(plan(8), requests);
    assert.notDeepEqual(a, c, 'another seed, other faults');
    const rate = a.filter(([, s]) => s !== 200).length / a.length;
    assert.ok(rate > 0.2 && rate < 0.4, `5xx rate ${rate}`);
    assert.equal(seededUnit(1, 'x'), seededUnit(1, 'x'));
  });

  test('20 images under 30% 5xx, 10% resets, 429s, slow, cut and damaged answers and an outage: every verdict right, none lost, requests bounded', async () => {
    const dir = await tempDir();
    const { images, expected } = twentyImages();
    const tags = expected.map(([tag]) => tag);

    // A clean run of the same images first: the request count without faults.
    const clean = await startEngineDouble({ api: 'v1', scenario: makeScenario({ users: { admin: PASSWORD }, images }) });
    let baseline;
    try {
      const run = await runCli(args(clean, dir, tags, ['--report-dir', path.join(dir, 'Clean')]), { cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD } });
      const { report } = await reportFiles(path.join(dir, 'Clean'));
      assert.deepEqual(report.images.map(verdictOf), expected.map(([, kind]) => kind), run.stdout + run.stderr);
      baseline = { received: clean.log.length, ...figures(run, report) };
    } finally {
      await clean.close();
    }

    const engine = await startEngineDouble({ api: 'v1', scenario: makeScenario({ users: { admin: PASSWORD }, images }) });
    const rarer = {
      429: faults.tooManyRequests({ retryAfter: 1 }),
      slow: faults.slow({ delayMs: 1_500 }),
      cut: faults.cutConnection({ afterBytes: 20 }),
      truncated: faults.truncated(),
      malformed: faults.malformed(),
    };
    const plan = faultPlan({
      seed: 20260601,
      // A request is let through after 3 faults in a row, so no image waits out backoffs of 8, 16, 30 s.
      maxConsecutive: 3,
      rules: [
        outageRule(engine, { atRequest: 70, ms: 2_000 }),
        // each rarer kind once for sure (on a status poll, which the engine answers with 200) ...
        ...['slow', 'cut', 'truncated', 'malformed', '429'].map((name, k) => ({
          name, limit: 1, path: paths.status, when: (info) => info.n >= 30 + 8 * k, fault: rarer[name],
        })),
        // ... and then all kinds at their rates
        { name: '5xx', rate: 0.3, fault: faults.serverError() },
        { name: 'reset', rate: 0.1, fault: faults.reset() },
        { name: '429', rate: 0.04, fault: rarer['429'] },
        { name: 'slow', rate: 0.03, fault: rarer.slow },
        { name: 'cut', rate: 0.02, fault: rarer.cut },
        { name: 'truncated', rate: 0.02, fault: rarer.truncated },
        { name: 'malformed', rate: 0.02, fault: rarer.malformed },
      ],
    });
    engine.scenario.faults.push(plan.hook);
    try {
      const run = await runCli(args(engine, dir, tags, ['--timeout', '120', '--concurrency', '20', '--debug']), { cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD }, node: ['--import', GUARD] });
      const files = await reportFiles(path.join(dir, 'AnchoreReport'));
      const { report } = files;
      const stats = plan.stats();

      // Every image has its row and its correct verdict; none was lost to a fault.
      assert.equal(report.images.length, 20);
      assert.deepEqual(report.images.map((i) => i.image), tags);
      const got = report.images.map(verdictOf);
      const want = expected.map(([, kind]) => kind);
      const correct = got.filter((v, n) => v === want[n]).length;
      assert.deepEqual(got, want, run.stdout.split('\n').filter((l) => /ERROR|retry/.test(l)).slice(-40).join('\n'));
      assert.equal(run.code, 2, 'analysis_failed images make it exit 2');
      assert.equal(report.exit_code, 2);
      assert.ok(!report.error, `no run-level error: ${JSON.stringify(report.error)}`);
      // The report directory is complete: the Jenkins files and the raw answers of the 18 analyzed images.
      assert.ok(files.names.includes('anchore_gates.json') && files.names.includes('anchore_security.json'));
      assert.equal(files.names.filter((n) => n.startsWith('anchoreengine-api-response-evaluation-')).length, 18);

      // Each kind of fault was injected, the outage included.
      for (const kind of ['5xx', 'reset', '429', 'slow', 'cut', 'truncated', 'malformed', 'outage']) {
        assert.ok(stats.injected[kind] > 0, `no ${kind} fault injected: ${JSON.stringify(stats.injected)}`);
      }
      // Retry-After was honoured: after a 429 the same request did not come back within a second.
      const same = (a, b) => a.method === b.method && a.path === b.path && JSON.stringify(a.body) === JSON.stringify(b.body);
      const after429 = plan.log.filter((f) => f.fault === '429').map((f) => {
        const at = engine.log[f.n].t;
        const next = engine.log.slice(f.n + 1).find((e) => same(e, engine.log[f.n]));
        return next ? next.t - at : Infinity;
      });
      assert.ok(after429.every((gap) => gap >= 1_000), `a request came back within 1 s of its 429: ${after429.map(Math.round)}`);

      // Bounded: every fault costs about one more request, the outage a few per image in flight.
      const { sent, retries } = figures(run, report);
      const bound = baseline.sent + 2 * stats.total + 8 * 8;
      assert.ok(sent <= bound, `${sent} requests sent, more than ${bound}`);
      assert.ok(report.images.every((i) => i.requests <= 60), `an image took ${Math.max(...report.images.map((i) => i.requests))} requests`);
      assert.ok(retries >= stats.total - stats.injected.outage, `${retries} retries for ${stats.total} faults`);
      // Only loopback was ever contacted.
      console.log(`fault run: ${report.images.length} images, ${stats.total} faults injected (${Object.entries(stats.injected).map(([k, v]) => `${k} ${v}`).join(', ')}), `
        + `${sent} requests sent (${engine.log.length} reached the engine; ${baseline.sent} in the same run without faults), ${retries} retries, `
        + `${correct}/${report.images.length} verdicts correct`);
    } finally {
      await engine.close();
    }
  });

  test('faults that persist past the timeout: the error says what kept failing', async () => {
    const dir = await tempDir();
    const images = {
      'docker.io/team/checks:1': { analysisMs: 200 },
      'docker.io/team/polls:1': { analysisMs: 200 },
      'docker.io/team/hangs:1': { analysisMs: 200 },
    };
    const engine = await startEngineDouble({ api: 'v2', scenario: makeScenario({ users: { admin: PASSWORD }, images }) });
    const digest = (tag) => engine.image(tag).digest;
    const plan = faultPlan({
      rules: [
        { name: '503', path: paths.check, when: (i) => i.path.includes(digest('docker.io/team/checks:1')), fault: faults.answer({ status: 503, body: { message: 'policy engine unavailable', httpcode: 503, detail: { error_codes: [] } } }) },
        { name: 'reset', path: paths.status, when: (i) => i.path.includes(digest('docker.io/team/polls:1')), fault: faults.reset() },
        { name: 'slow', path: paths.vuln, when: (i) => i.path.includes(digest('docker.io/team/hangs:1')), fault: faults.slow({ delayMs: 1_500 }) },
      ],
    });
    engine.scenario.faults.push(plan.hook);
    try {
      const run = await runCli(args(engine, dir, Object.keys(images), ['--timeout', '4']), { cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD } });
      assert.equal(run.code, 2);
      const { report } = await reportFiles(path.join(dir, 'AnchoreReport'));
      const [checks, polls, hangs] = report.images.map((i) => i.error);
      assert.ok([checks, polls, hangs].every((e) => e?.kind === 'timeout'), JSON.stringify(report.images.map((i) => i.error)));
      assert.match(checks.message, /^timed out after 4 s waiting for the policy evaluation \(GET …\/check\); the last \d+ request\(s\) failed, the last with: HTTP 503 from GET \/images\/sha256:[0-9a-f]{64}\/check: policy engine unavailable/);
      assert.match(polls.message, /^timed out after 4 s waiting for analysis: .*; the last \d+ request\(s\) failed, the last with: GET \/images\/sha256:[0-9a-f]{64}: .*(other side closed|ECONNRESET|socket hang up)/);
      assert.match(hangs.message, /^timed out after 4 s waiting for the vulnerability listing \(GET …\/vuln\); the last \d+ request\(s\) failed, the last with: GET \/images\/sha256:[0-9a-f]{64}\/vuln: no answer within 1 s/);
      // Retried with backoff, not hammered: a handful of attempts in 4 s each.
      for (const fault of ['503', 'reset', 'slow']) {
        const n = plan.log.filter((f) => f.fault === fault).length;
        assert.ok(n >= 2 && n <= 6, `${fault}: ${n} attempts in 4 s`);
      }
      assert.match(run.stdout, /timed out after 4 s waiting for the policy evaluation/);
    } finally {
      await engine.close();
    }
  });

  test('permanent faults end fast: a 401 in mid-run ends it at once; a 403 ends its image at the first answer', async () => {
    const dir = await tempDir();
    const images = Object.fromEntries(['a', 'b', 'c', 'd'].map((n) => [`docker.io/team/${n}:1`, { analysisMs: 200 }]));
    const engine = await startEngineDouble({ api: 'v1', scenario: makeScenario({ users: { admin: PASSWORD }, images }) });
    try {
      // The password is rotated while the gate runs: from the 6th request on, every answer is 401.
      const plan = faultPlan({ rules: [{ name: '401', when: (i) => i.n >= 5, fault: faults.answer({ status: 401, body: 'Unauthorized', type: 'text/html' }) }] });
      engine.scenario.faults.push(plan.hook);
      const run = await runCli(args(engine, dir, Object.keys(images), ['--concurrency', '1']), { cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD } });
      assert.equal(run.code, 2);
      assert.equal(plan.stats().injected['401'], 1, 'nothing was sent after the first 401');
      assert.equal(engine.log.length, 6);
      const { report } = await reportFiles(path.join(dir, 'AnchoreReport'));
      assert.equal(report.error.kind, 'unauthorized');
      // The images done before the 401 keep their result; every other one ends with it.
      const unfinished = report.images.filter((i) => i.status === 'error');
      assert.ok(unfinished.length >= 3, JSON.stringify(report.images.map((i) => i.status)));
      assert.ok(unfinished.every((i) => i.error.kind === 'unauthorized'));
      assert.match(run.stdout, /401 Unauthorized/);

      // A 403 for an account the user may not act in ends each image at its first answer.
      engine.scenario.faults.splice(0);
      engine.log.splice(0);
      const forbidden = await runCli(args(engine, dir, Object.keys(images), ['--account', 'someone-else']), { cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD } });
      assert.equal(forbidden.code, 2);
      assert.deepEqual(engine.log.map((e) => [e.method, e.status]), Object.keys(images).map(() => ['POST', 403]), 'one request per image, no retry');
      assert.ok(engine.log.every((e) => e.account === 'someone-else'));
      const after = (await reportFiles(path.join(dir, 'AnchoreReport'))).report;
      assert.ok(after.images.every((i) => i.error.kind === 'forbidden'), JSON.stringify(after.images.map((i) => i.error)));
      assert.match(after.images[0].error.message, /HTTP 403 from POST \/images: Not authorized\. Requires permissions: domain=someone-else .*check --account/);

      // A 403 later in an image's way (the vulnerability listing) ends only that image, also at once.
      engine.log.splice(0);
      const later = faultPlan({ rules: [{ name: '403', path: paths.vuln, when: (i) => i.path.includes(engine.image('docker.io/team/b:1').digest), fault: faults.answer({ status: 403, body: { message: 'Not authorized. Requires permissions: domain=admin action=getImage target=*', httpcode: 403, detail: { error_codes: [] } } }) }] });
      engine.scenario.faults.push(later.hook);
      const one = await runCli(args(engine, dir, Object.keys(images)), { cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD } });
      assert.equal(one.code, 2);
      assert.equal(later.stats().injected['403'], 1);
      const rows = (await reportFiles(path.join(dir, 'AnchoreReport'))).report.images;
      assert.deepEqual(rows.map((i) => i.status), ['pass', 'error', 'pass', 'pass']);
      assert.equal(rows[1].error.kind, 'forbidden');
    } finally {
      await engine.close();
    }
  });

  test('an answer over the size limit (256 MiB) is refused with a clear error, declared or streamed', async () => {
    const dir = await tempDir();
    const images = { 'docker.io/team/declared:1': { analysisMs: 100 }, 'docker.io/team/streamed:1': { analysisMs: 100 }, 'docker.io/team/fine:1': { analysisMs: 100 } };
    const engine = await startEngineDouble({ api: 'v1', scenario: makeScenario({ users: { admin: PASSWORD }, images }) });
    const digestOf = (tag) => engine.image(tag).digest;
    const plan = faultPlan({
      rules: [
        { name: 'declared', path: paths.vuln, when: (i) => i.path.includes(digestOf('docker.io/team/declared:1')), fault: faults.oversized({ bytes: 300 * 2 ** 20, declared: true }) },
        { name: 'streamed', path: paths.check, when: (i) => i.path.includes(digestOf('docker.io/team/streamed:1')), fault: faults.oversized({ bytes: 257 * 2 ** 20 }) },
      ],
    });
    engine.scenario.faults.push(plan.hook);
    try {
      const run = await runCli(args(engine, dir, Object.keys(images), ['--request-timeout', '60']), { cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD } });
      assert.equal(run.code, 2);
      const { report } = await reportFiles(path.join(dir, 'AnchoreReport'));
      const [declared, streamed, fine] = report.images;
      assert.equal(fine.status, 'pass');
      assert.equal(declared.error.kind, 'bad_response');
      assert.match(declared.error.message, /^GET \/images\/sha256:[0-9a-f]{64}\/vuln: the answer is 300 MiB \(Content-Length\), more than the 256 MiB anchore-gate accepts/);
      assert.equal(streamed.error.kind, 'bad_response');
      assert.match(streamed.error.message, /^GET \/images\/sha256:[0-9a-f]{64}\/check: the answer is larger than the 256 MiB anchore-gate accepts/);
      // Refused once, not asked for again.
      assert.deepEqual(plan.stats().injected, { declared: 1, streamed: 1 });
      assert.match(run.stdout, /more than the 256 MiB anchore-gate accepts/);
    } finally {
      await engine.close();
    }
  });

  test('a panic inside the WASM core: the user sees what failed, exit 2, and the report is still written', async () => {
    const dir = await tempDir();
    const images = { 'docker.io/team/a:1': { analysisMs: 100 }, 'docker.io/team/b:1': { analysisMs: 100 } };
    const engine = await startEngineDouble({ api: 'v1', scenario: makeScenario({ users: { admin: PASSWORD }, images }) });
    try {
      const list = path.join(dir, 'anchore_images');
      await (await import('node:fs/promises')).writeFile(list, 'docker.io/team/a:1\nNot/Valid:Ref\ndocker.io/team/b:1\n');
      const run = await runCli(['--engine-url', engine.url, '--user', 'admin', '--report-dir', path.join(dir, 'R'), '--poll-interval', '0.2', list], {
        cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD, ANCHORE_GATE_PANIC_AT: '2' }, node: ['--import', PANIC],
      });
      assert.equal(run.code, 2, run.stdout + run.stderr);
      const output = run.stdout + run.stderr;
      assert.doesNotMatch(output, /^(RuntimeError: )?unreachable$/m);
      // One log line: the panic's line break is shown escaped (js/cli.js logPrinter).
      assert.match(run.stderr, /internal: internal error in the gate's core: panicked at src\/wasm\.rs:\d+:\d+:\\u\{a\}index out of bounds: the len is 3 but the index is 7/);
      const { names, report } = await reportFiles(path.join(dir, 'R'));
      assert.ok(names.includes('anchore-gate.json'), names.join());
      assert.equal(report.verdict, 'error');
      assert.equal(report.exit_code, 2);
      assert.equal(report.error.kind, 'internal');
      assert.match(report.error.message, /index out of bounds/);
      assert.deepEqual(report.images.map((i) => [i.image, i.source, i.status, i.error.kind]), [
        ['docker.io/team/a:1', `${list}:1`, 'error', 'internal'],
        ['Not/Valid:Ref', `${list}:2`, 'error', 'image_list'],
        ['docker.io/team/b:1', `${list}:3`, 'error', 'internal'],
      ]);
      assert.match(run.stdout, /docker\.io\/team\/a:1\s+ERROR/);
      assert.match(run.stdout, /verdict: ERROR \(exit 2\)/);
      assert.ok(!output.includes(PASSWORD));
    } finally {
      await engine.close();
    }
  });
});
