// The WASM core for browsers (the report viewer): call `await init()` once, then use the rest.
// importReport(files, now) → JSON text of {report, sources}: see src/wasm.rs and js/viewer/.
export { decide, default as init, Gate, importReport, parseAllowlist, lastPanic, parseImageArg, parseImageList, version } from '../pkg/web/anchore_gate.js';
