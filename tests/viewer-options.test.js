// The viewer's "Gate options" panel in headless Chromium: changing the options decides the loaded
// report again with the WASM core (decide / parseAllowlist) and the page shows the new verdict,
// exit code, per-image status and reasons; an allowlist pasted in covers vulnerabilities (marked
// and filterable) and its expired entries are listed; a malformed allowlist shows the core's
// error naming the entry; report.html from file:// does the same offline.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { decide } from '../js/core.js';
import { buildReportHtml } from '../js/report-html.js';
import { launch, ROOT, serve, settled, shown, watch, openOffline } from './viewer-harness.js';

const run = promisify(execFile);

let work;
let report; // the demo's report without its STOP and error images: passes as the CI run decided it
let server;
let browser;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'anchore-gate-viewer-options-'));
  const dir = path.join(work, 'demo');
  await run(process.execPath, [path.join(ROOT, 'js/cli.js'), 'demo', '--api', 'v2', '--report-dir', dir], { cwd: work });
  const demo = JSON.parse(await readFile(path.join(dir, 'anchore-gate.json'), 'utf8'));
  report = { ...demo, images: demo.images.filter((i) => i.status === 'pass'), verdict: 'pass', exit_code: 0, error: null };
  assert.ok(report.images.some((i) => i.image === 'docker.io/library/debian:9'), 'the demo has debian:9');
  // The same report as decided in CI with an allowlist covering debian's Medium and a Medium threshold.
  const rules = [{ vulnerability: 'CVE-2011-3389', reason: 'BEAST needs TLS 1.0 in a browser' }];
  const allowlisted = decide(JSON.stringify(report), { fail_on_stop: true, fail_on_error: true, fail_on_severity: 'Medium', allowlist: rules, allowlist_source: 'ci-allow.yaml' }, Date.now());
  server = await serve(new Map([
    ['/reports/gate.json', { body: JSON.stringify(report) }],
    ['/reports/allowlisted.json', { body: JSON.stringify(allowlisted) }],
  ]));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function open(name = 'gate.json') {
  const page = await browser.context.newPage();
  const seen = watch(page, server.url);
  await page.goto(`${server.url}/js/viewer/?report=/reports/${name}`);
  assert.equal(await settled(page), 'ready');
  await page.click('.gate-toggle');
  return { page, seen };
}

/** The summary table as {image: [result, details]}. */
async function statuses(page) {
  const s = await shown(page);
  return Object.fromEntries(s.summary.map((row) => [row[0], [row[1], row[row.length - 1]]]));
}

const text = (page, selector) => page.evaluate((s) => document.querySelector(s)?.textContent ?? null, selector);

