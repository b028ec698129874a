// Generates large, realistic engine answers for the report-processing benchmark, from the real
// recorded rows in ../shared/fixtures/engine/:
//   - a v1 policy evaluation (`GET /images/{digest}/check?detail=true`) with N table rows, in the
//     envelope of v1-check-fail-detail.json (digest → tag → [evaluation], the bundle in
//     detail.policy), its rows cycled from the 57 real rows with new CVE ids, package versions
//     and paths, ~2 % of them whitelisted the way the engine writes it (an object, not `false`);
//   - a v1 vulnerability listing (`GET /images/{digest}/vuln/all`) with N entries cycled from the
//     29 real entries of v1-vuln-all-alpine.json, v1-vuln-all-nvd-java.json and
//     v1-vuln-os-debian.json, with new ids, versions and severities (ids stay consistent across
//     `vuln`, `url` and `nvd_data`);
//   - the add-image answer (v1-image-add-analyzed.json) for the same digest, already analyzed.
// Everything is deterministic (seeded PRNG), so two runs benchmark the same bytes.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..');
export const FIXTURES = path.resolve(ROOT, '../shared/fixtures/engine');

const fixture = (name) => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));

/** mulberry32: small, seeded, good enough to spread values. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), pick: (xs) => xs[Math.floor(next() * xs.length)] };
}

const CVE_RE = /CVE-\d{4}-\d{4,7}/g;

function newCve(r, i) {
  // unique per i, plausible year and number
  return `CVE-${r.int(2005, 2025)}-${String(10000 + (i * 7919) % 89999).padStart(5, '0')}`;
}

function bumpVersion(v, r) {
  // change the last number of a version (3.2.1 → 3.2.7, 1.1.1a-r1 → 1.1.1a-r4)
  const m = /(\d+)(\D*)$/.exec(v);
  if (!m) return v;
  return v.slice(0, m.index) + String(r.int(0, 40)) + m[2];
}

function laterVersion(v, r) {
  const m = /(\d+)(\D*)$/.exec(v);
  return m ? v.slice(0, m.index) + String(Number(m[1]) + r.int(1, 5)) + m[2] : `${v}.1`;
}

/** The v1 check answer with `rows` table rows. Returns {text, digest, tag, imageId}. */
export function policyEvaluationV1(rows, seed = 1) {
  const r = prng(seed);
  const doc = fixture('v1-check-fail-detail.json');
  const digest = Object.keys(doc[0])[0];
  const tag = Object.keys(doc[0][digest])[0];
  const evaluation = doc[0][digest][tag][0];
  const results = evaluation.detail.result.result;
  const imageId = Object.keys(results).find((k) => typeof results[k] === 'object' && !Array.isArray(results[k]) && results[k]?.result);
  const table = results[imageId].result;
  const header = table.header;
  const col = Object.fromEntries(header.map((h, i) => [h, i]));
  const real = table.rows;
  const vulnRows = real.filter((row) => row[col.Gate] === 'vulnerabilities');
  const out = [];
  // The real non-vulnerability rows once (the HEALTHCHECK row), then vulnerability rows.
  for (const row of real) if (row[col.Gate] !== 'vulnerabilities') out.push(row);
  for (let i = out.length; i < rows; i++) {
    const base = vulnRows[i % vulnRows.length].slice();
    const cve = newCve(r, i);
    const oldId = /^[^+]+/.exec(base[col.Trigger_Id])[0];
    let pkgPart = base[col.Trigger_Id].slice(oldId.length + 1);
    // new package version inside the trigger id and the message (paths carry it too)
    const ver = /-(\d+(?:\.\d+)+)/.exec(pkgPart);
    let message = base[col.Check_Output];
    if (ver) {
      const nv = bumpVersion(ver[1], r);
      pkgPart = pkgPart.replace(ver[1], nv);
      message = message.split(ver[1]).join(nv);
    }
    const newId = oldId.startsWith('CVE-') ? cve : `RHSA-${r.int(2015, 2025)}:${String(r.int(1, 9999)).padStart(4, '0')}`;
    message = message.split(oldId).join(newId);
    base[col.Trigger_Id] = `${newId}+${pkgPart}`;
    base[col.Check_Output] = message;
    if (r.next() < 0.02) {
      base[col.Whitelisted] = {
        matched_rule_id: `rule-${i}`,
        whitelist_id: '37fd763e-1765-11e8-add4-3b16c029ac5c',
        whitelist_name: 'Global Whitelist',
      };
    }
    out.push(base);
  }
  table.rows = out.slice(0, rows);
  table.row_count = table.rows.length;
  return { text: JSON.stringify(doc), digest, tag, imageId };
}

