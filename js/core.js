// Loads the WASM core (pkg/nodejs, built by scripts/build.sh) for Node. A trap inside WASM
// surfaces as a bare RuntimeError("unreachable"); we turn it into an Error that says what
// panicked, with kind "internal".
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function load() {
  try {
    return require('../pkg/nodejs/anchore_gate.js');
  } catch (error) {
    if (error.code === 'MODULE_NOT_FOUND') {
      throw Object.assign(new Error('the WASM core is not built: run `npm run build` (see README)'), { kind: 'internal' });
    }
    throw error;
  }
}

const wasm = load();

export function explainTrap(error) {
  if (error instanceof WebAssembly.RuntimeError) {
    const panic = wasm.lastPanic();
    // No panic message: the core aborted without panicking, e.g. out of memory.
    const what = panic ?? `it stopped without a panic message (${error.message}), most likely out of memory`;
    return Object.assign(new Error(`internal error in the gate's core: ${what}`), { kind: 'internal', cause: error });
  }
  return error;
}

function guard(fn) {
  if (typeof fn !== 'function') throw new Error('the WASM core lacks an export js/core.js expects: rebuild it with `npm run build`');
  return (...args) => {
    try {
      return fn(...args);
    } catch (error) {
      throw explainTrap(error);
    }
  };
}

export const version = wasm.version();
/** A line for a CI log, with untrusted text in it made inert (no runner command, no line break). */
export const logLine = guard(wasm.logLine);
export const parseImageList = guard(wasm.parseImageList);
export const parseImageArg = guard(wasm.parseImageArg);
export const parseAllowlist = guard(wasm.parseAllowlist);
export const decide = guard(wasm.decide);
export const evaluate = guard(wasm.evaluate);
export const importReport = guard(wasm.importReport);
/** SARIF 2.1.0, JUnit XML, step-summary Markdown and CI annotations of a report (the text of an `anchore-gate.json`). */
export const renderSarif = guard(wasm.renderSarif);
export const renderJunit = guard(wasm.renderJunit);
export const renderSummary = guard(wasm.renderSummary);
export const annotations = guard(wasm.annotations);

/** The gate state machine (see src/gate/mod.rs for its contract), with traps explained. */
export class Gate {
  #inner;
  constructor(config, now) {
    this.#inner = guard((c, n) => new wasm.Gate(c, n))(config, now);
  }
  pollOutput() { return guard(() => this.#inner.pollOutput())(); }
  handleResponse(now, id, status, body, retryAfter) { return guard(() => this.#inner.handleResponse(now, id, status, body, retryAfter ?? undefined))(); }
  /** `body` as a Uint8Array of UTF-8 (e.g. the Buffer the HTTP client read): no string detour. */
  handleResponseBytes(now, id, status, body, retryAfter) { return guard(() => this.#inner.handleResponseBytes(now, id, status, body, retryAfter ?? undefined))(); }
  handleFailure(now, id, kind, message) { return guard(() => this.#inner.handleFailure(now, id, kind, message))(); }
  handleTimeout(now) { return guard(() => this.#inner.handleTimeout(now))(); }
  report() { return guard(() => this.#inner.report())(); }
  files() { return guard(() => this.#inner.files())(); }
  free() {
    try {
      this.#inner.free();
    } catch {
      // After a trap the instance may still count as borrowed: leave it; the error that
      // matters is the trap's, already thrown.
    }
  }
}
