// Phones in headless Chromium (320 and 390 px wide): no sideways scroll on any tab (WCAG 1.4.10),
// rows shown as cards with the action or severity first and in view, and the Gate options
// folding away when a table tab is opened.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { launch, ROOT, screenshot, serve, settled, watch } from './viewer-harness.js';

const run = promisify(execFile);
let server;

before(async () => {
  const work = await mkdtemp(path.join(tmpdir(), 'anchore-gate-viewer-phone-'));
  const dir = path.join(work, 'demo');
  await run(process.execPath, [path.join(ROOT, 'js/cli.js'), 'demo', '--api', 'v2', '--report-dir', dir], { cwd: work });
  const demo = JSON.parse(await readFile(path.join(dir, 'anchore-gate.json'), 'utf8'));
  // A long image name: the image filter's <select> made the page scroll sideways.
  demo.images[0].image = `registry.example.com/${'platform-team/'.repeat(10)}service:v1.2.3`;
  server = await serve(new Map([['/r/demo.json', { body: JSON.stringify(demo) }]]));
});

after(async () => {
  await server?.close();
});

for (const width of [320, 390]) {
  describe(`a phone ${width} px wide`, () => {
    test('no sideways scroll on any tab; cards lead with the action; Gate options fold when a table opens', async () => {
      const browser = await launch({ viewport: { width, height: 740 } });
      try {
        const page = await browser.page();
        const seen = watch(page, server.url);
        await page.goto(`${server.url}/js/viewer/?report=/r/demo.json`);
        assert.equal(await settled(page), 'ready');
        const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        await page.click('.gate-toggle');
        assert.equal(await page.isVisible('#gate-form'), true);
        assert.equal(await sideways(), 0, 'summary with Gate options open');
        for (const [tab, lead] of [['findings', /^(STOP|WARN|GO)$/], ['vulnerabilities', /^(Critical|High|Medium|Low|Negligible|Unknown)$/]]) {
          await page.click(`#tab-${tab}`);
          assert.equal(await page.isVisible('#gate-form'), false, 'Gate options folded');
          assert.equal(await sideways(), 0, tab);
          const card = await page.evaluate((t) => {
            const row = document.querySelector(`#panel-${t} .grid-row[data-pos="0"]`);
            const cells = [...row.querySelectorAll('.grid-td')].filter((c) => getComputedStyle(c).display !== 'none');
            const first = cells.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top || a.getBoundingClientRect().left - b.getBoundingClientRect().left)[0];
            const box = first.getBoundingClientRect();
            const grid = row.closest('[role=grid]');
            return { text: first.textContent, inView: box.left >= 0 && box.right <= innerWidth, gridSideways: grid.scrollWidth - grid.clientWidth, cells: cells.length };
          }, tab);
          assert.match(card.text, lead, `${tab}: the card starts with its badge`);
          assert.equal(card.inView, true);
          assert.equal(card.gridSideways, 0);
          assert.ok(card.cells >= 3 && card.cells <= 5, `a card shows a few fields, not all columns (${card.cells})`);
          await screenshot(page, `viewer-phone-${width}-${tab}`);
        }
        assert.deepEqual(seen.errors, []);
      } finally {
        await browser.close();
      }
    });
  });
}
