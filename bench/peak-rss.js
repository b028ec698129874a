// Preloaded into the CLI child of bench/e2e.js (`node --import`): at exit, writes the process's
// peak resident set size (VmHWM, bytes) to the file named by ANCHORE_GATE_BENCH_RSS.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env.ANCHORE_GATE_BENCH_RSS;
if (file) {
  process.on('exit', () => {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    writeFileSync(file, String(m ? Number(m[1]) * 1024 : process.memoryUsage().rss));
  });
}
