// Proxies: an HTTP proxy on loopback (tests/support/proxy.js) that logs what it is asked. The
// gate goes through it when HTTPS_PROXY (https:// engines) or HTTP_PROXY (http:// engines) is set
// — in lower or upper case — and straight to the engine for hosts in NO_PROXY. Proven from the
// proxy's own log, from the engine's, and from the CLI's own connections (loopback guard).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startEngineDouble } from '../js/engine-double/server.js';
import { bypassProxy, proxySettings } from '../js/http.js';
import { makeScenario } from '../js/engine-double/scenarios.js';
import { makeCertificates } from './support/certs.js';
import { closedPort, GUARD, reportFiles, runCli, tempDir } from './support/cli.js';
import { startProxy } from './support/proxy.js';

const PASSWORD = 'Pr0xy-engine-pw';
const PROXY_PASSWORD = 'Pr0xy-s3cret';
const IMAGES = ['docker.io/library/alpine:3.9', 'docker.io/library/nginx:1.15'];

let certs;
let https;
let http;
let proxy;
let authProxy;

before(async () => {
  certs = await makeCertificates();
  const scenario = () => makeScenario({ users: { admin: PASSWORD }, images: Object.fromEntries(IMAGES.map((i) => [i, { analysisMs: 100 }])) });
  https = await startEngineDouble({ api: 'v2', scenario: scenario(), tls: certs.signed, urlHost: 'localhost' });
  http = await startEngineDouble({ api: 'v1', scenario: scenario() });
  proxy = await startProxy();
  authProxy = await startProxy({ auth: `proxyuser:${PROXY_PASSWORD}` });
});

after(async () => {
  for (const s of [https, http, proxy, authProxy]) await s?.close();
});

