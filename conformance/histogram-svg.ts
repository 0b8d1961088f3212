// One cell's ulp errors as an inline-SVG histogram for the HTML report: a bar
// per ulp bin (numerics.ts ulpBin: exact, below 1 ulp, then one bin per power
// of two), counts on a log axis, both axes labelled, and the cell's bound (what
// its contract allowed at the worst element) marked as a dashed line.

import type { Bound } from "./property.js";
import { fmtUlp } from "./report.js";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The number of bins ulpBin uses. */
const BINS = 25;

/** The errors bin `k` holds, for its tooltip. */
export function binRange(k: number): string {
  if (k === 0) return "exact";
  if (k === 1) return "(0, 1) ulp";
  if (k === BINS - 1) return `>= ${fmtUlp(2 ** (k - 2))} ulp`;
  return `[${fmtUlp(2 ** (k - 2))}, ${fmtUlp(2 ** (k - 1))}) ulp`;
}

/** Where `ulps` falls on the bin axis, in bin widths: bin k >= 2 starts at 2^(k-2) ulp. */
export function binPosition(ulps: number): number {
  if (ulps <= 0) return 0;
  if (ulps < 1) return 1 + ulps;
  return Math.min(BINS, Math.log2(ulps) + 2);
}

/** Label of the left edge of bin k >= 2: 1, 2, 4, ..., 512, then 2^10 ... */
const edgeLabel = (k: number) => (k - 2 < 10 ? String(2 ** (k - 2)) : `2^${k - 2}`);

/**
 * The histogram of `counts` (per ulp bin) of a `dtype` cell, with `bound`
 * marked where it is finite and non-zero; `caption` is shown below it.
 */
export function histogramSvg(counts: readonly number[], dtype: string, bound: Bound | undefined, caption: string): string {
  const boundAt = bound && bound.ulps > 0 && bound.ulps !== Infinity ? binPosition(bound.ulps) : undefined;
  const lastUsed = counts.reduce((m, c, i) => (c > 0 ? i : m), 0);
  const n = Math.min(BINS, Math.max(5, lastUsed + 1, boundAt === undefined ? 0 : Math.ceil(boundAt) + 1));
  const bw = 16, ph = 80, left = 44, top = 18, bottom = 34, right = 12;
  const width = Math.max(left + n * bw + right, 200), height = top + ph + bottom;
  const max = Math.max(1, ...counts.slice(0, n));
  const y = (c: number) => top + ph - (ph * Math.log1p(c)) / Math.log1p(max);
  const bars = counts
    .slice(0, n)
    .map((c, k) => (c > 0 ? `<rect class="bar" x="${left + k * bw + 1}" y="${y(c).toFixed(1)}" width="${bw - 2}" height="${(top + ph - y(c)).toFixed(1)}"><title>${binRange(k)}: ${c} element${c === 1 ? "" : "s"}</title></rect>` : ""))
    .join("");
  // y axis: 0, the powers of ten below the largest count, and the largest count
  const ticks = [0, ...[1, 10, 100, 1000, 10000, 100000, 1000000].filter((t) => t < max && y(t) - y(max) > 12 && y(0) - y(t) > 12), max];
  const yAxis = ticks.map((t) => `<line x1="${left - 3}" x2="${left}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}"/><text x="${left - 5}" y="${(y(t) + 3).toFixed(1)}" text-anchor="end">${t}</text>`).join("");
  // x axis: "0" under the exact bin, then the left edges of the power-of-two bins
  const every = n > 13 ? 2 : 1;
  const xTicks = [`<text x="${left + bw / 2}" y="${top + ph + 12}" text-anchor="middle">0</text>`];
  for (let k = 2; k < n; k += every) xTicks.push(`<line x1="${left + k * bw}" x2="${left + k * bw}" y1="${top + ph}" y2="${top + ph + 3}"/><text x="${left + k * bw}" y="${top + ph + 12}" text-anchor="middle">${edgeLabel(k)}</text>`);
  const marker =
    boundAt === undefined
      ? ""
      : `<g class="bound"><line x1="${(left + boundAt * bw).toFixed(1)}" x2="${(left + boundAt * bw).toFixed(1)}" y1="${top - 4}" y2="${top + ph}"/><text x="${(left + boundAt * bw).toFixed(1)}" y="${top - 7}" text-anchor="${boundAt > n / 2 ? "end" : "start"}">bound ${fmtUlp(bound!.ulps)} ulp</text></g>`;
  const axes = `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + ph}"/><line x1="${left}" x2="${left + n * bw}" y1="${top + ph}" y2="${top + ph}"/>`;
  const titles = `<text class="axis-title" x="${left + (n * bw) / 2}" y="${height - 4}" text-anchor="middle">error (ulp of ${esc(dtype)})</text><text class="axis-title" transform="translate(11 ${top + ph / 2}) rotate(-90)" text-anchor="middle">elements</text>`;
  return `<svg class="hist" role="img" aria-label="${esc(caption)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${bars}<g class="axis">${axes}${yAxis}${xTicks.join("")}</g>${titles}${marker}</svg>`;
}