describe('gate options in the viewer', () => {
  test('the CI run\'s allowlist is filled in and kept when deciding again', async () => {
    const { page } = await open('allowlisted.json');
    const pasted = JSON.parse(await page.inputValue('#gate-allowlist-text'));
    assert.deepEqual(pasted.entries.map((e) => e.vulnerability), ['CVE-2011-3389']);
    assert.equal(await page.isVisible('.gate-note'), false, 'no "load the same file" note: the entries are here');
    const before = await statuses(page);
    assert.equal(before['docker.io/library/debian:9'][0], 'PASS', 'covered in CI');
    // Deciding again with the same allowlist and another threshold keeps debian covered.
    await page.selectOption('#gate-severity', 'Low');
    const after = await statuses(page);
    assert.doesNotMatch(after['docker.io/library/debian:9'][1] ?? '', /CVE-2011-3389/);
    await page.click('text=Remove allowlist');
    assert.match((await statuses(page))['docker.io/library/debian:9'][1], /CVE-2011-3389/);
    await page.close();
  });

  test('changing the threshold decides again: verdict, exit code and per-image status change', async () => {
    const { page, seen } = await open();
    assert.equal((await shown(page)).verdict, 'PASS');
    assert.equal(await page.inputValue('#gate-severity'), '', 'starts from the CI run\'s options');
    assert.equal(await page.isDisabled('#gate-only-fixed'), true, 'only-fixed needs a threshold');
    assert.equal(await page.isVisible('.decided-here'), false);

    await page.selectOption('#gate-severity', 'Critical');
    assert.equal((await shown(page)).verdict, 'PASS', 'no Critical vulnerability in these images');
    assert.match(await text(page, '.decided-here'), /other options than the CI run: exit 0, as in the CI run/);

    await page.selectOption('#gate-severity', 'Medium');
    assert.equal((await shown(page)).verdict, 'FAIL');
    assert.match(await text(page, '.decided-here'), /other options than the CI run: exit 1 instead of 0/);
    assert.match(await text(page, '.gate-result'), /Decided here: Build fails \(exit 1\) \(the CI run: Build passes \(exit 0\)\)/);
    assert.match((await shown(page)).headline, /^Build fails \(exit 1\): 3 images fail the gate — docker.io\/library\/debian:9, /);
    const st = await statuses(page);
    assert.equal(st['docker.io/library/debian:9'][0], 'FAIL');
    assert.match(st['docker.io/library/debian:9'][1], /^\d+ vulnerabilit(y|ies) at or above Medium, worst CVE-/);
    assert.equal(await page.evaluate(() => window.anchoreGateViewer.current.report.exit_code), 1);

    // Only fixed: debian's Medium has no fix, alpine's has one.
    await page.check('#gate-only-fixed');
    const fixed = await statuses(page);
    assert.equal(fixed['docker.io/library/debian:9'][0], 'PASS');
    assert.equal(fixed['docker.io/alpine:3.9'][0], 'FAIL');

    // Keyboard: focus the select and pick "none" again.
    await page.focus('#gate-severity');
    await page.selectOption('#gate-severity', '');
    assert.equal((await shown(page)).verdict, 'PASS');
    assert.equal(await page.isDisabled('#gate-only-fixed'), true);

    await page.click('.gate-reset');
    assert.equal(await page.isVisible('.decided-here'), false, 'back to the CI run\'s decision');
    assert.deepEqual(seen.errors, []);
    assert.deepEqual(seen.foreign, []);
    await page.close();
  });

  test('an allowlist pasted in covers vulnerabilities, marks them, lists expired entries', async () => {
    const { page, seen } = await open();
    await page.selectOption('#gate-severity', 'Medium');
    assert.equal((await statuses(page))['docker.io/library/debian:9'][0], 'FAIL');
    await page.fill('#gate-allowlist-text', JSON.stringify({
      entries: [
        { vulnerability: 'CVE-2011-3389', reason: 'no TLS served' },
        { vulnerability: 'CVE-2019-3842', reason: 'accepted last year', expires: '2020-01-01' },
      ],
    }));
    await page.click('text=Apply allowlist');
    const st = await statuses(page);
    assert.equal(st['docker.io/library/debian:9'][0], 'PASS', 'its only Medium is allowlisted');
    assert.equal(st['docker.io/library/nginx:1.15'][0], 'FAIL', 'the expired entry no longer applies');
    assert.match(await text(page, '.gate-expired'), /entry 2 \(.*CVE-2019-3842.*\) expired 2020-01-01 — accepted last year/);
    assert.match(await text(page, '.gate-toggle'), /allowlist of 2 entries/);

    await page.click('#tab-vulnerabilities');
    await page.selectOption('#vulnerabilities-severity', 'allowlisted');
    const v = (await shown(page)).vulnerabilities;
    assert.ok(v.length >= 2);
    for (const row of v) {
      assert.equal(row[1], 'CVE-2011-3389');
      assert.equal(row[8], 'yes: entry 1 (no TLS served)');
    }
    assert.deepEqual(seen.errors, []);
    await page.close();
  });

  test('a malformed allowlist shows the core\'s error naming the entry and changes nothing', async () => {
    const { page, seen } = await open();
    await page.selectOption('#gate-severity', 'Medium');
    await page.fill('#gate-allowlist-text', '[{"vulnerability": "CVE-2011-3389", "reason": "ok"}, {"vulnerabilty": "CVE-1", "reason": "typo"}]');
    await page.click('text=Apply allowlist');
    assert.equal(await page.isVisible('.gate-error'), true);
    assert.match(await text(page, '.gate-error'), /pasted allowlist: entry 2: unknown field `vulnerabilty`/);
    assert.equal((await statuses(page))['docker.io/library/debian:9'][0], 'FAIL', 'not applied');
    assert.deepEqual(seen.errors, []);
    await page.close();
  });
});

describe('report.html', () => {
  test('from file://, network blocked: the threshold changes the verdict', async () => {
    const file = path.join(work, 'report.html');
    await writeFile(file, await buildReportHtml(report));
    const { page, url, requests, seen } = await openOffline(browser, file);
    assert.equal(await settled(page), 'ready');
    assert.equal((await shown(page)).verdict, 'PASS');
    await page.click('.gate-toggle');
    await page.selectOption('#gate-severity', 'Medium');
    assert.equal((await shown(page)).verdict, 'FAIL');
    assert.equal((await statuses(page))['docker.io/library/debian:9'][0], 'FAIL');
    assert.deepEqual(requests, [url]);
    assert.deepEqual(seen.console, []);
    assert.deepEqual(seen.errors, []);
    await page.close();
  });
});
