// Hostile engine data in the viewer: an XSS corpus in every text field of every finding and
// vulnerability (and image names, errors, the engine URL, file names, JSON keys) must run no
// script (no dialog, no flag set by a payload), inject no element and no handler, and link only
// http(s) URLs — in the served viewer, in report.html from file://, and through the Jenkins
// plugin's files. The plugin shipped unescaped cells twice (jenkins-plugin.md §4.2, §7.10).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { buildReportHtml } from '../js/report-html.js';
import { launch, screenshot, serve, settled, watch, openOffline } from './viewer-harness.js';

// Each payload that could run sets window.__xss (and opens a dialog where it can).
export const CORPUS = [
  '<script>window.__xss=1;alert(1)</script>',
  '<img src=x onerror="window.__xss=2;alert(2)">',
  'javascript:window.__xss=3;alert(3)',
  ' JaVaScRiPt:window.__xss=4',
  '<svg onload="window.__xss=5;alert(5)"><circle r="9"/></svg>',
  '<svg><script>window.__xss=6</script></svg>',
  '&lt;script&gt;window.__xss=7&lt;/script&gt; &amp; &#60;b&#62;',
  '"><iframe src="javascript:window.top.__xss=8"></iframe>',
  "'><a href=\"javascript:window.__xss=9\">x</a>",
  '</script><script>window.__xss=10</script><!--',
  '<style>body{display:none}</style><b>bold</b>',
  'data:text/html,<script>window.__xss=11</script>',
  '<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=12>',
  '{{constructor.constructor("window.__xss=13")()}} ${window.__xss=14}',
  'https://example.com/"><img src=x onerror=window.__xss=15>',
  '\u2028\u2029<details open ontoggle=window.__xss=16>',
];
const ENUMS = new Set(['schema', 'verdict', 'status', 'policy_status', 'final_action', 'action', 'severity', 'kind', 'api']);

/** `value` with every string that is not an enum replaced by `text`. */
function poison(value, text) {
  if (typeof value === 'string') return text;
  if (Array.isArray(value)) return value.map((v) => poison(v, text));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, ENUMS.has(k) ? v : poison(v, text)]));
  }
  return value;
}

/** One image per payload; its finding and vulnerability carry the payload in every text field. */
function hostileReport() {
  const finding = {
    trigger_id: '', gate: '', trigger: '', message: '', action: 'stop', allowlisted: true,
    allowlist_match: { id: '', name: '', matched_rule_id: '' }, inherited_from_base: true, policy_id: '', recommendation: '', rule_id: '',
  };
  const vuln = {
    id: '', severity: 'Critical', package: '', package_name: '', package_version: '', package_type: '', package_path: '',
    fix: '', url: '', feed_group: '', inherited_from_base: false, allowlisted: { entry: 1, reason: '', expires: '' },
  };
  const images = CORPUS.map((p, i) => ({
    ...poison({
      image: '', source: '', dockerfile: '', digest: '', gate_failures: [''], final_action_reason: '', stop_action_details: '',
      evaluated_tag: '', policy_id: '', base_digest: '', analysis_status: '', error: i % 2 ? { kind: 'bad_response', message: '' } : null,
    }, p),
    status: ['pass', 'fail', 'error'][i % 3],
    policy_status: 'fail',
    final_action: ['stop', 'warn', 'go'][i % 3],
    counts: { stop: 1, warn: 0, go: 0, allowlisted: 0 },
    vulnerability_counts: { Critical: 1 },
    findings: [poison(finding, p)],
    vulnerabilities: [poison(vuln, p)],
    excluded_inherited: { findings: 0, vulnerabilities: 0 },
    duration_ms: 1,
    requests: 1,
  }));
  return {
    schema: 'anchore-gate/report/1',
    tool: { name: 'anchore-gate', version: CORPUS[0] },
    engine: { url: CORPUS[14], api: 'v2' },
    verdict: 'error',
    exit_code: 2,
    started_at: CORPUS[1],
    finished_at: CORPUS[4],
    options: { policy_id: CORPUS[2], exclude_base: false, vuln_type: CORPUS[3], fail_on_stop: true, fail_on_error: true, timeout_seconds: 1 },
    totals: { images: images.length, passed: 0, failed: 0, errored: 0, stop: images.length, warn: 0, go: 0, allowlisted: 0, vulnerabilities: {} },
    error: { kind: 'internal', message: CORPUS[7] },
    images,
  };
}