/** The v1 vulnerability listing with `entries` entries, for `digest`. */
export function vulnerabilityListingV1(entries, digest, seed = 2) {
  const r = prng(seed);
  const real = [
    ...fixture('v1-vuln-all-alpine.json').vulnerabilities,
    ...fixture('v1-vuln-all-nvd-java.json').vulnerabilities,
    ...fixture('v1-vuln-os-debian.json').vulnerabilities,
  ];
  const severities = ['Critical', 'High', 'High', 'Medium', 'Medium', 'Medium', 'Low', 'Low', 'Negligible', 'Unknown'];
  const list = [];
  for (let i = 0; i < entries; i++) {
    const v = structuredClone(real[i % real.length]);
    const oldId = v.vuln;
    const id = oldId.startsWith('CVE-') ? newCve(r, i) : oldId;
    const version = bumpVersion(v.package_version, r);
    v.vuln = id;
    v.url = String(v.url).split(oldId).join(id);
    v.package = `${v.package_name}-${version}`;
    for (const k of ['package_path', 'package_cpe', 'package_cpe23']) {
      if (v[k] && v[k] !== 'None') v[k] = v[k].split(v.package_version).join(version);
    }
    v.package_version = version;
    v.severity = r.pick(severities);
    // about a third has a fix, in a later version
    v.fix = r.next() < 0.35 ? laterVersion(version, r) : 'None';
    if (Array.isArray(v.nvd_data)) for (const n of v.nvd_data) n.id = id;
    list.push(v);
  }
  return JSON.stringify({ imageDigest: digest, vulnerabilities: list, vulnerability_type: 'all' });
}

/** POST /images answer (v1: a one-element list) for `digest`, already analyzed. */
export function addImageV1(digest, tag) {
  const [rec] = fixture('v1-image-add-analyzed.json');
  const old = rec.imageDigest;
  const text = JSON.stringify([rec]).split(old).join(digest);
  const [registry, ...rest] = tag.split('/');
  const doc = JSON.parse(text);
  Object.assign(doc[0].image_detail[0], { fulltag: tag, registry, repo: rest.join('/').split(':')[0], tag: tag.split(':').pop() });
  return JSON.stringify(doc);
}

/**
 * Writes check-N.json, vuln-N.json and add-N.json under `dir` (once; reused while present) and
 * returns their paths and the image reference the check was recorded for.
 */
export function ensureReportData(dir, n) {
  mkdirSync(dir, { recursive: true });
  const files = { check: path.join(dir, `check-${n}.json`), vuln: path.join(dir, `vuln-${n}.json`), add: path.join(dir, `add-${n}.json`), meta: path.join(dir, `meta-${n}.json`) };
  if (!Object.values(files).every(existsSync)) {
    const check = policyEvaluationV1(n);
    writeFileSync(files.check, check.text);
    writeFileSync(files.vuln, vulnerabilityListingV1(n, check.digest));
    writeFileSync(files.add, addImageV1(check.digest, check.tag));
    writeFileSync(files.meta, JSON.stringify({ digest: check.digest, tag: check.tag, imageId: check.imageId, rows: n }));
  }
  const meta = JSON.parse(readFileSync(files.meta, 'utf8'));
  return { ...files, ...meta };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const n = Number(process.argv[2] ?? 100000);
  const dir = process.argv[3] ?? path.join(ROOT, 'target/bench/data');
  console.log(ensureReportData(dir, n));
}
