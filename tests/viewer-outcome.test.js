// What the viewer says first, in headless Chromium: the headline is the build's outcome in words
// and matches the exit code (pass, fail, error, and after deciding again in Gate options), the
// badge, tiles and Result cells follow it; and the smaller things users tripped over: images
// without a policy evaluation, counts in words and with separators, long image names keeping
// their tag, a bad file after a good one, an empty table after a failed run, the details panel.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { decide } from '../js/core.js';
import { launch, ROOT, serve, settled, shown, watch } from './viewer-harness.js';

const run = promisify(execFile);
const STOP_IMAGE = 'gcr.io/jenkinsxio/builder-maven:latest';
const BROKEN_IMAGE = 'registry.example.com:5000/team/broken:1.0';
const LONG = `registry.example.com/${'platform-team/'.repeat(12)}service:v1.2.3-release`;

let dir;
let server;
let browser;

before(async () => {
  const work = await mkdtemp(path.join(tmpdir(), 'anchore-gate-viewer-outcome-'));
  dir = path.join(work, 'demo');
  await run(process.execPath, [path.join(ROOT, 'js/cli.js'), 'demo', '--api', 'v2', '--report-dir', dir], { cwd: work });
  const demo = JSON.parse(await readFile(path.join(dir, 'anchore-gate.json'), 'utf8'));
  const noError = { ...demo, images: demo.images.filter((i) => i.image !== BROKEN_IMAGE) };
  const options = (o) => ({ fail_on_stop: true, fail_on_error: true, fail_on_warn: false, fail_on_severity: null, only_fixed: false, ...o });
  const fails = decide(JSON.stringify(noError), options({}), Date.now());
  const passes = decide(JSON.stringify(noError), options({ fail_on_stop: false }), Date.now());
  assert.deepEqual([demo.exit_code, fails.exit_code, passes.exit_code], [2, 1, 0], 'the three reports cover the three exit codes');
  const refused = { ...demo, images: [], verdict: 'error', exit_code: 2, error: { kind: 'unauthorized', message: 'the engine refused the credentials (401)' } };
  const big = { ...demo, totals: { ...demo.totals, go: 24679 } };
  big.images = demo.images.map((i) => (i.image === 'docker.io/alpine:3.9' ? { ...i, image: LONG } : i));
  server = await serve(new Map([
    ['/r/demo.json', { body: JSON.stringify(demo) }],
    ['/r/fails.json', { body: JSON.stringify(fails) }],
    ['/r/passes.json', { body: JSON.stringify(passes) }],
    ['/r/refused.json', { body: JSON.stringify(refused) }],
    ['/r/big.json', { body: JSON.stringify(big) }],
  ]));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function open(query) {
  const page = await browser.context.newPage();
  const seen = watch(page, server.url);
  await page.goto(`${server.url}/js/viewer/${query}`);
  return { page, seen };
}

/** The summary table as {image: result}. */
const results = (view) => Object.fromEntries(view.summary.map((row) => [row[0], row[1]]));

describe('the headline is the build\'s outcome', () => {
  test('exit 1: "Build fails", the STOP image named', async () => {
    const { page, seen } = await open('?report=/r/fails.json');
    assert.equal(await settled(page), 'ready');
    const view = await shown(page);
    assert.equal(view.headline, `Build fails (exit 1): 1 image fails the gate — ${STOP_IMAGE}`);
    assert.equal(view.verdict, 'FAIL');
    assert.equal(results(view)[STOP_IMAGE], 'FAIL');
    assert.deepEqual([view.tiles.pass, view.tiles.fail, view.tiles.error], [3, 1, 0]);
    assert.deepEqual(seen.errors, []);
    await page.close();
  });

  test('exit 0 with a STOP not enforced (--no-fail-on-stop): "Build passes", never FAIL', async () => {
    const { page } = await open('?report=/r/passes.json');
    assert.equal(await settled(page), 'ready');
    const view = await shown(page);
    assert.equal(view.headline, 'Build passes (exit 0) — 1 image has STOP findings, not enforced');
    assert.equal(view.verdict, 'PASS');
    assert.equal(results(view)[STOP_IMAGE], 'FAIL, NOT ENFORCED');
    assert.deepEqual([view.tiles.pass, view.tiles.fail, view.tiles.not_enforced], [3, 0, 1]);
    assert.match(await page.title(), /build passes — 4 images/);
    await page.close();
  });

  test('exit 2: "Could not decide", the errored image named; the run-level error is in the headline', async () => {
    let { page } = await open('?report=/r/demo.json');
    assert.equal(await settled(page), 'ready');
    let view = await shown(page);
    assert.equal(view.headline, `Could not decide (exit 2): 1 image ended with an error — ${BROKEN_IMAGE}; 1 image also fails`);
    assert.equal(view.verdict, 'ERROR');
    assert.equal(results(view)[BROKEN_IMAGE], 'ERROR');
    await page.close();

    ({ page } = await open('?report=/r/refused.json'));
    assert.equal(await settled(page), 'ready');
    view = await shown(page);
    assert.equal(view.headline, 'Could not decide (exit 2): the run ended with an error — unauthorized: the engine refused the credentials (401)');
    // The empty tables say why they are empty, not "No rows match.".
    await page.click('#tab-findings');
    assert.equal(await page.textContent('#panel-findings .grid-empty'), 'No policy findings: the run ended with an error before any was read (see above).');
    await page.close();
  });

  test('deciding again in Gate options: headline, badge, tiles and Result cells all follow', async () => {
    const { page, seen } = await open('?report=/r/demo.json');
    assert.equal(await settled(page), 'ready');
    await page.click('.gate-toggle');
    await page.uncheck('#gate-fail-on-stop');
    let view = await shown(page);
    assert.equal(view.headline, `Could not decide (exit 2): 1 image ended with an error — ${BROKEN_IMAGE}`);
    assert.equal(results(view)[STOP_IMAGE], 'FAIL, NOT ENFORCED');
    await page.uncheck('#gate-fail-on-error');
    view = await shown(page);
    assert.equal(view.headline, 'Build passes (exit 0) — 1 image has STOP findings, not enforced; 1 image ended with an error, ignored');
    assert.equal(view.verdict, 'PASS');
    assert.equal(results(view)[BROKEN_IMAGE], 'ERROR, IGNORED');
    assert.equal(results(view)[STOP_IMAGE], 'FAIL, NOT ENFORCED');
    assert.deepEqual([view.tiles.pass, view.tiles.fail, view.tiles.error, view.tiles.not_enforced, view.tiles.error_not_enforced], [3, 0, 0, 1, 1]);
    assert.match(await page.textContent('.gate-result'), /^Decided here: Build passes \(exit 0\) \(the CI run: Could not decide \(exit 2\)\)\.$/);
    await page.check('#gate-fail-on-warn');
    view = await shown(page);
    assert.match(view.headline, /^Build fails \(exit 1\): 2 images fail the gate — docker\.io\/library\/nginx:1\.15, docker\.io\/alpine:3\.9;/);
    assert.equal(view.verdict, 'FAIL');
    assert.deepEqual(seen.errors, []);
    await page.close();
  });
});

describe('smaller things', () => {
  test('the security file alone: images are "not evaluated", not ERROR; options are the defaults, not "as in the CI run"', async () => {
    const { page } = await open('');
    await settled(page);
    await page.setInputFiles('#open-files', path.join(dir, 'anchore_security.json'));
    assert.equal(await settled(page), 'ready');
    const view = await shown(page);
    assert.deepEqual(new Set(Object.values(results(view))), new Set(['NOT EVALUATED']));
    assert.match(view.headline, /^Could not decide \(exit 2\): 4 images not evaluated: no policy evaluation among the files read$/);
    const gate = await page.textContent('.gate-toggle');
    assert.doesNotMatch(gate, /as in the CI run/);
    assert.match(gate, /the defaults: the files opened do not say which options the CI run used/);
    await page.close();
  });

  test('counts in words and with separators; a long image name keeps its tag in view', async () => {
    const { page } = await open('?report=/r/big.json');
    assert.equal(await settled(page), 'ready');
    const tile = (key) => page.evaluate((k) => {
      const t = document.querySelector(`.tile[data-tile="${k}"]`);
      return [t.querySelector('.tile-value').textContent, t.querySelector('.tile-label').textContent];
    }, key);
    assert.deepEqual(await tile('go'), ['24,679', 'GO findings']);
    assert.deepEqual(await tile('error'), ['1', 'error']);
    assert.deepEqual(await tile('fail'), ['1', 'fails']);
    const box = await page.evaluate((name) => {
      const cell = [...document.querySelectorAll('#panel-summary .grid-td')].find((c) => c.textContent === name);
      const tag = cell.querySelector('.image-tag');
      const c = cell.getBoundingClientRect();
      const t = tag.getBoundingClientRect();
      return { tag: tag.textContent, inside: t.left >= c.left && t.right <= c.right + 0.5, clipped: cell.querySelector('.image-repo').scrollWidth > cell.querySelector('.image-repo').clientWidth };
    }, LONG);
    assert.deepEqual(box, { tag: ':v1.2.3-release', inside: true, clipped: true });
    await page.close();
  });

  test('a bad file after a good one: the error says the old report is still shown', async () => {
    const { page } = await open('?report=/r/fails.json');
    assert.equal(await settled(page), 'ready');
    await page.setInputFiles('#open-files', { name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": "world"}') });
    await page.waitForFunction(() => !document.querySelector('.error').hidden);
    const view = await shown(page);
    assert.match(view.error, /^notes\.json: not a report file this viewer knows: .*\nStill showing the report opened before \(fails\.json\)\.$/s);
    assert.equal(view.state, 'ready');
    await page.close();
  });

  test('the details panel: what matters first, focusable, taller than 9.5rem', async () => {
    const { page } = await open('?report=/r/fails.json');
    assert.equal(await settled(page), 'ready');
    await page.click('#tab-findings');
    const d = await page.evaluate(() => {
      const box = document.querySelector('#panel-findings .details-box');
      return { terms: [...box.querySelectorAll('dt')].slice(0, 4).map((t) => t.textContent), tabIndex: box.tabIndex, label: box.getAttribute('aria-label'), max: getComputedStyle(box).maxHeight };
    });
    assert.deepEqual(d.terms, ['Action', 'Check Output', 'Gate', 'Trigger']);
    assert.equal(d.tabIndex, 0);
    assert.equal(d.label, 'Selected finding');
    assert.ok(Number.parseFloat(d.max) > 9.5 * 14, d.max);
    await page.click('#tab-vulnerabilities');
    const v = await page.evaluate(() => [...document.querySelectorAll('#panel-vulnerabilities .details-box dt')].slice(0, 3).map((t) => t.textContent));
    assert.deepEqual(v, ['Severity', 'Vulnerability', 'Package']);
    await page.close();
  });
});
