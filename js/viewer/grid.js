// A virtualised, keyboard-navigable data grid: only the rows in view (plus a few) exist in the
// DOM, recycled as the user scrolls, so 100,000 rows cost what 40 do. Every value is written with
// textContent (or by a column's own render function, which must do the same); nothing is ever
// parsed as HTML.
//
// columns: [{ title, width (CSS track size), text(row) → string, render?(cell, row), sortable }]
// The grid does not sort or filter: it shows `order` (row numbers into `rows`) and reports header
// clicks through onSort(columnIndex); setSort() shows the state (aria-sort and an arrow).
//
// Keyboard (WAI-ARIA grid pattern): the grid is one Tab stop; focus stays on it and
// aria-activedescendant names the active cell, so recycling rows never drops focus. Up/Down,
// PageUp/PageDown, Home/End move between rows (Up from the first row reaches the header, where
// Enter sorts), Left/Right between cells; Enter opens the active cell's link.

const OVERSCAN = 6;
/** Below this width each row is a card: the columns marked `card` only, the lead one first. */
const CARDS = '(max-width: 600px)';
const CARD_LINE = 20;
/** Cells show at most this many characters; the details panel shows more. */
export const CELL_MAX = 400;
let gridCount = 0;

export function clip(text, max = CELL_MAX) {
  const s = text == null ? '' : String(text);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

export function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text != null) e.textContent = text;
  return e;
}

