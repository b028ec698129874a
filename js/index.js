// The Node API of anchore-gate: the same core and run loop the CLI uses.
export { failedRun, FinishedRun, Gate, parseImageArg, parseImageList, version } from './core.js';
export { createTransport, TransportError } from './http.js';
export { runGate } from './run.js';
export { ReportDir } from './report-writer.js';
export { main, scan } from './cli.js';
