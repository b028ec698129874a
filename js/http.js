// The HTTP side of the gate: Basic auth sent up front (the plugin waited for a 401 challenge),
// x-anchore-account, a User-Agent, a timeout per request, TLS verification on by default with an
// optional private CA, and HTTP(S)_PROXY / NO_PROXY (see `proxySettings`).
// Failures are classified for the core: network, timeout, tls, too_large.
import { BlockList, isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { Agent, ProxyAgent, fetch } from 'undici';

const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH)/;

export class TransportError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

/**
 * @param {object} o
 * @param {string} [o.user]
 * @param {string} [o.password]
 * @param {string} [o.account]
 * @param {boolean} [o.insecure]      skip TLS verification
 * @param {string|Buffer} [o.ca]      PEM of a private CA to trust (in addition to the system's)
 * @param {number} [o.timeoutMs]      per request
 * @param {number} [o.maxBodyBytes]
 * @param {string} o.userAgent
 */
export function createTransport({ user, password, account, insecure = false, ca, timeoutMs = 60_000, maxBodyBytes = 256 * 1024 * 1024, userAgent, env = process.env }) {
  // A `ca` option replaces Node's trusted roots, so the system's are passed along with it. The
  // connect timeout is the request timeout too (undici's own is 10 s): a connection attempt the
  // network drops must not outlive the request it was for.
  const tls = { rejectUnauthorized: !insecure, timeout: timeoutMs, ...(ca ? { ca: [...rootCertificates, ca] } : {}) };
  const proxies = proxySettings(env);
  const direct = new Agent({ connect: tls });
  // https:// through a CONNECT tunnel (TLS end to end, checked as without a proxy); http:// as
  // plain forwarding, as curl does (many proxies allow CONNECT to port 443 only).
  const viaHttps = proxies.https && new ProxyAgent({ uri: proxies.https.uri, requestTls: tls, proxyTls: tls });
  const viaHttp = proxies.http && new ProxyAgent({ uri: proxies.http.uri, proxyTls: tls, proxyTunnel: false });
  const route = (url) => {
    const u = new URL(url);
    const proxy = u.protocol === 'https:' ? proxies.https : proxies.http;
    if (!proxy || bypassProxy(u, proxies.noProxy)) return { dispatcher: direct, proxy: null };
    return { dispatcher: u.protocol === 'https:' ? viaHttps : viaHttp, proxy };
  };
  const headers = { 'user-agent': userAgent, accept: 'application/json' };
  if (user !== undefined && user !== '') {
    headers.authorization = `Basic ${Buffer.from(`${user}:${password ?? ''}`, 'utf8').toString('base64')}`;
  }
  if (account) headers['x-anchore-account'] = account;

  async function send({ method, url, body }) {
    const { dispatcher, proxy } = route(url);
    let response;
    try {
      response = await fetch(url, {
        method,
        headers: body != null ? { ...headers, 'content-type': 'application/json; charset=utf-8' } : headers,
        body: body ?? undefined,
        dispatcher,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw classify(error, timeoutMs, proxy);
    }
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > maxBodyBytes) {
      await response.body?.cancel();
      throw new TransportError('too_large', `the answer is ${mib(length)} (Content-Length), more than the ${mib(maxBodyBytes)} anchore-gate accepts; it was not read`);
    }
    let bytes;
    try {
      bytes = await readBody(response, maxBodyBytes);
    } catch (error) {
      throw error instanceof TransportError ? error : classify(error, timeoutMs, proxy);
    }
    // `bytes` go to the core as they came (js/run.js); `body` is decoded only if someone asks.
    let text;
    return { status: response.status, bytes, get body() { return (text ??= bytes.toString('utf8')); }, retryAfter: response.headers.get('retry-after') };
  }

  // Called once the run is decided: whatever is still in flight (a retry the gate no longer
  // waits for, a connection attempt into a dropped network) is cut, not waited for, so the
  // process ends with the verdict.
  const close = () => Promise.all([direct.destroy(), viaHttps?.destroy(), viaHttp?.destroy()]);
  return { send, close, proxies: describeProxies(proxies) };
}

const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(bytes % 2 ** 20 === 0 ? 0 : 1)} MiB`;

/**
 * The proxy settings of the environment, read as curl reads them: `https_proxy`/`HTTPS_PROXY`
 * for https:// URLs and `http_proxy`/`HTTP_PROXY` for http:// URLs (lower case first; neither
 * stands in for the other), a value without a scheme meaning http://, and `no_proxy`/`NO_PROXY`:
 * host names (and their subdomains; `.example.com` and `*.example.com` alike), `host:port`, IP
 * addresses, CIDR ranges (`10.0.0.0/8`, `fd00::/8`) or `*`. Loopback is proxied like any other
 * host unless NO_PROXY names it. Throws when a proxy variable is not a URL (without echoing it:
 * it may hold a password).
 */
export function proxySettings(env = process.env) {
  const read = (lower, upper) => {
    const name = env[lower] !== undefined ? lower : upper;
    const value = (env[name] ?? '').trim();
    if (!value) return null;
    let u;
    try {
      u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
    } catch {
      throw new TransportError('config', `${name} is not a proxy URL (expected e.g. http://proxy.example.com:3128)`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new TransportError('config', `${name}: only http:// and https:// proxies are supported, not ${u.protocol}//`);
    }
    const shown = `${u.protocol}//${u.host}`;
    return { uri: u.href, shown, from: name };
  };
  const noProxy = (env.no_proxy ?? env.NO_PROXY ?? '').split(/[\s,]+/).map((e) => e.trim().toLowerCase()).filter(Boolean);
  return { http: read('http_proxy', 'HTTP_PROXY'), https: read('https_proxy', 'HTTPS_PROXY'), noProxy };
}

