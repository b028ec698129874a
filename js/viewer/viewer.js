// The anchore-gate report viewer: summary, policy findings and vulnerabilities of a report, with
// sorting, filters and keyboard navigation, for 100,000+ rows. The WASM core reads the files
// (importReport); this module only shows what it returns.
//
// Engine data is untrusted. Everything is built with createElement and written with textContent;
// links are made only for http(s) URLs, by this code, with rel="noopener noreferrer"; no
// handler is ever built from data. The page's Content-Security-Policy forbids loading anything
// remote as a second line of defence.
import { Grid, clip, el } from './grid.js';

const SEVERITIES = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'];
const SEVERITY_RANK = new Map(SEVERITIES.map((s, i) => [s, i]));
const ACTION_RANK = { stop: 0, warn: 1, go: 2 };
/** Each image's effect on the exit code (the core's `triage`): its Result label, and the order worst first. */
const EFFECTS = {
  error: { label: 'ERROR', rank: 0, css: 'error' },
  fails: { label: 'FAIL', rank: 1, css: 'fail' },
  not_evaluated: { label: 'NOT EVALUATED', rank: 2, css: 'none' },
  error_not_enforced: { label: 'ERROR, IGNORED', rank: 3, css: 'ignored' },
  not_enforced: { label: 'FAIL, NOT ENFORCED', rank: 4, css: 'ignored' },
  passes: { label: 'PASS', rank: 5, css: 'pass' },
};
const FORMATS = {
  gate_report: 'anchore-gate report',
  jenkins_gates_v1: 'Jenkins plugin anchore_gates.json (v1)',
  jenkins_gates_v2: 'Jenkins plugin anchore_gates.json (v2)',
  jenkins_security: 'Jenkins plugin anchore_security.json',
  engine_check_v1: 'engine policy evaluation (v1)',
  engine_check_v2: 'engine policy evaluation (v2)',
  engine_vulnerabilities: 'engine vulnerability listing',
};
/** The details panel shows at most this many characters of one value. */
const DETAIL_MAX = 20_000;
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** "1 image", "2 images", "24,679 vulnerabilities": counts read with separators and the right number. */
function plural(n, one, many = `${one}s`) {
  return `${Number(n).toLocaleString('en')} ${n === 1 ? one : many}`;
}

function naturalKey(s) {
  return s.toLowerCase().replace(/\d+/g, (d) => d.padStart(20, '0'));
}

// --- values from untrusted JSON ------------------------------------------------------------