export class Grid {
  constructor({ columns, label, rowHeight = 30, onActive = () => {}, onSort = () => {} }) {
    this.id = `grid${(gridCount += 1)}`;
    this.columns = columns;
    this.lineHeight = rowHeight;
    this.rowHeight = rowHeight;
    // Card lines: the lead and main cells share the first, each `line` cell has its own.
    this.cardHeight = (1 + columns.filter((c) => c.card === 'line').length) * CARD_LINE + 10;
    this.onActive = onActive;
    this.onSort = onSort;
    this.rows = [];
    this.order = new Uint32Array(0);
    this.active = -1; // position in `order`; -1 with rows shown: the header row
    this.col = 0; // the active column
    this.onHead = false;
    this.pool = [];
    this.version = 0;
    this.frame = 0;

    this.root = el('div', 'grid');
    this.root.id = this.id;
    this.root.setAttribute('role', 'grid');
    this.root.setAttribute('aria-label', label);
    this.root.setAttribute('aria-colcount', String(columns.length));
    this.root.tabIndex = 0;
    this.root.style.setProperty('--cols', columns.map((c) => c.width ?? 'minmax(8rem, 1fr)').join(' '));
    this.root.style.setProperty('--row-h', `${rowHeight}px`);
    // Below the columns' minimum widths, scroll sideways (header and rows together).
    const mins = columns.map((c) => /^(?:minmax\(\s*)?([\d.]+(?:rem|px))/.exec(c.width ?? '8rem')?.[1] ?? '8rem');
    this.root.style.setProperty('--min-w', `calc(${mins.join(' + ')})`);

    this.head = el('div', 'grid-head');
    this.head.setAttribute('role', 'row');
    this.head.setAttribute('aria-rowindex', '1');
    this.headCells = columns.map((c, i) => {
      const h = el('div', 'grid-th');
      h.id = `${this.id}-h${i}`;
      h.setAttribute('role', 'columnheader');
      h.setAttribute('aria-colindex', String(i + 1));
      if (c.sortable === false) {
        h.textContent = c.title;
      } else {
        // Not a Tab stop of its own: the grid is one; Enter on the header cell sorts.
        const b = el('button', 'sort', c.title);
        b.type = 'button';
        b.tabIndex = -1;
        b.title = `Sort by ${c.title}`;
        b.addEventListener('click', () => {
          this.col = i;
          this.onSort(i);
        });
        h.append(b);
      }
      this.head.append(h);
      return h;
    });
    this.canvas = el('div', 'grid-canvas');
    this.canvas.setAttribute('role', 'rowgroup');
    this.empty = el('div', 'grid-empty', 'No rows match.');
    this.empty.hidden = true;
    this.root.append(this.head, this.canvas, this.empty);

    this.root.addEventListener('scroll', () => this.schedule(), { passive: true });
    this.root.addEventListener('keydown', (e) => this.key(e));
    this.canvas.addEventListener('click', (e) => {
      const row = e.target.closest('.grid-row');
      const cell = e.target.closest('.grid-td');
      if (cell && row) this.col = row.cells.indexOf(cell);
      if (row && row.dataset.pos) this.setActive(Number(row.dataset.pos), false);
    });
    // Anything inside a row that takes focus (a link clicked) hands it back to the grid: rows
    // are recycled, and focus on a recycled row would be lost.
    this.canvas.addEventListener('focusin', (e) => {
      if (e.target !== this.root) this.root.focus({ preventScroll: true });
    });
    if (typeof ResizeObserver === 'function') new ResizeObserver(() => this.schedule()).observe(this.root);
    if (columns.some((c) => c.card) && typeof matchMedia === 'function') {
      const narrow = matchMedia(CARDS);
      this.setCards(narrow.matches);
      narrow.addEventListener('change', (e) => this.setCards(e.matches));
    }
  }

  /** Rows as cards (phones) or as table rows. */
  setCards(on) {
    this.root.classList.toggle('cards', on);
    this.rowHeight = on ? this.cardHeight : this.lineHeight;
    this.root.style.setProperty('--row-h', `${this.rowHeight}px`);
    this.canvas.style.height = `${this.order.length * this.rowHeight}px`;
    this.version += 1;
    this.render();
  }

  /** New data (`rows`) and the row numbers to show, in order. */
  setRows(rows, order) {
    this.rows = rows;
    this.setOrder(order);
  }

  setOrder(order) {
    const keep = this.active >= 0 ? this.order[this.active] : -1;
    this.order = order;
    this.version += 1;
    this.canvas.style.height = `${order.length * this.rowHeight}px`;
    this.root.setAttribute('aria-rowcount', String(order.length + 1));
    this.empty.hidden = order.length > 0;
    // Keep the same row active when it is still shown, else the first.
    let pos = -1;
    if (keep >= 0) pos = order.indexOf(keep);
    this.active = order.length ? Math.max(0, pos) : -1;
    if (!order.length) this.onHead = false;
    this.render();
    this.onActive(this.activeRow());
  }

  activeRow() {
    return this.active >= 0 ? this.rows[this.order[this.active]] : null;
  }

  setSort(column, descending) {
    this.headCells.forEach((h, i) => {
      if (i === column) h.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      else h.removeAttribute('aria-sort');
      const b = h.querySelector('button');
      if (b) b.dataset.dir = i === column ? (descending ? 'desc' : 'asc') : '';
    });
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  render() {
    const h = this.rowHeight;
    // The sticky header covers the top of the viewport: canvas y = scrollTop is the first row seen.
    const top = this.root.scrollTop;
    const view = Math.max(this.root.clientHeight, h * 10);
    const first = Math.max(0, Math.floor(top / h) - OVERSCAN);
    const last = Math.min(this.order.length, Math.ceil((top + view) / h) + OVERSCAN);
    const need = last - first;
    while (this.pool.length < need) {
      const r = el('div', 'grid-row');
      r.setAttribute('role', 'row');
      r.cells = this.columns.map((_, i) => {
        const c = el('div', 'grid-td');
        c.setAttribute('role', 'gridcell');
        c.setAttribute('aria-colindex', String(i + 1));
        if (this.columns[i].card) c.dataset.card = this.columns[i].card;
        r.append(c);
        return c;
      });
      this.canvas.append(r);
      this.pool.push(r);
    }
    for (let k = 0; k < this.pool.length; k += 1) {
      const r = this.pool[k];
      const pos = first + k;
      if (k >= need) {
        r.hidden = true;
        continue;
      }
      r.hidden = false;
      const isActive = pos === this.active;
      if (r.pos !== pos || r.version !== this.version) {
        r.pos = pos;
        r.version = this.version;
        r.dataset.pos = String(pos);
        r.style.transform = `translateY(${pos * h}px)`;
        r.setAttribute('aria-rowindex', String(pos + 2));
        const row = this.rows[this.order[pos]];
        this.columns.forEach((c, i) => {
          const cell = r.cells[i];
          if (c.render) {
            cell.replaceChildren();
            c.render(cell, row);
            for (const a of cell.querySelectorAll('a')) a.tabIndex = -1;
          } else {
            const text = c.text(row);
            cell.textContent = clip(text);
            // The whole value on hover when the column is too narrow for it (as text, never markup).
            cell.title = text.length > 24 ? clip(text, 2000) : '';
          }
        });
      }
      r.classList.toggle('active', isActive);
      r.cells.forEach((cell, i) => {
        const on = isActive && i === this.col && !this.onHead;
        cell.classList.toggle('active-cell', on);
        if (on) cell.id = `${this.id}-active`;
        else if (cell.id) cell.removeAttribute('id');
      });
    }
    this.headCells.forEach((h, i) => h.classList.toggle('active-cell', this.onHead && i === this.col));
    if (this.onHead) {
      this.root.setAttribute('aria-activedescendant', this.headCells[this.col].id);
    } else if (this.active >= 0 && this.active >= first && this.active < last) {
      this.root.setAttribute('aria-activedescendant', `${this.id}-active`);
    } else {
      this.root.removeAttribute('aria-activedescendant');
    }
  }

  /** Scrolls sideways so the active column is in view. */
  showColumn() {
    const h = this.headCells[this.col];
    if (!h) return;
    const left = h.offsetLeft;
    const right = left + h.offsetWidth;
    if (left < this.root.scrollLeft) this.root.scrollLeft = left;
    else if (right > this.root.scrollLeft + this.root.clientWidth) this.root.scrollLeft = right - this.root.clientWidth;
  }

  setActive(pos, scroll = true) {
    if (!this.order.length) return;
    const p = Math.min(this.order.length - 1, Math.max(0, pos));
    this.active = p;
    this.onHead = false;
    if (scroll) {
      const h = this.rowHeight;
      const headH = this.head.offsetHeight;
      const y = p * h;
      const viewTop = this.root.scrollTop;
      const viewH = this.root.clientHeight - headH;
      if (y < viewTop) this.root.scrollTop = y;
      else if (y + h > viewTop + viewH) this.root.scrollTop = y + h - viewH;
    }
    this.render();
    this.onActive(this.activeRow());
  }

  key(e) {
    if (e.target !== this.root) return;
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      e.preventDefault();
      this.col = Math.min(this.columns.length - 1, Math.max(0, this.col + (e.key === 'ArrowLeft' ? -1 : 1)));
      this.showColumn();
      this.render();
      return;
    }
    if (e.key === 'Enter' || e.key === ' ') {
      if (this.onHead) {
        e.preventDefault();
        if (this.columns[this.col].sortable !== false) this.onSort(this.col);
        return;
      }
      // The active cell's link (only links the page made: http(s), rel=noopener).
      const a = this.root.querySelector(`#${this.id}-active a[href]`);
      if (a && e.key === 'Enter') {
        e.preventDefault();
        a.click();
      }
      return;
    }
    if (e.key === 'ArrowUp' && this.active <= 0 && !this.onHead) {
      e.preventDefault();
      this.onHead = true;
      this.root.scrollTop = 0;
      this.render();
      return;
    }
    if (this.onHead && e.key === 'ArrowDown') {
      e.preventDefault();
      this.setActive(0);
      return;
    }
    const page = Math.max(1, Math.floor((this.root.clientHeight - this.head.offsetHeight) / this.rowHeight) - 1);
    const moves = {
      ArrowDown: 1,
      ArrowUp: -1,
      PageDown: page,
      PageUp: -page,
      Home: -Infinity,
      End: Infinity,
    };
    if (e.key in moves) {
      e.preventDefault();
      const d = moves[e.key];
      const target = d === -Infinity ? 0 : d === Infinity ? this.order.length - 1 : this.active + d;
      this.setActive(target);
    }
  }
}
