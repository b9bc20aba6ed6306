/** One measured figure in bench.json. */
export interface Figure {
  id: string;
  label: string;
  value: number;
  unit: string;
  target?: string;
  met?: boolean;
  notes?: string;
  [extra: string]: unknown;
}

export function table(figures: Figure[]): string {
  const rows = figures.map((f) => [
    f.label,
    formatValue(f.value),
    f.unit,
    f.target ?? '',
    f.met === undefined ? '' : f.met ? 'met' : 'MISSED',
  ]);
  const header = ['figure', 'value', 'unit', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 1 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatValue(value: number): string {
  // A figure that could not be measured here (its note says why) prints as such, not as NaN.
  if (!Number.isFinite(value)) return 'not measured';
  if (Math.abs(value) >= 1000) return value.toFixed(0);
  if (Math.abs(value) >= 100) return value.toFixed(1);
  if (Math.abs(value) >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

export interface Series {
  name: string;
  colour: string;
  /** [ms since start, transactions delivered] */
  points: Array<[number, number]>;
  total: number;
  dashed?: boolean;
}

/**
 * Drain progress over time: transactions delivered against seconds since the drain started, all
 * series on the same axes (a baseline sample simply ends early). Plain SVG, no dependencies.
 */
export function drainChart(title: string, series: Series[], subtitle: string): string {
  const width = 900;
  const height = 520;
  const left = 70;
  const right = 30;
  const top = 70;
  const bottom = 60;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const maxMs = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[0])));
  // Long drains are labelled in whole minutes, short ones in seconds.
  const unitS = maxMs > 300_000 ? 60 : 1;
  const maxS = niceCeil(maxMs / 1000 / unitS) * unitS;
  const maxCount = niceCeil(Math.max(1, ...series.map((s) => s.total)));
  const x = (ms: number): number => left + (Math.min(ms / 1000, maxS) / maxS) * plotW;
  const y = (count: number): number => top + plotH - (count / maxCount) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left}" y="28" font-size="18" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${left}" y="50" font-size="13" fill="#444">${escapeXml(subtitle)}</text>`,
  );
  for (let i = 0; i <= 10; i += 1) {
    const count = (maxCount / 10) * i;
    parts.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${y(count)}" y2="${y(count)}" stroke="#e5e5e5"/>`,
      `<text x="${left - 8}" y="${y(count) + 4}" font-size="12" text-anchor="end">${count.toLocaleString('en')}</text>`,
    );
  }
  const whole = maxS / unitS;
  const ticks = Number.isInteger(whole) && whole >= 4 && whole <= 12 ? whole : 10;
  for (let i = 0; i <= ticks; i += 1) {
    const seconds = (maxS / ticks) * i;
    const px = left + (i / ticks) * plotW;
    parts.push(
      `<line x1="${px}" x2="${px}" y1="${top}" y2="${top + plotH}" stroke="#f0f0f0"/>`,
      `<text x="${px}" y="${top + plotH + 18}" font-size="12" text-anchor="middle">${unitS === 60 ? `${Number((seconds / 60).toFixed(1))} min` : `${Number(seconds.toFixed(1))} s`}</text>`,
    );
  }
  parts.push(
    `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`,
    `<text x="${left + plotW / 2}" y="${height - 16}" font-size="13" text-anchor="middle">time since the drain started</text>`,
    `<text transform="translate(18 ${top + plotH / 2}) rotate(-90)" font-size="13" text-anchor="middle">transactions delivered</text>`,
  );
  series.forEach((s, index) => {
    const path = s.points
      .map(([ms, n], i) => `${i === 0 ? 'M' : 'L'}${x(ms).toFixed(1)},${y(n).toFixed(1)}`)
      .join(' ');
    parts.push(
      `<rect x="${left + 12}" y="${top + 10 + index * 20}" width="${Math.min(plotW - 24, 60 + s.name.length * 7)}" height="20" fill="#ffffff" fill-opacity="0.85" stroke="none"/>`,
      `<path d="${path}" fill="none" stroke="${s.colour}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<line x1="${left + 20}" x2="${left + 50}" y1="${top + 20 + index * 20}" y2="${top + 20 + index * 20}" stroke="${s.colour}" stroke-width="3"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${left + 58}" y="${top + 24 + index * 20}" font-size="13">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function niceCeil(value: number): number {
  const steps = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(value, 1e-9)));
  for (const step of steps) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c,
  );
}
