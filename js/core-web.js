// The WASM core for browsers (the report viewer): call `await init()` once, then use the rest.
export { default as init, Gate, lastPanic, parseImageArg, parseImageList, version } from '../pkg/web/anchore_gate.js';
