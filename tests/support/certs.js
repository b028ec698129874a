// Test certificates, made at test time with Debian's openssl (scripts/setup.sh installs it):
// a private CA, a server certificate it signed for localhost and 127.0.0.1, one it signed for
// another host name only, and a self-signed server certificate for localhost and 127.0.0.1.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function openssl(dir, ...args) {
  await run('openssl', args, { cwd: dir });
}

/**
 * @returns {Promise<{dir, caFile, ca, signed: {key, cert}, wrongHost: {key, cert}, selfSigned: {key, cert, file}}>}
 */
export async function makeCertificates() {
  const dir = await mkdtemp(path.join(tmpdir(), 'anchore-gate-certs-'));
  const days = ['-days', '2'];
  // The private CA.
  await openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', ...days,
    '-subj', '/CN=anchore-gate test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  // Server certificates signed by it: one for this machine's loopback names, one for another name.
  for (const [name, san] of [['signed', 'DNS:localhost,IP:127.0.0.1'], ['wrong', 'DNS:anchore.example.com']]) {
    await openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${san.split(',')[0].slice(4)}`);
    await writeFile(path.join(dir, `${name}.ext`), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
    await openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, ...days, '-extfile', `${name}.ext`);
  }
  // A self-signed one for the loopback names.
  await openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'self.key', '-out', 'self.pem', ...days,
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
  const read = (f) => readFile(path.join(dir, f), 'utf8');
  return {
    dir,
    caFile: path.join(dir, 'ca.pem'),
    ca: await read('ca.pem'),
    signed: { key: await read('signed.key'), cert: await read('signed.pem') },
    wrongHost: { key: await read('wrong.key'), cert: await read('wrong.pem') },
    selfSigned: { key: await read('self.key'), cert: await read('self.pem'), file: path.join(dir, 'self.pem') },
  };
}
