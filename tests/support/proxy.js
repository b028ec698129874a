// A small HTTP proxy on loopback for the proxy tests: CONNECT tunnels (what clients use for
// https:// targets) and absolute-form requests (plain http:// forwarding). It logs every request
// it gets and only ever connects to loopback targets: anything else is answered by the proxy
// itself (502), so a test can point a client at a name that exists nowhere and see that nothing
// left the machine.
import http from 'node:http';
import net from 'node:net';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function splitHostPort(target, defaultPort) {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(target);
  return m ? { host: m[1], port: Number(m[2] ?? defaultPort) } : { host: target, port: defaultPort };
}

/**
 * @param {object} [o]
 * @param {string} [o.auth]   'user:password' the proxy demands (407 without it)
 * @param {(entry) => Promise<void>} [o.hold]  awaited before the proxy acts on a request
 * @returns {Promise<{url, port, log, close}>}
 */
export async function startProxy({ auth, hold } = {}) {
  const log = []; // { method, target, host, port, forwarded, status }
  const expected = auth ? `Basic ${Buffer.from(auth).toString('base64')}` : null;
  const sockets = new Set();

  const server = http.createServer(async (req, res) => {
    // absolute-form: GET http://host:port/path HTTP/1.1
    let url;
    try { url = new URL(req.url); } catch { url = null; }
    const entry = { method: req.method, target: req.url, host: url?.hostname ?? null, port: url ? Number(url.port || 80) : null, forwarded: false, status: null, proxyAuthorization: req.headers['proxy-authorization'] ?? null };
    log.push(entry);
    await hold?.(entry);
    if (expected && req.headers['proxy-authorization'] !== expected) {
      entry.status = 407;
      res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="proxy"', 'Content-Length': 0 }).end();
      return;
    }
    if (!url || !LOOPBACK.has(url.hostname)) {
      entry.status = 502;
      const body = `proxy: no route to ${url?.host ?? req.url}`;
      res.writeHead(502, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) }).end(body);
      return;
    }
    entry.forwarded = true;
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request({ host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || 80, method: req.method, path: url.pathname + url.search, headers }, (up) => {
      entry.status = up.statusCode;
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => { entry.status = 502; res.destroy(); });
    req.pipe(upstream);
  });

  server.on('connect', async (req, client, head) => {
    const { host, port } = splitHostPort(req.url, 443);
    const entry = { method: 'CONNECT', target: req.url, host: host.replace(/^\[|\]$/g, ''), port, forwarded: false, status: null, proxyAuthorization: req.headers['proxy-authorization'] ?? null };
    log.push(entry);
    client.on('error', () => {});
    await hold?.(entry);
    client.on('error', () => {});
    if (expected && req.headers['proxy-authorization'] !== expected) {
      entry.status = 407;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="proxy"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (!LOOPBACK.has(host)) {
      entry.status = 502;
      client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = net.connect({ host: entry.host, port }, () => {
      entry.forwarded = true;
      entry.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head?.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => { entry.status = 502; client.destroy(); });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    async close() {
      await new Promise((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}