/** Whether NO_PROXY says to reach `url` (a URL object) directly. */
export function bypassProxy(url, noProxy) {
  if (noProxy.length === 0) return false;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const family = isIP(host);
  for (const raw of noProxy) {
    if (raw === '*') return true;
    let entry = raw;
    let entryPort = 0;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1];
      entryPort = Number(bracketed[2] ?? 0);
    } else if ((entry.match(/:/g) ?? []).length === 1) {
      const [h, p] = entry.split(':');
      if (/^\d+$/.test(p)) {
        entry = h;
        entryPort = Number(p);
      }
    }
    if (entryPort && entryPort !== port) continue;
    if (entry.includes('/')) {
      const [net, bits] = entry.split('/');
      const type = isIP(net) === 6 ? 'ipv6' : 'ipv4';
      if (family && isIP(net) && /^\d+$/.test(bits)) {
        const list = new BlockList();
        try {
          list.addSubnet(net, Number(bits), type);
          if (list.check(host, family === 6 ? 'ipv6' : 'ipv4')) return true;
        } catch { /* not a usable range */ }
      }
      continue;
    }
    if (family || isIP(entry)) {
      if (host === entry) return true;
      continue;
    }
    const domain = entry.replace(/^\*?\./, '');
    if (host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}

/** For the banner: where requests go, without any proxy credentials. */
function describeProxies(p) {
  const parts = [];
  if (p.https) parts.push(`https:// via ${p.https.shown} (${p.https.from})`);
  if (p.http) parts.push(`http:// via ${p.http.shown} (${p.http.from})`);
  if (parts.length && p.noProxy.length) parts.push(`not for NO_PROXY ${p.noProxy.join(',')}`);
  return parts.length ? parts.join(', ') : null;
}

async function readBody(response, maxBodyBytes) {
  if (!response.body) return Buffer.alloc(0);
  const chunks = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBodyBytes) {
      throw new TransportError('too_large', `the answer is larger than the ${mib(maxBodyBytes)} anchore-gate accepts; reading stopped there`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function classify(error, timeoutMs, proxy) {
  const via = proxy ? ` (through the proxy ${proxy.shown} from ${proxy.from})` : '';
  if (error?.name === 'TimeoutError' || error?.name === 'AbortError') {
    return new TransportError('timeout', `no answer within ${timeoutMs / 1000} s${via}`);
  }
  // undici wraps the socket error: "fetch failed" with the real one as cause.
  let cause = error;
  while (cause?.cause) cause = cause.cause;
  const code = cause?.code ?? '';
  const text = cause?.message ?? String(error);
  if (proxy) {
    const refused = /Proxy response \((\d+)\)|Proxy Authentication Required \((\d+)\)/.exec(text);
    if (refused) {
      const status = refused[1] ?? refused[2];
      const hint = status === '407' ? ': check the user and password in the proxy URL' : '';
      return new TransportError('network', `the proxy ${proxy.shown} (${proxy.from}) refused the request with HTTP ${status}${hint}`);
    }
  }
  const hint = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? ': the certificate is for other host names: use one of them in --engine-url' : '';
  const message = `${[code, text].filter(Boolean).join(': ')}${hint}${via}`;
  if (TLS_CODES.test(code) || /certificate|SSL|TLS/i.test(text)) {
    return new TransportError('tls', message);
  }
  return new TransportError('network', message);
}
