// Start-up: wall time of `node -e 0`, `anchore-gate --version`, and a one-image scan against the
// engine double (the image is already analyzed there, so the scan is start-up, three requests and
// the report directory), plus what loading the pieces costs on its own. Each figure is a median of
// alternating runs, so the ratios share the machine's mood.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { startEngineDouble } from '../js/engine-double/server.js';
import { makeScenario, vuln, vulnFindings } from '../js/engine-double/scenarios.js';
import { ROOT } from './generate.js';
import { median } from './stats.js';

function run(args, cwd = ROOT) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ms: performance.now() - started, out }));
  });
}

export async function startup({ reps }) {
  const ref = 'registry.example.com/bench/startup:1.0';
  const vulns = [vuln('CVE-2024-1001', 'Medium', 'libfoo', '1.0', 'dpkg', { feed_group: 'debian:12' })];
  const scenario = makeScenario({ users: { admin: 'foobar' }, images: { [ref]: { analysisMs: 0, vulnerabilities: vulns, findings: vulnFindings(vulns) } } });
  const double = await startEngineDouble({ api: 'v2', scenario });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ag-bench-startup-'));
  const cli = path.join(ROOT, 'js/cli.js');
  const variants = {
    node: ['-e', '0'],
    version: [cli, '--version'],
    scan: [cli, '--engine-url', double.url, '--user', 'admin', '--password', 'foobar', '--image', ref, '--report-dir', path.join(dir, 'r'), '--quiet'],
    import_core: ['--input-type=module', '-e', `await import(${JSON.stringify(path.join(ROOT, 'js/core.js'))})`],
    import_cli: ['--input-type=module', '-e', `process.argv[1] = 'x'; await import(${JSON.stringify(cli)})`],
    import_http: ['--input-type=module', '-e', `await import(${JSON.stringify(path.join(ROOT, 'js/http.js'))})`],
    import_html: ['--input-type=module', '-e', `const m = await import(${JSON.stringify(path.join(ROOT, 'js/report-html.js'))}); await m.buildReportHtml('{}')`],
  };
  try {
    // the image is analyzed before the clock starts: the first scan submits it, analysisMs 0
    // makes it analyzed at once for every later POST
    const warm = await run(variants.scan, dir);
    if (warm.code > 1) throw new Error(`the one-image scan failed (exit ${warm.code}):\n${warm.out}`);
    const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    for (let i = 0; i < reps; i++) {
      for (const [name, args] of Object.entries(variants)) {
        const r = await run(args, dir);
        if (r.code > 1) throw new Error(`${name} failed (exit ${r.code}):\n${r.out}`);
        times[name].push(r.ms);
      }
    }
    const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
    return { reps, medians: m, times, ratios: { version: m.version / m.node, scan: m.scan / m.node } };
  } finally {
    await double.close();
    await rm(dir, { recursive: true, force: true });
  }
}
