// TLS against an HTTPS engine double on loopback, with certificates made at test time by
// openssl: a self-signed one, one signed by a private CA, and one the CA signed for another host
// name. Verification is on by default and says what to do; --ca-cert trusts the private CA with
// host names still checked; --insecure accepts anything and says so.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startEngineDouble } from '../js/engine-double/server.js';
import { makeScenario } from '../js/engine-double/scenarios.js';
import { makeCertificates } from './support/certs.js';
import { GUARD, reportFiles, runCli, tempDir } from './support/cli.js';

const PASSWORD = 'Tl5-s3cret!';
const IMAGE = 'docker.io/library/alpine:3.9';

let certs;
const engines = {};

before(async () => {
  certs = await makeCertificates();
  const scenario = () => makeScenario({ users: { admin: PASSWORD }, images: { [IMAGE]: { analysisMs: 100 } } });
  engines.self = await startEngineDouble({ api: 'v1', scenario: scenario(), tls: certs.selfSigned, urlHost: 'localhost' });
  engines.signed = await startEngineDouble({ api: 'v2', scenario: scenario(), tls: certs.signed, urlHost: 'localhost' });
  engines.wrong = await startEngineDouble({ api: 'v1', scenario: scenario(), tls: certs.wrongHost, urlHost: 'localhost' });
});

after(async () => {
  for (const e of Object.values(engines)) await e.close();
});

async function scan(engine, extra = [], env = {}, url = engine.url) {
  const dir = await tempDir('anchore-gate-tls-');
  const run = await runCli(['--engine-url', url, '--user', 'admin', '--image', IMAGE, '--report-dir', path.join(dir, 'R'), '--poll-interval', '0.2', ...extra], {
    cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD, ...env }, node: ['--import', GUARD],
  });
  const files = await reportFiles(path.join(dir, 'R'));
  const all = run.stdout + run.stderr + Object.values(files.contents).join('\n');
  assert.ok(!all.includes(PASSWORD), 'the password leaked');
  return { run, report: files.report, dir };
}

function assertRejected({ run, report }, engine, why) {
  assert.equal(run.code, 2, run.stdout + run.stderr);
  assert.equal(report.error.kind, 'engine_unreachable');
  assert.match(report.error.message, new RegExp(`^TLS connection to ${engine.url.replace(/[.]/g, '\\.')} failed: ${why}`));
  assert.match(report.error.message, /If the engine uses a private CA, pass --ca-cert FILE; --insecure turns verification off/);
  assert.equal(engine.log.length, 0, 'nothing got past the handshake');
  assert.match(run.stdout, /TLS connection to .* failed/);
}

describe('TLS', () => {
  test('by default a self-signed and a private-CA certificate are both refused, saying what to do, without retrying', async () => {
    assertRejected(await scan(engines.self), engines.self, 'DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate');
    assertRejected(await scan(engines.signed), engines.signed, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate');
  });

  test('--ca-cert trusts the private CA; host names are still checked', async () => {
    const ok = await scan(engines.signed, ['--ca-cert', certs.caFile]);
    assert.equal(ok.run.code, 0, ok.run.stdout + ok.run.stderr);
    assert.equal(ok.report.images[0].status, 'pass');
    assert.match(ok.run.stdout, /TLS verification on \(\+ CA file\)/);
    assert.ok(engines.signed.log.length > 0);
    // The same engine by its IP address, which the certificate also names.
    const byIp = await scan(engines.signed, ['--ca-cert', certs.caFile], {}, engines.signed.url.replace('localhost', '127.0.0.1'));
    assert.equal(byIp.run.code, 0, byIp.run.stdout + byIp.run.stderr);

    // Signed by the trusted CA, but for another host name: still refused.
    const wrong = await scan(engines.wrong, ['--ca-cert', certs.caFile]);
    assertRejected(wrong, engines.wrong, "ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's altnames: Host: localhost\\. is not in the cert's altnames: DNS:anchore\\.example\\.com");
    assert.match(wrong.report.error.message, /the certificate is for other host names: use one of them in --engine-url/);

    // A self-signed certificate is no CA for another: trusting the CA does not accept it.
    assertRejected(await scan(engines.self, ['--ca-cert', certs.caFile]), engines.self, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  test('--insecure (or ANCHORE_CLI_SSL_VERIFY=false) accepts any certificate and warns', async () => {
    for (const engine of [engines.self, engines.signed, engines.wrong]) {
      const { run, report } = await scan(engine, ['--insecure']);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal(report.images[0].status, 'pass');
      assert.match(run.stderr, /^warning: TLS certificate verification is OFF \(--insecure\)/m);
      assert.match(run.stdout, /TLS verification OFF/);
    }
    const viaEnv = await scan(engines.self, [], { ANCHORE_CLI_SSL_VERIFY: 'false' });
    assert.equal(viaEnv.run.code, 0, viaEnv.run.stdout + viaEnv.run.stderr);
    assert.match(viaEnv.run.stderr, /warning: TLS certificate verification is OFF/);
  });

  test('a --ca-cert that is missing or not a certificate is refused before any request', async () => {
    const dir = await tempDir('anchore-gate-tls-');
    const missing = await runCli(['--engine-url', engines.signed.url, '--image', IMAGE, '--ca-cert', path.join(dir, 'nope.pem')], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--ca-cert: cannot read .*nope\.pem: ENOENT/);
    await writeFile(path.join(dir, 'junk.pem'), 'this is not a certificate\n');
    const before = engines.signed.log.length;
    const junk = await runCli(['--engine-url', engines.signed.url, '--image', IMAGE, '--ca-cert', path.join(dir, 'junk.pem')], { cwd: dir });
    assert.equal(junk.code, 2);
    assert.match(junk.stderr, /--ca-cert: .*junk\.pem holds no PEM certificate/);
    assert.equal(engines.signed.log.length, before);
  });
});
