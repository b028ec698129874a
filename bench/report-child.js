// One process of the report-processing benchmark (bench/run.js starts it, so that every process's
// peak memory is its own). It reads a generated v1 policy evaluation and vulnerability listing and
// times, median over --reps:
//   json:  JSON.parse of both texts (the floor: what simply reading the JSON costs in Node);
//   wasm:  the core in WASM driving a scripted one-image run from response text to report model:
//          Gate → POST /images (answered "analyzed") → the check's body → the vulnerability
//          listing's body (as js/run.js hands them over: bytes when the build takes them, else
//          strings) → finish() (the rows moved into the decided report), and with --files
//          writeFiles() (every file of the report directory, streamed to a sink that counts);
//   variants of the boundary: bodies as strings vs bytes (handleResponseBytes).
// Prints one JSON line: {times: {name: [ms…]}, medians, peak: {…}}.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const { values } = parseArgs({
  options: {
    check: { type: 'string' }, vuln: { type: 'string' }, add: { type: 'string' }, tag: { type: 'string' },
    reps: { type: 'string', default: '5' }, measure: { type: 'string', default: 'both' }, files: { type: 'boolean', default: false },
  },
});
const reps = Number(values.reps);

export function vmHWM() {
  // peak resident set size of this process, in bytes
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const checkText = readFileSync(values.check, 'utf8');
const vulnText = readFileSync(values.vuln, 'utf8');
const addText = readFileSync(values.add, 'utf8');
const checkBytes = Buffer.from(checkText);
const vulnBytes = Buffer.from(vulnText);
const peak = { texts: vmHWM() };
const times = {};
const record = (name, ms) => (times[name] ??= []).push(ms);

function timeJsonParse() {
  const t0 = performance.now();
  const a = JSON.parse(checkText);
  const b = JSON.parse(vulnText);
  const ms = performance.now() - t0;
  if (!a || !b) throw new Error('unreachable');
  record('json_parse', ms);
}

let core;
let raw;
async function loadCore() {
  core ??= await import('../js/core.js');
  raw ??= require('../pkg/nodejs/anchore_gate.js');
}

/**
 * Drives a gate to the point where the policy evaluation is asked for, then feeds the big
 * answers. `G` is a gate class (js/core.js's wrapper or the raw wasm-bindgen one); `feed` hands a
 * body over (string or bytes). Returns the gate, done, with the timings of each step recorded.
 */
function scriptedRun(G, prefix, feed) {
  const now = 1_700_000_000_000;
  const entry = core.parseImageArg(values.tag);
  const gate = new G({ engine_url: 'http://127.0.0.1:9/v1', images: [entry], seed: 7 }, now);
  let checked = false;
  for (let guard = 0; guard < 100; guard++) {
    const out = gate.pollOutput();
    if (out.type === 'done') return gate;
    if (out.type === 'event' || out.type === 'save_body') continue;
    if (out.type !== 'transmit') throw new Error(`the scripted run stalled: ${JSON.stringify(out)}`);
    const url = out.url;
    if (out.method === 'POST') {
      gate.handleResponse(now, out.id, 200, addText, undefined);
    } else if (url.includes('/check')) {
      const t0 = performance.now();
      feed(gate, now, out.id, 'check');
      record(`${prefix}check`, performance.now() - t0);
      checked = true;
    } else if (url.includes('/vuln/')) {
      if (!checked) throw new Error('vulnerabilities asked for before the check');
      const t0 = performance.now();
      feed(gate, now, out.id, 'vuln');
      record(`${prefix}vuln`, performance.now() - t0);
    } else {
      gate.handleResponse(now, out.id, 200, addText, undefined);
    }
  }
  throw new Error('the scripted run did not finish');
}

const feedString = (gate, now, id, which) => gate.handleResponse(now, id, 200, which === 'check' ? checkText : vulnText, undefined);
const feedBytes = (gate, now, id, which) => gate.handleResponseBytes(now, id, 200, which === 'check' ? checkBytes : vulnBytes, undefined);

function check(outcome) {
  const image = outcome.images[0];
  if (image.status === 'error') throw new Error(`the scripted run ended in error: ${JSON.stringify(outcome.error)}`);
  const c = image.counts;
  return { findings: c.stop + c.warn + c.go + c.allowlisted, vulnerabilities: Object.values(image.vulnerability_counts).reduce((a, b) => a + b, 0), status: image.status };
}

let shape;
function timeWasm() {
  // What the shim does (js/run.js through js/core.js): the bodies as bytes when the core takes
  // them (handleResponseBytes), else as strings; then report(), and files() with --files.
  const feed = typeof core.Gate.prototype.handleResponseBytes === 'function' ? feedBytes : feedString;
  const gate = scriptedRun(core.Gate, 'wasm_', feed);
  let t0 = performance.now();
  const run = gate.finish();
  record('wasm_report', performance.now() - t0);
  const sizes = {};
  const count = (name, chunk) => { sizes[name] = (sizes[name] ?? 0) + chunk.length; };
  if (values.files) {
    // the report directory's contents (JSON, SARIF, JUnit, Jenkins files): --files only
    t0 = performance.now();
    shape ??= check(run.writeFiles({}, count));
    record('wasm_files', performance.now() - t0);
    shape.files ??= sizes;
  } else {
    shape ??= check(run.writeFiles({}, () => {}));
  }
  run.free();
}

function timeVariants() {
  // The boundary, measured both ways on the raw wasm-bindgen class.
  const gate = scriptedRun(raw.Gate, 'str_', feedString);
  gate.free();
  if (typeof raw.Gate.prototype.handleResponseBytes === 'function') {
    const g = scriptedRun(raw.Gate, 'bytes_', feedBytes);
    g.free();
  }
}

await loadCore();
if (values.measure === 'json') {
  for (let i = 0; i < reps; i++) timeJsonParse();
  peak.json = vmHWM();
} else if (values.measure === 'wasm') {
  for (let i = 0; i < reps; i++) timeWasm();
  peak.wasm = vmHWM();
} else {
  // both, interleaved, for ratios measured side by side in one process
  timeJsonParse();
  timeWasm();
  times.json_parse = [];
  for (const k of Object.keys(times)) times[k] = [];
  for (let i = 0; i < reps; i++) {
    timeJsonParse();
    timeWasm();
    timeVariants();
  }
  peak.all = vmHWM();
}
const medians = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
console.log(JSON.stringify({ reps, bytes: { check: checkBytes.length, vuln: vulnBytes.length }, shape, medians, times, peak }));
