// The report viewer in headless Chromium: every input kind (our anchore-gate.json, the Jenkins
// plugin's v1 and v2 files, raw engine bodies v1 and v2; by ?report=URL, file picker, folder
// picker and drag-and-drop) shows the counts of the report it came from; sorting, filters and
// keyboard navigation; errors that name the file; and the report.html the CLI writes, opened
// from file:// with every network request blocked. Screenshots go to tests/artifacts/.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { launch, ROOT, screenshot, serve, settled, shown, watch, openOffline } from './viewer-harness.js';

const run = promisify(execFile);
const SEVERITIES = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'];
const ACTION = { stop: 'STOP', warn: 'WARN', go: 'GO' };

let work;
let demo; // {v1, v2}: report directories written by `anchore-gate demo`
let server;
let browser;

async function demoRun(api) {
  const dir = path.join(work, `demo-${api}`);
  await run(process.execPath, [path.join(ROOT, 'js/cli.js'), 'demo', '--api', api, '--report-dir', dir], { cwd: work });
  const names = await readdir(dir);
  const report = JSON.parse(await readFile(path.join(dir, 'anchore-gate.json'), 'utf8'));
  return { dir, names, report };
}

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'anchore-gate-viewer-'));
  demo = { v1: await demoRun('v1'), v2: await demoRun('v2') };
  const extra = new Map();
  for (const api of ['v1', 'v2']) {
    for (const name of demo[api].names) extra.set(`/reports/${api}/${name}`, { body: await readFile(path.join(demo[api].dir, name)) });
  }
  extra.set('/reports/broken.json', { body: '{"vulnerabilities": "many"}' });
  server = await serve(extra);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function open(url, allowed = server.url) {
  const page = await browser.context.newPage();
  const seen = watch(page, allowed);
  await page.goto(url);
  return { page, seen };
}

function clean(seen) {
  assert.deepEqual(seen.dialogs, [], 'no dialog');
  assert.deepEqual(seen.errors, [], 'no page error');
  assert.deepEqual(seen.console, [], 'no console error or warning (CSP violations are reported there)');
  assert.deepEqual(seen.foreign, [], 'no request to anywhere else');
}

const total = (images, field) => images.reduce((n, i) => n + i[field].length, 0);
/** Installed packages with at least one vulnerability that has a fix: the Fixes view's rows. */
const fixable = (images) => new Set(images.flatMap((i) => i.vulnerabilities.filter((v) => v.fix).map((v) => `${v.package_name} ${v.package_version} ${v.package_type}`))).size;

/** The summary rows the viewer should show for `images`, sorted as it sorts them (result, then list order). */
function expectedSummary(images) {
  const rank = { error: 0, fail: 1, pass: 2 };
  return images
    .map((i, k) => ({ i, k }))
    .sort((a, b) => rank[a.i.status] - rank[b.i.status] || a.k - b.k)
    .map(({ i }) => {
      const v = SEVERITIES.map((s) => i.vulnerability_counts[s] ?? 0);
      return [
        i.image, i.status.toUpperCase(), ACTION[i.final_action] ?? '—', String(i.counts.stop), String(i.counts.warn), String(i.counts.go),
        v.some(Boolean) ? v.map((n, s) => (n ? `${n}${SEVERITIES[s][0]}` : '')).filter(Boolean).join(' ') : '0',
      ];
    });
}

function assertShowsReport(view, report) {
  const { images } = report;
  assert.equal(view.state, 'ready', view.error);
  assert.deepEqual(view.tabs, [`Summary (${images.length})`, `Policy findings (${total(images, 'findings')})`, `Vulnerabilities (${total(images, 'vulnerabilities')})`, `Fixes (${fixable(images)})`]);
  assert.equal(view.verdict, report.verdict.toUpperCase());
  assert.deepEqual(view.summary.map((r) => r.slice(0, 7)), expectedSummary(images));
  assert.equal(view.counts.findings.total, total(images, 'findings'));
  assert.equal(view.counts.vulnerabilities.total, total(images, 'vulnerabilities'));
  for (const k of ['stop', 'warn', 'go', 'allowlisted']) assert.equal(view.tiles[k], report.totals[k], k);
  assert.equal(view.tiles.images, images.length);
}

