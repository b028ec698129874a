// "What do I fix first?" in headless Chromium, on the demo report: vulnerabilities sorted by
// severity, then those with a fix first; the "Fixable only" filter; the Fixes view, one row per
// installed package with the upgrade that fixes its vulnerabilities ("upgrade X to Y fixes N:
// 1 H"), most severe first, filterable by image; the summary's Why names gates and triggers.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { launch, ROOT, serve, settled, shown, watch } from './viewer-harness.js';

const run = promisify(execFile);
let server;
let browser;

before(async () => {
  const work = await mkdtemp(path.join(tmpdir(), 'anchore-gate-viewer-fixes-'));
  const dir = path.join(work, 'demo');
  await run(process.execPath, [path.join(ROOT, 'js/cli.js'), 'demo', '--api', 'v2', '--report-dir', dir], { cwd: work });
  server = await serve(new Map([['/r/demo.json', { body: await readFile(path.join(dir, 'anchore-gate.json')) }]]));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function open() {
  const page = await browser.context.newPage();
  const seen = watch(page, server.url);
  await page.goto(`${server.url}/js/viewer/?report=/r/demo.json`);
  assert.equal(await settled(page), 'ready');
  return { page, seen };
}

const rows = (page, panel) => page.evaluate((p) => [...document.querySelectorAll(`#panel-${p} .grid-row:not([hidden])`)]
  .sort((a, b) => Number(a.dataset.pos) - Number(b.dataset.pos))
  .map((r) => [...r.querySelectorAll('.grid-td')].map((c) => c.textContent)), panel);

describe('fix first', () => {
  test('vulnerabilities: severity, then fixable, by default; "Fixable only" keeps the five with a fix', async () => {
    const { page, seen } = await open();
    await page.click('#tab-vulnerabilities');
    const all = await rows(page, 'vulnerabilities');
    // [severity, id, fix] in the demo: Critical ×2, High ×3, then the Mediums with a fix first.
    const got = all.map((r) => [r[2], r[1], r[5]]);
    assert.deepEqual(got.slice(0, 3).map((r) => r[0]), ['Critical', 'Critical', 'High']);
    assert.deepEqual(got[2], ['High', 'RHSA-2019:4326', 'fix: 1.0.2-1.el7_7.1'], 'the High with a fix before the two without');
    const mediums = got.filter((r) => r[0] === 'Medium');
    assert.deepEqual(mediums.map((r) => r[2] !== 'None'), [true, true, true, false, false, false, false]);
    await page.check('#vulnerabilities-fixable');
    const fixable = await rows(page, 'vulnerabilities');
    assert.deepEqual(fixable.map((r) => r[1]).sort(), ['CVE-2019-1543', 'CVE-2019-1543', 'CVE-2019-3842', 'CVE-2019-5953', 'RHSA-2019:4326']);
    assert.equal((await shown(page)).counts.vulnerabilities.shown, 5);
    await page.selectOption('#vulnerabilities-severity', 'Medium');
    assert.equal((await rows(page, 'vulnerabilities')).length, 3, 'Medium and fixable');
    assert.deepEqual(seen.errors, []);
    await page.close();
  });

  test('the Fixes view: upgrade X to Y fixes N, most severe first, filtered by image', async () => {
    const { page, seen } = await open();
    assert.equal(await page.textContent('#tab-fixes'), 'Fixes (5)');
    await page.click('#tab-fixes');
    const fixes = (await rows(page, 'fixes')).map((r) => r[1]);
    assert.deepEqual(fixes, [
      'upgrade fribidi to 1.0.2-1.el7_7.1 fixes 1: 1 H',
      'upgrade libcrypto1.1 to 1.1.1b-r1 fixes 1: 1 M',
      'upgrade libssl1.1 to 1.1.1b-r1 fixes 1: 1 M',
      'upgrade libudev1 to 232-25+deb9u11 fixes 1: 1 M',
      'upgrade wget to 1.18-5+deb9u3 fixes 1: 1 U',
    ]);
    await page.selectOption('#fixes-image', { label: 'docker.io/alpine:3.9' });
    assert.deepEqual((await rows(page, 'fixes')).map((r) => r[1].split(' ')[1]), ['libcrypto1.1', 'libssl1.1']);
    assert.deepEqual(seen.errors, []);
    await page.close();
  });

  test('the summary says which gates and triggers stopped an image, with a count and an example', async () => {
    const { page } = await open();
    const why = Object.fromEntries((await shown(page)).summary.map((r) => [r[0], r.at(-1)]));
    assert.match(why['gcr.io/jenkinsxio/builder-maven:latest'], /^STOP vulnerabilities \/ package ×5, e\.g\. (HIGH|CRITICAL) Vulnerability found .*; WARN vulnerabilities \/ package ×2, e\.g\. MEDIUM /);
    // The whole text (the cell shows 400 characters) is in the details panel, one reason a line.
    await page.click('#panel-summary .grid-row:has-text("builder-maven")');
    const reasons = await page.evaluate(() => {
      const dt = [...document.querySelectorAll('#panel-summary .details dt')].find((d) => d.textContent === 'Top reasons');
      return dt.nextElementSibling.textContent.split('\n').map((l) => l.split(', e.g.')[0]);
    });
    assert.deepEqual(reasons, ['STOP vulnerabilities / package ×5', 'WARN vulnerabilities / package ×2', 'WARN dockerfile / instruction ×1']);
    await page.close();
  });
});
