// Preloaded into a CLI child (`node --import tests/support/loopback-guard.js`) by the network
// tests. It keeps the machine's rule — only loopback addresses are targets — and proves it: every
// host name lookup and every socket connection the child attempts is appended as a JSON line to
// the file named by ANCHORE_GATE_NETLOG; a lookup of a name other than localhost, and a connection
// to an address outside 127.0.0.0/8 and ::1, fail at once without touching the network.
import { appendFileSync } from 'node:fs';
import dns from 'node:dns';
import net from 'node:net';

const file = process.env.ANCHORE_GATE_NETLOG;
const record = (entry) => { if (file) appendFileSync(file, `${JSON.stringify(entry)}\n`); };

const isLoopbackAddress = (host) => (net.isIPv4(host) && host.startsWith('127.')) || host === '::1' || host === '::ffff:127.0.0.1';
const allowedName = (host) => host === 'localhost' || isLoopbackAddress(host);

function refused(syscall, host) {
  return Object.assign(new Error(`${syscall} ENOTFOUND ${host} (blocked by the test's loopback guard)`), { code: 'ENOTFOUND', syscall, hostname: host });
}

const lookup = dns.lookup;
dns.lookup = function guardedLookup(host, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  record({ type: 'lookup', host });
  if (!allowedName(String(host))) {
    process.nextTick(() => cb(refused('getaddrinfo', host)));
    return {};
  }
  return lookup.call(this, host, options, callback);
};

const promisesLookup = dns.promises.lookup;
dns.promises.lookup = async function guardedPromisesLookup(host, options) {
  record({ type: 'lookup', host });
  if (!allowedName(String(host))) throw refused('getaddrinfo', host);
  return promisesLookup.call(this, host, options);
};

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const options = typeof args[0] === 'object' && args[0] !== null ? (Array.isArray(args[0]) ? args[0][0] : args[0]) : { port: args[0], host: args[1] };
  if (options && (options.port !== undefined || options.host !== undefined) && !options.path) {
    const host = options.host ?? 'localhost';
    record({ type: 'connect', host, port: Number(options.port) });
    if (net.isIP(host) && !isLoopbackAddress(host)) {
      const error = Object.assign(new Error(`connect EHOSTUNREACH ${host} (blocked by the test's loopback guard)`), { code: 'EHOSTUNREACH' });
      process.nextTick(() => this.destroy(error));
      return this;
    }
  }
  return connect.apply(this, args);
};
