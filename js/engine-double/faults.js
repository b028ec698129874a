// Fault injection for the engine double (server.js `scenario.faults`), seeded so that a run is
// reproducible: whether a request is hit is decided from (seed, method + path (+ body), how many
// times that request was made before) — not from arrival order, which concurrency varies.
//
//   import { faultPlan, faults, paths } from './js/engine-double/faults.js';
//   const plan = faultPlan({ seed: 7, rules: [
//     { name: '5xx', rate: 0.3, fault: faults.serverError() },
//     { name: 'reset', rate: 0.1, fault: faults.reset() },
//     { name: '429', rate: 0.05, path: paths.status, fault: faults.tooManyRequests({ retryAfter: 1 }) },
//     { name: 'slow', rate: 0.03, fault: faults.slow({ delayMs: 1500 }) },
//   ] });
//   scenario.faults.push(plan.hook);      // or startEngineDouble({ scenario: { ..., faults: [plan.hook] } })
//   ... run ...
//   plan.stats()  // { requests, injected: { '5xx': 61, reset: 19, ... }, total: 97 }
//
// A rule: { name, fault, rate = 1, path?, method?, when?(info), limit? }. Each request rolls one
// seeded die in [0, 1); the rules that match the request take consecutive bands of it, each as
// wide as its rate, in order — so with rules of rates 0.3 and 0.1, 30 % of the requests get the
// first fault and 10 % the second. `path` is a RegExp (see `paths`) or a function of the request.
// `maxConsecutive` (option of the plan) lets a request through after that many faults in a row
// for the same method + path, which bounds how long one request can be kept failing.

import { createHash } from 'node:crypto';

/** Paths of the requests the gate sends, both APIs. */
export const paths = Object.freeze({
  version: /\/version$/,
  submit: /\/images$/,
  status: /\/images\/sha256:[0-9a-f]{64}$/,
  ancestors: /\/ancestors$/,
  check: /\/check$/,
  vuln: /\/vuln\//,
  any: /./,
});

/** A number in [0, 1) from the hash of the parts: the same parts always give the same number. */
export function seededUnit(...parts) {
  const h = createHash('sha256').update(parts.join('\u0000')).digest();
  return h.readUIntBE(0, 6) / 2 ** 48;
}

function errorBody(status, message) {
  return { message, httpcode: status, detail: { error_codes: [] } };
}

/** Ready-made faults: each is a function (info, roll) → what server.js's hook answers. */
export const faults = Object.freeze({
  /** 500/502/503/504 — a 502 as a proxy's HTML page, the others as the engine's JSON error. */
  serverError({ statuses = [500, 502, 503, 504] } = {}) {
    return (info, roll) => {
      const status = statuses[Math.floor(roll * statuses.length) % statuses.length];
      return status === 502
        ? { status, body: '<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>', type: 'text/html' }
        : { status, body: errorBody(status, status === 503 ? 'service unavailable: the catalog is busy' : 'internal error: database is locked') };
    };
  },
  /** 429 with a Retry-After in seconds. */
  tooManyRequests({ retryAfter = 1 } = {}) {
    return () => ({ status: 429, body: errorBody(429, 'too many requests'), headers: { 'Retry-After': String(retryAfter) } });
  },
  /** The connection is dropped without an answer (a reset). */
  reset() {
    return () => ({ destroy: true });
  },
  /** The answer comes after `delayMs` (longer than the client's request timeout, to time it out). */
  slow({ delayMs = 1500 } = {}) {
    return () => ({ delayMs });
  },
  /** The real answer, cut off at a seeded point but sent as a complete HTTP response (a body that is not JSON). */
  truncated() {
    return () => ({
      transform: (result) => {
        if (result.body === undefined || result.status >= 300) return result;
        const text = JSON.stringify(result.body, null, 2);
        return { ...result, body: undefined, raw: text.slice(0, Math.max(1, Math.floor(text.length / 2))), type: 'application/json' };
      },
    });
  },
  /** A 200 whose body is not JSON: a proxy's or load balancer's page. */
  malformed() {
    return () => ({ status: 200, body: '<!DOCTYPE html><html><body><h1>Please wait</h1>{"analysis_status": </body></html>', type: 'application/json' });
  },
  /** The real answer, but the connection closes after part of the body (Content-Length says more). */
  cutConnection({ afterBytes = 16 } = {}) {
    return () => ({ cutAfter: afterBytes });
  },
  /**
   * A 200 of `bytes` bytes: with `declared`, only a Content-Length that says so (and no body);
   * otherwise a chunked stream of that many bytes of JSON-ish filler, sent as fast as the
   * client reads, stopping when it hangs up.
   */
  oversized({ bytes, declared = false }) {
    return () => ({
      status: 200,
      respond: (res) => new Promise((resolve) => {
        res.on('close', resolve);
        if (declared) {
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(bytes) });
          res.flushHeaders();
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const chunk = Buffer.alloc(1024 * 1024, '[');
        let sent = 0;
        const pump = () => {
          while (sent < bytes && !res.destroyed) {
            const piece = chunk.subarray(0, Math.min(chunk.length, bytes - sent));
            sent += piece.length;
            if (!res.write(piece)) {
              res.once('drain', pump);
              return;
            }
          }
          if (!res.destroyed) res.end();
        };
        pump();
      }),
    });
  },
  /** Any fixed answer, e.g. { status: 401, body: 'Unauthorized' }. */
  answer(response) {
    return () => ({ ...response });
  },
});

