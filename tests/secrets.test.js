// Secrets: the password — given as an option, an environment variable, a file or inside the
// engine URL, even written badly there — the Basic token made from it, the credentials of a proxy
// URL and a token in a URL's query appear in no output (also with --debug), no file the run writes
// and no error message, on the good path and on every failure path: 401, TLS refusals, proxy
// refusals, an absent proxy, timeouts, an unreachable engine, a malformed URL, a core panic.
// And Basic credentials over plain HTTP to a host other than loopback get a warning before any
// request — proven with a host name that exists nowhere, reached only through a loopback proxy
// that answers for it, so nothing leaves the machine.
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { faultPlan, faults, paths } from '../js/engine-double/faults.js';
import { startEngineDouble } from '../js/engine-double/server.js';
import { makeScenario } from '../js/engine-double/scenarios.js';
import { makeCertificates } from './support/certs.js';
import { closedPort, GUARD, runCli, tempDir } from './support/cli.js';
import { startProxy } from './support/proxy.js';

const PASSWORD = 'Zq8-secret_pw';
const PROXY_PASSWORD = 'Xk3-proxy_pw';
const TOKEN = 'Tq9-url-token';
const IMAGE = 'docker.io/library/alpine:3.9';
const PANIC = new URL('./support/core-panic.js', import.meta.url).pathname;

/** Every form a secret could leak in. */
function forms(secret) {
  return [secret, encodeURIComponent(secret), Buffer.from(`admin:${secret}`).toString('base64'), Buffer.from(`proxyuser:${secret}`).toString('base64')];
}
const SECRETS = [PASSWORD, PROXY_PASSWORD, TOKEN, 'pa/ss'].flatMap(forms);

let certs;
let plain;
let secure;
let slow;
let proxy;

before(async () => {
  certs = await makeCertificates();
  const scenario = () => makeScenario({ users: { admin: PASSWORD }, images: { [IMAGE]: { analysisMs: 100 } } });
  plain = await startEngineDouble({ api: 'v1', scenario: scenario() });
  secure = await startEngineDouble({ api: 'v2', scenario: scenario(), tls: certs.selfSigned, urlHost: 'localhost' });
  slow = await startEngineDouble({ api: 'v1', scenario: scenario() });
  slow.scenario.faults.push(faultPlan({ rules: [{ name: 'slow', path: paths.check, fault: faults.slow({ delayMs: 1_500 }) }] }).hook);
  proxy = await startProxy({ auth: `proxyuser:${PROXY_PASSWORD}` });
});

after(async () => {
  for (const s of [plain, secure, slow, proxy]) await s?.close();
});

/** Every file under `dir`, with its content. */
async function allFiles(dir) {
  const out = {};
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath ?? entry.path, entry.name);
      out[path.relative(dir, file)] = await readFile(file, 'utf8');
    }
  }
  return out;
}

/** Runs the CLI with --debug in a fresh folder and checks that no secret is anywhere. */
async function runAndCheck(name, args, { env = {}, node = [] } = {}) {
  const dir = await tempDir('anchore-gate-secrets-');
  await writeFile(path.join(dir, 'anchore_images'), `${IMAGE}\n`);
  await writeFile(path.join(dir, 'pw'), `${PASSWORD}\n`);
  const run = await runCli(['--debug', '--report-dir', 'R', '--poll-interval', '0.2', '--request-timeout', '1', '--timeout', '3', '--sarif', 'out.sarif', ...args], {
    cwd: dir, env: { ANCHORE_GATE_NETLOG: path.join(dir, 'net.log'), ...env }, node: ['--import', GUARD, ...node],
  });
  const files = await allFiles(dir);
  delete files.pw; // the password file itself
  delete files['net.log'];
  for (const secret of SECRETS) {
    assert.ok(!run.stdout.includes(secret), `${name}: a secret (${secret}) in stdout:\n${run.stdout}`);
    assert.ok(!run.stderr.includes(secret), `${name}: a secret (${secret}) in stderr:\n${run.stderr}`);
    for (const [file, content] of Object.entries(files)) assert.ok(!content.includes(secret), `${name}: a secret (${secret}) in ${file}`);
  }
  const report = files['R/anchore-gate.json'] ? JSON.parse(files['R/anchore-gate.json']) : null;
  return { run, report, files };
}