/** The plugin's v2 files for the same images (and a v1-era URL cell wrapped in <a href>). */
function jenkinsFiles(report) {
  const gates = report.images.map((i) => ({
    image_digest: i.digest, repo_tag: i.image, final_action: i.final_action, failure_details: i.stop_action_details, gate_results: i.findings,
  }));
  const columns = ['Tag', 'CVE ID', 'Severity', 'Vulnerability Package', 'Fix Available', 'Inherited From Base', 'URL'].map((title) => ({ title }));
  const data = report.images.flatMap((i) => i.vulnerabilities.map((v) => [i.image, v.id, v.severity, v.package, v.fix, 'false', v.url]));
  data.push(['x', 'CVE-1', 'High', 'p', 'None', 'false', "<a href='javascript:window.__xss=20'>https://example.com/</a>"]);
  data.push(['x', 'CVE-2', 'High', 'p', 'None', 'false', "<a href='https://example.com/old'>https://example.com/old</a>"]);
  return [
    { name: 'anchore_gates.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(gates)) },
    { name: 'anchore_security.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ columns, data })) },
  ];
}

let work;
let server;
let browser;
let report;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'anchore-gate-xss-'));
  report = hostileReport();
  server = await serve(new Map([['/hostile/anchore-gate.json', { body: JSON.stringify(report) }]]));
  browser = await launch({ viewport: { width: 1366, height: 1200 } });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Everything that must be true of the page after hostile data was shown. */
