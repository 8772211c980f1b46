// The forecast chart as SVG built through the DOM (no library): a bar per week for the expected
// amount, a whisker for its low–high band, and the overdue amount as its own first bar.
const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function niceMax(value) {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function draw(series, format, room) {
  const buckets = Array.isArray(series.buckets) ? series.buckets : [];
  const bars = [];
  if (series.overdue) bars.push({ label: 'Overdue', ...series.overdue, overdue: true });
  for (const b of buckets) bars.push({ label: String(b.start).slice(5, 10), ...b });
  // Drawn at the width it is shown at, so that its text keeps its size from a phone to a desktop.
  const width = Math.round(Math.min(1200, Math.max(280, room)));
  const height = 300;
  const left = 64;
  const bottom = 40;
  const top = 16;
  const plotW = width - left - 8;
  const plotH = height - top - bottom;
  const max = niceMax(Math.max(0, ...bars.map((b) => Math.max(b.high ?? 0, b.amount ?? 0))));
  const y = (v) => top + plotH - (Math.max(0, v) / max) * plotH;
  const slot = plotW / Math.max(bars.length, 1);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': `Weekly expected cash-in in ${series.currency}, with its band; the table below has the same figures.` });
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    chart.append(svg('line', { x1: left, x2: width - 8, y1: y(v), y2: y(v), class: 'grid' }));
    chart.append(svg('text', { x: left - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, compact(v, format)));
  }
  bars.forEach((b, i) => {
    const x = left + i * slot;
    const w = Math.max(slot * 0.6, 2);
    const cx = x + slot / 2;
    const group = svg('g', { class: b.overdue ? 'bar overdue' : 'bar' });
    group.append(svg('title', {}, `${b.overdue ? 'Overdue' : `Week of ${String(b.start).slice(0, 10)}`}: ${format(b.amount)} (${format(b.low)} – ${format(b.high)}), ${b.count} invoice(s)`));
    group.append(svg('rect', { x: cx - w / 2, y: y(b.amount ?? 0), width: w, height: Math.max(y(0) - y(b.amount ?? 0), 0) }));
    if (typeof b.low === 'number' && typeof b.high === 'number') {
      group.append(svg('line', { x1: cx, x2: cx, y1: y(b.low), y2: y(b.high), class: 'band' }));
      group.append(svg('line', { x1: cx - w / 4, x2: cx + w / 4, y1: y(b.high), y2: y(b.high), class: 'band' }));
      group.append(svg('line', { x1: cx - w / 4, x2: cx + w / 4, y1: y(b.low), y2: y(b.low), class: 'band' }));
    }
    // As many labels as fit (one per 48 px); the overdue bar always has its own.
    if (b.overdue || i % Math.ceil(48 / slot) === 0) group.append(svg('text', { x: cx, y: height - bottom + 16, class: 'axis', 'text-anchor': 'middle' }, b.label));
    chart.append(group);
  });
  return chart;
}

export function forecastChart(series, format) {
  const legend = document.createElement('p');
  legend.className = 'legend';
  legend.textContent = 'Bars: expected amount per week (the first, red bar is the overdue amount). Whiskers: the low–high band.';
  const wrap = document.createElement('figure');
  wrap.className = 'chart-wrap';
  let drawnAt = 0;
  let chart = draw(series, format, 720);
  wrap.append(chart, legend);
  // Redrawn when its box changes width (a phone turned, a window resized, the first layout).
  new ResizeObserver(([entry]) => {
    const room = Math.floor(entry.contentRect.width);
    if (!room || Math.abs(room - drawnAt) < 16) return;
    drawnAt = room;
    const next = draw(series, format, room);
    chart.replaceWith(next);
    chart = next;
  }).observe(wrap);
  return wrap;
}

// Axis labels short: "12k", "1.5M" (in the currency's major units).
function compact(minor, format) {
  const text = format(minor);
  const [number, ccy] = text.split(' ');
  const value = Number(number.replace(/,/g, ''));
  if (!Number.isFinite(value)) return text;
  const short = value >= 1e6 ? `${+(value / 1e6).toFixed(1)}M` : value >= 1e3 ? `${+(value / 1e3).toFixed(1)}k` : `${+value.toFixed(0)}`;
  return ccy ? short : text;
}
