// Time to verdict: 20 images on the engine double (API v2), analysis times spread evenly from 2 to
// 20 s (short mode: the same shape scaled down ten times), listed in a shuffled (seeded) order.
// anchore-gate runs as users run it (the CLI, a child process, default options; in short mode
// --poll-interval scaled like the analysis times) and, on a fresh double with the same scenario,
// the plugin's loop (bench/plugin-loop.js: submit all, then poll image after image every 5 s,
// short mode 0.5 s). Wall times, requests per image from the double's log.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { startEngineDouble } from '../js/engine-double/server.js';
import { healthcheckFinding, makeScenario, vuln, vulnFindings } from '../js/engine-double/scenarios.js';
import { prng, ROOT } from './generate.js';
import { runPluginLoop } from './plugin-loop.js';

const USER = 'admin';
const PASSWORD = 'foobar';

/** The 20 images: analysis times 2 s … 20 s in even steps, times `scale`, in a seeded order. */
export function verdictScenario({ images = 20, minMs = 2000, maxMs = 20000, scale = 1, seed = 20 } = {}) {
  const r = prng(seed);
  const times = Array.from({ length: images }, (_, i) => Math.round((minMs + ((maxMs - minMs) * i) / (images - 1)) * scale));
  for (let i = times.length - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    [times[i], times[j]] = [times[j], times[i]];
  }
  // a third of the images have High/Critical findings (STOP), the others Medium (WARN) or less
  const severities = (i) => (i % 3 === 0 ? ['Critical', 'High', 'Medium', 'Low', 'Negligible'] : i % 3 === 1 ? ['Medium', 'Low', 'Negligible'] : ['Low', 'Negligible']);
  const spec = {};
  const refs = [];
  times.forEach((analysisMs, i) => {
    const ref = `registry.example.com/bench/app-${String(i + 1).padStart(2, '0')}:1.${i}`;
    const vulns = Array.from({ length: 5 + (i % 7) }, (_, k) => vuln(`CVE-2024-${1000 + i * 10 + k}`, severities(i)[(i + k) % severities(i).length], `lib${k}`, `1.${k}.${i}`, 'dpkg',
      { feed_group: 'debian:12', url: `https://security-tracker.debian.org/tracker/CVE-2024-${1000 + i * 10 + k}` }));
    spec[ref] = {
      analysisMs,
      outcome: 'analyzed',
      metadata: { arch: 'amd64', distro: 'debian', distro_version: '12', image_size: 80_000_000 + i * 1_000_000, layer_count: 3 + (i % 5) },
      vulnerabilities: vulns,
      findings: [healthcheckFinding(), ...vulnFindings(vulns)],
    };
    refs.push(ref);
  });
  return { refs, times, slowestMs: Math.max(...times), scenario: () => makeScenario({ users: { [USER]: PASSWORD }, images: structuredClone(spec) }) };
}

/** Requests the double saw, per image (by digest in the path, or the tag in a POST body). */
function requestsPerImage(log, refs, double) {
  const digests = new Map(refs.map((ref) => [double.image(ref).digest, ref]));
  const counts = new Map(refs.map((ref) => [ref, 0]));
  let other = 0;
  for (const e of log) {
    let ref = null;
    const m = /sha256:[0-9a-f]{64}/.exec(e.path);
    if (m) ref = digests.get(m[0]) ?? null;
    else if (e.method === 'POST') ref = e.body?.source?.tag?.pull_string ?? e.body?.tag ?? null;
    if (ref && counts.has(ref)) counts.set(ref, counts.get(ref) + 1);
    else other += 1;
  }
  const per = [...counts.values()].sort((a, b) => a - b);
  return { total: log.length, perImage: log.length / refs.length, min: per[0], max: per[per.length - 1], other };
}

function runCli(args, { cwd }) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(ROOT, 'js/cli.js'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ms: performance.now() - started, out }));
  });
}

/** One run of anchore-gate against a fresh double. */
export async function gateRun(sc, { extraArgs = [], pollInterval } = {}) {
  const double = await startEngineDouble({ api: 'v2', scenario: sc.scenario() });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ag-bench-'));
  try {
    const args = ['--engine-url', double.url, '--user', USER, '--password', PASSWORD, '--report-dir', path.join(dir, 'report'), '--quiet',
      ...(pollInterval ? ['--poll-interval', String(pollInterval)] : []), ...extraArgs, ...sc.refs.flatMap((r) => ['--image', r])];
    const run = await runCli(args, { cwd: dir });
    // STOP findings make the gate exit 1; anything else but 0/1 means the run went wrong
    if (run.code !== 0 && run.code !== 1) throw new Error(`anchore-gate exited ${run.code}:\n${run.out}`);
    const reportDir = path.join(dir, 'report');
    const files = {};
    for (const name of await readdir(reportDir)) files[name] = (await stat(path.join(reportDir, name))).size;
    const reportText = await readFile(path.join(reportDir, 'anchore-gate.json'), 'utf8');
    return { ms: run.ms, exitCode: run.code, requests: requestsPerImage(double.log, sc.refs, double), files, reportText };
  } finally {
    await double.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** One run of the plugin's loop against a fresh double. */
export async function pluginRun(sc, { retryIntervalMs }) {
  const double = await startEngineDouble({ api: 'v2', scenario: sc.scenario() });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ag-bench-plugin-'));
  try {
    const r = await runPluginLoop({ url: double.url, images: sc.refs, user: USER, password: PASSWORD, retryIntervalMs, reportDir: dir });
    return { ms: r.ms, requests: requestsPerImage(double.log, sc.refs, double) };
  } finally {
    await double.close();
    await rm(dir, { recursive: true, force: true });
  }
}