/** What the Jenkins plugin's files and raw bodies can hold of a run: the images that were evaluated. */
function perImage(images) {
  return images
    .map((i) => [i.evaluated_tag ?? i.image, i.final_action, i.findings.length, i.vulnerabilities.length, JSON.stringify(i.counts)])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

describe('the served viewer', () => {
  for (const api of ['v1', 'v2']) {
    test(`anchore-gate.json (${api}) by ?report=URL: the counts of the report`, async () => {
      const { page, seen } = await open(`${server.url}/js/viewer/?report=/reports/${api}/anchore-gate.json`);
      assert.equal(await settled(page), 'ready');
      assertShowsReport(await shown(page), demo[api].report);
      await screenshot(page, `viewer-summary-${api}`);
      clean(seen);
      await page.close();
    });
  }

  for (const api of ['v1', 'v2']) {
    test(`the Jenkins plugin's anchore_gates.json + anchore_security.json (${api}) by the file picker`, async () => {
      const { page, seen } = await open(`${server.url}/js/viewer/`);
      assert.equal(await settled(page), 'empty');
      await page.setInputFiles('#open-files', ['anchore_gates.json', 'anchore_security.json'].map((n) => path.join(demo[api].dir, n)));
      assert.equal(await settled(page), 'ready');
      const report = demo[api].report;
      const evaluated = report.images.filter((i) => i.final_action);
      const view = await shown(page);
      assert.equal(view.error, null);
      const imported = await page.evaluate(() => window.anchoreGateViewer.current.report.images);
      // The plugin's security file has no package name and version apart: the fixes are as read.
      assert.deepEqual(view.tabs, [`Summary (${evaluated.length})`, `Policy findings (${total(evaluated, 'findings')})`, `Vulnerabilities (${total(evaluated, 'vulnerabilities')})`, `Fixes (${fixable(imported)})`]);
      assert.deepEqual(perImage(imported), perImage(evaluated));
      await page.click('#tab-findings');
      await screenshot(page, `viewer-jenkins-${api}-findings`);
      clean(seen);
      await page.close();
    });
  }

  for (const api of ['v1', 'v2']) {
    test(`raw engine bodies (${api}) by the folder picker: the whole report folder, anchore-gate.json wins`, async () => {
      const { page, seen } = await open(`${server.url}/js/viewer/`);
      await settled(page);
      await page.setInputFiles('#open-folder', demo[api].dir);
      assert.equal(await settled(page), 'ready');
      assertShowsReport(await shown(page), demo[api].report);
      const sources = await page.evaluate(() => window.anchoreGateViewer.current.sources);
      assert.deepEqual(sources.filter((s) => s.used).map((s) => path.basename(s.name)), ['anchore-gate.json']);
      assert.ok(sources.some((s) => s.format === (api === 'v1' ? 'jenkins_gates_v1' : 'jenkins_gates_v2') && !s.used));
      assert.ok(sources.some((s) => s.name.endsWith('report.html') && s.format === null), 'report.html is skipped');
      clean(seen);
      await page.close();
    });

    test(`raw engine bodies (${api}) by drag and drop`, async () => {
      const { page, seen } = await open(`${server.url}/js/viewer/`);
      await settled(page);
      const raw = demo[api].names.filter((n) => n.startsWith('anchoreengine-api-response-'));
      const files = await Promise.all(raw.map(async (name) => ({ name, text: await readFile(path.join(demo[api].dir, name), 'utf8') })));
      await page.evaluate((list) => {
        const dt = new DataTransfer();
        for (const f of list) dt.items.add(new File([f.text], f.name, { type: 'application/json' }));
        document.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
        document.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      }, files);
      assert.equal(await settled(page), 'ready');
      const evaluated = demo[api].report.images.filter((i) => i.final_action);
      const imported = await page.evaluate(() => window.anchoreGateViewer.current.report.images);
      assert.deepEqual(perImage(imported), perImage(evaluated));
      const view = await shown(page);
      assert.equal(view.counts.findings.total, total(evaluated, 'findings'));
      assert.equal(view.counts.vulnerabilities.total, total(evaluated, 'vulnerabilities'));
      clean(seen);
      await page.close();
    });
  }

  test('a file that is not a report: the error names the file and what was found', async () => {
    const { page, seen } = await open(`${server.url}/js/viewer/?report=/reports/broken.json`);
    assert.equal(await settled(page), 'error');
    const view = await shown(page);
    assert.match(view.error, /^broken\.json: not a valid engine vulnerability listing: invalid type: string "many", expected a sequence/);
    await page.setInputFiles('#open-files', { name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": "world"}') });
    await page.waitForFunction(() => document.querySelector('.error').textContent.startsWith('notes.json'));
    assert.match((await shown(page)).error, /^notes\.json: not a report file this viewer knows: .* found an object with the keys `hello`$/);
    await screenshot(page, 'viewer-error');
    assert.deepEqual(seen.dialogs, []);
    assert.deepEqual(seen.errors, []);
    await page.close();
  });

  test('sort by any column, severity in its own order, filters by image, action, severity and text', async () => {
    const { page, seen } = await open(`${server.url}/js/viewer/?report=/reports/v1/anchore-gate.json`);
    await settled(page);
    const report = demo.v1.report;
    const findings = report.images.flatMap((i) => i.findings.map((f) => ({ ...f, image: i.image })));
    const vulns = report.images.flatMap((i) => i.vulnerabilities.map((v) => ({ ...v, image: i.image })));

    // Findings: sorted by action (STOP, WARN, GO) at first; the header toggles the direction.
    await page.click('#tab-findings');
    let view = await shown(page);
    const actions = view.findings.map((r) => r[6]);
    assert.deepEqual(actions, [...actions].sort((a, b) => ['STOP', 'WARN', 'GO'].indexOf(a) - ['STOP', 'WARN', 'GO'].indexOf(b)));
    assert.equal(actions[0], 'STOP');
    await page.click('#panel-findings .grid-th:nth-child(7) button');
    view = await shown(page);
    assert.equal(view.findings[0][6], 'GO', 'descending: GO first');
    assert.equal(await page.getAttribute('#panel-findings .grid-th:nth-child(7)', 'aria-sort'), 'descending');
    // Any column: Trigger ID, numeric-aware.
    await page.click('#panel-findings .grid-th:nth-child(3) button');
    view = await shown(page);
    const ids = view.findings.map((r) => r[2]);
    const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
    assert.deepEqual(ids, [...findings.map((f) => f.trigger_id)].sort(collator.compare));

    // Filters.
    await page.selectOption('#findings-action', 'warn');
    view = await shown(page);
    assert.equal(view.counts.findings.shown, findings.filter((f) => f.action === 'warn').length);
    assert.ok(view.findings.every((r) => r[6] === 'WARN'));
    const maven = report.images.findIndex((i) => i.image.startsWith('gcr.io/jenkinsxio'));
    await page.selectOption('#findings-image', String(maven));
    view = await shown(page);
    assert.equal(view.counts.findings.shown, report.images[maven].findings.filter((f) => f.action === 'warn').length);
    await page.selectOption('#findings-action', '');
    await page.selectOption('#findings-image', '-1');
    await page.fill('#findings-search', 'dockerfile directive');
    await page.press('#findings-search', 'Enter');
    view = await shown(page);
    const dockerfile = findings.filter((f) => f.message.toLowerCase().includes('dockerfile directive'));
    assert.ok(dockerfile.length > 0);
    assert.equal(view.counts.findings.shown, dockerfile.length);
    assert.equal(view.counts.findings.text, `${dockerfile.length} of ${findings.length} findings`);

    // Vulnerabilities: Critical > High > Medium > Low > Negligible > Unknown, not alphabetical.
    await page.click('#tab-vulnerabilities');
    view = await shown(page);
    const order = view.vulnerabilities.map((r) => SEVERITIES.indexOf(r[2]));
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
    assert.deepEqual(view.vulnerabilities.map((r) => r[2]), vulns.map((v) => v.severity).sort((a, b) => SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b)));
    await page.click('#panel-vulnerabilities .grid-th:nth-child(3) button');
    view = await shown(page);
    assert.equal(view.vulnerabilities[0][2], vulns.map((v) => v.severity).sort((a, b) => SEVERITIES.indexOf(b) - SEVERITIES.indexOf(a))[0]);
    await page.selectOption('#vulnerabilities-severity', '>=High');
    view = await shown(page);
    assert.equal(view.counts.vulnerabilities.shown, vulns.filter((v) => ['Critical', 'High'].includes(v.severity)).length);
    await page.selectOption('#vulnerabilities-severity', 'Medium');
    view = await shown(page);
    assert.equal(view.counts.vulnerabilities.shown, vulns.filter((v) => v.severity === 'Medium').length);
    assert.ok(view.vulnerabilities.every((r) => r[2] === 'Medium'));
    await page.fill('#vulnerabilities-search', 'LIBGNUTLS');
    await page.press('#vulnerabilities-search', 'Enter');
    view = await shown(page);
    assert.equal(view.counts.vulnerabilities.shown, vulns.filter((v) => v.severity === 'Medium' && v.package.includes('libgnutls')).length);
    await page.fill('#vulnerabilities-search', 'no such thing anywhere');
    await page.press('#vulnerabilities-search', 'Enter');
    assert.equal((await shown(page)).counts.vulnerabilities.shown, 0);
    assert.equal(await page.isVisible('#panel-vulnerabilities .grid-empty'), true);
    // Links: only http(s), opened without opener or referrer.
    await page.selectOption('#vulnerabilities-severity', '');
    await page.fill('#vulnerabilities-search', '');
    await page.press('#vulnerabilities-search', 'Enter');
    const links = await page.$$eval('#panel-vulnerabilities a', (as) => as.map((a) => [a.protocol, a.rel, a.target]));
    assert.ok(links.length > 0);
    assert.ok(links.every(([p, rel]) => ['http:', 'https:'].includes(p) && rel === 'noopener noreferrer'), JSON.stringify(links));
    await screenshot(page, 'viewer-vulnerabilities-sorted');
    clean(seen);
    await page.close();
  });

  test('keyboard: tabs with arrow keys, rows with arrows/Home/End, "/" to search, details follow', async () => {
    const { page, seen } = await open(`${server.url}/js/viewer/?report=/reports/v2/anchore-gate.json`);
    await settled(page);
    const vulns = demo.v2.report.images.flatMap((i) => i.vulnerabilities);
    await page.focus('#tab-summary');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getAttribute('#tab-findings', 'aria-selected'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-findings');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getAttribute('#tab-vulnerabilities', 'aria-selected'), 'true');
    assert.equal(await page.isHidden('#panel-findings'), true);
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getAttribute('#tab-fixes', 'aria-selected'), 'true');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getAttribute('#tab-summary', 'aria-selected'), 'true', 'wraps around');
    await page.keyboard.press('End');
    assert.equal(await page.getAttribute('#tab-fixes', 'aria-selected'), 'true');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await page.getAttribute('#tab-vulnerabilities', 'aria-selected'), 'true');

    const grid = '#panel-vulnerabilities [role=grid]';
    await page.focus(grid);
    const active = () => page.evaluate((g) => {
      const el = document.querySelector(g);
      const row = document.getElementById(el.getAttribute('aria-activedescendant'))?.closest('[role=row]');
      return { index: Number(row?.getAttribute('aria-rowindex')), id: row?.querySelectorAll('.grid-td')[1].textContent };
    }, grid);
    assert.equal((await active()).index, 2, 'the first row (after the header row)');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal((await active()).index, 4);
    await page.keyboard.press('End');
    const last = await active();
    assert.equal(last.index, vulns.length + 1);
    const details = await page.$$eval('#panel-vulnerabilities .details dd', (dd) => dd.map((d) => d.textContent));
    assert.equal(details[1], last.id, 'the details panel shows the active row');
    await page.keyboard.press('Home');
    assert.equal((await active()).index, 2);
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'vulnerabilities-search');
    await page.keyboard.type('CVE-2019');
    await page.keyboard.press('Enter');
    assert.equal((await shown(page)).counts.vulnerabilities.shown, vulns.filter((v) => v.id.includes('CVE-2019')).length);
    // Sort with the keyboard: in the grid, Up from the first row reaches the header, Right moves to
    // the second column, Enter sorts by it.
    await page.focus(grid);
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate((g) => document.querySelector(g).getAttribute('aria-activedescendant'), grid), await page.getAttribute('#panel-vulnerabilities .grid-th:nth-child(2)', 'id'));
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute('#panel-vulnerabilities .grid-th:nth-child(2)', 'aria-sort'), 'ascending');
    await screenshot(page, 'viewer-keyboard');
    clean(seen);
    await page.close();
  });

  test('dark theme follows the system', async () => {
    const { page, seen } = await open(`${server.url}/js/viewer/?report=/reports/v1/anchore-gate.json`);
    await settled(page);
    const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(light, dark);
    assert.equal(light, 'rgb(255, 255, 255)');
    await screenshot(page, 'viewer-summary-dark');
    clean(seen);
    await page.close();
  });
});

describe('report.html written by the CLI', () => {
  for (const api of ['v1', 'v2']) {
    test(`opens from file:// with the network blocked and shows the report (${api})`, async () => {
      const file = path.join(demo[api].dir, 'report.html');
      const html = await readFile(file, 'utf8');
      const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
      assert.match(csp, /^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+' 'wasm-unsafe-eval'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src data:;/);
      assert.doesNotMatch(csp, /unsafe-inline|https?:|\*/);
      const { page, url, requests, seen } = await openOffline(browser, file);
      assert.equal(await settled(page), 'ready');
      assertShowsReport(await shown(page), demo[api].report);
      assert.deepEqual(requests, [url], 'nothing but the file itself was requested');
      assert.deepEqual(seen.console, []);
      assert.deepEqual(seen.errors, []);
      assert.equal(await page.evaluate(() => document.querySelectorAll('script').length), 3);
      await page.click('#tab-findings');
      await screenshot(page, `report-html-${api}-findings`);
      await page.close();
    });
  }
});
