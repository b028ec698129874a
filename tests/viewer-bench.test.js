// bench/viewer.js in its short mode (100 vs 1,000 rows), so the benchmark cannot rot: it must run
// to the end and print a figure for every step at both sizes. No assertion on time.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { main, syntheticReport } from '../bench/viewer.js';

test('the synthetic report has the rows asked for and consistent counts', () => {
  const r = syntheticReport(1_001, 10);
  assert.equal(r.images.length, 10);
  assert.equal(r.images.reduce((n, i) => n + i.findings.length, 0), 1_001);
  assert.equal(r.images.reduce((n, i) => n + i.vulnerabilities.length, 0), 1_001);
  for (const i of r.images) {
    const c = { stop: 0, warn: 0, go: 0, allowlisted: 0 };
    for (const f of i.findings) c[f.allowlisted ? 'allowlisted' : f.action] += 1;
    assert.deepEqual(i.counts, c);
    assert.equal(Object.values(i.vulnerability_counts).reduce((a, b) => a + b, 0), i.vulnerabilities.length);
  }
});

test('node bench/viewer.js --short prints every figure', { timeout: 300_000 }, async () => {
  const lines = [];
  const results = await main(['--short'], (l) => lines.push(l));
  const text = lines.join('\n');
  assert.match(lines[0], /^anchore-gate viewer benchmark: 100 vs 1000 findings/);
  assert.match(text, /1000 rows: anchore-gate\.json [\d.]+ MB, report\.html [\d.]+ MB/);
  const steps = lines.slice(lines.findIndex((l) => l.startsWith('step')) + 1);
  assert.ok(steps.length >= 14, text);
  for (const line of steps) assert.match(line, /^ *\S.*\s[\d.]+ ms\s+[\d.]+ ms\s+[\d.]+x$/, line);
  for (const n of [100, 1_000]) {
    for (const [step, ms] of Object.entries(results.get(n))) assert.ok(Number.isFinite(ms) && ms >= 0, `${n}: ${step}: ${ms}`);
  }
  console.log(text);
});