/** Runs the CLI against `engine` with `env`; returns the run, its report, and its connections. */
async function scan(engine, env, extra = []) {
  const dir = await tempDir('anchore-gate-proxy-');
  const netlog = path.join(dir, 'net.log');
  const counts = { proxy: proxy.log.length, authProxy: authProxy.log.length, engine: engine.log.length };
  const run = await runCli([
    '--engine-url', engine.url, '--user', 'admin', '--report-dir', path.join(dir, 'R'), '--poll-interval', '0.2', '--request-timeout', '2',
    ...(engine === https ? ['--ca-cert', certs.caFile] : []), ...IMAGES.flatMap((i) => ['--image', i]), ...extra,
  ], { cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD, ANCHORE_GATE_NETLOG: netlog, ...env }, node: ['--import', GUARD] });
  // No report when the options themselves are unusable (as for any bad option).
  const files = await reportFiles(path.join(dir, 'R')).catch(() => ({ contents: {}, report: null }));
  const net = (await readFile(netlog, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const everything = run.stdout + run.stderr + Object.values(files.contents).join('\n');
  for (const secret of [PASSWORD, PROXY_PASSWORD, Buffer.from(`proxyuser:${PROXY_PASSWORD}`).toString('base64')]) {
    assert.ok(!everything.includes(secret), `a secret leaked: ${secret}`);
  }
  return {
    run,
    report: files.report,
    connects: net.filter((e) => e.type === 'connect').map((e) => e.port),
    proxied: proxy.log.slice(counts.proxy),
    authProxied: authProxy.log.slice(counts.authProxy),
    reached: engine.log.slice(counts.engine),
  };
}

const port = (url) => Number(new URL(url).port);

describe('proxies', () => {
  test('HTTPS_PROXY: every request to an https:// engine goes through a CONNECT tunnel, TLS still checked end to end', async () => {
    const r = await scan(https, { HTTPS_PROXY: proxy.url });
    assert.equal(r.run.code, 0, r.run.stdout + r.run.stderr);
    assert.ok(r.report.images.every((i) => i.status === 'pass'));
    assert.ok(r.proxied.length >= 1);
    assert.ok(r.proxied.every((e) => e.method === 'CONNECT' && e.target === `localhost:${https.port}` && e.status === 200), JSON.stringify(r.proxied));
    // The CLI itself connected to nothing but the proxy; the engine still answered everything.
    assert.ok(r.connects.length >= 1 && r.connects.every((p) => p === proxy.port), `connections to ports ${r.connects}`);
    assert.ok(r.reached.length >= 6);
    assert.match(r.run.stdout, new RegExp(`proxy: https:// via http://127\\.0\\.0\\.1:${proxy.port} \\(HTTPS_PROXY\\)`));

    // Through the tunnel, an untrusted certificate is still refused.
    const untrusted = await scan(https, { HTTPS_PROXY: proxy.url }, ['--ca-cert', certs.selfSigned.file]);
    assert.equal(untrusted.run.code, 2);
    assert.match(untrusted.report.error.message, /^TLS connection to https:\/\/localhost:\d+\/v2 failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE.*through the proxy/);
    assert.ok(untrusted.proxied.length >= 1 && untrusted.reached.length === 0);
  });

  test('NO_PROXY: a listed host is reached directly (by name, by name:port or by CIDR range)', async () => {
    for (const noProxy of ['localhost', `example.com,localhost:${https.port}`, '.localhost']) {
      const r = await scan(https, { HTTPS_PROXY: proxy.url, NO_PROXY: noProxy });
      assert.equal(r.run.code, 0, r.run.stdout + r.run.stderr);
      assert.deepEqual(r.proxied, [], `NO_PROXY=${noProxy}`);
      assert.ok(r.connects.every((p) => p === https.port), `NO_PROXY=${noProxy}: connections to ports ${r.connects}`);
    }
    const byRange = await scan(http, { HTTP_PROXY: proxy.url, NO_PROXY: '10.0.0.0/8,127.0.0.0/8' });
    assert.equal(byRange.run.code, 0);
    assert.deepEqual(byRange.proxied, []);
    // A NO_PROXY entry for another port does not match.
    const otherPort = await scan(http, { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1:1' });
    assert.ok(otherPort.proxied.length > 0);
  });

  test('HTTP_PROXY forwards http:// requests; each variable serves its own scheme; lower case wins', async () => {
    const r = await scan(http, { HTTP_PROXY: proxy.url });
    assert.equal(r.run.code, 0, r.run.stdout + r.run.stderr);
    assert.ok(r.proxied.length >= 6);
    assert.ok(r.proxied.every((e) => e.target.startsWith(`http://127.0.0.1:${http.port}/`) && e.forwarded), JSON.stringify(r.proxied.slice(0, 3)));
    assert.deepEqual(new Set(r.proxied.map((e) => e.method)), new Set(['POST', 'GET']));
    assert.ok(r.connects.every((p) => p === proxy.port));

    // HTTPS_PROXY does not apply to http://, nor HTTP_PROXY to https:// (as curl reads them).
    assert.deepEqual((await scan(http, { HTTPS_PROXY: proxy.url })).proxied, []);
    assert.deepEqual((await scan(https, { HTTP_PROXY: proxy.url })).proxied, []);

    // Lower-case names work, and win over upper case.
    const lower = await scan(https, { https_proxy: proxy.url, HTTPS_PROXY: `http://127.0.0.1:${await closedPort()}` });
    assert.equal(lower.run.code, 0, lower.run.stdout + lower.run.stderr);
    assert.ok(lower.proxied.length > 0);
    const lowerNo = await scan(https, { https_proxy: proxy.url, no_proxy: 'localhost' });
    assert.deepEqual(lowerNo.proxied, []);
    // A value without a scheme means http://.
    const bare = await scan(https, { HTTPS_PROXY: `127.0.0.1:${proxy.port}` });
    assert.equal(bare.run.code, 0, bare.run.stdout + bare.run.stderr);
    assert.ok(bare.proxied.length > 0);
  });

  test('proxy credentials are sent to the proxy and shown nowhere; a refusing or absent proxy is named in the error', async () => {
    const withAuth = authProxy.url.replace('http://', `http://proxyuser:${encodeURIComponent(PROXY_PASSWORD)}@`);
    const ok = await scan(https, { HTTPS_PROXY: withAuth });
    assert.equal(ok.run.code, 0, ok.run.stdout + ok.run.stderr);
    assert.ok(ok.authProxied.length > 0 && ok.authProxied.every((e) => e.status === 200 && e.proxyAuthorization));
    assert.match(ok.run.stdout, new RegExp(`proxy: https:// via http://127\\.0\\.0\\.1:${authProxy.port} \\(HTTPS_PROXY\\)`));

    const refused = await scan(https, { HTTPS_PROXY: authProxy.url });
    assert.equal(refused.run.code, 2);
    assert.equal(refused.report.error.kind, 'engine_unreachable');
    assert.match(refused.report.error.message, new RegExp(`the proxy http://127\\.0\\.0\\.1:${authProxy.port} \\(HTTPS_PROXY\\) refused the request with HTTP 407: check the user and password in the proxy URL`));

    const gone = await closedPort();
    const absent = await scan(https, { HTTPS_PROXY: `http://proxyuser:${PROXY_PASSWORD}@127.0.0.1:${gone}` });
    assert.equal(absent.run.code, 2);
    assert.match(absent.report.error.message, new RegExp(`ECONNREFUSED 127\\.0\\.0\\.1:${gone} \\(through the proxy http://127\\.0\\.0\\.1:${gone} from HTTPS_PROXY\\)`));

    const junk = await scan(https, { HTTPS_PROXY: `http://proxyuser:${PROXY_PASSWORD}@[not a host` });
    assert.equal(junk.run.code, 2);
    assert.match(junk.run.stderr, /^anchore-gate: config: HTTPS_PROXY is not a proxy URL \(expected e\.g\. http:\/\/proxy\.example\.com:3128\)$/m);
    assert.deepEqual(junk.connects, []);
  });

  test('how the variables read: precedence, schemes, NO_PROXY forms (no network)', () => {
    const p = proxySettings({ HTTPS_PROXY: 'http://upper:1', https_proxy: 'proxy.corp:3128', HTTP_PROXY: 'https://user:pw@web.proxy:8443/', NO_PROXY: ' .corp.example , 10.0.0.0/8,[::1]:8228, fd00::/8 ,db:5432 ' });
    assert.deepEqual([p.https.shown, p.https.from, p.http.shown, p.http.from], ['http://proxy.corp:3128', 'https_proxy', 'https://web.proxy:8443', 'HTTP_PROXY']);
    assert.equal(p.http.uri, 'https://user:pw@web.proxy:8443/', 'credentials go to the proxy agent, not to `shown`');
    const bypass = (url) => bypassProxy(new URL(url), p.noProxy);
    assert.equal(bypass('https://anchore.corp.example/v2'), true);
    assert.equal(bypass('https://corp.example/v2'), true);
    assert.equal(bypass('https://evilcorp.example/v2'), false);
    assert.equal(bypass('http://10.1.2.3:8228/v1'), true);
    assert.equal(bypass('http://11.1.2.3:8228/v1'), false);
    assert.equal(bypass('http://[::1]:8228/v1'), true);
    assert.equal(bypass('http://[::1]:8229/v1'), false);
    assert.equal(bypass('http://[fd00::5]/v1'), true);
    assert.equal(bypass('http://db:5432/'), true);
    assert.equal(bypass('http://db:5433/'), false);
    assert.equal(bypassProxy(new URL('https://anything/'), ['*']), true);
    assert.equal(bypassProxy(new URL('https://anything/'), []), false);
    assert.deepEqual(proxySettings({}), { http: null, https: null, noProxy: [] });
    assert.equal(proxySettings({ https_proxy: '', HTTPS_PROXY: 'http://upper:1' }).https, null, 'an empty lower-case variable wins (as curl)');
    assert.throws(() => proxySettings({ HTTPS_PROXY: 'socks5://u:Secr3t@h:1' }), (e) => e.kind === 'config' && !e.message.includes('Secr3t'));
    assert.throws(() => proxySettings({ HTTP_PROXY: 'http://u:Secr3t@[::' }), (e) => /^HTTP_PROXY is not a proxy URL/.test(e.message) && !e.message.includes('Secr3t'));
  });
});
