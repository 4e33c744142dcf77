// A small SVG line chart for the portal's vital signs (no chart library): one or more series of
// { t: Date, v: number } over a shared time axis, with month ticks and a value range padded to
// round numbers.
const NS = 'http://www.w3.org/2000/svg';
const el = (name, attrs, text) => {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
};

export function lineChart({ title, unit, series, width = 360, height = 170 }) {
  const pad = { l: 40, r: 10, t: 24, b: 22 };
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart' });
  svg.append(el('title', {}, `${title} (${unit})`));
  const points = series.flatMap((s) => s.points);
  svg.append(el('text', { x: pad.l, y: 15, class: 'chart-title' }, `${title} · ${unit}`));
  if (!points.length) {
    svg.append(el('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'chart-empty' }, 'No measurements'));
    return svg;
  }
  const t0 = Math.min(...points.map((p) => p.t)), t1 = Math.max(...points.map((p) => p.t));
  let lo = Math.min(...points.map((p) => p.v)), hi = Math.max(...points.map((p) => p.v));
  const step = 10 ** Math.floor(Math.log10(Math.max(hi - lo, 1)));
  lo = Math.floor(lo / step) * step - step; hi = Math.ceil(hi / step) * step + step;
  const x = (t) => pad.l + ((t - t0) / Math.max(t1 - t0, 1)) * (width - pad.l - pad.r);
  const y = (v) => height - pad.b - ((v - lo) / (hi - lo)) * (height - pad.t - pad.b);
  for (const v of [lo, (lo + hi) / 2, hi]) {
    svg.append(el('line', { x1: pad.l, x2: width - pad.r, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(el('text', { x: pad.l - 4, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, String(Math.round(v * 10) / 10)));
  }
  const first = new Date(t0);
  for (let m = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 1)); m.getTime() <= t1; m.setUTCMonth(m.getUTCMonth() + 2)) {
    svg.append(el('text', { x: x(m.getTime()), y: height - 6, 'text-anchor': 'middle', class: 'axis' },
      m.toLocaleString('en', { month: 'short', timeZone: 'UTC' })));
  }
  series.filter((s) => s.name).forEach((s, i, named) => {
    svg.append(el('text', { x: width - pad.r - (named.length - 1 - i) * 62, y: 15, 'text-anchor': 'end', class: `legend ${s.className ?? ''}` }, s.name));
  });
  for (const s of series) {
    const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join('');
    svg.append(el('path', { d, class: `line ${s.className ?? ''}` }));
    const last = s.points[s.points.length - 1];
    if (last) svg.append(el('circle', { cx: x(last.t), cy: y(last.v), r: 3, class: `dot ${s.className ?? ''}` }));
  }
  return svg;
}
