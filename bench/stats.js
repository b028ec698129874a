// Small helpers shared by the benchmark modules: medians, the machine, formatting.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function machine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch { /* not Linux */ }
  const version = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return 'unavailable';
    }
  };
  let nproc = os.availableParallelism?.() ?? os.cpus().length;
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || nproc;
  } catch { /* keep the os figure */ }
  return {
    nproc,
    cpu,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    rustc: version('rustc', ['--version']),
    load: os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

export const ms = (x) => (Number.isFinite(x) ? (x >= 100 ? `${Math.round(x)} ms` : `${x.toFixed(1)} ms`) : '–');
export const s = (x) => (Number.isFinite(x) ? `${(x / 1000).toFixed(2)} s` : '–');
export const ratio = (x) => (Number.isFinite(x) ? x.toFixed(2) : '–');
export const mb = (x) => (Number.isFinite(x) ? `${(x / 2 ** 20).toFixed(0)} MiB` : '–');
export const kb = (x) => (Number.isFinite(x) ? `${(x / 1000).toFixed(1)} KB` : '–');
