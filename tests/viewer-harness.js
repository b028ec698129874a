// Shared by the viewer tests and bench/viewer.js: a static server for the repository (node:http on
// 127.0.0.1:0, so no port and no process to clean up), headless Debian Chromium through
// playwright-core with the flags of toolchain.md, and a watch on a page for anything that must
// not happen (dialogs, page errors, CSP violations, requests leaving the page's origin).
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { chromium } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const ARTIFACTS = path.join(ROOT, 'tests', 'artifacts');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/**
 * Serves the repository read-only; `extra` maps URL paths to {body, type} (a report made up by
 * a test). Returns {url, close}.
 */
export async function serve(extra = new Map()) {
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    const made = extra.get(pathname);
    if (made) {
      res.writeHead(200, { 'content-type': made.type ?? 'application/json' });
      res.end(made.body);
      return;
    }
    const file = path.join(ROOT, decodeURIComponent(pathname));
    if (!file.startsWith(ROOT) || req.method !== 'GET') {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file.endsWith('/') ? path.join(file, 'index.html') : file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file.endsWith('/') ? 'x.html' : file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

/** A fresh Chromium with a fresh profile; close() removes both. */
export async function launch({ viewport = { width: 1366, height: 800 }, colorScheme = 'light' } = {}) {
  const profile = await mkdtemp(path.join(tmpdir(), 'anchore-gate-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport,
    colorScheme,
  });
  return {
    context,
    async page() {
      const page = context.pages()[0] ?? await context.newPage();
      return page;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Records what must not happen on `page`: dialogs (dismissed), uncaught errors, console errors
 * (CSP violations show up there), and requests to anything but `allowedOrigin` (null: none).
 */
export function watch(page, allowedOrigin) {
  const seen = { dialogs: [], errors: [], console: [], foreign: [] };
  page.on('dialog', (d) => {
    seen.dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') seen.console.push(m.text());
  });
  page.on('request', (r) => {
    const u = r.url();
    if (u.startsWith('data:') || u.startsWith('blob:')) return;
    if (allowedOrigin === undefined) return;
    if (allowedOrigin === null || new URL(u).origin !== allowedOrigin) seen.foreign.push(u);
  });
  return seen;
}

/** Waits until the viewer says it is ready (or failed); returns the state. */
export async function settled(page, timeout = 60_000) {
  await page.waitForFunction(() => {
    const s = document.getElementById('app')?.dataset.state;
    return s === 'ready' || s === 'error' || s === 'empty';
  }, null, { timeout, polling: 50 });
  return page.evaluate(() => document.getElementById('app').dataset.state);
}

export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** What the viewer shows: tab labels, the summary table's cells, and each table's counts. */
export async function shown(page) {
  return page.evaluate(() => {
    const text = (e) => e?.textContent ?? null;
    const grid = (panel) => [...document.querySelectorAll(`#panel-${panel} .grid-row:not([hidden])`)]
      .sort((a, b) => Number(a.dataset.pos) - Number(b.dataset.pos))
      .map((r) => [...r.querySelectorAll('.grid-td')].map((c) => c.textContent));
    const count = (panel) => {
      const c = document.querySelector(`#panel-${panel} .count`);
      return c ? { shown: Number(c.dataset.shown), total: Number(c.dataset.total), text: c.textContent } : null;
    };
    return {
      state: document.getElementById('app').dataset.state,
      error: document.querySelector('.error:not([hidden])')?.textContent ?? null,
      tabs: [...document.querySelectorAll('[role=tab]')].map(text),
      verdict: text(document.querySelector('.verdict')),
      summary: grid('summary'),
      findings: grid('findings'),
      vulnerabilities: grid('vulnerabilities'),
      counts: { summary: count('summary'), findings: count('findings'), vulnerabilities: count('vulnerabilities') },
      tiles: Object.fromEntries([...document.querySelectorAll('.tile')].map((t) => [t.dataset.tile, Number(t.querySelector('.tile-value').textContent.replace(/,/g, ''))])),
      headline: text(document.querySelector('.headline-text')),
    };
  });
}

/** Opens `file` from file:// with every request but the file itself aborted (no network):
 * `requests` lists what the page asked for, `seen` what `watch` recorded. */
export async function openOffline(browser, file) {
  const page = await browser.context.newPage();
  const url = pathToFileURL(file).href;
  const requests = [];
  await page.route('**/*', (route) => {
    requests.push(route.request().url());
    return route.request().url() === url ? route.continue() : route.abort();
  });
  const seen = watch(page, undefined);
  await page.goto(url);
  return { page, url, requests, seen };
}
