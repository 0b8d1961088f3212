// The conformance report as one self-contained HTML file: the summary, the
// op x dtype x backend table (status, max and p99 ulp), a histogram of ulp
// errors per op and backend as inline SVG, and the failures with their
// reproductions. No scripts, styles inline, nothing fetched.

import type { CellResult } from "./property.js";
import { summarize } from "./report.js";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const fmt = (u: number | undefined) => (u === undefined ? "" : u === Infinity ? "inf" : u >= 100 ? u.toExponential(1) : String(Math.round(u * 100) / 100));
/** Labels of the histogram bins (bin 0 exact, bin k errors in [2^(k-2), 2^(k-1)) ulp). */
const binLabel = (k: number) => (k === 0 ? "0" : k === 1 ? "<1" : `<2^${k - 1}`);

/** Bars of one histogram (counts per ulp bin), log-scaled heights. */
function histogramSvg(counts: readonly number[], title: string): string {
  const last = Math.max(1, counts.reduce((m, c, i) => (c > 0 ? i : m), 0));
  const bins = counts.slice(0, last + 1);
  const w = 14, h = 60, pad = 16;
  const top = Math.log1p(Math.max(...bins));
  const bars = bins
    .map((c, i) => {
      const bh = top > 0 ? Math.round((h * Math.log1p(c)) / top) : 0;
      return `<rect x="${i * w + 1}" y="${h - bh}" width="${w - 2}" height="${bh}" fill="#4a78c2"><title>${binLabel(i)} ulp: ${c}</title></rect>`;
    })
    .join("");
  const labels = bins.map((_, i) => (i % 4 === 0 ? `<text x="${i * w + w / 2}" y="${h + 12}" font-size="9" text-anchor="middle">${binLabel(i)}</text>` : "")).join("");
  return `<figure class="hist"><svg role="img" aria-label="${esc(title)}" width="${bins.length * w}" height="${h + pad}" viewBox="0 0 ${bins.length * w} ${h + pad}">${bars}${labels}</svg><figcaption>${esc(title)}</figcaption></figure>`;
}

export function toHtml(cells: readonly CellResult[], meta: { date: string; seed: number; runs: number; seconds: number; machine?: string }): string {
  const s = summarize(cells);
  const backends = [...new Set(cells.map((c) => c.backend))];
  const rows = new Map<string, Map<string, CellResult>>();
  for (const c of cells) {
    const key = `${c.op}\u0000${c.dtype}`;
    if (!rows.has(key)) rows.set(key, new Map());
    rows.get(key)!.set(c.backend, c);
  }
  const cell = (c: CellResult | undefined) => {
    if (!c) return "<td></td>";
    if (c.status === "n/a") return `<td class="na" title="${esc(c.reason ?? "")}">n/a</td>`;
    const stats = c.elements ? ` <span class="ulp">${fmt(c.maxUlp)} / ${fmt(c.p99Ulp)}</span>` : "";
    const outside = c.outsideDiffer ? ` <span class="out" title="outside-spec elements that differed (allowed)">+${c.outsideDiffer}</span>` : "";
    return `<td class="${c.status}">${c.status === "fail" ? `<a href="#fail-${esc(c.op)}-${esc(c.dtype)}-${esc(c.backend)}">FAIL</a>` : "pass"}${stats}${outside}</td>`;
  };
  const table = [...rows.entries()]
    .map(([key, byBackend]) => {
      const [op, dtype] = key.split("\u0000");
      return `<tr><th>${esc(op!)}</th><td>${esc(dtype!)}</td>${backends.map((b) => cell(byBackend.get(b))).join("")}</tr>`;
    })
    .join("\n");
  const byOp = new Map<string, CellResult[]>();
  for (const c of cells) if (c.elements > 0) byOp.set(`${c.op} on ${c.backend}`, [...(byOp.get(`${c.op} on ${c.backend}`) ?? []), c]);
  const histograms = [...byOp.entries()]
    .map(([title, cs]) => {
      const sum = cs.reduce((acc, c) => acc.map((v, i) => v + (c.histogram[i] ?? 0)), new Array(25).fill(0) as number[]);
      return histogramSvg(sum, `${title} (${cs.map((c) => c.dtype).join(", ")}): ${sum.reduce((a, b) => a + b, 0)} elements`);
    })
    .join("\n");
  const failures = cells
    .filter((c) => c.status === "fail")
    .map((c) => `<section class="failure" id="fail-${esc(c.op)}-${esc(c.dtype)}-${esc(c.backend)}"><h3>${esc(c.op)} ${esc(c.dtype)} on ${esc(c.backend)}</h3><p>${esc(c.failure!.message)}</p><p>contract: ${esc(c.contract ?? "")}</p><pre>${esc(c.failure!.repro)}</pre></section>`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mlx-ts conformance report</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; } th, td { border: 1px solid #ccc; padding: 2px 8px; text-align: left; }
td.pass { background: #e8f5e9; } td.fail { background: #ffcdd2; font-weight: bold; } td.na { color: #888; }
.ulp { color: #555; font-size: 12px; } .out { color: #a66; font-size: 12px; }
.hist { display: inline-block; margin: 8px 16px 8px 0; } figcaption { font-size: 12px; max-width: 360px; }
pre { background: #f6f6f6; padding: 8px; overflow-x: auto; }
</style></head><body>
<h1>mlx-ts conformance report</h1>
<p id="summary">${esc(s.text)}; ${meta.seconds.toFixed(1)} s; ${esc(meta.date)}; seed ${meta.seed}, ${meta.runs} cases per cell${meta.machine ? `; ${esc(meta.machine)}` : ""}</p>
<p>Each cell: status, then max / p99 ulp error over the elements inside the contract; +N counts elements outside the spec (NaN, infinities, subnormals, outside the domain) that differed, which the spec allows.</p>
<h2>Results</h2>
<table id="results"><thead><tr><th>op</th><th>dtype</th>${backends.map((b) => `<th>${esc(b)}</th>`).join("")}</tr></thead><tbody>
${table}
</tbody></table>
<h2>Failures (${s.fail})</h2>
${failures || "<p>none</p>"}
<h2>ulp error histograms</h2>
${histograms || "<p>no float elements compared</p>"}
</body></html>
`;
}
