// Preloaded into a CLI child (`node --import tests/support/core-panic.js`) to make the WASM core
// panic in the middle of a run, as a bug in it would: at the ANCHORE_GATE_PANIC_AT-th answer
// handed to the gate, a real Rust panic (the `__panicForTests` export) traps inside the call.
// From then on the gate instance behaves as a trapped one does: every call on it traps too, so
// the CLI cannot lean on it for its report.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const wasm = require('../../pkg/nodejs/anchore_gate.js');
const at = Number(process.env.ANCHORE_GATE_PANIC_AT ?? 3);
let answers = 0;
let trapped = false;

const proto = wasm.Gate.prototype;
for (const name of ['pollOutput', 'handleResponse', 'handleResponseBytes', 'handleFailure', 'handleTimeout', 'finish']) {
  const original = proto[name];
  proto[name] = function patched(...args) {
    if (trapped) throw new WebAssembly.RuntimeError('unreachable');
    if ((name === 'handleResponse' || name === 'handleResponseBytes') && ++answers === at) {
      trapped = true;
      wasm.__panicForTests('index out of bounds: the len is 3 but the index is 7 (injected by tests/support/core-panic.js)');
    }
    return original.apply(this, args);
  };
}