function str(v) {
  if (v == null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function num(v) {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

function yesNo(v) {
  if (v === true || v === 'true') return 'yes';
  if (v === false || v === 'false') return 'no';
  return '—';
}

/** The URL to link to, or null: only absolute http: and https: URLs are ever linked. */
export function safeUrl(text) {
  if (typeof text !== 'string' || text.length > 4096) return null;
  let url;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

function link(parent, text, max) {
  const href = safeUrl(text);
  if (!href) {
    parent.textContent = clip(text, max);
    return;
  }
  const a = el('a', null, clip(text, max));
  a.href = href;
  a.rel = 'noopener noreferrer';
  a.target = '_blank';
  parent.append(a);
}

/** An image name whose end (the tag or digest) stays visible when the column is narrow. */
function imageCell(cell, name) {
  const text = str(name);
  const at = Math.max(text.lastIndexOf('@'), text.lastIndexOf(':') > text.lastIndexOf('/') ? text.lastIndexOf(':') : -1);
  cell.title = text.length > 24 ? clip(text, 2000) : '';
  if (at <= 0) {
    cell.textContent = clip(text);
    return;
  }
  cell.classList.add('image-cell');
  cell.append(el('span', 'image-repo', clip(text.slice(0, at))), el('span', 'image-tag', clip(text.slice(at), 120)));
}

function badge(cell, kind, value, label) {
  const b = el('span', `badge ${kind}-${String(value).replace(/[^a-z]/gi, '').toLowerCase()}`, label);
  cell.append(b);
}

function actionText(a) {
  return typeof a === 'string' && a in ACTION_RANK ? a.toUpperCase() : '—';
}

/** The core's model writes a vulnerability without a fix as `fix: null` (the engine's "None"). */
function hasFix(v) {
  return v.fix != null;
}

function severityOf(v) {
  return SEVERITY_RANK.has(v) ? v : 'Unknown';
}

function vulnCounts(image) {
  const c = image.vulnerability_counts;
  if (c && typeof c === 'object') return SEVERITIES.map((s) => num(c[s]));
  const n = SEVERITIES.map(() => 0);
  for (const v of image.vulnerabilities ?? []) n[SEVERITY_RANK.get(severityOf(v?.severity))] += 1;
  return n;
}

/** One reason (the core's triage) in words: "STOP vulnerabilities / package ×12, e.g. …". */
function reasonText(r) {
  if (r.kind === 'vulnerabilities') {
    return `${plural(r.count, 'vulnerability', 'vulnerabilities')} at or above ${r.gate}, worst ${r.example} (${r.action})`;
  }
  return `${str(r.action).toUpperCase()} ${r.gate} / ${r.trigger} ×${r.count.toLocaleString('en')}, e.g. ${r.example}`;
}

/** Why an image has its result: its error, else its top reasons, else what the report says. */
function imageDetails(image, t) {
  if (image.error) return `${str(image.error.kind)}: ${str(image.error.message)}`;
  if (t?.effect === 'not_evaluated') return 'not evaluated: no policy evaluation among the files read';
  if (t?.reasons.length) return t.reasons.map(reasonText).join('; ') + (t.more_reasons ? `; and ${plural(t.more_reasons, 'more reason')}` : '');
  const failures = Array.isArray(image.gate_failures) ? image.gate_failures.map(str).filter(Boolean) : [];
  if (failures.length) return failures.join('; ');
  return image.stop_action_details ? str(image.stop_action_details) : '';
}

// --- the tables ----------------------------------------------------------------------------

/** The rows of all images, flattened: {img, x} with x the finding or vulnerability. */
function flatten(images, field) {
  const rows = [];
  images.forEach((image, img) => {
    const list = Array.isArray(image[field]) ? image[field] : [];
    for (const x of list) rows.push({ img, x: x && typeof x === 'object' ? x : {} });
  });
  return rows;
}

function findingColumns(images) {
  const name = (r) => str(images[r.img].image);
  return [
    { title: 'Image', width: 'minmax(12rem, 1.4fr)', text: name, render: (cell, r) => imageCell(cell, name(r)), card: 'line' },
    { title: 'Repo Tag', width: 'minmax(12rem, 1.4fr)', text: (r) => str(images[r.img].evaluated_tag) || name(r) },
    { title: 'Trigger ID', width: 'minmax(10rem, 1fr)', text: (r) => str(r.x.trigger_id) },
    { title: 'Gate', width: '9rem', text: (r) => str(r.x.gate), card: 'line' },
    { title: 'Trigger', width: '9rem', text: (r) => str(r.x.trigger) },
    { title: 'Check Output', width: 'minmax(16rem, 3fr)', text: (r) => str(r.x.message), card: 'main' },
    {
      title: 'Action',
      card: 'lead',
      width: '6rem',
      text: (r) => actionText(r.x.action),
      key: (r) => ACTION_RANK[r.x.action] ?? 3,
      render: (cell, r) => badge(cell, 'action', r.x.action, actionText(r.x.action)),
    },
    {
      title: 'Allowlisted',
      width: '7.5rem',
      text: (r) => (r.x.allowlisted === true ? (r.x.allowlist_match?.name ? `yes: ${str(r.x.allowlist_match.name)}` : 'yes') : 'no'),
    },
    { title: 'Inherited From Base', width: '8.5rem', text: (r) => yesNo(r.x.inherited_from_base) },
    { title: 'Policy ID', width: '9rem', text: (r) => str(r.x.policy_id) },
    { title: 'Recommendation', width: 'minmax(10rem, 1fr)', text: (r) => str(r.x.recommendation) },
    { title: 'Rule ID', width: '9rem', text: (r) => str(r.x.rule_id) },
  ];
}

function vulnerabilityColumns(images) {
  return [
    { title: 'Image', width: 'minmax(12rem, 1.4fr)', text: (r) => str(images[r.img].image), render: (cell, r) => imageCell(cell, images[r.img].image), card: 'line' },
    { title: 'Vulnerability', width: 'minmax(9rem, 1fr)', text: (r) => str(r.x.id), card: 'main' },
    {
      title: 'Severity',
      card: 'lead',
      width: '7rem',
      text: (r) => severityOf(r.x.severity),
      // Severity, then those with a fix first: what to fix first.
      key: (r) => SEVERITY_RANK.get(severityOf(r.x.severity)) * 2 + (hasFix(r.x) ? 0 : 1),
      render: (cell, r) => badge(cell, 'sev', severityOf(r.x.severity), severityOf(r.x.severity)),
    },
    { title: 'Package', width: 'minmax(12rem, 1.4fr)', text: (r) => str(r.x.package), card: 'line' },
    { title: 'Type', width: '6rem', text: (r) => str(r.x.package_type) },
    { title: 'Fix', width: 'minmax(7rem, 0.7fr)', text: (r) => (r.x.fix == null ? 'None' : `fix: ${str(r.x.fix)}`), card: 'line' },
    { title: 'Inherited From Base', width: '8.5rem', text: (r) => yesNo(r.x.inherited_from_base) },
    { title: 'Link', width: 'minmax(14rem, 1.6fr)', text: (r) => str(r.x.url), render: (cell, r) => link(cell, str(r.x.url)) },
    { title: 'Allowlisted', width: 'minmax(9rem, 1fr)', text: (r) => allowlistedText(r.x.allowlisted) },
  ];
}

/** "2 C, 5 H": counts per severity, most severe first. */
function severityCounts(bySeverity) {
  return bySeverity.map((n, i) => (n ? `${n.toLocaleString('en')} ${SEVERITIES[i][0]}` : '')).filter(Boolean).join(', ');
}

/** "upgrade openssl to 3.0.13 fixes 4: 2 C, 2 H". */
function fixText(f) {
  return `upgrade ${str(f.package_name)} to ${str(f.to)} fixes ${f.count.toLocaleString('en')}: ${severityCounts(f.by_severity)}`;
}

/** The Fixes view: one row per installed package with fixable vulnerabilities (the core's `triage.fixes`, in its order). */
function fixColumns(images) {
  const worst = (r) => r.x.by_severity.findIndex((n) => n > 0);
  return [
    {
      title: 'Worst',
      width: '7rem',
      card: 'lead',
      text: (r) => SEVERITIES[worst(r)] ?? 'Unknown',
      key: (r) => r.k,
      render: (cell, r) => badge(cell, 'sev', SEVERITIES[worst(r)] ?? 'Unknown', SEVERITIES[worst(r)] ?? 'Unknown'),
    },
    { title: 'Upgrade', width: 'minmax(18rem, 3fr)', text: (r) => fixText(r.x), card: 'main' },
    { title: 'Installed', width: 'minmax(8rem, 1fr)', text: (r) => str(r.x.package_version) },
    { title: 'Type', width: '6rem', text: (r) => str(r.x.package_type) },
    { title: 'Fixes', width: '5rem', text: (r) => String(r.x.count), key: (r) => -r.x.count, align: 'num' },
    {
      title: 'Images',
      width: 'minmax(12rem, 2fr)',
      card: 'line',
      text: (r) => r.x.images.map((i) => str(images[i]?.image)).join(', '),
      key: (r) => -r.x.images.length,
    },
  ];
}

/** How a vulnerability's `allowlisted` reads: "no", or "yes: entry N (reason)". */
function allowlistedText(a) {
  if (!a || typeof a !== 'object') return 'no';
  return `yes: entry ${str(a.entry)}${a.reason ? ` (${str(a.reason)})` : ''}`;
}

function summaryColumns(maxVulns, triage) {
  const effect = (r) => EFFECTS[triage.images[r.img]?.effect] ?? null;
  return [
    { title: 'Image', width: 'minmax(14rem, 2fr)', text: (r) => str(r.x.image), render: (cell, r) => imageCell(cell, r.x.image), card: 'main' },
    {
      title: 'Result',
      card: 'lead',
      width: '10.5rem',
      text: (r) => effect(r)?.label ?? '—',
      key: (r) => effect(r)?.rank ?? 9,
      render: (cell, r) => badge(cell, 'status', effect(r)?.css ?? '', effect(r)?.label ?? '—'),
    },
    {
      title: 'Final Action',
      width: '8.5rem',
      text: (r) => actionText(r.x.final_action),
      key: (r) => ACTION_RANK[r.x.final_action] ?? 3,
      render: (cell, r) => badge(cell, 'action', r.x.final_action, actionText(r.x.final_action)),
    },
    { title: 'Stop', width: '4.5rem', text: (r) => String(num(r.x.counts?.stop)), key: (r) => num(r.x.counts?.stop), align: 'num' },
    { title: 'Warn', width: '4.5rem', text: (r) => String(num(r.x.counts?.warn)), key: (r) => num(r.x.counts?.warn), align: 'num' },
    { title: 'Go', width: '4.5rem', text: (r) => String(num(r.x.counts?.go)), key: (r) => num(r.x.counts?.go), align: 'num' },
    {
      title: 'Vulnerabilities by severity',
      width: 'minmax(16rem, 2fr)',
      text: (r) => vulnCounts(r.x).map((n, i) => `${n} ${SEVERITIES[i]}`).join(', '),
      compare: (a, b) => {
        const x = vulnCounts(a.x);
        const y = vulnCounts(b.x);
        for (let i = 0; i < x.length; i += 1) if (x[i] !== y[i]) return x[i] - y[i];
        return 0;
      },
      render: (cell, r) => chart(cell, vulnCounts(r.x), maxVulns),
    },
    { title: 'Why', width: 'minmax(14rem, 3fr)', text: (r) => imageDetails(r.x, triage.images[r.img]), card: 'line' },
  ];
}

/** A stacked bar of one image's vulnerabilities, with the counts as text beside it. */
function chart(cell, counts, max) {
  const total = counts.reduce((a, b) => a + b, 0);
  const bar = el('span', 'bar');
  bar.setAttribute('role', 'img');
  bar.setAttribute('aria-label', total ? `${total} vulnerabilities: ${counts.map((n, i) => (n ? `${n} ${SEVERITIES[i]}` : '')).filter(Boolean).join(', ')}` : 'no vulnerabilities');
  counts.forEach((n, i) => {
    if (!n) return;
    const seg = el('span', `seg sev-${SEVERITIES[i].toLowerCase()}`);
    seg.style.width = `${Math.max(0.5, (n / Math.max(1, max)) * 100)}%`;
    seg.title = `${n} ${SEVERITIES[i]}`;
    bar.append(seg);
  });
  const text = el('span', 'bar-text', total ? counts.map((n, i) => (n ? `${n}${SEVERITIES[i][0]}` : '')).filter(Boolean).join(' ') : '0');
  text.setAttribute('aria-hidden', 'true');
  cell.append(bar, text);
}

/**
 * One table with its filters: sorting keys are computed once per column and cached; a filter
 * walks the sorted order once, so typing in the search box is O(rows) with no re-sort.
 */
class TableView {
  constructor({ name, noun, columns, rows, images, extra, toggle = null, details, none = '' }) {
    this.toggle = toggle; // {id, label, test(row)}: a checkbox filter, or null
    this.toggled = false;
    this.none = none || `No ${noun} in this report.`;
    this.name = name;
    this.noun = noun;
    this.columns = columns;
    this.rows = rows;
    this.images = images;
    this.extra = extra; // {label, options: [[value, text]], test(row, value)} or null
    this.details = details;
    this.keys = new Map();
    this.sortCol = -1;
    this.desc = false;
    this.perm = null;
    this.hay = null;
    this.imageFilter = -1;
    this.extraFilter = '';
    this.query = '';

    this.panel = el('section', 'panel table-panel');
    const bar = el('div', 'toolbar');
    bar.setAttribute('role', 'search');
    const id = (s) => `${name}-${s}`;
    const field = (label, control) => {
      const wrap = el('span', 'field');
      const l = el('label', null, label);
      l.htmlFor = control.id;
      wrap.append(l, control);
      return wrap;
    };
    this.imageSelect = el('select');
    this.imageSelect.id = id('image');
    this.imageSelect.append(new Option(`All images (${images.length})`, '-1'));
    images.forEach((image, i) => this.imageSelect.append(new Option(clip(str(image.image), 120), String(i))));
    this.imageSelect.addEventListener('change', () => {
      this.imageFilter = Number(this.imageSelect.value);
      this.apply();
    });
    bar.append(field('Image', this.imageSelect));
    if (extra) {
      this.extraSelect = el('select');
      this.extraSelect.id = id(extra.id);
      for (const [value, text] of extra.options) this.extraSelect.append(new Option(text, value));
      this.extraSelect.addEventListener('change', () => {
        this.extraFilter = this.extraSelect.value;
        this.apply();
      });
      bar.append(field(extra.label, this.extraSelect));
    }
    if (toggle) {
      const wrap = el('span', 'field check');
      const box = el('input');
      box.type = 'checkbox';
      box.id = id(toggle.id);
      const l = el('label', null, toggle.label);
      l.htmlFor = box.id;
      box.addEventListener('change', () => {
        this.toggled = box.checked;
        this.apply();
      });
      wrap.append(box, l);
      bar.append(wrap);
    }
    this.search = el('input', 'search');
    this.search.type = 'search';
    this.search.id = id('search');
    this.search.placeholder = 'Search all columns  ( / )';
    this.search.autocomplete = 'off';
    this.search.spellcheck = false;
    let timer = 0;
    this.search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.setQuery(this.search.value), rows.length > 20_000 ? 200 : 60);
    });
    this.search.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        clearTimeout(timer);
        this.setQuery(this.search.value);
      } else if (e.key === 'ArrowDown') {
        e.preventDefault();
        this.grid.root.focus();
      }
    });
    bar.append(field('Search', this.search));
    this.count = el('span', 'count');
    this.count.setAttribute('aria-live', 'polite');
    bar.append(this.count);

    this.grid = new Grid({
      columns,
      label: noun,
      onSort: (c) => this.sortBy(c),
      onActive: (row) => this.showDetails(row),
    });
    // A focusable region, so the keyboard can scroll a long value.
    this.detailBox = el('section', 'details-box');
    this.detailBox.tabIndex = 0;
    this.detailBox.setAttribute('aria-label', `Selected ${noun.replace(/ies$/, 'y').replace(/s$/, '')}`);
    this.detail = el('dl', 'details');
    this.detailBox.append(this.detail);
    this.panel.append(bar, this.grid.root, this.detailBox);
    this.grid.setRows(rows, new Uint32Array(0));
  }

  setQuery(q) {
    const next = q.trim().toLowerCase();
    if (next === this.query) return;
    this.query = next;
    this.apply();
  }

  /** Per row, every column's text in lower case: built on the first search only. */
  haystack() {
    if (!this.hay) {
      const t0 = performance.now();
      const cols = this.columns;
      this.hay = this.rows.map((r) => {
        let s = '';
        for (const c of cols) s += `${c.text(r)}\u0001`;
        return s.toLowerCase();
      });
      performance.measure(`anchore-viewer:index:${this.name}`, { start: t0 });
    }
    return this.hay;
  }

  keyFor(c) {
    let key = this.keys.get(c);
    if (key) return key;
    const col = this.columns[c];
    const rows = this.rows;
    if (col.key) {
      key = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i += 1) key[i] = col.key(rows[i]);
    } else {
      // Rank the distinct texts once, then sort numbers. The ranking compares "natural" keys
      // (lower case, digit runs zero-padded: CVE-2024-999 < CVE-2024-1000) as plain strings,
      // four times faster than Intl.Collator on 100,000 texts; ties fall back to the collator.
      const texts = rows.map((r) => col.text(r));
      const distinct = [...new Set(texts)].map((s) => [naturalKey(s), s]);
      distinct.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : collator.compare(a[1], b[1])));
      const rank = new Map(distinct.map(([, s], i) => [s, i]));
      key = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i += 1) key[i] = rank.get(texts[i]);
    }
    this.keys.set(c, key);
    return key;
  }

  sorted() {
    if (this.perm) return this.perm;
    const n = this.rows.length;
    const perm = new Uint32Array(n);
    for (let i = 0; i < n; i += 1) perm[i] = i;
    if (this.sortCol >= 0) {
      const t0 = performance.now();
      const col = this.columns[this.sortCol];
      const d = this.desc ? -1 : 1;
      if (col.compare) {
        const rows = this.rows;
        perm.sort((a, b) => d * col.compare(rows[a], rows[b]) || a - b);
      } else {
        const key = this.keyFor(this.sortCol);
        perm.sort((a, b) => d * (key[a] - key[b]) || a - b);
      }
      performance.measure(`anchore-viewer:sort:${this.name}`, { start: t0 });
    }
    this.perm = perm;
    return perm;
  }

  sortBy(c, desc) {
    this.desc = desc ?? (c === this.sortCol ? !this.desc : false);
    this.sortCol = c;
    this.perm = null;
    this.grid.setSort(c, this.desc);
    this.apply();
  }

  apply() {
    const t0 = performance.now();
    const perm = this.sorted();
    const img = this.imageFilter;
    const extra = this.extraFilter;
    const q = this.query;
    let out;
    const only = this.toggled ? this.toggle.test : null;
    if (img < 0 && !extra && !q && !only) {
      out = perm;
    } else {
      const hay = q ? this.haystack() : null;
      const rows = this.rows;
      const test = this.extra?.test;
      out = new Uint32Array(perm.length);
      let n = 0;
      for (let k = 0; k < perm.length; k += 1) {
        const i = perm[k];
        const r = rows[i];
        if (img >= 0 && (r.imgs ? !r.imgs.includes(img) : r.img !== img)) continue;
        if (only && !only(r)) continue;
        if (extra && !test(r, extra)) continue;
        if (hay && !hay[i].includes(q)) continue;
        out[n] = i;
        n += 1;
      }
      out = out.subarray(0, n);
    }
    const total = this.rows.length;
    this.grid.empty.textContent = total ? 'No rows match the filters.' : this.none;
    this.grid.setOrder(out);
    this.count.textContent = out.length === total
      ? `${total.toLocaleString('en')} ${this.noun}`
      : `${out.length.toLocaleString('en')} of ${total.toLocaleString('en')} ${this.noun}`;
    this.count.dataset.shown = String(out.length);
    this.count.dataset.total = String(total);
    performance.measure(`anchore-viewer:filter:${this.name}`, { start: t0 });
  }

  showDetails(row) {
    this.detail.replaceChildren();
    this.detailBox.hidden = !row;
    if (!row) return;
    for (const [term, value, isLink] of this.details(row)) {
      if (value == null || value === '') continue;
      const dd = el('dd');
      if (isLink) link(dd, str(value), DETAIL_MAX);
      else dd.textContent = clip(str(value), DETAIL_MAX);
      this.detail.append(el('dt', null, term), dd);
    }
  }
}