async function assertNothingInjected(page, seen, { scripts, styles }) {
  assert.deepEqual(seen.dialogs, [], 'a dialog opened');
  assert.deepEqual(seen.errors, [], 'page errors');
  const state = await page.evaluate(() => {
    const all = [...document.querySelectorAll('*')];
    return {
      flag: window.__xss ?? null,
      topFlag: window.top.__xss ?? null,
      frames: window.frames.length,
      scripts: document.querySelectorAll('script').length,
      styles: document.querySelectorAll('style').length,
      injected: [...document.querySelectorAll('img, svg, iframe, frame, object, embed, math, video, audio, form, base, details:not(.sources), table, b, mglyph, template, meta[http-equiv=refresh]')].map((e) => e.outerHTML.slice(0, 80)),
      handlers: all.flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName} ${a.name}`)),
      hrefs: [...document.querySelectorAll('[href], [src], [action], [formaction], [xlink\\:href]')]
        .filter((e) => !(e.tagName === 'LINK' && e.getAttribute('rel') === 'icon'))
        .filter((e) => !(e.tagName === 'LINK' && e.getAttribute('rel') === 'stylesheet' && e.getAttribute('href') === 'viewer.css'))
        .filter((e) => !(e.tagName === 'SCRIPT' && e.getAttribute('src') === 'main.js'))
        .map((e) => [e.tagName, e.getAttribute('href') ?? e.getAttribute('src') ?? e.getAttribute('action'), e.protocol ?? null, e.rel ?? null]),
    };
  });
  assert.equal(state.flag, null, 'a payload ran');
  assert.equal(state.topFlag, null, 'a payload ran');
  assert.equal(state.frames, 0, 'a frame was injected');
  assert.equal(state.scripts, scripts, 'script elements');
  assert.equal(state.styles, styles, 'style elements');
  assert.deepEqual(state.injected, [], 'injected elements');
  assert.deepEqual(state.handlers, [], 'inline handlers');
  for (const [tag, , protocol, rel] of state.hrefs) {
    assert.equal(tag, 'A');
    assert.ok(protocol === 'http:' || protocol === 'https:', `a ${protocol} link`);
    assert.equal(rel, 'noopener noreferrer');
  }
  return state;
}

/** Shows every tab and walks every row, so every cell and every details panel is rendered. */
async function visitEverything(page) {
  for (const tab of ['summary', 'findings', 'vulnerabilities']) {
    await page.click(`#tab-${tab}`);
    const grid = `#panel-${tab} [role=grid]`;
    const rows = await page.evaluate((g) => Number(document.querySelector(g).getAttribute('aria-rowcount')) - 1, grid);
    await page.focus(grid);
    for (let i = 0; i < rows; i += 1) await page.keyboard.press('ArrowDown');
    await page.evaluate(() => document.querySelector('.sources')?.setAttribute('open', ''));
  }
}

/** Every payload is shown as the very text it is, in the cells and in the details panel. */
async function assertShownAsText(page) {
  await page.click('#tab-findings');
  const cells = await page.$$eval('#panel-findings .grid-row:not([hidden])', (rows) => rows.map((r) => [...r.querySelectorAll('.grid-td')].map((c) => c.textContent)));
  const clipped = (s) => (s.length > 400 ? `${s.slice(0, 400)}…` : s);
  for (const p of CORPUS) {
    const row = cells.find((r) => r[2] === clipped(p));
    assert.ok(row, `no row shows ${JSON.stringify(p)} as text`);
    // Trigger ID, Gate, Trigger, Check Output, Policy ID, Recommendation, Rule ID.
    for (const c of [2, 3, 4, 5, 9, 10, 11]) assert.equal(row[c], p);
  }
  await page.fill('#findings-search', CORPUS[6].toLowerCase().slice(0, 30));
  await page.press('#findings-search', 'Enter');
  const shown = await page.$eval('#panel-findings .count', (c) => Number(c.dataset.shown));
  assert.ok(shown >= 1, 'the entity text is searchable as text');
  const details = await page.$$eval('#panel-findings .details dd', (dd) => dd.map((d) => d.textContent));
  assert.ok(details.includes(CORPUS[6]), 'the details panel shows the entities as written, not decoded');
}

test('served viewer: the corpus in every field of anchore-gate.json runs nothing and injects nothing', async () => {
  const page = await browser.context.newPage();
  const seen = watch(page, server.url);
  await page.goto(`${server.url}/js/viewer/?report=/hostile/anchore-gate.json`);
  assert.equal(await settled(page), 'ready');
  await visitEverything(page);
  await assertShownAsText(page);
  await screenshot(page, 'xss-served-findings');
  await page.click('#tab-vulnerabilities');
  const links = await page.$$eval('#panel-vulnerabilities a', (as) => as.map((a) => a.href));
  assert.deepEqual(links, ['https://example.com/%22%3E%3Cimg%20src=x%20onerror=window.__xss=15%3E'], 'only the https URL is a link');
  await screenshot(page, 'xss-served-vulnerabilities');
  await assertNothingInjected(page, seen, { scripts: 1, styles: 0 });
  assert.deepEqual(seen.foreign, []);
  assert.deepEqual(seen.console, []);
  await page.close();
});

test('report.html from file://: the corpus cannot end the data block or run, with the network blocked', async () => {
  const html = await buildReportHtml(report);
  assert.equal(html.match(/<\/script>/g).length, 3, 'no payload closes a script element');
  assert.ok(!html.includes('<script>window.__xss'), 'the data is packed (gzip, base64): none of its text is in the page');
  const packed = /<script type="application\/octet-stream" id="anchore-gate-report">([^<]*)<\/script>/.exec(html);
  assert.ok(packed && /^[A-Za-z0-9+/=]+$/.test(packed[1]), 'the report block holds base64 only');
  const file = path.join(work, 'report.html');
  await writeFile(file, html);
  const { page, url, requests, seen } = await openOffline(browser, file);
  assert.equal(await settled(page), 'ready');
  await visitEverything(page);
  await assertShownAsText(page);
  await assertNothingInjected(page, seen, { scripts: 3, styles: 1 });
  assert.deepEqual(requests, [url]);
  assert.deepEqual(seen.console, []);
  // Unpacked in the page as its start-up does (base64, then gzip through DecompressionStream).
  const data = await page.evaluate(async () => {
    const packed = Uint8Array.from(atob(document.getElementById('anchore-gate-report').textContent.trim()), (c) => c.charCodeAt(0));
    return JSON.parse(await new Response(new Blob([packed]).stream().pipeThrough(new DecompressionStream('gzip'))).text());
  });
  assert.deepEqual(data, report, 'the data round-trips exactly');
  await page.close();
});

test('the Jenkins plugin files, hostile file names and hostile JSON keys', async () => {
  const page = await browser.context.newPage();
  const seen = watch(page, server.url);
  await page.goto(`${server.url}/js/viewer/`);
  await settled(page);
  await page.setInputFiles('#open-files', jenkinsFiles(report));
  assert.equal(await settled(page), 'ready');
  await visitEverything(page);
  await assertShownAsText(page);
  await page.click('#tab-vulnerabilities');
  const urls = await page.$$eval('#panel-vulnerabilities .grid-row:not([hidden]) .grid-td:nth-child(8)', (c) => c.map((x) => [x.textContent, x.querySelector('a')?.href ?? null]));
  // The plugin ≤ 1.0.24 wrapped URLs in <a href> strings: the address is taken out, and linked
  // only when it is http(s).
  assert.ok(urls.some(([text, href]) => text === 'https://example.com/old' && href === 'https://example.com/old'), JSON.stringify(urls));
  assert.ok(urls.some(([text, href]) => text === 'javascript:window.__xss=20' && href === null), JSON.stringify(urls));
  assert.ok(urls.every(([text, href]) => href === null || /^https?:/.test(href)), JSON.stringify(urls));
  await assertNothingInjected(page, seen, { scripts: 1, styles: 0 });

  // A file whose name and keys are payloads: the error message shows them as text.
  const name = '<img src=x onerror=window.__xss=30>.json';
  await page.setInputFiles('#open-files', { name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ [CORPUS[0]]: 1, [CORPUS[4]]: 2 })) });
  await page.waitForFunction(() => !document.querySelector('.error').hidden);
  const error = await page.$eval('.error', (e) => e.textContent);
  assert.ok(error.startsWith(`${name}: not a report file this viewer knows`), error);
  assert.ok(error.includes(CORPUS[0]) && error.includes(CORPUS[4]));
  await screenshot(page, 'xss-jenkins-error');
  await assertNothingInjected(page, seen, { scripts: 1, styles: 0 });
  assert.deepEqual(seen.foreign, []);
  await page.close();
});

test('the corpus reaches the viewer unchanged (the checks above are not vacuous)', async () => {
  // Every finding field and vulnerability field the tables show is a payload.
  for (const image of report.images) {
    const f = image.findings[0];
    const v = image.vulnerabilities[0];
    for (const k of ['trigger_id', 'gate', 'trigger', 'message', 'policy_id', 'recommendation', 'rule_id']) assert.ok(CORPUS.includes(f[k]), k);
    for (const k of ['id', 'package', 'package_type', 'fix', 'url', 'feed_group', 'package_path']) assert.ok(CORPUS.includes(v[k]), k);
  }
  const text = await readFile(new URL('../js/viewer/viewer.js', import.meta.url), 'utf8');
  assert.doesNotMatch(text, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/, 'the viewer never parses HTML or code');
});