const withCreds = (url, pw = PASSWORD) => url.replace('://', `://admin:${encodeURIComponent(pw)}@`);

describe('secrets', () => {
  test('in every output, file and error message of every path, no password, token or proxy credential', async () => {
    const cases = [
      ['password in the URL, good run', [withCreds(plain.url)], {}, (r) => assert.equal(r.run.code, 0, r.run.stdout + r.run.stderr)],
      ['--password', [plain.url, '--user', 'admin', '--password', PASSWORD], {}, (r) => assert.equal(r.run.code, 0)],
      ['--password-file', [plain.url, '--user', 'admin', '--password-file', 'pw'], {}, (r) => assert.equal(r.run.code, 0)],
      ['ANCHORE_CLI_PASS', [plain.url, '--user', 'admin'], { ANCHORE_CLI_PASS: PASSWORD }, (r) => assert.equal(r.run.code, 0)],
      ['401, wrong password in the URL', [withCreds(plain.url, `${PASSWORD}x`)], {}, (r) => assert.equal(r.report.error.kind, 'unauthorized')],
      ['TLS refused', [withCreds(secure.url)], {}, (r) => assert.match(r.report.error.message, /^TLS connection to https:\/\/localhost:\d+\/v2 failed/)],
      ['TLS through a proxy that wants credentials', [withCreds(secure.url), '--insecure'], { HTTPS_PROXY: `http://proxyuser:${PROXY_PASSWORD}@127.0.0.1:${proxy.port}` }, (r) => assert.equal(r.run.code, 0, r.run.stdout + r.run.stderr)],
      ['proxy refuses (407)', [withCreds(secure.url), '--insecure'], { HTTPS_PROXY: `http://proxyuser:${PROXY_PASSWORD}x@127.0.0.1:${proxy.port}` }, (r) => assert.match(JSON.stringify(r.report), /refused the request with HTTP 407/)],
      ['proxy absent', [withCreds(plain.url)], { HTTP_PROXY: `http://proxyuser:${PROXY_PASSWORD}@127.0.0.1:PORT` }, (r) => assert.match(JSON.stringify(r.report), /through the proxy http:\/\/127\.0\.0\.1:\d+ from HTTP_PROXY/)],
      ['proxy URL unusable', [withCreds(plain.url)], { HTTP_PROXY: `http://proxyuser:${PROXY_PASSWORD}@[::` }, (r) => assert.match(r.run.stderr, /HTTP_PROXY is not a proxy URL/)],
      ['answers too slow', [withCreds(slow.url)], {}, (r) => assert.match(r.report.images[0].error.message, /no answer within 1 s/)],
      ['engine unreachable', [withCreds('http://127.0.0.1:PORT/v1')], {}, (r) => assert.match(JSON.stringify(r.report), /ECONNREFUSED/)],
      ["unencoded '/' in the password", [plain.url.replace('://', '://admin:pa/ss@')], {}, (r) => assert.match(r.report.error.message, /^engine URL: it has an '@' after the host name/)],
      ["unencoded '#' in the password", [plain.url.replace('://', `://admin:${PASSWORD}#x@`)], {}, (r) => assert.equal(r.report.error.kind, 'config')],
      ['a token in the query', [`${plain.url}?token=${TOKEN}`, '--user', 'admin'], { ANCHORE_CLI_PASS: PASSWORD }, (r) => assert.match(r.report.error.message, /must not have a query/)],
      ['not an http URL', [`ftp://admin:${PASSWORD}@127.0.0.1/v1`], {}, (r) => assert.equal(r.report.engine.url, 'ftp://127.0.0.1/v1')],
      ['a panic in the core', [withCreds(plain.url)], { ANCHORE_GATE_PANIC_AT: '2' }, (r) => assert.equal(r.report.error.kind, 'internal'), ['--import', PANIC]],
    ];
    for (const [name, [url, ...rest], env, check, node = []] of cases) {
      const port = await closedPort();
      const fill = (v) => v.replace('PORT', String(port));
      const envFilled = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, fill(v)]));
      const r = await runAndCheck(name, ['--engine-url', fill(url), '--image', IMAGE, ...rest], { env: envFilled, node });
      try {
        check(r);
      } catch (error) {
        error.message = `${name}: ${error.message}\n${r.run.stdout}\n${r.run.stderr}`;
        throw error;
      }
    }
  });

  test('Basic auth over plain HTTP to a host other than loopback: a warning before the first request, and nothing leaves the machine', async () => {
    const dir = await tempDir('anchore-gate-secrets-');
    const netlog = path.join(dir, 'net.log');
    const state = { stderr: '', warnedWhileHeld: null };
    // The loopback proxy answers for the host itself (502: no route); its first request is held
    // until the warning is on the CLI's stderr (or, if it never comes, a bound passes).
    const held = await startProxy({
      hold: async () => {
        if (state.warnedWhileHeld !== null) return;
        for (let i = 0; i < 200 && !state.stderr.includes('warning: sending Basic credentials'); i += 1) await new Promise((r) => setTimeout(r, 25));
        state.warnedWhileHeld = state.stderr.includes('warning: sending Basic credentials');
      },
    });
    try {
      const run = await runCli(['--engine-url', 'http://anchore.engine.invalid:8228/v1', '--user', 'admin', '--image', IMAGE, '--report-dir', 'R', '--timeout', '2', '--debug'], {
        cwd: dir,
        env: { ANCHORE_CLI_PASS: PASSWORD, HTTP_PROXY: held.url, ANCHORE_GATE_NETLOG: netlog },
        node: ['--import', GUARD],
        onOutput: (_chunk, so) => { state.stderr = so.stderr; },
      });
      assert.match(run.stderr, /^warning: sending Basic credentials over plain HTTP to anchore\.engine\.invalid:8228; use https:\/\//m);
      assert.equal(state.warnedWhileHeld, true, 'the warning came before the first request was answered');
      assert.ok(held.log.length > 0 && held.log.every((e) => e.host === 'anchore.engine.invalid' && !e.forwarded && e.status === 502), JSON.stringify(held.log));
      const net = (await readFile(netlog, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
      assert.deepEqual(net.filter((e) => e.type === 'lookup' && e.host !== 'localhost'), [], 'no name was looked up');
      assert.ok(net.filter((e) => e.type === 'connect').every((e) => e.host === '127.0.0.1' && e.port === held.port), JSON.stringify(net));
      assert.ok(!run.stdout.includes(PASSWORD) && !run.stderr.includes(PASSWORD));
    } finally {
      await held.close();
    }

    // No warning for loopback, for https://, or without credentials.
    for (const [url, user] of [[plain.url, 'admin'], ['https://anchore.engine.invalid/v1', 'admin'], ['http://anchore.engine.invalid/v1', null]]) {
      const quiet = await runCli(['--engine-url', url, ...(user ? ['--user', user] : []), '--image', IMAGE, '--report-dir', 'R', '--timeout', '1', '--request-timeout', '1'], {
        cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD, HTTP_PROXY: `http://127.0.0.1:${await closedPort()}`, HTTPS_PROXY: `http://127.0.0.1:${await closedPort()}`, NO_PROXY: '127.0.0.1' }, node: ['--import', GUARD],
      });
      assert.doesNotMatch(quiet.stderr, /warning: sending Basic credentials/, url);
    }
  });
});