/** The columns named in `first` (in that order), then the others: what the details panel shows first. */
function mostTellingFirst(columns, first) {
  const rank = (c) => (first.includes(c.title) ? first.indexOf(c.title) : first.length);
  return [...columns].sort((a, b) => rank(a) - rank(b));
}

// --- the page ------------------------------------------------------------------------------

function tabs(root, specs) {
  const list = el('div', 'tabs');
  list.setAttribute('role', 'tablist');
  list.setAttribute('aria-label', 'Report views');
  const buttons = specs.map((s, i) => {
    const b = el('button', 'tab', s.label);
    b.type = 'button';
    b.id = `tab-${s.id}`;
    b.setAttribute('role', 'tab');
    b.setAttribute('aria-controls', `panel-${s.id}`);
    s.panel.id = `panel-${s.id}`;
    s.panel.setAttribute('role', 'tabpanel');
    s.panel.setAttribute('aria-labelledby', b.id);
    b.addEventListener('click', () => select(i, false, true));
    return b;
  });
  function select(i, focus = false, byUser = false) {
    buttons.forEach((b, k) => {
      const on = k === i;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
      specs[k].panel.hidden = !on;
    });
    if (focus) buttons[i].focus();
    specs[i].onShow?.(byUser);
  }
  list.addEventListener('keydown', (e) => {
    const at = buttons.indexOf(document.activeElement);
    if (at < 0) return;
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    select((to + buttons.length) % buttons.length, true, true);
  });
  list.append(...buttons);
  root.append(list, ...specs.map((s) => s.panel));
  select(0);
  return { select, buttons };
}

