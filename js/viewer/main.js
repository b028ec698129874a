// The served viewer (index.html): loads the web build of the WASM core, then shows the report
// named by ?report=URL (repeatable; same-origin only, as the page's CSP allows), or waits for
// files to be dropped or picked.
import init, { decideAndTriage, importReport, parseAllowlist, triage } from '../../pkg/web/anchore_gate.js';
import { startViewer } from './viewer.js';

const root = document.getElementById('app');
try {
  await init();
  const urls = new URLSearchParams(location.search).getAll('report');
  // The handle ({load, current: {report, sources}}) for scripts and tests.
  globalThis.anchoreGateViewer = startViewer({ root, core: { importReport, decideAndTriage, parseAllowlist, triage }, initial: urls.length ? { urls } : null });
} catch (e) {
  root.textContent = `The viewer could not start: ${e?.message ?? e}`;
  root.dataset.state = 'error';
}
