// The run loop: drives the core's state machine with real time, real HTTP and real timers.
// All decisions are the core's; this only moves data between it and the world.
import { Gate } from './core.js';

/** Milliseconds on a monotonic clock, near the epoch: what the core's timers run on. */
export const monotonicNow = () => performance.timeOrigin + performance.now();

/**
 * @param {object} config      the core's gate configuration (src/gate/mod.rs `Config`)
 * @param {object} io
 * @param {(req: {method, url, body}) => Promise<{status, body, bytes?, retryAfter}>} io.send  `bytes`
 *        (the body as UTF-8, e.g. a Buffer), when given, is handed to the core instead of `body`
 * @param {(event: object) => void} [io.onEvent]
 * @param {(transmit: object) => void} [io.onRequest]
 * @param {(file: string, bytes: Uint8Array|string) => void} [io.saveBody]  saves an engine answer
 *        the core accepted under the file name it gives (the plugin's raw answer files)
 * @param {() => number} [io.now]  a monotonic clock in ms; [io.wall] the time of day (Date.now)
 * @returns {Promise<import('./core.js').FinishedRun>} the finished run, to write its files
 */
export async function runGate(config, { send, onEvent = () => {}, onRequest = () => {}, saveBody = () => {}, now = monotonicNow, wall = Date.now }) {
  const gate = new Gate(config, now(), wall());
  const inbox = [];
  // The answers handed to the core this turn, by request id, until it says which to save.
  const answers = new Map();
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
          (r) => inbox.push(() => {
            answers.set(out.id, r.bytes ?? r.body);
            if (r.bytes) gate.handleResponseBytes(now(), out.id, r.status, r.bytes, r.retryAfter);
            else gate.handleResponse(now(), out.id, r.status, r.body, r.retryAfter);
          }),
          (e) => inbox.push(() => gate.handleFailure(now(), out.id, e.kind ?? 'network', e.message ?? String(e))),
        ).finally(notify);
        continue;
      }
      if (out.type === 'save_body') {
        saveBody(out.file, answers.get(out.id));
        continue;
      }
      if (out.type === 'event') {
        onEvent(out);
        continue;
      }
      answers.clear();
      if (out.type === 'done') break;
      if (inbox.length > 0) continue;
      await new Promise((resolve) => {
        const timer = setTimeout(() => { wake = null; resolve(); }, Math.max(0, out.at - now()));
        wake = () => { clearTimeout(timer); resolve(); };
      });
      gate.handleTimeout(now());
    }
    return gate.finish();
  } finally {
    gate.free();
  }
}