function summaryPanel(report, sources, images, triage) {
  const panel = el('section', 'panel summary-panel');
  const t = report.totals ?? {};
  const e = triage.effects;
  const tiles = el('div', 'tiles');
  // Labels say what the number counts ("1 error", "2 errors"); the value is also in the label
  // for screen readers, the big number is decoration.
  const tile = (key, value, one, many, kind, always = true) => {
    if (!always && !value) return;
    const d = el('div', `tile ${kind ?? ''}`);
    d.dataset.tile = key;
    const v = el('span', 'tile-value', value.toLocaleString('en'));
    v.setAttribute('aria-hidden', 'true');
    const l = el('span', 'tile-label', value === 1 ? one : many);
    d.append(v, el('span', 'visually-hidden', `${value.toLocaleString('en')} `), l);
    tiles.append(d);
  };
  tile('images', images.length, 'image', 'images');
  tile('pass', num(e.passes), 'passes', 'pass', 'status-pass');
  tile('fail', num(e.fails), 'fails', 'fail', 'status-fail');
  tile('not_enforced', num(e.not_enforced), 'fails, not enforced', 'fail, not enforced', 'status-ignored', false);
  tile('error', num(e.error), 'error', 'errors', 'status-error');
  tile('error_not_enforced', num(e.error_not_enforced), 'error, ignored', 'errors, ignored', 'status-ignored', false);
  tile('not_evaluated', num(e.not_evaluated), 'not evaluated', 'not evaluated', 'status-none', false);
  tile('stop', num(t.stop), 'STOP finding', 'STOP findings', 'action-stop');
  tile('warn', num(t.warn), 'WARN finding', 'WARN findings', 'action-warn');
  tile('go', num(t.go), 'GO finding', 'GO findings', 'action-go');
  tile('allowlisted', num(t.allowlisted), 'allowlisted', 'allowlisted');
  panel.append(tiles);

  const rows = images.map((x, img) => ({ img, x }));
  const max = Math.max(1, ...images.map((i) => vulnCounts(i).reduce((a, b) => a + b, 0)));
  const view = new TableView({
    name: 'summary',
    noun: 'images',
    columns: summaryColumns(max, triage),
    rows,
    images,
    extra: null,
    details: (r) => [
      ['Result', EFFECTS[triage.images[r.img]?.effect]?.label ?? '—'],
      ['Error', r.x.error ? `${str(r.x.error.kind)}: ${str(r.x.error.message)}` : ''],
      ['Why it fails', Array.isArray(r.x.gate_failures) ? r.x.gate_failures.map(str).join('\n') : ''],
      ['Top reasons', (triage.images[r.img]?.reasons ?? []).map(reasonText).join('\n')],
      ['Final action', actionText(r.x.final_action)],
      ['Reason', r.x.final_action_reason],
      ['Stop action details', r.x.stop_action_details],
      ['Image', r.x.image],
      ['Evaluated tag', r.x.evaluated_tag],
      ['Source', r.x.source],
      ['Digest', r.x.digest],
      ['Policy', r.x.policy_id],
      ['Counts', `stop ${num(r.x.counts?.stop)}, warn ${num(r.x.counts?.warn)}, go ${num(r.x.counts?.go)}, allowlisted ${num(r.x.counts?.allowlisted)}`],
      ['Vulnerabilities', vulnCounts(r.x).map((n, i) => `${n} ${SEVERITIES[i]}`).join(', ')],
      ['Dockerfile', r.x.dockerfile],
    ],
  });
  view.panel.classList.add('summary-table');
  // A handful of rows: no search box needed, but keep the same table behaviour.
  view.panel.querySelector('.toolbar').hidden = true;
  view.grid.root.style.setProperty('--visible-rows', String(Math.min(12, Math.max(2, images.length))));
  panel.append(view.panel);

  const legend = el('p', 'legend');
  legend.append(el('span', null, 'Severity: '));
  for (const s of SEVERITIES) {
    const item = el('span', 'legend-item');
    item.append(el('span', `swatch sev-${s.toLowerCase()}`), el('span', null, `${s[0]} = ${s}`));
    legend.append(item);
  }
  panel.append(legend);

  if (sources?.length) {
    const box = el('details', 'sources');
    const used = sources.filter((s) => s.used).length;
    box.append(el('summary', null, `Read from ${used} of ${sources.length} file${sources.length === 1 ? '' : 's'}`));
    const list = el('ul');
    for (const s of sources) {
      const li = el('li', null, `${str(s.name)} — ${FORMATS[s.format] ?? 'skipped'}${s.used ? '' : ` (${str(s.note) || 'not used'})`}`);
      list.append(li);
    }
    box.append(list);
    panel.append(box);
  }
  return { panel, view };
}

