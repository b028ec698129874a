// A virtualised, keyboard-navigable data grid: only the rows in view (plus a few) exist in the
// DOM, recycled as the user scrolls, so 100,000 rows cost what 40 do. Every value is written with
// textContent (or by a column's own render function, which must do the same); nothing is ever
// parsed as HTML.
//
// columns: [{ title, width (CSS track size), text(row) → string, render?(cell, row), sortable }]
// The grid does not sort or filter: it shows `order` (row numbers into `rows`) and reports header
// clicks through onSort(columnIndex); setSort() shows the state (aria-sort and an arrow).

const OVERSCAN = 6;
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
    this.rowHeight = rowHeight;
    this.onActive = onActive;
    this.onSort = onSort;
    this.rows = [];
    this.order = new Uint32Array(0);
    this.active = -1; // position in `order`
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
      h.setAttribute('role', 'columnheader');
      if (c.sortable === false) {
        h.textContent = c.title;
      } else {
        const b = el('button', 'sort', c.title);
        b.type = 'button';
        b.title = `Sort by ${c.title}`;
        b.addEventListener('click', () => this.onSort(i));
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
      if (row && row.dataset.pos) this.setActive(Number(row.dataset.pos), false);
    });
    if (typeof ResizeObserver === 'function') new ResizeObserver(() => this.schedule()).observe(this.root);
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
      r.cells = this.columns.map(() => {
        const c = el('div', 'grid-td');
        c.setAttribute('role', 'gridcell');
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
          } else {
            const text = c.text(row);
            cell.textContent = clip(text);
            // The whole value on hover when the column is too narrow for it (as text, never markup).
            cell.title = text.length > 24 ? clip(text, 2000) : '';
          }
        });
      }
      r.classList.toggle('active', isActive);
      if (isActive) r.id = `${this.id}-active`;
      else if (r.id) r.removeAttribute('id');
    }
    if (this.active >= 0 && this.active >= first && this.active < last) {
      this.root.setAttribute('aria-activedescendant', `${this.id}-active`);
    } else {
      this.root.removeAttribute('aria-activedescendant');
    }
  }

  setActive(pos, scroll = true) {
    if (!this.order.length) return;
    const p = Math.min(this.order.length - 1, Math.max(0, pos));
    this.active = p;
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
