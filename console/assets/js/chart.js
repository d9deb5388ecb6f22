// Small SVG charts with no dependency: a line chart over time (vital
// signs, with the safe range's edges as bands), a bar chart (vertical or
// horizontal, one or more series) and a horizontal funnel.
//
// Each returns a <figure>: the <svg role="img" aria-label> (its <title>
// and <desc> say what it shows) and a visually hidden <table> of the same
// figures, so a screen reader gets the numbers, not just "image". Built
// with createElementNS and attributes only: the console's CSP forbids
// style attributes and innerHTML, and presentation attributes are neither.

const NS = 'http://www.w3.org/2000/svg';

// svg builds an SVG element: attrs set as attributes (null/undefined
// skipped), children appended (strings as text).
function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== null && v !== undefined && v !== false) el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? String(c) : c);
  }
  return el;
}

// html builds an HTML element the same way (text children only, or nodes).
function html(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? String(c) : c);
  }
  return el;
}

let uid = 0;
const nextID = (p) => `${p}-${++uid}`;

// fmt formats a number for an axis or a label: integers as they are,
// others with at most one decimal (two below 10).
export function fmtNum(v) {
  if (!Number.isFinite(v)) return '';
  if (Number.isInteger(v)) return v.toLocaleString();
  const d = Math.abs(v) < 10 ? 2 : 1;
  return Number(v.toFixed(d)).toLocaleString();
}