// --- gate options: decide the report again here, with the core -----------------------------

/** The gate options a report was decided with (its `options`), defaults for what it lacks. */
function optionsOf(report) {
  const o = report.options && typeof report.options === 'object' ? report.options : {};
  const sev = SEVERITIES.find((s) => s.toLowerCase() === String(o.fail_on_severity ?? '').toLowerCase()) ?? null;
  return {
    fail_on_stop: o.fail_on_stop !== false,
    fail_on_error: o.fail_on_error !== false,
    fail_on_warn: o.fail_on_warn === true,
    fail_on_severity: sev,
    only_fixed: sev != null && o.only_fixed === true,
  };
}

function describeOptions(o, allowlist) {
  const on = [o.fail_on_stop && 'STOP', o.fail_on_error && 'errors', o.fail_on_warn && 'WARN'].filter(Boolean);
  const parts = [on.length ? `fail on ${on.join(', ')}` : 'no policy rule'];
  if (o.fail_on_severity) parts.push(`vulnerabilities ${o.fail_on_severity} and above${o.only_fixed ? ' with a fix' : ''}`);
  if (allowlist) parts.push(`allowlist of ${allowlist} entr${allowlist === 1 ? 'y' : 'ies'}`);
  return parts.join('; ');
}

/**
 * The "Gate options" panel: starts from the options of the report as loaded (the CI run's);
 * each change decides that report again with the core (`decide`, `parseAllowlist`) and hands
 * the decided report to `onDecide`. No rule is evaluated here.
 */
function gatePanel({ report, text, triage, fromCi, core, onDecide }) {
  const original = report;
  const originalTriage = triage;
  const ci = optionsOf(report);
  // The run's own options when the files say them (anchore-gate.json); else the defaults.
  const asRead = fromCi ? ' (as in the CI run)' : ' (the defaults: the files opened do not say which options the CI run used)';
  const ciAllowlist = report.allowlist && typeof report.allowlist === 'object' ? report.allowlist : null;
  // The CI run's allowlist, when the report keeps its entries (reports since `allowlist.rules`).
  const ciRules = Array.isArray(ciAllowlist?.rules) && ciAllowlist.rules.length > 0
    ? { entries: ciAllowlist.rules, source: typeof ciAllowlist.source === 'string' ? ciAllowlist.source : 'the CI run’s allowlist' }
    : null;
  let allowlist = ciRules; // {entries, source}: the allowlist in force here

  // A disclosure button, not <details>: data-driven pages must never hold one (see the XSS tests).
  const panel = el('section', 'gate-options');
  panel.setAttribute('aria-label', 'Gate options');
  const summary = el('button', 'gate-toggle');
  summary.type = 'button';
  summary.setAttribute('aria-expanded', 'false');
  summary.setAttribute('aria-controls', 'gate-form');
  const form = el('div', 'gate-form');
  form.id = 'gate-form';
  form.hidden = true;
  summary.addEventListener('click', () => {
    form.hidden = !form.hidden;
    summary.setAttribute('aria-expanded', String(!form.hidden));
  });
  panel.append(summary);
  const check = (id, label) => {
    const wrap = el('span', 'field check');
    const input = el('input');
    input.type = 'checkbox';
    input.id = id;
    const l = el('label', null, label);
    l.htmlFor = id;
    wrap.append(input, l);
    return { wrap, input };
  };
  const policy = el('fieldset', 'gate-policy');
  policy.append(el('legend', null, 'Fail the gate on'));
  const stop = check('gate-fail-on-stop', 'a policy STOP');
  const error = check('gate-fail-on-error', 'an error (exit 2)');
  const warn = check('gate-fail-on-warn', 'a policy WARN');
  policy.append(stop.wrap, error.wrap, warn.wrap);

  const vulns = el('fieldset', 'gate-vulns');
  vulns.append(el('legend', null, 'Vulnerabilities'));
  const sevWrap = el('span', 'field');
  const severity = el('select');
  severity.id = 'gate-severity';
  severity.append(new Option('none (off)', ''), ...SEVERITIES.map((s) => new Option(`${s} and above`, s)));
  const sevLabel = el('label', null, 'Fail on severity');
  sevLabel.htmlFor = severity.id;
  sevWrap.append(sevLabel, severity);
  const fixed = check('gate-only-fixed', 'only those with a fix');
  vulns.append(sevWrap, fixed.wrap);

  const lists = el('fieldset', 'gate-allowlist');
  lists.append(el('legend', null, 'Allowlist'));
  const area = el('textarea');
  area.id = 'gate-allowlist-text';
  area.rows = 4;
  area.spellcheck = false;
  area.placeholder = '{"entries": [{"vulnerability": "CVE-…", "package": "…", "image": "…", "reason": "…", "expires": "2027-03-31"}]}';
  const areaLabel = el('label', null, 'Entries as JSON (a list, or {"entries": [...]})');
  areaLabel.htmlFor = area.id;
  const file = el('input');
  file.type = 'file';
  file.accept = '.json,.yaml,.yml,application/json';
  file.hidden = true;
  file.id = 'gate-allowlist-file';
  const button = (label, onClick) => {
    const b = el('button', 'button', label);
    b.type = 'button';
    b.addEventListener('click', onClick);
    return b;
  };
  const buttons = el('div', 'gate-buttons');
  buttons.append(
    button('Apply allowlist', () => applyAllowlist(area.value, 'pasted allowlist')),
    button('Load an allowlist file…', () => file.click()),
    button('Remove allowlist', () => {
      area.value = '';
      applyAllowlist('', '');
    }),
  );
  lists.append(areaLabel, area, buttons, file);
  const ciRulesText = ciRules ? JSON.stringify({ entries: ciRules.entries }, null, 2) : '';
  area.value = ciRulesText;

  const reset = button('Back to the CI run’s options and decision', () => {
    setControls(ci);
    area.value = ciRulesText;
    allowlist = ciRules;
    problem.hidden = true;
    onDecide({ report: original, triage: originalTriage });
    after(original, originalTriage);
  });
  reset.classList.add('gate-reset');

  const result = el('p', 'gate-result');
  result.setAttribute('role', 'status');
  const problem = el('p', 'gate-error');
  problem.setAttribute('role', 'alert');
  problem.hidden = true;
  const note = el('p', 'gate-note');
  note.hidden = !(num(ciAllowlist?.entries) > 0) || Boolean(ciRules);
  note.textContent = note.hidden ? '' : `The CI run used an allowlist (${num(ciAllowlist.entries)} entries${ciAllowlist.source ? ` from ${str(ciAllowlist.source)}` : ''}). The report keeps what it covered but not its entries: load the same file here to keep them when deciding again.`;
  const expired = el('div', 'gate-expired');
  form.append(policy, vulns, lists, reset, result, problem, note, expired);
  panel.append(form);

  function setControls(o) {
    stop.input.checked = o.fail_on_stop;
    error.input.checked = o.fail_on_error;
    warn.input.checked = o.fail_on_warn;
    severity.value = o.fail_on_severity ?? '';
    fixed.input.checked = o.only_fixed;
    fixed.input.disabled = !o.fail_on_severity;
  }

  function options() {
    const sev = severity.value || null;
    return {
      fail_on_stop: stop.input.checked,
      fail_on_error: error.input.checked,
      fail_on_warn: warn.input.checked,
      fail_on_severity: sev,
      only_fixed: Boolean(sev) && fixed.input.checked,
    };
  }

  const said = (t) => `${(OUTCOMES[t.outcome] ?? OUTCOMES.could_not_decide).words} (exit ${str(t.exit_code)})`;

  /** Shows what the decision in view says about the allowlist and the options in force. */
  function after(decided, t) {
    const o = decided === original ? ci : options();
    const count = decided === original ? num(ciAllowlist?.entries) : (allowlist?.entries.length ?? 0);
    summary.textContent = `Gate options: ${describeOptions(o, count)}${decided === original ? asRead : ' (changed here)'}`;
    const whose = fromCi ? 'The CI run’s decision' : 'As read from the files';
    result.textContent = decided === original
      ? `${whose}: ${said(t)}.`
      : `Decided here: ${said(t)} (${fromCi ? 'the CI run' : 'as read'}: ${said(originalTriage)}).`;
    expired.replaceChildren();
    const a = decided.allowlist && typeof decided.allowlist === 'object' ? decided.allowlist : null;
    if (!a) return;
    expired.append(el('p', null, `Allowlist${a.source ? ` ${str(a.source)}` : ''}: ${num(a.entries)} entries, ${num(a.applied)} vulnerabilities covered.`));
    const list = Array.isArray(a.expired) ? a.expired.filter((x) => x && typeof x === 'object') : [];
    if (!list.length) return;
    expired.append(el('p', 'gate-expired-title', `Expired entries (${list.length}), no longer applied:`));
    const ul = el('ul');
    for (const x of list) {
      ul.append(el('li', null, `entry ${str(x.entry)} (${str(x.matches)}) expired ${str(x.expires)} — ${str(x.reason)}`));
    }
    expired.append(ul);
  }

  function decideNow() {
    const o = options();
    fixed.input.disabled = !o.fail_on_severity;
    let decided;
    try {
      decided = core.decideAndTriage(text, { ...o, allowlist: allowlist?.entries ?? [], allowlist_source: allowlist?.source ?? null }, Date.now());
    } catch (e) {
      problem.textContent = `Could not decide with these options: ${e?.message ?? e}`;
      problem.hidden = false;
      return;
    }
    problem.hidden = true;
    onDecide(decided);
    after(decided.report, decided.triage);
  }

  function applyAllowlist(value, source) {
    if (!value.trim()) {
      allowlist = null;
    } else {
      try {
        allowlist = { entries: core.parseAllowlist(value, source), source };
      } catch (e) {
        problem.textContent = `Allowlist not applied — ${e?.message ?? e}`;
        problem.hidden = false;
        return;
      }
    }
    decideNow();
  }

  file.addEventListener('change', async () => {
    const f = file.files[0];
    file.value = '';
    if (!f) return;
    let value;
    try {
      value = await f.text();
    } catch (e) {
      problem.textContent = `Could not read ${f.name}: ${e?.message ?? e}`;
      problem.hidden = false;
      return;
    }
    if (/\.ya?ml$/i.test(f.name)) {
      // JSON is YAML; other YAML needs a parser the viewer does not carry.
      try {
        JSON.parse(value);
      } catch {
        problem.textContent = `${f.name}: only JSON can be read here — convert the YAML first (e.g. yq -o json ${f.name}) or paste the entries as JSON.`;
        problem.hidden = false;
        return;
      }
    }
    area.value = value;
    applyAllowlist(value, f.name);
  });
  for (const input of [stop.input, error.input, warn.input, severity, fixed.input]) input.addEventListener('change', decideNow);

  setControls(ci);
  after(original, originalTriage);

  /** The line under the verdict when the report in view is not the CI run's decision. */
  function compare(decided) {
    if (decided === original) return '';
    const was = str(original.exit_code);
    const now = str(decided.exit_code);
    if (!fromCi) return `Decided here with other options: exit ${now}${now === was ? ', as' : ` instead of ${was}`} with the defaults.`;
    const sameAllowlist = ciRules ? allowlist === ciRules : !allowlist && !(num(ciAllowlist?.entries) > 0);
    const sameOptions = JSON.stringify(options()) === JSON.stringify(ci) && sameAllowlist;
    const how = sameOptions ? 'Decided here again with the CI run’s options' : 'Decided here with other options than the CI run';
    return now === was ? `${how}: exit ${now}, as in the CI run.` : `${how}: exit ${now} instead of ${was}.`;
  }

  function collapse() {
    form.hidden = true;
    summary.setAttribute('aria-expanded', 'false');
  }

  return { panel, compare, collapse };
}

