// Keyboard and screen readers in headless Chromium: axe-core (WCAG 2 A/AA + best practice, the
// npm package pinned in package.json) finds no serious or critical violation on any tab in
// either theme; the grid is one Tab stop, keeps focus while its rows are recycled, moves between
// cells with Left/Right and names the active cell (and so its column) through
// aria-activedescendant; Enter opens the active cell's link.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { launch, ROOT, serve, settled, watch } from './viewer-harness.js';

const run = promisify(execFile);
const AXE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

let server;
let demo;

before(async () => {
  const work = await mkdtemp(path.join(tmpdir(), 'anchore-gate-viewer-a11y-'));
  const dir = path.join(work, 'demo');
  await run(process.execPath, [path.join(ROOT, 'js/cli.js'), 'demo', '--api', 'v2', '--report-dir', dir], { cwd: work });
  demo = JSON.parse(await readFile(path.join(dir, 'anchore-gate.json'), 'utf8'));
  // 1,000 vulnerabilities in one image, each with a link.
  const base = demo.images[1].vulnerabilities[0];
  const many = structuredClone(demo);
  many.images[1].vulnerabilities = Array.from({ length: 1000 }, (_, i) => ({ ...base, id: `CVE-2024-${10000 + i}`, url: `https://nvd.example/CVE-2024-${10000 + i}` }));
  server = await serve(new Map([
    ['/r/demo.json', { body: JSON.stringify(demo) }],
    ['/r/many.json', { body: JSON.stringify(many) }],
  ]));
});

after(async () => {
  await server?.close();
});

/** Serious and critical axe violations on the page as it is now: [{id, impact, targets}]. */
async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const result = await page.evaluate((values) => window.axe.run(document, { runOnly: { type: 'tag', values } }), TAGS);
  assert.ok(result.passes.length > 20, 'axe ran its rules');
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
}

describe('axe-core', () => {
  for (const colorScheme of ['light', 'dark']) {
    test(`no serious or critical violation on any tab (${colorScheme})`, async () => {
      const browser = await launch({ colorScheme });
      try {
        const page = await browser.page();
        await page.goto(`${server.url}/js/viewer/?report=/r/demo.json`);
        assert.equal(await settled(page), 'ready');
        await page.click('.gate-toggle');
        assert.deepEqual(await axe(page), [], 'summary, gate options open');
        const tabs = await page.$$eval('[role=tab]', (ts) => ts.map((t) => t.id));
        assert.ok(tabs.length >= 3, tabs);
        for (const tab of tabs) {
          await page.click(`#${tab}`);
          assert.deepEqual(await axe(page), [], tab);
        }
        // axe is not vacuous: a grey-on-white label is reported.
        await page.evaluate(() => {
          const p = document.createElement('p');
          p.textContent = 'hard to read';
          p.style.color = '#c8c8c8';
          p.style.background = '#ffffff';
          document.querySelector('.top').append(p);
        });
        assert.deepEqual((await axe(page)).map((v) => v.id), ['color-contrast']);
      } finally {
        await browser.close();
      }
    });
  }
});

describe('the grid from the keyboard', () => {
  test('Tab passes a 1,000-row grid in one stop; focus stays on it through re-renders; Left/Right cells; Enter opens the link', async () => {
    const browser = await launch();
    try {
      const page = await browser.page();
      const seen = watch(page, server.url);
      await browser.context.route('https://nvd.example/**', (r) => r.fulfill({ status: 200, body: 'nvd' }));
      await page.goto(`${server.url}/js/viewer/?report=/r/many.json`);
      assert.equal(await settled(page), 'ready');
      await page.click('#tab-vulnerabilities');
      const focused = () => page.evaluate(() => {
        const a = document.activeElement;
        return a === document.body ? 'body' : a.getAttribute('role') ?? a.id ?? a.className;
      });
      await page.focus('#vulnerabilities-search');
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'grid');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.className), 'details-box', 'one Tab stop: the next is the details panel');
      await page.keyboard.press('Shift+Tab');
      assert.equal(await focused(), 'grid');

      // Walk far down: rows are recycled, focus never drops to <body>.
      let losses = 0;
      for (let i = 0; i < 30; i += 1) {
        await page.keyboard.press(i % 3 ? 'ArrowDown' : 'PageDown');
        await page.evaluate(() => new Promise(requestAnimationFrame));
        if ((await focused()) !== 'grid') losses += 1;
      }
      assert.equal(losses, 0);
      // A link clicked with the mouse hands focus back to the grid; scrolling keeps it there.
      const popup = browser.context.waitForEvent('page');
      await page.click('#panel-vulnerabilities .grid-row.active a');
      await (await popup).close();
      await page.keyboard.press('End');
      await page.evaluate(() => new Promise(requestAnimationFrame));
      assert.equal(await focused(), 'grid');
      assert.equal(await page.evaluate(() => document.querySelectorAll('#panel-vulnerabilities .grid-row a[tabindex="0"], #panel-vulnerabilities .grid-row a:not([tabindex])').length), 0, 'no link is a Tab stop');

      // Left/Right: the active cell, named by aria-activedescendant, with its column.
      const cell = () => page.evaluate(() => {
        const grid = document.querySelector('#panel-vulnerabilities [role=grid]');
        const c = document.getElementById(grid.getAttribute('aria-activedescendant'));
        const col = c.getAttribute('aria-colindex');
        return { role: c.getAttribute('role'), col: Number(col), header: grid.querySelector(`[role=columnheader][aria-colindex="${col}"]`).textContent, text: c.textContent };
      });
      // The link clicked made its cell the active one.
      assert.deepEqual(await cell(), { role: 'gridcell', col: 8, header: 'Link', text: 'https://nvd.example/CVE-2024-10999' });
      for (let i = 0; i < 5; i += 1) await page.keyboard.press('ArrowLeft');
      assert.equal((await cell()).header, 'Severity');
      await page.keyboard.press('ArrowLeft');
      const { header, text: id } = await cell();
      assert.equal(header, 'Vulnerability');
      for (let i = 0; i < 20; i += 1) await page.keyboard.press('ArrowLeft');
      assert.equal((await cell()).header, 'Image', 'stops at the first column');
      // Back to the Link column; Enter opens the row's link.
      for (let i = 0; i < 7; i += 1) await page.keyboard.press('ArrowRight');
      assert.equal((await cell()).header, 'Link');
      const opened = browser.context.waitForEvent('page');
      await page.keyboard.press('Enter');
      const tab = await opened;
      await tab.waitForLoadState();
      assert.equal(tab.url(), `https://nvd.example/${id}`);
      await tab.close();
      assert.deepEqual(seen.errors, []);
    } finally {
      await browser.close();
    }
  });
});