// niceTicks returns round tick values covering [lo, hi], about n of them;
// whole numbers only when integer (counts of patients or answers).
export function niceTicks(lo, hi, n = 5, integer = false) {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (lo === hi) {
    const pad = Math.abs(lo) > 1 ? Math.abs(lo) * 0.1 : 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const r = raw / mag;
  let step = (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
  if (integer) step = Math.max(1, Math.round(step));
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const out = [];
  for (let v = start; v <= end + step / 2; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const HOUR = 3600e3;
const DAY = 24 * HOUR;
const timeSteps = [HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY];

// timeTicks returns local-time ticks between lo and hi (ms), at most about
// six: whole hours for short spans, local midnights for longer ones.
export function timeTicks(lo, hi) {
  const span = Math.max(hi - lo, HOUR);
  const step = timeSteps.find((s) => span / s <= 6) || timeSteps[timeSteps.length - 1];
  const out = [];
  const d = new Date(lo);
  if (step < DAY) {
    const hours = step / HOUR;
    d.setMinutes(0, 0, 0);
    d.setHours(Math.ceil(d.getHours() / hours) * hours);
    while (d.getTime() < lo) d.setHours(d.getHours() + hours);
    for (; d.getTime() <= hi && out.length < 12; d.setHours(d.getHours() + hours)) out.push({ t: d.getTime(), step });
  } else {
    const days = Math.round(step / DAY);
    d.setHours(0, 0, 0, 0);
    if (d.getTime() < lo) d.setDate(d.getDate() + 1);
    for (; d.getTime() <= hi && out.length < 12; d.setDate(d.getDate() + days)) out.push({ t: d.getTime(), step });
  }
  return out;
}

function tickLabel(t, step) {
  const d = new Date(t);
  if (step >= DAY) return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  if (d.getHours() === 0) return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

// fmtTime is a reading's time in full, for tooltips and the table.
export function fmtTime(t) {
  return new Date(t).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

// frame makes the <figure>, its <svg role="img"> with <title> and <desc>,
// and the visually hidden table; the caller draws into svg.
function frame({ label, desc, width, height, columns, rows, className }) {
  const titleID = nextID('chart-title');
  const descID = nextID('chart-desc');
  const root = svg('svg', {
    role: 'img', 'aria-label': label, 'aria-describedby': descID,
    viewBox: `0 0 ${width} ${height}`, width: '100%', preserveAspectRatio: 'xMidYMid meet',
    class: 'chart-svg', focusable: 'false',
  });
  root.append(svg('title', { id: titleID }, label), svg('desc', { id: descID }, desc));
  const table = html('table', { class: 'visually-hidden chart-data' },
    html('caption', {}, label),
    html('thead', {}, html('tr', {}, columns.map((c) => html('th', { scope: 'col' }, c)))),
    html('tbody', {}, rows.length
      ? rows.map((r) => html('tr', {}, r.map((v, i) => (i === 0 ? html('th', { scope: 'row' }, v) : html('td', {}, v)))))
      : html('tr', {}, html('td', { colspan: columns.length }, 'No data'))));
  const fig = html('figure', { class: `chart ${className || ''}`.trim() },
    html('figcaption', { class: 'chart-caption' }, label), root, table);
  return { fig, root };
}

function noData(root, width, height) {
  root.append(svg('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'chart-empty', fill: '#555' }, 'No data'));
}

function legend(root, names, x, y) {
  let cx = x;
  names.forEach((name, i) => {
    root.append(svg('rect', { x: cx, y: y - 9, width: 10, height: 10, class: `chart-series-${i}`, fill: seriesColor(i) }));
    const t = svg('text', { x: cx + 14, y, class: 'chart-legend', 'font-size': 11 }, name);
    root.append(t);
    cx += 24 + name.length * 6.5;
  });
}

const palette = ['#1f5fa8', '#c0611b', '#2e7d4f', '#7b3fa0', '#8a6d00', '#444'];
function seriesColor(i) { return palette[i % palette.length]; }

// lineChart draws readings over time.
//   label   what the chart shows, e.g. "Blood glucose (mg/dL)"
//   unit    the readings' unit, for tooltips and the table
//   series  [{name, points: [{t: Date|string|ms, v: number, out: bool, note: string}]}]
//   bands   [{below: n} | {above: n}, label, lineOnly]: values beyond an edge
//           are out of range; the region past it is shaded unless lineOnly
//           (an edge that applies to another series than the first)
export function lineChart({ label, unit = '', series = [], bands = [] }) {
  const W = 640, H = 260, m = { l: 52, r: 16, t: 24, b: 34 };
  const all = [];
  series.forEach((s, si) => s.points.forEach((p) => all.push({ ...p, t: new Date(p.t).getTime(), si })));
  all.sort((a, b) => a.t - b.t);

  // The table: one row per time, one column per series.
  const byTime = new Map();
  for (const p of all) {
    if (!byTime.has(p.t)) byTime.set(p.t, new Array(series.length).fill(''));
    byTime.get(p.t)[p.si] = `${fmtNum(p.v)}${unit ? ' ' + unit : ''}${p.out ? ' (out of range' + (p.note ? ': ' + p.note : '') + ')' : ''}`;
  }
  const rows = [...byTime.entries()].map(([t, vals]) => [fmtTime(t), ...vals]);
  const columns = ['Time', ...series.map((s) => s.name || 'Value')];

  const outCount = all.filter((p) => p.out).length;
  let desc = 'No readings.';
  if (all.length) {
    const last = all[all.length - 1];
    const vals = all.map((p) => p.v);
    desc = `${all.length} reading${all.length === 1 ? '' : 's'} from ${fmtTime(all[0].t)} to ${fmtTime(last.t)}; ` +
      `lowest ${fmtNum(Math.min(...vals))}, highest ${fmtNum(Math.max(...vals))}${unit ? ' ' + unit : ''}; ` +
      `latest ${fmtNum(last.v)}${unit ? ' ' + unit : ''}; ${outCount} out of range.`;
    const edges = bands.map((b) => b.label).filter(Boolean);
    if (edges.length) desc += ` Out of range: ${edges.join(', ')}.`;
  }
  const { fig, root } = frame({ label, desc, width: W, height: H, columns, rows, className: 'chart-line' });
  if (!all.length) {
    noData(root, W, H);
    return fig;
  }

  // Domains: the readings and every band edge, so a threshold shows.
  const edgeVals = bands.map((b) => (b.below ?? b.above)).filter(Number.isFinite);
  const yt = niceTicks(Math.min(...all.map((p) => p.v), ...edgeVals), Math.max(...all.map((p) => p.v), ...edgeVals), 5);
  const y0 = yt[0], y1 = yt[yt.length - 1];
  let t0 = all[0].t, t1 = all[all.length - 1].t;
  if (t1 - t0 < HOUR) {
    t0 -= HOUR / 2;
    t1 += HOUR / 2;
  } else {
    const pad = (t1 - t0) * 0.03;
    t0 -= pad;
    t1 += pad;
  }
  const pw = W - m.l - m.r, ph = H - m.t - m.b;
  const x = (t) => m.l + ((t - t0) / (t1 - t0)) * pw;
  const y = (v) => m.t + ph - ((v - y0) / (y1 - y0)) * ph;

  // Bands beyond each edge, shaded, with the edge drawn dashed.
  for (const b of bands) {
    const edge = b.below ?? b.above;
    if (!Number.isFinite(edge) || edge < y0 || edge > y1) continue;
    const top = b.below !== undefined ? y(edge) : m.t;
    const bottom = b.below !== undefined ? m.t + ph : y(edge);
    if (!b.lineOnly) root.append(svg('rect', { x: m.l, y: top, width: pw, height: Math.max(0, bottom - top), class: 'chart-band', fill: '#c62828', 'fill-opacity': 0.08 }));
    root.append(svg('line', { x1: m.l, x2: m.l + pw, y1: y(edge), y2: y(edge), class: 'chart-band-edge', stroke: '#c62828', 'stroke-dasharray': '4 3' }));
    if (b.label) {
      root.append(svg('text', { x: m.l + 4, y: y(edge) + (b.below !== undefined ? 12 : -4), 'text-anchor': 'start', class: 'chart-band-label', 'font-size': 10, fill: '#8e1c1c' }, b.label));
    }
  }

  // Axes and grid.
  for (const v of yt) {
    root.append(svg('line', { x1: m.l, x2: m.l + pw, y1: y(v), y2: y(v), class: 'chart-grid', stroke: '#ddd' }));
    root.append(svg('text', { x: m.l - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'chart-tick', 'font-size': 11 }, fmtNum(v)));
  }
  for (const tk of timeTicks(t0, t1)) {
    root.append(svg('line', { x1: x(tk.t), x2: x(tk.t), y1: m.t + ph, y2: m.t + ph + 4, class: 'chart-axis', stroke: '#666' }));
    root.append(svg('text', { x: x(tk.t), y: m.t + ph + 18, 'text-anchor': 'middle', class: 'chart-tick', 'font-size': 11 }, tickLabel(tk.t, tk.step)));
  }
  root.append(svg('line', { x1: m.l, x2: m.l + pw, y1: m.t + ph, y2: m.t + ph, class: 'chart-axis', stroke: '#666' }));
  root.append(svg('line', { x1: m.l, x2: m.l, y1: m.t, y2: m.t + ph, class: 'chart-axis', stroke: '#666' }));
  if (unit) root.append(svg('text', { x: 4, y: m.t - 10, class: 'chart-unit', 'font-size': 11 }, unit));
  if (series.length > 1) legend(root, series.map((s) => s.name), m.l + 40, 14);

  // Lines and points: out-of-range points are larger diamonds, so they
  // stand out without relying on colour.
  series.forEach((s, si) => {
    const pts = s.points.map((p) => ({ ...p, t: new Date(p.t).getTime() })).sort((a, b) => a.t - b.t);
    const color = seriesColor(si);
    if (pts.length > 1) {
      root.append(svg('polyline', {
        points: pts.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' '),
        fill: 'none', stroke: color, 'stroke-width': 2, class: `chart-line-path chart-series-${si}`,
        'stroke-dasharray': si > 0 ? '6 3' : null,
      }));
    }
    for (const p of pts) {
      const cx = x(p.t), cy = y(p.v);
      const tip = svg('title', {}, `${s.name ? s.name + ' ' : ''}${fmtNum(p.v)}${unit ? ' ' + unit : ''} at ${fmtTime(p.t)}${p.out ? ' (out of range)' : ''}`);
      const mark = p.out
        ? svg('path', { d: `M${cx},${cy - 7} L${cx + 7},${cy} L${cx},${cy + 7} L${cx - 7},${cy} Z`, class: 'chart-point chart-point-out', fill: '#c62828', stroke: '#fff' }, tip)
        : svg(si > 0 ? 'rect' : 'circle', si > 0
          ? { x: cx - 3.5, y: cy - 3.5, width: 7, height: 7, class: `chart-point chart-series-${si}`, fill: color }
          : { cx, cy, r: 4, class: `chart-point chart-series-${si}`, fill: color }, tip);
      root.append(mark);
    }
  });
  return fig;
}

// barChart draws categories with one bar per series.
//   categories  ['1', '2', ...]
//   series      [{name, values: [n per category]}]
//   horizontal  bars run left to right, labels on the left (long names)
export function barChart({ label, categories = [], series = [], unit = '', horizontal = false }) {
  const columns = [unit ? `Category` : 'Category', ...series.map((s) => s.name)];
  const rows = categories.map((c, i) => [c, ...series.map((s) => fmtNum(s.values[i] ?? 0))]);
  const total = series.map((s) => s.values.reduce((a, b) => a + (b || 0), 0));
  const desc = categories.length
    ? `${categories.length} categor${categories.length === 1 ? 'y' : 'ies'}. ` +
      series.map((s, si) => `${s.name}: ` + categories.map((c, i) => `${c} ${fmtNum(s.values[i] ?? 0)}`).join(', ') + ` (total ${fmtNum(total[si])}${unit ? ' ' + unit : ''})`).join('. ') + '.'
    : 'No data.';
  const rowH = series.length * 16 + 10;
  const W = 640;
  const max = Math.max(0, ...series.flatMap((s) => s.values.map((v) => v || 0)));
  const empty = !categories.length || max === 0;
  const H = empty ? 80 : horizontal ? Math.max(80, 34 + categories.length * rowH) : 260;
  const { fig, root } = frame({ label, desc, width: W, height: H, columns, rows, className: 'chart-bar' });
  if (empty) {
    noData(root, W, H);
    return fig;
  }
  const whole = series.every((s) => s.values.every((v) => Number.isInteger(v || 0)));
  const ticks = niceTicks(0, max, 4, whole);
  const top = ticks[ticks.length - 1];
  if (series.length > 1) legend(root, series.map((s) => s.name), horizontal ? 170 : 60, 14);

  if (horizontal) {
    const m = { l: 170, r: 48, t: 24, b: 10 };
    const pw = W - m.l - m.r;
    const x = (v) => m.l + (v / top) * pw;
    categories.forEach((c, ci) => {
      const y0 = m.t + ci * rowH;
      root.append(svg('text', { x: m.l - 8, y: y0 + rowH / 2 + 2, 'text-anchor': 'end', class: 'chart-tick', 'font-size': 11 }, truncate(c, 26)));
      series.forEach((s, si) => {
        const v = s.values[ci] || 0;
        const by = y0 + 4 + si * 16;
        root.append(svg('rect', { x: m.l, y: by, width: Math.max(v > 0 ? 1 : 0, x(v) - m.l), height: 13, class: `chart-bar-rect chart-series-${si}`, fill: seriesColor(si) },
          svg('title', {}, `${c}, ${s.name}: ${fmtNum(v)}`)));
        root.append(svg('text', { x: x(v) + 4, y: by + 11, class: 'chart-value', 'font-size': 11 }, fmtNum(v)));
      });
    });
    root.append(svg('line', { x1: m.l, x2: m.l, y1: m.t, y2: H - m.b, class: 'chart-axis', stroke: '#666' }));
    return fig;
  }

  const m = { l: 48, r: 12, t: 26, b: 40 };
  const pw = W - m.l - m.r, ph = H - m.t - m.b;
  const y = (v) => m.t + ph - (v / top) * ph;
  for (const v of ticks) {
    root.append(svg('line', { x1: m.l, x2: m.l + pw, y1: y(v), y2: y(v), class: 'chart-grid', stroke: '#ddd' }));
    root.append(svg('text', { x: m.l - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'chart-tick', 'font-size': 11 }, fmtNum(v)));
  }
  const slot = pw / categories.length;
  const bw = Math.min(48, (slot - 8) / series.length);
  categories.forEach((c, ci) => {
    const cx = m.l + slot * ci + slot / 2;
    root.append(svg('text', { x: cx, y: m.t + ph + 16, 'text-anchor': 'middle', class: 'chart-tick', 'font-size': 11 }, truncate(c, Math.max(4, Math.floor(slot / 7)))));
    series.forEach((s, si) => {
      const v = s.values[ci] || 0;
      const bx = cx - (bw * series.length) / 2 + si * bw;
      root.append(svg('rect', { x: bx, y: y(v), width: Math.max(1, bw - 2), height: m.t + ph - y(v), class: `chart-bar-rect chart-series-${si}`, fill: seriesColor(si) },
        svg('title', {}, `${c}${series.length > 1 ? ', ' + s.name : ''}: ${fmtNum(v)}`)));
      if (v > 0) root.append(svg('text', { x: bx + bw / 2 - 1, y: y(v) - 4, 'text-anchor': 'middle', class: 'chart-value', 'font-size': 10 }, fmtNum(v)));
    });
  });
  root.append(svg('line', { x1: m.l, x2: m.l + pw, y1: m.t + ph, y2: m.t + ph, class: 'chart-axis', stroke: '#666' }));
  return fig;
}

// funnel draws steps as centred bars narrowing with the count, each with
// its count and its share of the first step.
//   steps [{label, value}]
export function funnel({ label, steps = [] }) {
  const first = steps.length ? steps[0].value : 0;
  const pct = (v) => (first > 0 ? `${Math.round((v / first) * 100)}%` : '–');
  const rows = steps.map((s) => [s.label, fmtNum(s.value), pct(s.value)]);
  const desc = steps.length ? steps.map((s) => `${s.label} ${fmtNum(s.value)} (${pct(s.value)})`).join(', ') + '.' : 'No data.';
  const rowH = 30, W = 480, H = Math.max(60, 10 + steps.length * rowH);
  const { fig, root } = frame({ label, desc, width: W, height: H, columns: ['Step', 'Patients', 'Share of first step'], rows, className: 'chart-funnel' });
  if (!steps.length || first === 0) {
    noData(root, W, H);
    return fig;
  }
  const m = { l: 96, r: 100 };
  const pw = W - m.l - m.r, mid = m.l + pw / 2;
  steps.forEach((s, i) => {
    const w = Math.max(2, (s.value / first) * pw);
    const y0 = 5 + i * rowH;
    root.append(svg('text', { x: m.l - 8, y: y0 + 17, 'text-anchor': 'end', class: 'chart-tick', 'font-size': 13 }, truncate(s.label, 14)));
    root.append(svg('rect', { x: mid - w / 2, y: y0, width: w, height: rowH - 6, class: `chart-bar-rect chart-funnel-step chart-series-0`, fill: seriesColor(0), 'fill-opacity': Math.max(0.45, 1 - i * 0.1) },
      svg('title', {}, `${s.label}: ${fmtNum(s.value)} (${pct(s.value)})`)));
    root.append(svg('text', { x: W - m.r + 8, y: y0 + 17, class: 'chart-value', 'font-size': 13 }, `${fmtNum(s.value)} · ${pct(s.value)}`));
  });
  return fig;
}

function truncate(s, n) {
  s = String(s);
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}