/** The build's outcome as the core's triage gives it: badge text and class, and the words. */
const OUTCOMES = {
  passes: { badge: 'PASS', css: 'pass', words: 'Build passes' },
  fails: { badge: 'FAIL', css: 'fail', words: 'Build fails' },
  could_not_decide: { badge: 'ERROR', css: 'error', words: 'Could not decide' },
};

/** "Build passes (exit 0) — 1 image has STOP findings, not enforced", from the core's triage. */
export function headlineText(report, images, triage) {
  const count = (effect) => num(triage.effects[effect]);
  const names = (effect) => {
    const list = images.filter((_, i) => triage.images[i]?.effect === effect).map((i) => str(i.image));
    return list.slice(0, 2).join(', ') + (list.length > 2 ? ` and ${list.length - 2} more` : '');
  };
  const has = (n) => (n === 1 ? 'has' : 'have');
  const notes = [];
  if (count('not_enforced')) notes.push(`${plural(count('not_enforced'), 'image')} ${has(count('not_enforced'))} STOP findings, not enforced`);
  if (count('error_not_enforced')) notes.push(`${plural(count('error_not_enforced'), 'image')} ended with an error, ignored`);
  if (count('not_evaluated')) notes.push(`${plural(count('not_evaluated'), 'image')} not evaluated: no policy evaluation among the files read`);
  const o = OUTCOMES[triage.outcome] ?? OUTCOMES.could_not_decide;
  const head = `${o.words} (exit ${str(triage.exit_code)})`;
  let why;
  if (triage.outcome === 'passes') {
    why = notes.length ? ` — ${notes.join('; ')}` : ` — ${images.length === 1 ? 'the image passes' : `all ${plural(images.length, 'image')} pass`}`;
  } else if (triage.outcome === 'fails') {
    const n = count('fails');
    why = `: ${plural(n, 'image')} ${n === 1 ? 'fails' : 'fail'} the gate — ${names('fails')}${notes.length ? `; ${notes.join('; ')}` : ''}`;
  } else if (report.error) {
    why = `: the run ended with an error — ${str(report.error.kind)}: ${str(report.error.message)}`;
  } else if (count('error')) {
    why = `: ${plural(count('error'), 'image')} ended with an error — ${names('error')}${count('fails') ? `; ${plural(count('fails'), 'image')} also ${count('fails') === 1 ? 'fails' : 'fail'}` : ''}`;
  } else {
    why = notes.length ? `: ${notes.join('; ')}` : images.length ? '' : ': the report lists no images';
  }
  return head + why;
}

