#!/usr/bin/env node
// Benchmark of the report viewer in headless Chromium: a synthetic report of N policy findings
// and N vulnerabilities over 10 images, for N = 100 and N = 100,000, served (?report=URL) and as
// report.html from file://. Prints the time to the first render, the time to apply filters and
// sorts, and the 100,000 / 100 ratio. Figures only: nothing here passes or fails on time.
//
//   node bench/viewer.js            100 vs 100,000 rows
//   node bench/viewer.js --short    100 vs 1,000 rows (what tests/viewer-bench.test.js runs)
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { buildReportHtml } from '../js/report-html.js';
import { launch, serve, settled } from '../tests/viewer-harness.js';

const SEVERITIES = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'];
const ACTIONS = ['stop', 'warn', 'go'];

/** A report of `rows` findings and `rows` vulnerabilities spread over `imageCount` images. */
export function syntheticReport(rows, imageCount = 10) {
  const images = [];
  let left = rows;
  for (let i = 0; i < imageCount; i += 1) {
    const n = Math.ceil(left / (imageCount - i));
    left -= n;
    const findings = [];
    const vulnerabilities = [];
    const counts = { stop: 0, warn: 0, go: 0, allowlisted: 0 };
    const vc = {};
    for (let k = 0; k < n; k += 1) {
      const cve = `CVE-20${10 + (k % 15)}-${1000 + ((k * 7919 + i * 104729) % 90000)}`;
      const pkg = `lib${['ssl', 'xml2', 'curl', 'z', 'png', 'gnutls', 'systemd', 'krb5'][k % 8]}${k % 97}`;
      const severity = SEVERITIES[(k * 5 + i) % 6];
      const action = ACTIONS[(k + i) % 3];
      const allowlisted = k % 53 === 0;
      if (allowlisted) counts.allowlisted += 1;
      else counts[action] += 1;
      vc[severity] = (vc[severity] ?? 0) + 1;
      findings.push({
        trigger_id: `${cve}+${pkg}`, gate: k % 11 === 0 ? 'dockerfile' : 'vulnerabilities', trigger: k % 11 === 0 ? 'instruction' : 'package',
        message: `${severity.toUpperCase()} Vulnerability found in os package type (dpkg) - ${pkg} (fixed in: 1.${k % 40}.${k % 7}) - ${cve} - https://nvd.nist.gov/vuln/detail/${cve}`,
        action, allowlisted, allowlist_match: allowlisted ? { id: 'al1', name: 'Global allowlist', matched_rule_id: `r${k}` } : null,
        inherited_from_base: k % 2 === 0, policy_id: 'anchore_secure_default', recommendation: k % 4 ? '' : 'Upgrade the package', rule_id: `rule-${k % 50}`,
      });
      vulnerabilities.push({
        id: cve, severity, package: `${pkg}-1.${k % 40}.${k % 7}`, package_name: pkg, package_version: `1.${k % 40}.${k % 7}`,
        package_type: ['dpkg', 'rpm', 'java', 'python', 'npm'][k % 5], package_path: k % 5 === 2 ? `/opt/app/lib/${pkg}.jar` : null,
        fix: k % 3 ? `1.${k % 40}.${(k % 7) + 1}` : null, url: `https://nvd.nist.gov/vuln/detail/${cve}`, feed_group: 'debian:12',
        inherited_from_base: k % 2 === 1,
      });
    }
    const stop = counts.stop > 0;
    images.push({
      image: `registry.example.com/team/service-${i}:1.${i}`, source: `anchore_images:${i + 1}`, dockerfile: null,
      digest: `sha256:${String(i).padStart(64, '0')}`, status: stop ? 'fail' : 'pass', gate_failures: stop ? ['policy: STOP (Policy evaluation failed)'] : [],
      policy_status: stop ? 'fail' : 'pass', final_action: stop ? 'stop' : counts.warn ? 'warn' : 'go', final_action_reason: 'policy_evaluation',
      stop_action_details: stop ? 'Policy evaluation failed' : '', evaluated_tag: `registry.example.com/team/service-${i}:1.${i}`,
      policy_id: 'anchore_secure_default', base_digest: null, analysis_status: 'analyzed', counts, vulnerability_counts: vc,
      findings, vulnerabilities, excluded_inherited: { findings: 0, vulnerabilities: 0 }, error: null, duration_ms: 42_000, requests: 12,
    });
  }
  const sum = (k) => images.reduce((n, i) => n + i.counts[k], 0);
  return {
    schema: 'anchore-gate/report/1', tool: { name: 'anchore-gate', version: '0.1.0' }, engine: { url: 'https://anchore.example.com/v2', api: 'v2' },
    verdict: images.some((i) => i.status === 'fail') ? 'fail' : 'pass', exit_code: images.some((i) => i.status === 'fail') ? 1 : 0,
    started_at: '2026-11-29T10:00:00Z', finished_at: '2026-11-29T10:03:00Z',
    options: { policy_id: null, exclude_base: false, vuln_type: 'all', fail_on_stop: true, fail_on_error: true, timeout_seconds: 1500 },
    totals: {
      images: images.length, passed: images.filter((i) => i.status === 'pass').length, failed: images.filter((i) => i.status === 'fail').length,
      errored: 0, stop: sum('stop'), warn: sum('warn'), go: sum('go'), allowlisted: sum('allowlisted'), vulnerabilities: {},
    },
    error: null, images,
  };
}

