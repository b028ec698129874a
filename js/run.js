// The run loop: drives the core's state machine with real time, real HTTP and real timers.
// All decisions are the core's; this only moves data between it and the world.
import { Gate } from './core.js';

/**
 * @param {object} config      the core's gate configuration (src/gate/mod.rs `Config`)
 * @param {object} io
 * @param {(req: {method, url, body}) => Promise<{status, body, bytes?, retryAfter}>} io.send  `bytes`
 *        (the body as UTF-8, e.g. a Buffer), when given, is handed to the core instead of `body`
 * @param {(event: object) => void} [io.onEvent]
 * @param {(transmit: object) => void} [io.onRequest]
 * @param {() => number} [io.now]
 * @returns {Promise<{report: object, files: Array<{name, content}>}>}
 */
export async function runGate(config, { send, onEvent = () => {}, onRequest = () => {}, now = Date.now }) {
  const gate = new Gate(config, now());
  const inbox = [];
  let wake = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  try {
    for (;;) {
      while (inbox.length > 0) inbox.shift()();
      const out = gate.pollOutput();
      if (out.type === 'transmit') {
        onRequest(out);
        send(out).then(
          (r) => inbox.push(() => (r.bytes
            ? gate.handleResponseBytes(now(), out.id, r.status, r.bytes, r.retryAfter)
            : gate.handleResponse(now(), out.id, r.status, r.body, r.retryAfter))),
          (e) => inbox.push(() => gate.handleFailure(now(), out.id, e.kind ?? 'network', e.message ?? String(e))),
        ).finally(notify);
        continue;
      }
      if (out.type === 'event') {
        onEvent(out);
        continue;
      }
      if (out.type === 'done') break;
      if (inbox.length > 0) continue;
      await new Promise((resolve) => {
        const timer = setTimeout(() => { wake = null; resolve(); }, Math.max(0, out.at - now()));
        wake = () => { clearTimeout(timer); resolve(); };
      });
      gate.handleTimeout(now());
    }
    return { report: gate.report(), files: gate.files() };
  } finally {
    gate.free();
  }
}