function header(report, sources, images, triage, note = '') {
  const h = el('header', 'top');
  const title = el('h1', 'headline');
  const o = OUTCOMES[triage.outcome] ?? OUTCOMES.could_not_decide;
  const v = el('span', `badge verdict status-${o.css}`, o.badge);
  v.setAttribute('aria-hidden', 'true');
  title.append(v, el('span', 'headline-text', headlineText(report, images, triage)));
  h.append(title);
  if (report.error && triage.outcome !== 'could_not_decide') {
    const alert = el('p', 'run-error', `The run ended with an error — ${str(report.error.kind)}: ${str(report.error.message)}`);
    alert.setAttribute('role', 'alert');
    h.append(alert);
  }
  const meta = el('p', 'meta');
  const parts = [];
  const engine = report.engine ?? {};
  if (engine.url) parts.push(`engine ${str(engine.url)}`);
  if (engine.api) parts.push(`API ${str(engine.api)}`);
  if (report.finished_at) parts.push(`finished ${str(report.finished_at)}`);
  if (report.exit_code != null && report.started_at) parts.push(`exit code ${str(report.exit_code)}`);
  if (!report.started_at && sources?.length) parts.push('assembled from the files opened');
  if (report.tool?.version) parts.push(`anchore-gate ${str(report.tool.version)}`);
  meta.textContent = parts.join(' · ');
  h.append(meta);
  if (note) {
    const n = el('p', 'decided-here', note);
    n.setAttribute('role', 'status');
    h.append(n);
  }
  return h;
}

function openControls(onFiles) {
  const box = el('div', 'open');
  const files = el('input');
  files.type = 'file';
  files.multiple = true;
  files.accept = '.json,application/json';
  files.hidden = true;
  files.id = 'open-files';
  const folder = el('input');
  folder.type = 'file';
  folder.webkitdirectory = true;
  folder.hidden = true;
  folder.id = 'open-folder';
  const b1 = el('button', 'button', 'Open files…');
  b1.type = 'button';
  b1.addEventListener('click', () => files.click());
  const b2 = el('button', 'button', 'Open a folder…');
  b2.type = 'button';
  b2.addEventListener('click', () => folder.click());
  for (const input of [files, folder]) {
    input.addEventListener('change', () => {
      const list = [...input.files].map((f) => ({ file: f, name: f.webkitRelativePath || f.name }));
      input.value = '';
      if (list.length) onFiles(list);
    });
  }
  box.append(b1, b2, files, folder);
  return box;
}