/** Runs the measured steps in an opened, ready viewer; returns {name: milliseconds}. */
async function interactions(page) {
  return page.evaluate(() => {
    const last = (name) => {
      const e = performance.getEntriesByName(name);
      return e.length ? e[e.length - 1].duration : NaN;
    };
    const enter = (input, value) => {
      input.value = value;
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    };
    const timed = (fn) => {
      const t0 = performance.now();
      fn();
      return performance.now() - t0;
    };
    const out = {};
    document.getElementById('tab-findings').click();
    const search = document.getElementById('findings-search');
    out['findings: first text search (builds the index)'] = timed(() => enter(search, 'libssl'));
    out['  of which indexing'] = last('anchore-viewer:index:findings');
    out['findings: next text search'] = timed(() => enter(search, 'cve-2012'));
    out['findings: clear the search'] = timed(() => enter(search, ''));
    const action = document.getElementById('findings-action');
    out['findings: action filter (warn)'] = timed(() => {
      action.value = 'warn';
      action.dispatchEvent(new Event('change'));
    });
    const header = (panel, n) => document.querySelector(`#panel-${panel} .grid-th:nth-child(${n}) button`);
    out['findings: sort by Check Output (first: ranks the texts)'] = timed(() => header('findings', 6).click());
    out['findings: sort by Check Output again (descending)'] = timed(() => header('findings', 6).click());
    const grid = document.querySelector('#panel-findings [role=grid]');
    out['findings: End key (jump to the last row)'] = timed(() => grid.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true })));
    document.getElementById('tab-vulnerabilities').click();
    const severity = document.getElementById('vulnerabilities-severity');
    out['vulnerabilities: severity filter (High and above)'] = timed(() => {
      severity.value = '>=High';
      severity.dispatchEvent(new Event('change'));
    });
    out['vulnerabilities: sort by Package'] = timed(() => header('vulnerabilities', 4).click());
    const image = document.getElementById('vulnerabilities-image');
    out['vulnerabilities: image filter'] = timed(() => {
      image.value = '3';
      image.dispatchEvent(new Event('change'));
    });
    return out;
  });
}

async function measure(browser, url, label) {
  const page = await browser.context.newPage();
  const t0 = performance.now();
  await page.goto(url);
  const state = await settled(page, 600_000);
  if (state !== 'ready') throw new Error(`${label}: the viewer ended in state ${state}`);
  const out = { [`${label}: navigation to first render`]: performance.now() - t0 };
  const own = await page.evaluate(() => Object.fromEntries(['anchore-viewer:import', 'anchore-viewer:render']
    .map((n) => [n, performance.getEntriesByName(n).at(-1)?.duration ?? NaN])));
  out[`  of which importReport (WASM) + JSON.parse`] = own['anchore-viewer:import'];
  out[`  of which building the views`] = own['anchore-viewer:render'];
  Object.assign(out, await interactions(page));
  await page.close();
  return out;
}

function fmt(ms) {
  return Number.isFinite(ms) ? `${ms.toFixed(ms < 10 ? 2 : 0)} ms` : 'n/a';
}

export async function main(argv = process.argv.slice(2), out = console.log) {
  const short = argv.includes('--short');
  const sizes = short ? [100, 1_000] : [100, 100_000];
  const work = await mkdtemp(path.join(tmpdir(), 'anchore-gate-bench-'));
  const reports = new Map();
  const extra = new Map();
  for (const n of sizes) {
    const report = syntheticReport(n);
    const json = JSON.stringify(report);
    extra.set(`/bench/${n}/anchore-gate.json`, { body: json });
    const html = await buildReportHtml(report);
    const file = path.join(work, `report-${n}.html`);
    await writeFile(file, html);
    reports.set(n, { json: json.length, html: html.length, file });
  }
  const server = await serve(extra);
  const browser = await launch();
  const results = new Map();
  try {
    for (const n of sizes) {
      const served = await measure(browser, `${server.url}/js/viewer/?report=/bench/${n}/anchore-gate.json`, 'served viewer');
      const fileUrl = pathToFileURL(reports.get(n).file).href;
      const html = await measure(browser, fileUrl, 'report.html (file://)');
      const [navigation, importing, building] = Object.entries(html);
      results.set(n, {
        ...served,
        [navigation[0]]: navigation[1],
        [`${importing[0]} (report.html)`]: importing[1],
        [`${building[0]} (report.html)`]: building[1],
      });
    }
  } finally {
    await browser.close();
    await server.close();
    await rm(work, { recursive: true, force: true });
  }
  const [small, large] = sizes;
  out(`anchore-gate viewer benchmark: ${small} vs ${large} findings + as many vulnerabilities, 10 images (headless Chromium)`);
  for (const n of sizes) out(`  ${n} rows: anchore-gate.json ${(reports.get(n).json / 1e6).toFixed(2)} MB, report.html ${(reports.get(n).html / 1e6).toFixed(2)} MB`);
  const names = Object.keys(results.get(small));
  const width = Math.max(...names.map((k) => k.length));
  out(`${'step'.padEnd(width)}  ${String(small).padStart(10)}  ${String(large).padStart(10)}  ratio`);
  for (const k of names) {
    const a = results.get(small)[k];
    const b = results.get(large)[k];
    const ratio = Number.isFinite(a) && Number.isFinite(b) && a > 0 ? `${(b / a).toFixed(1)}x` : '';
    out(`${k.padEnd(width)}  ${fmt(a).padStart(10)}  ${fmt(b).padStart(10)}  ${ratio}`);
  }
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await main();
}
