// Size: the .wasm (raw and gzip -9) of both builds, the npm tarball (`npm pack --dry-run --json`),
// report.html when the viewer's js/report-html.js exists, and — when twiggy is on PATH and the
// cargo output is there — where the .wasm's bytes go, by crate/module (names from the
// wasm-bindgen output before wasm-opt, which still has its name section).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import { ROOT } from './generate.js';

const gz = (buf) => gzipSync(buf, { level: 9 }).length;

export function wasmSizes() {
  const out = {};
  for (const target of ['nodejs', 'web']) {
    const file = path.join(ROOT, 'pkg', target, 'anchore_gate_bg.wasm');
    if (!existsSync(file)) continue;
    const buf = readFileSync(file);
    const js = path.join(ROOT, 'pkg', target, 'anchore_gate.js');
    out[target] = { raw: buf.length, gzip: gz(buf), js: existsSync(js) ? statSync(js).size : null };
  }
  return out;
}

export function npmTarball() {
  const text = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [pack] = JSON.parse(text);
  const biggest = [...pack.files].sort((a, b) => b.size - a.size).slice(0, 5).map((f) => ({ path: f.path, size: f.size }));
  return { size: pack.size, unpackedSize: pack.unpackedSize, entryCount: pack.entryCount, biggest };
}

/** report.html (js/report-html.js, the viewer's) for a report, when that module exists. */
export async function reportHtml(reportJsonText) {
  const file = path.join(ROOT, 'js/report-html.js');
  if (!existsSync(file)) return { present: false };
  try {
    const { buildReportHtml } = await import(file);
    const html = await buildReportHtml(reportJsonText);
    const buf = Buffer.from(html);
    return { present: true, raw: buf.length, gzip: gz(buf) };
  } catch (error) {
    return { present: true, error: error.message.split('\n')[0] };
  }
}

const GROUPS = [
  ['name section', /"function names" subsection|"local names"|^custom section/],
  ['data (strings, tables)', /^data segment/],
  ['serde_wasm_bindgen', /serde_wasm_bindgen/],
  ['serde_json', /serde_json/],
  ['report::sarif', /anchore_gate::report::sarif/],
  ['report::import', /anchore_gate::report::import/],
  ['report::junit + summary', /anchore_gate::report::(junit|summary)/],
  ['serde derives of anchore_gate types', /anchore_gate::.*(Deserialize|Serialize|__Visitor|__FieldVisitor)/],
  ['anchore_gate (the rest)', /anchore_gate/],
  ['core: fmt, float formatting, numbers', /core.*(fmt|flt2dec|dec2flt|num::)/],
  ['dlmalloc', /dlmalloc/],
  ['wasm-bindgen, js-sys', /wasm_bindgen|js_sys|externref|__wbindgen|__wbg/],
  ['serde (other)', /serde/],
  ['alloc (collections, String)', /alloc::/],
  ['core (other)', /core::|core\[/],
];

/** Bytes by group, from `twiggy top` of the wasm-bindgen output of target/…/anchore_gate.wasm. */
export function wasmBreakdown() {
  const input = path.join(ROOT, 'target/wasm32-unknown-unknown/release/anchore_gate.wasm');
  try {
    execFileSync('twiggy', ['--version'], { stdio: 'ignore' });
    execFileSync('wasm-bindgen', ['--version'], { stdio: 'ignore' });
  } catch {
    return { available: false, why: 'twiggy or wasm-bindgen is not on PATH (cargo install twiggy)' };
  }
  if (!existsSync(input)) return { available: false, why: `${path.relative(ROOT, input)} is missing (npm run build)` };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ag-twiggy-'));
  try {
    execFileSync('wasm-bindgen', ['--target', 'nodejs', '--out-dir', dir, input], { stdio: 'ignore' });
    const wasm = path.join(dir, 'anchore_gate_bg.wasm');
    const csv = execFileSync('twiggy', ['top', '-n', '1000000', '--format', 'csv', wasm], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const groups = Object.fromEntries(GROUPS.map(([g]) => [g, 0]));
    groups.other = 0;
    let total = 0;
    const top = [];
    for (const line of csv.split('\n').slice(1)) {
      const m = /^("(?:[^"]|"")*"|[^,]*),(\d+),/.exec(line);
      if (!m) continue;
      const name = m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1];
      const bytes = Number(m[2]);
      total += bytes;
      const group = GROUPS.find(([, re]) => re.test(name))?.[0] ?? 'other';
      groups[group] += bytes;
      if (top.length < 12 && group !== 'name section') top.push({ name: name.replace(/::h[0-9a-f]{16}$/, ''), bytes });
    }
    return { available: true, file: statSync(wasm).size, total, groups, top };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