async function dropped(dataTransfer) {
  const items = [...(dataTransfer.items ?? [])].filter((i) => i.kind === 'file');
  // webkitGetAsEntry must be called before anything is awaited.
  const entries = items.map((i) => i.webkitGetAsEntry?.()).filter(Boolean);
  if (!entries.length) return [...dataTransfer.files].map((f) => ({ file: f, name: f.name }));
  const out = [];
  const walk = async (entry) => {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      out.push({ file, name: entry.fullPath.replace(/^\//, '') });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (!batch.length) break;
        for (const e of batch) await walk(e);
      }
    }
  };
  for (const e of entries) await walk(e);
  return out;
}

/**
 * Starts the viewer in `root`. core: {importReport}; initial: null, or {files: [{name, content}]}
 * to show at once (report.html), or {urls: [...]} to fetch (?report=URL).
 */
export function startViewer({ root, core, initial = null }) {
  root.replaceChildren();
  root.classList.add('viewer');
  const status = el('p', 'status');
  status.setAttribute('role', 'status');
  const error = el('p', 'error');
  error.setAttribute('role', 'alert');
  error.hidden = true;
  const body = el('main', 'body');
  const bar = el('div', 'bar-top');
  const open = openControls((list) => readFiles(list));
  bar.append(open, status);
  root.append(bar, error, body);
  let current = null;

  function setState(state, message = '') {
    root.dataset.state = state;
    status.textContent = message;
  }

  function fail(message) {
    // A failed open leaves the report in view: say which one it still is.
    error.textContent = current
      ? `${message}\nStill showing the report opened before${current.sources?.length ? ` (${current.sources.filter((s) => s.used).map((s) => str(s.name)).join(', ')})` : ''}.`
      : message;
    error.hidden = false;
    setState(current ? 'ready' : 'error', '');
  }

  function empty() {
    const drop = el('section', 'dropzone');
    drop.append(
      el('h1', null, 'anchore-gate report viewer'),
      el('p', null, 'Drop a report here — anchore-gate.json, a whole AnchoreReport folder, the Jenkins plugin’s anchore_gates.json and anchore_security.json, or engine policy evaluations and vulnerability listings — or use “Open files…” / “Open a folder…” above.'),
      el('p', 'hint', 'Everything stays in this browser tab: nothing is uploaded.'),
    );
    body.replaceChildren(drop);
    setState('empty', '');
  }

  async function load(files) {
    error.hidden = true;
    setState('loading', `Reading ${files.length} file${files.length === 1 ? '' : 's'}…`);
    // Let the status paint before the (synchronous) import.
    await new Promise((resolve) => setTimeout(resolve, 0));
    performance.mark('anchore-viewer:load-start');
    let imported;
    try {
      const t0 = performance.now();
      imported = JSON.parse(core.importReport(files, Date.now()));
      performance.measure('anchore-viewer:import', { start: t0 });
    } catch (e) {
      fail(e?.message ? String(e.message) : String(e));
      return;
    }
    show(imported);
  }

  async function readFiles(list) {
    try {
      setState('loading', `Reading ${list.length} file${list.length === 1 ? '' : 's'}…`);
      const files = await Promise.all(list.map(async ({ file, name }) => ({ name, content: new Uint8Array(await file.arrayBuffer()) })));
      await load(files);
    } catch (e) {
      fail(`Could not read the files: ${e?.message ?? e}`);
    }
  }

  /**
   * Shows an imported report. `decided`: the same report decided again here under other gate
   * options (the options panel stays as it is; the rest is rebuilt).
   */
  function show({ report, sources, triage }, decided = null) {
    const t0 = performance.now();
    const images = Array.isArray(report.images) ? report.images.filter((i) => i && typeof i === 'object') : [];
    const findings = flatten(images, 'findings');
    const vulns = flatten(images, 'vulnerabilities');
    let page;
    let gate;
    if (decided) {
      ({ page, gate } = current);
    } else {
      page = el('div', 'report');
      // The text the core reads to decide again; the CI run's options only when the files were our report.
      const text = JSON.stringify(report);
      triage = core.triage(text);
      const fromCi = (sources ?? []).some((s) => s.used && s.format === 'gate_report');
      gate = gatePanel({ report, text, triage, fromCi, core, onDecide: (d) => show({ report: d.report, sources, triage: d.triage }, true) });
    }
    const top = header(report, sources, images, triage, decided ? gate.compare(report) : '');
    const views = el('div', 'report-views');
    const selected = decided ? current.tabs.buttons.findIndex((b) => b.getAttribute('aria-selected') === 'true') : 0;
    const summary = summaryPanel(report, sources, images, triage);
    const none = (noun) => (report.error ? `No ${noun}: the run ended with an error before any was read (see above).` : `No ${noun} in this report.`);
    const findingView = new TableView({
      name: 'findings',
      noun: 'findings',
      none: none('policy findings'),
      columns: findingColumns(images),
      rows: findings,
      images,
      extra: {
        id: 'action',
        label: 'Action',
        options: [['', 'All actions'], ['stop', 'STOP'], ['warn', 'WARN'], ['go', 'GO']],
        test: (r, v) => r.x.action === v,
      },
      details: (r) => {
        const cols = mostTellingFirst(findingView.columns, ['Action', 'Check Output', 'Gate', 'Trigger', 'Recommendation']).map((c) => [c.title, c.text(r)]);
        const m = r.x.allowlist_match;
        if (m && typeof m === 'object') cols.push(['Allowlist match', `${str(m.name)} (${str(m.id)}), rule ${str(m.matched_rule_id)}`]);
        cols.push(['Digest', images[r.img].digest]);
        return cols;
      },
    });
    const vulnView = new TableView({
      name: 'vulnerabilities',
      noun: 'vulnerabilities',
      none: none('vulnerabilities'),
      columns: vulnerabilityColumns(images),
      rows: vulns,
      images,
      extra: {
        id: 'severity',
        label: 'Severity',
        options: [['', 'All severities'], ...SEVERITIES.map((s) => [s, s]), ...SEVERITIES.slice(1, 4).map((s) => [`>=${s}`, `${s} and above`]),
          ['allowlisted', 'Allowlisted'], ['not-allowlisted', 'Not allowlisted']],
        test: (r, v) => {
          if (v === 'allowlisted') return Boolean(r.x.allowlisted);
          if (v === 'not-allowlisted') return !r.x.allowlisted;
          return v.startsWith('>=')
            ? SEVERITY_RANK.get(severityOf(r.x.severity)) <= SEVERITY_RANK.get(v.slice(2))
            : severityOf(r.x.severity) === v;
        },
      },
      toggle: { id: 'fixable', label: 'Fixable only', test: (r) => hasFix(r.x) },
      details: (r) => [
        ...mostTellingFirst(vulnView.columns, ['Severity', 'Vulnerability', 'Package', 'Fix']).map((c) => [c.title, c.text(r), c.title === 'Link']),
        ['Package name', r.x.package_name],
        ['Package version', r.x.package_version],
        ['Package path', r.x.package_path],
        ['Feed group', r.x.feed_group],
        ['Allowlisted by', r.x.allowlisted ? `entry ${str(r.x.allowlisted.entry)}: ${str(r.x.allowlisted.reason)}${r.x.allowlisted.expires ? ` (until ${str(r.x.allowlisted.expires)})` : ''}` : ''],
        ['Digest', images[r.img].digest],
      ],
    });
    const fixRows = triage.fixes.map((x, k) => ({ img: x.images[0] ?? 0, imgs: x.images, k, x }));
    const fixView = new TableView({
      name: 'fixes',
      noun: 'fixes',
      none: 'No vulnerability in this report has a fix.',
      columns: fixColumns(images),
      rows: fixRows,
      images,
      extra: null,
      details: (r) => [
        ['Upgrade', fixText(r.x)],
        ['Package', `${str(r.x.package_name)} ${str(r.x.package_version)} (${str(r.x.package_type)})`],
        ['Fixed in', r.x.to],
        ['Vulnerabilities', `${r.x.count.toLocaleString('en')}: ${r.x.examples.map(str).join(', ')}${r.x.count > r.x.examples.length ? ', …' : ''}`],
        ['Images', r.x.images.map((i) => str(images[i]?.image)).join('\n')],
      ],
    });
    // The orders people look for first: worst first.
    summary.view.sortBy(1);
    findingView.sortBy(6);
    vulnView.sortBy(2);
    fixView.sortBy(0);
    const tables = [summary.view, findingView, vulnView, fixView];
    // On a phone the open Gate options leave no room for a table: a table opened folds them.
    function tableShown(view, byUser) {
      if (byUser && typeof matchMedia === 'function' && matchMedia('(max-width: 600px)').matches) gate?.collapse();
      view.grid.schedule();
    }
    const t = tabs(views, [
      { id: 'summary', label: `Summary (${images.length})`, panel: summary.panel, onShow: () => summary.view.grid.schedule() },
      { id: 'findings', label: `Policy findings (${findings.length.toLocaleString('en')})`, panel: findingView.panel, onShow: (byUser) => tableShown(findingView, byUser) },
      { id: 'vulnerabilities', label: `Vulnerabilities (${vulns.length.toLocaleString('en')})`, panel: vulnView.panel, onShow: (byUser) => tableShown(vulnView, byUser) },
      { id: 'fixes', label: `Fixes (${fixRows.length.toLocaleString('en')})`, panel: fixView.panel, onShow: (byUser) => tableShown(fixView, byUser) },
    ]);
    if (selected > 0) t.select(selected);
    if (decided) {
      page.replaceChild(top, current.top);
      page.replaceChild(views, current.viewsRoot);
    } else {
      page.append(top, ...(gate ? [gate.panel] : []), views);
      body.replaceChildren(page);
    }
    current = { report, sources, triage, views: tables, tabs: t, page, gate, top, viewsRoot: views, decided: Boolean(decided) };
    document.title = `anchore-gate report: ${(OUTCOMES[triage.outcome] ?? OUTCOMES.could_not_decide).words.toLowerCase()} — ${plural(images.length, 'image')}`;
    for (const v of tables) v.grid.render();
    setState('ready', '');
    performance.measure('anchore-viewer:render', { start: t0 });
    performance.measure('anchore-viewer:load', 'anchore-viewer:load-start');
  }

  // Drag and drop anywhere on the page.
  document.addEventListener('dragover', (e) => {
    if ([...(e.dataTransfer?.types ?? [])].includes('Files')) {
      e.preventDefault();
      root.classList.add('dragging');
    }
  });
  document.addEventListener('dragleave', (e) => {
    if (!e.relatedTarget) root.classList.remove('dragging');
  });
  document.addEventListener('drop', async (e) => {
    e.preventDefault();
    root.classList.remove('dragging');
    if (!e.dataTransfer) return;
    try {
      const list = await dropped(e.dataTransfer);
      if (list.length) await readFiles(list);
    } catch (err) {
      fail(`Could not read what was dropped: ${err?.message ?? err}`);
    }
  });
  // "/" jumps to the search box of the table in view.
  document.addEventListener('keydown', (e) => {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
    const tag = document.activeElement?.tagName;
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') return;
    const search = [...root.querySelectorAll('[role=tabpanel]:not([hidden]) input[type=search]')].find((i) => i.offsetParent);
    if (search) {
      e.preventDefault();
      search.focus();
    }
  });

  empty();
  if (initial?.files) {
    load(initial.files);
  } else if (initial?.urls?.length) {
    (async () => {
      setState('loading', 'Fetching the report…');
      try {
        const files = await Promise.all(initial.urls.map(async (u) => {
          const url = new URL(u, document.baseURI);
          const response = await fetch(url, { credentials: 'same-origin' });
          if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
          const name = decodeURIComponent(url.pathname.split('/').filter(Boolean).pop() ?? 'report.json');
          return { name, content: new Uint8Array(await response.arrayBuffer()) };
        }));
        await load(files);
      } catch (e) {
        fail(`Could not fetch the report (only this site's own addresses can be read): ${e?.message ?? e}`);
      }
    })();
  }
  return {
    load,
    get current() {
      return current;
    },
  };
}
