#!/usr/bin/env node
// anchore-gate's benchmarks (issue 7): time to verdict, report processing, start-up, size, and the
// viewer's figures when bench/viewer.js exists. Prints a table and writes BENCHMARKS.md (the part
// between the `bench:begin`/`bench:end` markers; the notes around it are kept).
//
//   npm run bench                 full run (about 5 minutes): the real 2–20 s analyses, 100,000 rows
//   npm run bench -- --short      seconds: the same shape scaled down (scripts/test.sh runs this)
//   options: --only verdict,report,e2e,startup,size,viewer   --out FILE   --reps N   --json FILE
//
// Ratios are taken inside one run (same machine, same minute), every figure is a median of
// repeated runs, and nothing here asserts a time: a short run only has to finish and produce
// numbers. Build first (npm run build): the benchmark measures pkg/ as it is.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { endToEnd } from './e2e.js';
import { ensureReportData, ROOT } from './generate.js';
import { npmTarball, reportHtml, wasmBreakdown, wasmSizes } from './size.js';
import { startup } from './startup.js';
import { kb, machine, mb, median, ms, ratio, s } from './stats.js';
import { gateRun, pluginRun, verdictScenario } from './verdict.js';

const { values: opts } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'string' },
    reps: { type: 'string' },
  },
});
const SHORT = opts.short;
const MODE = SHORT ? 'short' : 'full';
const only = new Set((opts.only ?? 'verdict,report,e2e,startup,size,viewer').split(','));
const cfg = SHORT
  ? { rows: 2_000, reportReps: 2, startupReps: 3, verdictReps: 1, scale: 0.1, native: 'dev', e2e: [[2_000, 1]] }
  : { rows: 100_000, reportReps: 5, startupReps: 11, verdictReps: 3, scale: 1, native: 'release', e2e: [[10_000, 5], [100_000, 3]] };
if (opts.reps) cfg.reportReps = cfg.startupReps = cfg.verdictReps = Number(opts.reps);

const results = { mode: MODE, date: new Date().toISOString(), machine: machine(), config: cfg };
const T0 = performance.now();
const log = (...a) => console.error(`bench [${((performance.now() - T0) / 1000).toFixed(1)} s]:`, ...a);
const TARGETS = { verdictVsSlowest: 1.1, verdictVsPlugin: 0.2, reportVsJsonParse: 1.5, startup: 3, wasmGzip: 150_000, e2eVsFetchParse: 3, rssVsBody: 4, dirVsBodies: 3, reportVsVerdict: 1 };
const met = (x, target) => (Number.isFinite(x) ? (x <= target ? 'met' : 'MISSED') : '–');

// ------------------------------------------------------------------------------------------------
// 1. time to verdict

async function benchVerdict() {
  const sc = verdictScenario({ scale: cfg.scale });
  const interval = 5000 * cfg.scale;
  const pollArg = SHORT ? interval / 1000 : undefined;
  const runs = { gate: [], plugin: [], ratioSlowest: [], ratioPlugin: [] };
  let last;
  for (let i = 0; i < cfg.verdictReps; i++) {
    // alternate the order, so neither side always runs on a warmer machine
    let g;
    let p;
    if (i % 2 === 0) {
      log(`verdict ${i + 1}/${cfg.verdictReps}: anchore-gate…`);
      g = await gateRun(sc, { pollInterval: pollArg });
      log(`verdict ${i + 1}/${cfg.verdictReps}: the plugin's loop…`);
      p = await pluginRun(sc, { retryIntervalMs: interval });
    } else {
      log(`verdict ${i + 1}/${cfg.verdictReps}: the plugin's loop…`);
      p = await pluginRun(sc, { retryIntervalMs: interval });
      log(`verdict ${i + 1}/${cfg.verdictReps}: anchore-gate…`);
      g = await gateRun(sc, { pollInterval: pollArg });
    }
    runs.gate.push(g.ms);
    runs.plugin.push(p.ms);
    runs.ratioSlowest.push(g.ms / sc.slowestMs);
    runs.ratioPlugin.push(g.ms / p.ms);
    last = { g, p };
  }
  // the gate with every image in flight at once, for comparison with the default concurrency
  log('verdict: anchore-gate --concurrency 20…');
  const all = await gateRun(sc, { pollInterval: pollArg, extraArgs: ['--concurrency', '20'] });
  return {
    images: sc.refs.length,
    analysisMs: sc.times,
    slowestMs: sc.slowestMs,
    pluginIntervalMs: interval,
    gatePollInterval: pollArg ?? 5,
    gateMs: median(runs.gate),
    pluginMs: median(runs.plugin),
    vsSlowest: median(runs.ratioSlowest),
    vsPlugin: median(runs.ratioPlugin),
    pluginVsSlowest: median(runs.plugin) / sc.slowestMs,
    gateRequests: last.g.requests,
    pluginRequests: last.p.requests,
    concurrency20: { ms: all.ms, vsSlowest: all.ms / sc.slowestMs, requests: all.requests },
    runs,
    reportFiles: last.g.files,
    reportText: last.g.reportText,
  };
}

