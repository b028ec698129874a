// The Jenkins "Anchore Container Image Scanner" plugin's HTTP sequence for Anchore Enterprise (API
// v2, plugin 3.3.0), written down as faithfully as ../shared/docs/jenkins-plugin.md §2.0 and §2.3
// describe it, so the benchmark can run it against the same engine double and scenario as
// anchore-gate:
//
//   1. for each image, in list order: POST /images?auto_subscribe=true&force=false, read
//      image_digest (a non-200 aborts);
//   2. for each image in turn, loop (sleep engineRetryInterval before every retry, at most
//      engineRetries tries):
//        GET /images/{d} → non-200: retry; analysis_failed: abort; not analyzed: retry;
//        analyzed → GET /images/{d}/ancestors (non-200: retry) → base digest = the
//        chosen_base_image ancestor, else the last one;
//        GET /images/{d}/check?tag=…&detail=true[&base_digest=…] → non-200: retry; 200: done;
//   3. for each image: GET /images/{d}/ancestors again, then GET /images/{d}/vuln/all[?base_digest=];
//   4. write the report files.
//
// HTTP as the plugin's Apache HttpClient does it (§2.0): a new client per image per polling
// iteration (so a new connection), Basic auth NOT sent up front (every request goes out without
// Authorization, gets the engine's 401 challenge and is sent again with it), Content-Type
// application/json on every request, query values concatenated without URL-encoding, no
// timeouts. Only HTTP 200 counts as success.
import http from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One Apache HttpClient: its own connection pool (keep-alive within the client only). */
function client({ user, password }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  let requests = 0;
  function once(method, url, body, auth) {
    return new Promise((resolve, reject) => {
      const headers = { 'Content-Type': 'application/json' };
      if (auth) headers.Authorization = authorization;
      requests += 1;
      const req = http.request(url, { method, agent, headers }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('latin1') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
  return {
    async send(method, url, body) {
      const first = await once(method, url, body, false);
      if (first.status === 401 && /basic/i.test(String(first.headers['www-authenticate'] ?? ''))) {
        return once(method, url, body, true);
      }
      return first;
    },
    get requests() { return requests; },
    close() { agent.destroy(); },
  };
}

/**
 * Runs the plugin's sequence; returns {ms, requests, results}. Throws (as the plugin aborts) on a
 * failed submission, analysis_failed, or when the retries run out.
 * @param {object} o
 * @param {string} o.url            engine URL ending in /v2
 * @param {string[]} o.images       the anchore_images lines (image references)
 * @param {string} o.user
 * @param {string} o.password
 * @param {number} [o.retryIntervalMs=5000]   engineRetryInterval (3.1.0+ default 5 s)
 * @param {number} [o.retries=300]            engineRetries
 * @param {string} [o.reportDir]              where to write the raw answers (step 4)
 */
export async function runPluginLoop({ url, images, user, password, retryIntervalMs = 5000, retries = 300, reportDir }) {
  const base = url.replace(/\/+$/, '');
  const started = performance.now();
  let requests = 0;
  const withClient = async (fn) => {
    const c = client({ user, password });
    try {
      return await fn(c);
    } finally {
      requests += c.requests;
      c.close();
    }
  };

  // 1. submit every image
  const digests = [];
  for (const image of images) {
    const body = JSON.stringify({ source: { tag: { pull_string: image } } });
    const r = await withClient((c) => c.send('POST', `${base}/images?auto_subscribe=true&force=false`, body));
    if (r.status !== 200) throw new Error(`Failed to analyze ${image} due to error adding image to anchore-engine: HTTP ${r.status} ${r.body}`);
    digests.push(JSON.parse(r.body).image_digest);
  }

  const baseDigestOf = (body) => {
    const ancestors = JSON.parse(body);
    if (!Array.isArray(ancestors) || ancestors.length === 0) return null;
    const chosen = ancestors.find((a) => a.chosen_base_image === true);
    return (chosen ?? ancestors[ancestors.length - 1]).image_digest ?? null;
  };

  // 2. poll each image in turn
  const evaluations = [];
  for (let i = 0; i < images.length; i++) {
    const d = digests[i];
    let done = false;
    let tries = 0;
    do {
      if (tries > 0) await sleep(retryIntervalMs);
      tries += 1;
      done = await withClient(async (c) => {
        const status = await c.send('GET', `${base}/images/${d}`);
        if (status.status !== 200) return false;
        const record = JSON.parse(status.body);
        if (record.analysis_status === 'analysis_failed') throw new Error(`Analysis failed for ${d}`);
        if (record.analysis_status !== 'analyzed') return false;
        const anc = await c.send('GET', `${base}/images/${d}/ancestors`);
        if (anc.status !== 200) return false;
        const baseDigest = baseDigestOf(anc.body);
        const check = await c.send('GET', `${base}/images/${d}/check?tag=${images[i]}&detail=true${baseDigest ? `&base_digest=${baseDigest}` : ''}`);
        if (check.status !== 200) return false;
        evaluations[i] = check.body;
        return true;
      });
    } while (!done && tries < retries);
    if (!done) throw new Error('Timed out waiting for anchore-enterprise analysis to complete (increasing engineRetries might help)');
  }

  // 3. vulnerabilities
  const vulnerabilities = [];
  for (let i = 0; i < images.length; i++) {
    const d = digests[i];
    vulnerabilities[i] = await withClient(async (c) => {
      const anc = await c.send('GET', `${base}/images/${d}/ancestors`);
      if (anc.status !== 200) return null;
      const baseDigest = baseDigestOf(anc.body);
      const v = await c.send('GET', `${base}/images/${d}/vuln/all${baseDigest ? `?base_digest=${baseDigest}` : ''}`);
      return v.status === 200 ? v.body : null;
    });
  }

  // 4. the raw answers, as the plugin archives them
  if (reportDir) {
    await mkdir(reportDir, { recursive: true });
    await Promise.all(images.flatMap((_, i) => [
      writeFile(path.join(reportDir, `anchoreengine-api-response-evaluation-${i + 1}.json`), evaluations[i] ?? ''),
      writeFile(path.join(reportDir, `anchoreengine-api-response-vulnerabilities-${i + 1}.json`), vulnerabilities[i] ?? ''),
    ]));
  }
  const results = evaluations.map((e) => JSON.parse(e)?.evaluations?.[0]?.status ?? null);
  return { ms: performance.now() - started, requests, results };
}
