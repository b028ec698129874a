// The HTTP side of the gate: Basic auth sent up front (the plugin waited for a 401 challenge),
// x-anchore-account, a User-Agent, a timeout per request, TLS verification on by default with an
// optional private CA, and HTTP(S)_PROXY / NO_PROXY through undici's EnvHttpProxyAgent.
// Failures are classified for the core: network, timeout, tls, too_large.
import { rootCertificates } from 'node:tls';
import { EnvHttpProxyAgent, fetch } from 'undici';

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
export function createTransport({ user, password, account, insecure = false, ca, timeoutMs = 60_000, maxBodyBytes = 256 * 1024 * 1024, userAgent }) {
  // A `ca` option replaces Node's trusted roots, so the system's are passed along with it.
  const tls = { rejectUnauthorized: !insecure, ...(ca ? { ca: [...rootCertificates, ca] } : {}) };
  const dispatcher = new EnvHttpProxyAgent({ connect: tls, requestTls: tls });
  const headers = { 'user-agent': userAgent, accept: 'application/json' };
  if (user !== undefined && user !== '') {
    headers.authorization = `Basic ${Buffer.from(`${user}:${password ?? ''}`, 'utf8').toString('base64')}`;
  }
  if (account) headers['x-anchore-account'] = account;

  async function send({ method, url, body }) {
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
      throw classify(error, timeoutMs);
    }
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > maxBodyBytes) {
      await response.body?.cancel();
      throw new TransportError('too_large', `the response is ${length} bytes, more than the ${maxBodyBytes} accepted`);
    }
    let text;
    try {
      text = await readText(response, maxBodyBytes);
    } catch (error) {
      throw error instanceof TransportError ? error : classify(error, timeoutMs);
    }
    return { status: response.status, body: text, retryAfter: response.headers.get('retry-after') };
  }

  return { send, close: () => dispatcher.close() };
}

async function readText(response, maxBodyBytes) {
  if (!response.body) return '';
  const chunks = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBodyBytes) {
      throw new TransportError('too_large', `the response is larger than the ${maxBodyBytes} bytes accepted`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function classify(error, timeoutMs) {
  if (error?.name === 'TimeoutError' || error?.name === 'AbortError') {
    return new TransportError('timeout', `no answer within ${timeoutMs / 1000} s`);
  }
  // undici wraps the socket error: "fetch failed" with the real one as cause.
  let cause = error;
  while (cause?.cause) cause = cause.cause;
  const code = cause?.code ?? '';
  const message = [code, cause?.message ?? String(error)].filter(Boolean).join(': ');
  if (TLS_CODES.test(code) || /certificate|SSL|TLS/i.test(cause?.message ?? '')) {
    return new TransportError('tls', message);
  }
  return new TransportError('network', message);
}