// ------------------------------------------------------------------------------------------------
// 2. report processing

function child(args) {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--max-old-space-size=8192', path.join(ROOT, 'bench/report-child.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { err += d; });
    c.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`report-child ${args.join(' ')} exited ${code}:\n${err}`))));
  });
}

function native(data, reps) {
  const profile = cfg.native === 'release' ? ['--release'] : [];
  log(`report: native (cargo ${cfg.native} build of examples/bench_core)…`);
  execFileSync('cargo', ['build', '--quiet', ...profile, '--example', 'bench_core'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const bin = path.join(ROOT, 'target', cfg.native === 'release' ? 'release' : 'debug', 'examples', 'bench_core');
  const out = execFileSync(bin, [data.check, data.vuln, data.add, data.tag, String(reps)], { encoding: 'utf8', maxBuffer: 16 << 20 });
  return JSON.parse(out.trim().split('\n').pop());
}

async function benchReport() {
  const data = ensureReportData(path.join(ROOT, 'target/bench/data'), cfg.rows);
  const common = ['--check', data.check, '--vuln', data.vuln, '--add', data.add, '--tag', data.tag];
  log(`report: ${cfg.rows} rows, WASM and JSON.parse side by side…`);
  const both = await child([...common, '--reps', String(cfg.reportReps)]);
  log('report: peak memory of JSON.parse alone, of the WASM run alone…');
  const json = await child([...common, '--reps', '1', '--measure', 'json']);
  const wasm = await child([...common, '--reps', '1', '--measure', 'wasm']);
  // the report directory's files (SARIF, JUnit, Jenkins, raw answers), on a tenth of the rows
  const small = ensureReportData(path.join(ROOT, 'target/bench/data'), Math.max(100, cfg.rows / 10));
  log(`report: files() at ${small.rows} rows…`);
  const files = await child(['--check', small.check, '--vuln', small.vuln, '--add', small.add, '--tag', small.tag, '--reps', '1', '--measure', 'wasm', '--files']);
  const nat = native(data, cfg.reportReps);
  const m = both.medians;
  // "to the report model": both answers handed to the core, and the model handed back to JS the
  // way js/core.js hands it to the CLI
  const wasmToModel = m.wasm_check + m.wasm_vuln + m.wasm_report;
  const wasmIntoCore = m.wasm_check + m.wasm_vuln;
  const nativeIntoCore = nat.medians.check + nat.medians.vuln;
  const variants = {
    bodies_as_strings: m.str_check + m.str_vuln,
    bodies_as_bytes: m.bytes_check != null ? m.bytes_check + m.bytes_vuln : null,
  };
  return {
    rows: cfg.rows,
    bytes: both.bytes,
    shape: both.shape,
    jsonParseMs: m.json_parse,
    wasm: { checkMs: m.wasm_check, vulnMs: m.wasm_vuln, reportMs: m.wasm_report, intoCoreMs: wasmIntoCore, toModelMs: wasmToModel },
    native: { checkMs: nat.medians.check, vulnMs: nat.medians.vuln, reportMs: nat.medians.report, reportJsonMs: nat.medians.report_json, intoCoreMs: nativeIntoCore, peakRss: nat.peak_rss, profile: cfg.native },
    ratios: {
      toModelVsJsonParse: wasmToModel / m.json_parse,
      intoCoreVsJsonParse: wasmIntoCore / m.json_parse,
      wasmVsNative: wasmIntoCore / nativeIntoCore,
    },
    variants,
    peak: { textsOnly: json.peak.texts, jsonParse: json.peak.json, wasm: wasm.peak.wasm },
    files: { rows: small.rows, ms: files.medians.wasm_files, sizes: files.shape.files },
    raw: { both: both.times },
  };
}

// ------------------------------------------------------------------------------------------------
// 5. viewer (another engineer's bench/viewer.js)

async function benchViewer() {
  const file = path.join(ROOT, 'bench/viewer.js');
  if (!existsSync(file)) return { present: false };
  log('viewer: bench/viewer.js (headless Chromium)…');
  const lines = [];
  try {
    const { main } = await import(file);
    const results = await main(SHORT ? ['--short'] : [], (line) => lines.push(line));
    const sizes = [...results.keys()];
    const steps = Object.keys(results.get(sizes[0]));
    const rows = steps.map((k) => ({ step: k, small: results.get(sizes[0])[k], large: results.get(sizes[1])[k] }));
    return { present: true, sizes, rows, header: lines.filter((l) => /rows:|benchmark/.test(l)) };
  } catch (error) {
    return { present: true, error: String(error?.stack ?? error).split('\n').slice(0, 6).join('\n'), text: lines.join('\n') };
  }
}

// ------------------------------------------------------------------------------------------------
// output

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  const line = (r) => `| ${r.map((cell, c) => String(cell).padEnd(widths[c])).join(' | ')} |`;
  return [line(rows[0]), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.slice(1).map(line)].join('\n');
}

function viewerTable(v) {
  if (!v.present) return '_bench/viewer.js does not exist yet; no viewer figures._';
  if (v.error) return `bench/viewer.js failed:\n\n\`\`\`\n${v.error}\n\`\`\``;
  const [small, large] = v.sizes;
  const out = [`bench/viewer.js (the viewer's own benchmark, run from here): ${v.header.map((h) => h.trim()).join('; ')}.`, ''];
  out.push(table([['step', `${small} rows`, `${large.toLocaleString('en')} rows`, `÷ ${small} rows`],
    ...v.rows.map((r) => [r.step.trim().startsWith('of which') ? `↳ ${r.step.trim()}` : r.step, ms(r.small), ms(r.large), Number.isFinite(r.small) && r.small > 0 && Number.isFinite(r.large) ? ratio(r.large / r.small) : ''])]));
  return out.join('\n');
}

function markdown(r) {
  const out = [];
  const m = r.machine;
  out.push(`Run: \`npm run bench${SHORT ? ' -- --short' : ''}\` (${r.mode} mode), ${r.date.slice(0, 16).replace('T', ' ')} UTC.`);
  out.push('');
  out.push(`Machine: ${m.nproc} CPUs (nproc), ${m.cpu}, ${m.memory}, ${m.os}; Node ${m.node}; ${m.rustc}; load average at the start ${m.load}.`);
  out.push('Every figure is the median of repeated runs; every ratio compares figures measured in the same run.');
  out.push('');
  const summary = [['target', 'figure', 'target', 'status']];
  if (r.verdict) {
    summary.push(['time to verdict ÷ slowest analysis', ratio(r.verdict.vsSlowest), '≤ 1.1', met(r.verdict.vsSlowest, TARGETS.verdictVsSlowest)]);
    summary.push(['time to verdict ÷ plugin-like loop', ratio(r.verdict.vsPlugin), '≤ 0.2', met(r.verdict.vsPlugin, TARGETS.verdictVsPlugin)]);
  }
  if (r.report) {
    const rows = r.report.rows.toLocaleString('en');
    summary.push([`report processing, ${rows} + ${rows} rows: response text → report model in the core (WASM) ÷ JSON.parse`, ratio(r.report.ratios.intoCoreVsJsonParse), '≤ 1.5', met(r.report.ratios.intoCoreVsJsonParse, TARGETS.reportVsJsonParse)]);
    summary.push(['… and the whole model handed to JS as objects (report()) ÷ JSON.parse', ratio(r.report.ratios.toModelVsJsonParse), '≤ 1.5', met(r.report.ratios.toModelVsJsonParse, TARGETS.reportVsJsonParse)]);
    summary.push(['report processing: WASM ÷ native Rust (text → model)', ratio(r.report.ratios.wasmVsNative), '', '']);
  }
  if (r.e2e) {
    const big = r.e2e[r.e2e.length - 1];
    const small = r.e2e[0];
    const rows = (x) => `${x.rows.toLocaleString('en')} + ${x.rows.toLocaleString('en')} rows`;
    summary.push([`whole run, ${rows(big)}: the CLI end to end ÷ fetch + JSON.parse of the same bodies`, ratio(big.ratios.cliVsFetchParse), '≤ 3', met(big.ratios.cliVsFetchParse, TARGETS.e2eVsFetchParse)]);
    summary.push([`… its peak RSS ÷ the larger engine body`, ratio(big.ratios.rssVsLargestBody), '≤ 4', met(big.ratios.rssVsLargestBody, TARGETS.rssVsBody)]);
    summary.push([`… the report directory ÷ the two raw bodies`, ratio(big.ratios.dirVsBodies), '≤ 3', met(big.ratios.dirVsBodies, TARGETS.dirVsBodies)]);
    summary.push([`whole run, ${rows(small)}: report phase ÷ verdict phase`, ratio(small.ratios.reportVsVerdict), '≤ 1', met(small.ratios.reportVsVerdict, TARGETS.reportVsVerdict)]);
  }
  if (r.startup) {
    summary.push(['`anchore-gate --version` ÷ `node -e 0`', ratio(r.startup.ratios.version), '≤ 3', met(r.startup.ratios.version, TARGETS.startup)]);
    summary.push(['one-image scan ÷ `node -e 0`', ratio(r.startup.ratios.scan), '≤ 3', met(r.startup.ratios.scan, TARGETS.startup)]);
  }
  if (r.size?.wasm?.nodejs) summary.push(['.wasm gzipped', kb(r.size.wasm.nodejs.gzip), '≤ 150 KB', met(r.size.wasm.nodejs.gzip, TARGETS.wasmGzip)]);
  out.push(table(summary));

  if (r.verdict) {
    const v = r.verdict;
    out.push('', '### 1. Time to verdict', '');
    out.push(`${v.images} images on the engine double (API v2), analysis times ${s(Math.min(...v.analysisMs))} … ${s(v.slowestMs)} in even steps, listed in a shuffled order; ` +
      `anchore-gate as the CLI with default options${SHORT ? ` except --poll-interval ${v.gatePollInterval}` : ''}; the plugin-like loop (bench/plugin-loop.js) submits all, then polls image after image every ${s(v.pluginIntervalMs)}, ` +
      `with the plugin's HTTP habits (401 challenge before every authenticated request, a new connection per poll round). ${cfg.verdictReps} run(s) each, alternating.`);
    out.push('');
    out.push(table([
      ['', 'wall time', '÷ slowest analysis', 'requests per image (min–max)'],
      ['slowest analysis', s(v.slowestMs), '1.00', ''],
      ['anchore-gate', s(v.gateMs), ratio(v.vsSlowest), `${v.gateRequests.perImage.toFixed(1)} (${v.gateRequests.min}–${v.gateRequests.max})`],
      ['plugin-like loop', s(v.pluginMs), ratio(v.pluginVsSlowest), `${v.pluginRequests.perImage.toFixed(1)} (${v.pluginRequests.min}–${v.pluginRequests.max})`],
      ['anchore-gate ÷ plugin-like loop', ratio(v.vsPlugin), '', ''],
      ['anchore-gate --concurrency 20 (one run)', s(v.concurrency20.ms), ratio(v.concurrency20.vsSlowest), `${v.concurrency20.requests.perImage.toFixed(1)} (${v.concurrency20.requests.min}–${v.concurrency20.requests.max})`],
    ]));
  }
  if (r.report) {
    const p = r.report;
    out.push('', '### 2. Report processing', '');
    out.push(`A v1 policy evaluation with ${p.rows.toLocaleString('en')} rows (${mb(p.bytes.check)}) and a vulnerability listing with ${p.rows.toLocaleString('en')} entries (${mb(p.bytes.vuln)}), generated from the real rows of ` +
      `../shared/fixtures/engine/v1-check-fail-detail.json and v1-vuln-*.json (bench/generate.js). The WASM core in Node drives a scripted one-image run: ` +
      `the two answers handed to the gate as js/run.js hands them (the HTTP client's bytes when the build has handleResponseBytes, else strings), which parses them into the report model's findings and vulnerabilities; then, separately, the whole model handed to JS as js/core.js does it (report()). ` +
      `Native: the same run in Rust (examples/bench_core.rs, ${p.native.profile} profile). ${cfg.reportReps} runs, interleaved with JSON.parse in the same process.`);
    out.push('');
    out.push(table([
      ['step', 'WASM in Node', 'native Rust', 'WASM ÷ native'],
      ['policy evaluation text → findings in the core', ms(p.wasm.checkMs), ms(p.native.checkMs), ratio(p.wasm.checkMs / p.native.checkMs)],
      ['vulnerability listing text → vulnerabilities in the core', ms(p.wasm.vulnMs), ms(p.native.vulnMs), ratio(p.wasm.vulnMs / p.native.vulnMs)],
      ['**response text → report model in the core**', `**${ms(p.wasm.intoCoreMs)}**`, ms(p.native.intoCoreMs), ratio(p.ratios.wasmVsNative)],
      ['`JSON.parse` of both texts (same process)', ms(p.jsonParseMs), '', ''],
      ['**÷ JSON.parse**', `**${ratio(p.ratios.intoCoreVsJsonParse)}**`, '', ''],
      ['the whole model handed to JS (report())', ms(p.wasm.reportMs), `${ms(p.native.reportMs)} (assembling it) / ${ms(p.native.reportJsonMs)} (+ as JSON text)`, ''],
      ['response text → report model as JS objects', ms(p.wasm.toModelMs), '', ''],
      ['÷ JSON.parse', ratio(p.ratios.toModelVsJsonParse), '', ''],
    ]));
    out.push('');
    out.push('How the data crosses the boundary (the raw wasm-bindgen class, same run):');
    out.push('');
    const vr = p.variants;
    out.push(table([
      ['variant', 'time'],
      ['both answers passed as JS strings (handleResponse)', ms(vr.bodies_as_strings)],
      ['both answers passed as UTF-8 bytes (handleResponseBytes)', vr.bodies_as_bytes == null ? 'not in this build' : ms(vr.bodies_as_bytes)],
    ]));
    out.push('');
    out.push(table([
      ['peak memory (VmHWM)', 'bytes'],
      ['Node holding the two texts', mb(p.peak.textsOnly)],
      ['… + JSON.parse of both', mb(p.peak.jsonParse)],
      ['… + the WASM run (report model in JS)', mb(p.peak.wasm)],
      ['native run', mb(p.native.peakRss)],
    ]));
    out.push('');
    out.push(`The report directory's contents (files(): anchore-gate.json, SARIF, JUnit, Jenkins files, raw answers) at ${p.files.rows.toLocaleString('en')} rows: ${ms(p.files.ms)}; sizes: ` +
      Object.entries(p.files.sizes ?? {}).map(([k, x]) => `${k} ${mb(x)}`).join(', ') + '.');
  }
  if (r.e2e) {
    out.push('', '### 2b. The whole run, end to end', '');
    out.push('One image whose policy evaluation has N rows and whose vulnerability listing has N entries (the generated answers of section 2), served by a minimal v1 engine answering from the files (bench/e2e.js); ' +
      'the CLI as a child process with default options and --quiet, spawn to exit; the verdict phase ends when the verdict line is printed, the report phase is the rest (the report directory written, report.html included); ' +
      'peak RSS of the CLI process (VmHWM). Beside it, in the same run, `fetch` + `JSON.parse` of the same two bodies from the same server. Medians of the runs given.');
    out.push('');
    const head = ['', ...r.e2e.map((x) => `${x.rows.toLocaleString('en')} + ${x.rows.toLocaleString('en')} rows (${x.reps} run${x.reps > 1 ? 's' : ''})`)];
    const row = (label, f) => [label, ...r.e2e.map(f)];
    out.push(table([
      head,
      row('engine bodies (policy evaluation + vulnerabilities)', (x) => `${mb(x.bodyBytes)} (larger ${mb(x.largestBody)})`),
      row('`fetch` + `JSON.parse` of both', (x) => ms(x.fetchParseMs)),
      row('**CLI end to end**', (x) => `**${ms(x.cliMs)}**`),
      row('÷ fetch + JSON.parse', (x) => ratio(x.ratios.cliVsFetchParse)),
      row('verdict phase (to the verdict line)', (x) => ms(x.verdictMs)),
      row('report phase (after it)', (x) => ms(x.reportMs)),
      row('report phase ÷ verdict phase', (x) => ratio(x.ratios.reportVsVerdict)),
      row('peak RSS of the CLI', (x) => mb(x.peakRss)),
      row('÷ the larger body', (x) => ratio(x.ratios.rssVsLargestBody)),
      row('report directory', (x) => mb(x.dirBytes)),
      row('÷ the two bodies', (x) => ratio(x.ratios.dirVsBodies)),
    ]));
    const big = r.e2e[r.e2e.length - 1];
    out.push('');
    out.push(`The report directory at ${big.rows.toLocaleString('en')} rows: ` + Object.entries(big.files).sort((a, b) => b[1] - a[1]).map(([k, x]) => `${k} ${mb(x)}`).join(', ') + '.');
  }
  if (r.startup) {
    const st = r.startup;
    out.push('', '### 3. Start-up', '');
    out.push(`Wall time of a child process, median of ${st.reps} alternating runs. The scan is one image that the double has already analyzed (submit, check, vulnerabilities, report directory).`);
    out.push('');
    out.push(table([
      ['command', 'wall time', '÷ node -e 0'],
      ['`node -e 0`', ms(st.medians.node), '1.00'],
      ['`anchore-gate --version`', ms(st.medians.version), ratio(st.ratios.version)],
      ['one-image scan against the double', ms(st.medians.scan), ratio(st.ratios.scan)],
      ['(import js/core.js: loads the WASM)', ms(st.medians.import_core), ratio(st.medians.import_core / st.medians.node)],
      ['(import js/cli.js without running it)', ms(st.medians.import_cli), ratio(st.medians.import_cli / st.medians.node)],
      ['(import js/http.js: undici, which a scan needs)', ms(st.medians.import_http), ratio(st.medians.import_http / st.medians.node)],
      ['(build one report.html: js/report-html.js)', ms(st.medians.import_html), ratio(st.medians.import_html / st.medians.node)],
    ]));
  }
  if (r.size) {
    const z = r.size;
    out.push('', '### 4. Size', '');
    const rows = [['artifact', 'raw', 'gzip -9']];
    for (const [t, x] of Object.entries(z.wasm)) rows.push([`pkg/${t}/anchore_gate_bg.wasm`, kb(x.raw), kb(x.gzip)]);
    if (z.npm) rows.push([`npm tarball (${z.npm.entryCount} files)`, kb(z.npm.unpackedSize), `${kb(z.npm.size)} (the .tgz)`]);
    if (z.reportHtml?.present) rows.push(['report.html (js/report-html.js, 20-image report)', z.reportHtml.error ? z.reportHtml.error : kb(z.reportHtml.raw), z.reportHtml.error ? '' : kb(z.reportHtml.gzip)]);
    else rows.push(['report.html', 'js/report-html.js does not exist yet', '']);
    if (z.reportFiles) rows.push([`report directory of the 20-image run (${Object.keys(z.reportFiles).length} files)`, kb(Object.values(z.reportFiles).reduce((a, b) => a + b, 0)), '']);
    out.push(table(rows));
    if (z.breakdown?.available) {
      out.push('');
      out.push(`Where the bytes go (twiggy, wasm-bindgen output before wasm-opt: ${kb(z.breakdown.file)} with its name section; shallow sizes by group):`);
      out.push('');
      const g = Object.entries(z.breakdown.groups).filter(([, x]) => x > 0).sort((a, b) => b[1] - a[1]);
      out.push(table([['group', 'bytes', 'share'], ...g.map(([k, x]) => [k, kb(x), `${((100 * x) / z.breakdown.total).toFixed(1)} %`])]));
    } else if (z.breakdown) {
      out.push('', `(No byte breakdown: ${z.breakdown.why}.)`);
    }
  }
  if (r.viewer) {
    out.push('', '### 5. Viewer', '');
    out.push(viewerTable(r.viewer));
  }
  return out.join('\n');
}

function writeMarkdown(file, body) {
  const BEGIN = '<!-- bench:begin (generated by `npm run bench`; edit outside these markers) -->';
  const END = '<!-- bench:end -->';
  let text = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmarks\n\n${BEGIN}\n${END}\n`;
  const a = text.indexOf('<!-- bench:begin');
  const b = text.indexOf(END);
  if (a < 0 || b < 0) text = `${text.trimEnd()}\n\n${BEGIN}\n${END}\n`;
  const start = text.indexOf('<!-- bench:begin');
  const end = text.indexOf(END);
  text = `${text.slice(0, start)}${BEGIN}\n${body}\n${text.slice(end)}`;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

// ------------------------------------------------------------------------------------------------

if (!existsSync(path.join(ROOT, 'pkg/nodejs/anchore_gate_bg.wasm'))) {
  console.error('bench: pkg/ is not built: run `npm run build` first');
  process.exit(2);
}
log(`${MODE} mode on ${results.machine.nproc} CPUs (${results.machine.cpu}), ${results.machine.node}`);
if (only.has('size')) {
  log('size…');
  results.size = { wasm: wasmSizes(), npm: npmTarball(), breakdown: wasmBreakdown() };
}
if (only.has('startup')) {
  log('start-up…');
  results.startup = await startup({ reps: cfg.startupReps });
}
if (only.has('report')) results.report = await benchReport();
if (only.has('e2e')) {
  results.e2e = [];
  for (const [rows, reps] of cfg.e2e) results.e2e.push(await endToEnd(rows, opts.reps ? Number(opts.reps) : reps, log));
}
if (only.has('verdict')) results.verdict = await benchVerdict();
if (only.has('size') && results.verdict) {
  results.size.reportFiles = results.verdict.reportFiles;
  results.size.reportHtml = await reportHtml(results.verdict.reportText);
}
if (only.has('viewer')) results.viewer = await benchViewer();
if (results.verdict) delete results.verdict.reportText;

const md = markdown(results);
console.log(md);
const out = opts.out ?? (SHORT ? path.join(ROOT, 'target/bench/BENCHMARKS.short.md') : path.join(ROOT, 'BENCHMARKS.md'));
writeMarkdown(out, md);
const jsonOut = opts.json ?? path.join(ROOT, `target/bench/results-${MODE}.json`);
mkdirSync(path.dirname(jsonOut), { recursive: true });
writeFileSync(jsonOut, JSON.stringify(results, null, 2));
log(`wrote ${path.relative(ROOT, out)} and ${path.relative(ROOT, jsonOut)}`);

// A short run only has to produce numbers; it fails when a section produced none.
const numbers = [results.verdict?.gateMs, results.verdict?.pluginMs, results.report?.wasm?.toModelMs, results.report?.jsonParseMs,
  ...(results.e2e ?? []).flatMap((x) => [x.cliMs, x.fetchParseMs, x.peakRss, x.dirBytes]),
  results.report?.native?.intoCoreMs, results.startup?.medians?.node, results.startup?.medians?.scan, results.size?.wasm?.nodejs?.gzip];
const missing = numbers.filter((x) => x !== undefined && !(Number.isFinite(x) && x > 0)).length;
if (missing > 0) {
  console.error(`bench: ${missing} figure(s) came out empty`);
  process.exit(1);
}
