// The whole run, end to end (issue 11): one image whose policy evaluation has N rows and whose
// vulnerability listing has N entries (bench/generate.js), served by a minimal v1 engine that
// answers from the generated files, and the CLI as users run it (a child process, default
// options, --quiet): wall time from spawn to exit, the time until the verdict line is printed
// (the verdict phase) and after it (the report phase), peak RSS of the CLI process, and the
// report directory's size. Beside it, in the same run, `fetch` + `JSON.parse` of the same two
// bodies from the same server: what merely reading the answers costs in Node.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { ensureReportData, ROOT } from './generate.js';
import { median } from './stats.js';

/** A v1 engine that knows one image, already analyzed, and answers from the files. */
async function fileEngine(data) {
  const bodies = { check: readFileSync(data.check), vuln: readFileSync(data.vuln), add: readFileSync(data.add) };
  const server = http.createServer((req, res) => {
    req.resume();
    const url = req.url;
    const body = url.includes('/check') ? bodies.check : url.includes('/vuln/') ? bodies.vuln : bodies.add;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}/v1`;
  return {
    base,
    bytes: bodies.check.length + bodies.vuln.length,
    largest: Math.max(bodies.check.length, bodies.vuln.length),
    checkUrl: `${base}/images/${data.digest}/check?tag=${encodeURIComponent(data.tag)}&detail=true`,
    vulnUrl: `${base}/images/${data.digest}/vuln/all`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** `fetch` + `JSON.parse` of both bodies, in this process. */
async function fetchAndParse(engine) {
  const t0 = performance.now();
  const [a, b] = await Promise.all([engine.checkUrl, engine.vulnUrl].map(async (u) => JSON.parse(await (await fetch(u)).text())));
  const ms = performance.now() - t0;
  if (!a || !b) throw new Error('unreachable');
  return ms;
}

/** One CLI run against the engine. */
async function cliRun(engine, data) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ag-bench-e2e-'));
  const rssFile = path.join(dir, 'rss');
  try {
    const args = ['--import', path.join(ROOT, 'bench/peak-rss.js'), path.join(ROOT, 'js/cli.js'),
      '--engine-url', engine.base, '--user', 'admin', '--password', 'foobar', '--image', data.tag, '--report-dir', path.join(dir, 'report'), '--quiet'];
    const started = performance.now();
    let verdictAt = null;
    const { code, out } = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ANCHORE_GATE_BENCH_RSS: rssFile } });
      let text = '';
      child.stdout.on('data', (d) => {
        text += d;
        if (verdictAt == null && / verdict (PASS|FAIL|ERROR) /.test(text)) verdictAt = performance.now();
      });
      child.stderr.on('data', (d) => { text += d; });
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, out: text }));
    });
    const ms = performance.now() - started;
    if (code !== 0 && code !== 1) throw new Error(`anchore-gate exited ${code}:\n${out}`);
    if (verdictAt == null) throw new Error(`no verdict line in the output:\n${out}`);
    const reportDir = path.join(dir, 'report');
    const files = {};
    for (const name of await readdir(reportDir)) files[name] = (await stat(path.join(reportDir, name))).size;
    const peakRss = Number(await readFile(rssFile, 'utf8'));
    return { ms, verdictMs: verdictAt - started, reportMs: ms - (verdictAt - started), peakRss, files, dirBytes: Object.values(files).reduce((x, y) => x + y, 0) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `rows` + `rows`, `reps` runs of each side, alternating. */
export async function endToEnd(rows, reps, log = () => {}) {
  const data = ensureReportData(path.join(ROOT, 'target/bench/data'), rows);
  const engine = await fileEngine(data);
  try {
    const fetches = [];
    const runs = [];
    for (let i = 0; i < reps; i++) {
      log(`end to end, ${rows} + ${rows} rows: run ${i + 1}/${reps}…`);
      fetches.push(await fetchAndParse(engine));
      runs.push(await cliRun(engine, data));
    }
    const m = (k) => median(runs.map((r) => r[k]));
    const fetchMs = median(fetches);
    const last = runs[runs.length - 1];
    return {
      rows,
      reps,
      bodyBytes: engine.bytes,
      largestBody: engine.largest,
      fetchParseMs: fetchMs,
      cliMs: m('ms'),
      verdictMs: m('verdictMs'),
      reportMs: m('reportMs'),
      peakRss: m('peakRss'),
      dirBytes: last.dirBytes,
      files: last.files,
      ratios: {
        cliVsFetchParse: m('ms') / fetchMs,
        rssVsLargestBody: m('peakRss') / engine.largest,
        dirVsBodies: last.dirBytes / engine.bytes,
        reportVsVerdict: m('reportMs') / m('verdictMs'),
      },
    };
  } finally {
    await engine.close();
  }
}