/**
 * @param {object} options
 * @param {number|string} [options.seed=1]
 * @param {Array<object>} options.rules
 * @param {number} [options.maxConsecutive=Infinity]
 * @returns {{ hook: Function, stats: () => object, log: Array<object> }}
 */
export function faultPlan({ seed = 1, rules = [], maxConsecutive = Infinity } = {}) {
  const seen = new Map(); // method + path -> requests so far
  const streak = new Map(); // method + path -> faults in a row
  const injected = {};
  const log = []; // { n, method, path, fault }
  let requests = 0;
  const limits = rules.map((r) => r.limit ?? Infinity);

  function matches(rule, info) {
    if (rule.method && rule.method !== info.method) return false;
    if (rule.path instanceof RegExp && !rule.path.test(info.path)) return false;
    if (typeof rule.path === 'function' && !rule.path(info)) return false;
    if (rule.when && !rule.when(info)) return false;
    return true;
  }

  function hook(info) {
    requests += 1;
    // The request's identity: method and path, and for a POST its body (each image's submit
    // goes to the same path).
    const key = `${info.method} ${info.path}${info.body == null ? '' : ` ${createHash('sha256').update(JSON.stringify(info.body)).digest('hex').slice(0, 16)}`}`;
    const attempt = seen.get(key) ?? 0;
    seen.set(key, attempt + 1);
    if ((streak.get(key) ?? 0) >= maxConsecutive) {
      streak.set(key, 0);
      return null;
    }
    const roll = seededUnit(seed, key, attempt);
    let band = 0;
    for (let i = 0; i < rules.length; i += 1) {
      const rule = rules[i];
      if (limits[i] <= 0 || !matches(rule, info)) continue;
      const rate = rule.rate ?? 1;
      if (roll < band || roll >= band + rate) {
        band += rate;
        continue;
      }
      limits[i] -= 1;
      const name = rule.name ?? `rule${i}`;
      injected[name] = (injected[name] ?? 0) + 1;
      streak.set(key, (streak.get(key) ?? 0) + 1);
      log.push({ n: info.n, method: info.method, path: info.path, fault: name });
      // where the roll fell within the band, in [0, 1), for the fault's own choices
      return rule.fault(info, (roll - band) / rate);
    }
    streak.set(key, 0);
    return null;
  }

  return {
    hook,
    log,
    stats() {
      return { requests, injected: { ...injected }, total: Object.values(injected).reduce((a, b) => a + b, 0) };
    },
  };
}

/**
 * A rule that takes the whole engine away once, at the `atRequest`-th request (0-based), for
 * `ms`: that request's connection is dropped and new connections are refused until it is back.
 * `double` is what startEngineDouble returned.
 */
export function outageRule(double, { atRequest, ms, name = 'outage' }) {
  let done = false;
  return {
    name,
    when: (info) => !done && info.n >= atRequest,
    fault: () => {
      done = true;
      // after this request's connection is dropped: stop listening, come back after ms
      setImmediate(() => { double.outage(ms).catch(() => {}); });
      return { destroy: true };
    },
  };
}
