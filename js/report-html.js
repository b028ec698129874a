// report.html: the report viewer as one self-contained file for the report directory — the
// viewer's JS and CSS inline, the WASM core inline (gzip, base64), and the report as JSON in a
// <script type="application/json"> block with every "<" written as \u003c, so no value can end
// the block. It opens from file:// with no server and no network: its Content-Security-Policy
// allows only its own inline script and style (by hash) and WebAssembly compilation, and no
// fetch, frame, font, image or form target at all.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

const VIEWER = new URL('./viewer/', import.meta.url);
const WEB = new URL('../pkg/web/', import.meta.url);

/**
 * Turns ES modules into statements of one module scope: drops `import … from './x.js'` lines
 * (the files are given in dependency order) and the `export` keywords. A module given with a
 * list of names is closed in a function of its own that hands out only those names (the
 * wasm-bindgen glue: its helpers must not meet the viewer's). Throws when a module has a form
 * this does not handle, instead of writing a report.html that would not run.
 */
export function joinModules(sources) {
  const out = [];
  for (const [name, text, keep] of sources) {
    const body = text
      .replace(/^import\s+(?:\{[^}]*\}|\w+)\s+from\s+'\.\/[\w.-]+\.js';\s*$/gm, '')
      .replace(/^export\s+(?=(?:async\s+)?(?:function|class|const|let)\b)/gm, '')
      .replace(/^export\s*\{[^}]*\};?\s*$/gm, '');
    const left = /^\s*(?:import(?:\s*[{*'"]|\s+\w)|export\b).*$/m.exec(body);
    if (left) throw new Error(`report.html: cannot inline ${name}: unexpected module syntax ${JSON.stringify(left[0].slice(0, 80))}`);
    out.push(keep
      ? `// --- ${name}\nconst { ${keep.join(', ')} } = (() => {\n${body}\nreturn { ${keep.join(', ')} };\n})();`
      : `// --- ${name}\n${body}`);
  }
  // Nothing in a script may end the <script> element early.
  return out.join('\n').replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

const BOOT = `
// --- start: the WASM core from the page itself, then the report from its JSON block
const root = document.getElementById('app');
try {
  const packed = Uint8Array.from(atob(document.getElementById('anchore-gate-wasm').textContent.trim()), (c) => c.charCodeAt(0));
  if (typeof DecompressionStream !== 'function') throw new Error('this browser cannot unpack the viewer (no DecompressionStream); open the report in a current Firefox, Chrome, Edge or Safari');
  const wasm = await new Response(new Blob([packed]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
  await __wbg_init({ module_or_path: wasm });
  const text = document.getElementById('anchore-gate-report').textContent;
  startViewer({ root, core: { importReport, decideAndTriage, parseAllowlist, triage }, initial: { files: [{ name: 'anchore-gate.json', content: new TextEncoder().encode(text) }] } });
} catch (e) {
  root.textContent = 'The report viewer could not start: ' + (e && e.message ? e.message : e);
  root.dataset.state = 'error';
}
`;

let cached = null;

/**
 * The parts of report.html that do not depend on the report, read once per process: prebuilt
 * from report-template.json beside this module when there is one (the bundled action in dist/,
 * which has neither js/viewer/ nor pkg/web/), else built from the viewer's files and pkg/web.
 */
async function template() {
  if (cached) return cached;
  try {
    cached = JSON.parse(await readFile(new URL('report-template.json', import.meta.url), 'utf8'));
    return cached;
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  const read = (base, name) => readFile(new URL(name, base), 'utf8');
  const [glue, grid, viewer, css, wasm] = await Promise.all([
    read(WEB, 'anchore_gate.js'),
    read(VIEWER, 'grid.js'),
    read(VIEWER, 'viewer.js'),
    read(VIEWER, 'viewer.css'),
    readFile(new URL('anchore_gate_bg.wasm', WEB)),
  ]);
  const script = `${joinModules([['pkg/web/anchore_gate.js', glue, ['__wbg_init', 'importReport', 'decideAndTriage', 'parseAllowlist', 'triage']], ['js/viewer/grid.js', grid], ['js/viewer/viewer.js', viewer]])}\n${BOOT}`;
  const hash = (s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
  const csp = [
    "default-src 'none'",
    `script-src ${hash(script)} 'wasm-unsafe-eval'`,
    `style-src ${hash(css)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const head = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>anchore-gate report</title>
<link rel="icon" href="data:,">
<style>${css}</style>
</head>
<body>
<div id="app" data-state="starting"><noscript>The report viewer needs JavaScript; the data is anchore-gate.json next to this file.</noscript></div>
<script type="application/octet-stream" id="anchore-gate-wasm">${gzipSync(wasm, { level: 9 }).toString('base64')}</script>
<script type="application/json" id="anchore-gate-report">`;
  const tail = `</script>
<script type="module">${script}</script>
</body>
</html>
`;
  cached = { head, tail };
  return cached;
}

/** Writes the prebuilt template for a bundle (scripts/bundle.sh puts it beside dist/action.js). */
export async function writeReportTemplate(file) {
  await writeFile(file, `${JSON.stringify(await template())}\n`);
}

/**
 * report.html for `report` (the report object, or the text of anchore-gate.json). The JSON is
 * written compact, with "<" as \u003c.
 */
export async function buildReportHtml(report) {
  const { head, tail } = await template();
  const value = typeof report === 'string' ? JSON.parse(report) : report;
  const json = JSON.stringify(value).replace(/</g, '\\u003c');
  return `${head}${json}${tail}`;
}

/**
 * `files` (the report directory's {name, content} list) plus report.html, last; on failure a
 * warning through `warn` and the files unchanged (the gate's result must not depend on it).
 */
export async function withReportHtml(files, warn = console.error) {
  const report = files.find((f) => f.name === 'anchore-gate.json');
  if (!report) return files;
  try {
    return [...files, { name: 'report.html', content: await buildReportHtml(report.content) }];
  } catch (error) {
    warn(`anchore-gate: warning: report.html was not written: ${error.message}`);
    return files;
  }
}
