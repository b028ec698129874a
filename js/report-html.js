// report.html: the report viewer as one self-contained file for the report directory — the
// viewer's JS and CSS inline, the WASM core inline (gzip, base64), and anchore-gate.json's bytes
// inline the same way (gzip, base64: a few times smaller than the JSON, no character of it can
// end the block, and the shim streams it from the file without parsing it). It opens from file:// with no server and no network: its Content-Security-Policy
// allows only its own inline script and style (by hash) and WebAssembly compilation, and no
// fetch, frame, font, image or form target at all.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';

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
// --- start: the WASM core from the page itself, then the report's bytes from theirs
const root = document.getElementById('app');
try {
  if (typeof DecompressionStream !== 'function') throw new Error('this browser cannot unpack the viewer (no DecompressionStream); open the report in a current Firefox, Chrome, Edge or Safari');
  const unpack = async (id) => {
    const packed = Uint8Array.from(atob(document.getElementById(id).textContent.trim()), (c) => c.charCodeAt(0));
    return new Uint8Array(await new Response(new Blob([packed]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
  };
  await __wbg_init({ module_or_path: await unpack('anchore-gate-wasm') });
  const content = await unpack('anchore-gate-report');
  startViewer({ root, core: { importReport, decide, parseAllowlist }, initial: { files: [{ name: 'anchore-gate.json', content }] } });
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
  const script = `${joinModules([['pkg/web/anchore_gate.js', glue, ['__wbg_init', 'importReport', 'decide', 'parseAllowlist']], ['js/viewer/grid.js', grid], ['js/viewer/viewer.js', viewer]])}\n${BOOT}`;
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
<script type="application/octet-stream" id="anchore-gate-report">`;
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
 * report.html for `report`: the text or bytes of an anchore-gate.json, or a report object (for
 * tests and benchmarks; the CLI streams the file instead, see writeReportHtml).
 */
export async function buildReportHtml(report) {
  const { head, tail } = await template();
  const bytes = typeof report === 'string' || report instanceof Uint8Array ? report : JSON.stringify(report);
  return `${head}${gzipSync(bytes).toString('base64')}${tail}`;
}

/** Base64 of a byte stream, in pieces: the bytes left over from a chunk wait for the next. */
function base64Stream() {
  let rest = Buffer.alloc(0);
  return new Transform({
    transform(chunk, _encoding, done) {
      const bytes = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
      const whole = bytes.length - (bytes.length % 3);
      rest = bytes.subarray(whole);
      done(null, bytes.subarray(0, whole).toString('base64'));
    },
    flush(done) {
      done(null, rest.toString('base64'));
    },
  });
}

/**
 * Writes report.html beside `jsonFile` (anchore-gate.json): the file's bytes go through gzip and
 * base64 into the page as they are read, so neither the report nor the page is held whole. On
 * failure, a warning through `warn` (the gate's result must not depend on it).
 */
export async function writeReportHtml(jsonFile, htmlFile, warn = console.error) {
  try {
    const { head, tail } = await template();
    const out = createWriteStream(htmlFile);
    out.write(head);
    // 1 MiB pieces: fewer, larger stream steps (4× faster than the defaults for 100 MB).
    const piece = 1 << 20;
    await pipeline(createReadStream(jsonFile, { highWaterMark: piece }), createGzip({ chunkSize: piece }), base64Stream(), out, { end: false });
    await new Promise((resolve, reject) => out.end(tail, (e) => (e ? reject(e) : resolve())));
  } catch (error) {
    warn(`anchore-gate: warning: report.html was not written: ${error.message}`);
  }
}
