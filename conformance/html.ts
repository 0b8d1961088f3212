// The conformance report as one self-contained HTML file, summary first: a
// pass/fail banner, an op x backend matrix coloured by each op's worst error
// relative to its bound, filters by op, dtype, backend and status (plain JS in
// the page), the failures with their reproductions, one ulp histogram per cell
// with its bound marked, and the full op x dtype x backend table. Nothing is
// fetched; every value from the run is escaped.

import { histogramSvg } from "./histogram-svg.js";
import type { CellResult } from "./property.js";
import { cellRelative, fmtRelative, fmtUlp, summarize, worstElementText } from "./report.js";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const unique = (xs: string[]) => [...new Set(xs)];
/** The data attributes the filters read. */
const dataOf = (c: CellResult) => `data-op="${esc(c.op)}" data-dtype="${esc(c.dtype)}" data-backend="${esc(c.backend)}" data-status="${esc(c.status)}"`;
const failId = (c: CellResult) => `fail-${c.op}-${c.dtype}-${c.backend}`.replace(/[^\w-]+/g, "_");

/** The colour class of a relative error: exact, then up to 10%, 50% and 100% of the bound. */
function shade(r: number): string {
  return r === 0 ? "m-0" : r <= 0.1 ? "m-1" : r <= 0.5 ? "m-2" : "m-3";
}

/** One line per dtype for a matrix cell's tooltip. */
function cellLine(c: CellResult): string {
  if (c.status === "n/a") return `${c.dtype}: n/a (${c.reason ?? ""})`;
  if (c.status === "fail") return `${c.dtype}: FAIL (${c.failure?.message ?? ""})`;
  if (!c.worst || !c.bound) return `${c.dtype}: pass${c.maxUlp !== undefined ? `, max ${fmtUlp(c.maxUlp)} ulp (no bound recorded)` : ""}`;
  return `${c.dtype}: ${fmtUlp(c.worst.ulps)} ulp, bound ${fmtUlp(c.bound.ulps)} ulp (${fmtRelative(cellRelative(c))})`;
}

/** The matrix square of one op on one backend, over its dtypes. */
function matrixCell(op: string, backend: string, group: CellResult[]): string {
  const attrs = `data-backend="${esc(backend)}" data-pick="${esc(op)}"`;
  if (!group.length) return `<td class="m-none" ${attrs} title="not run">-</td>`;
  const title = esc(`${op} on ${backend}\n${group.map(cellLine).join("\n")}`);
  const ran = group.filter((c) => c.status !== "n/a");
  if (!ran.length) return `<td class="m-na" ${attrs} title="${title}">n/a</td>`;
  if (ran.some((c) => c.status === "fail")) return `<td class="m-fail" ${attrs} title="${title}">FAIL</td>`;
  const r = Math.max(...ran.map(cellRelative));
  const text = r === 0 ? "pass" : `${r < 0.01 ? "<1" : Math.round(r * 100)}%`;
  return `<td class="${shade(r)}" ${attrs} title="${title}">${text}</td>`;
}

function matrix(cells: readonly CellResult[], backends: string[]): string {
  const ops = unique(cells.map((c) => c.op));
  const rows = ops.map((op) => `<tr data-op="${esc(op)}"><th>${esc(op)}</th>${backends.map((b) => matrixCell(op, b, cells.filter((c) => c.op === op && c.backend === b))).join("")}</tr>`);
  return `<table id="matrix"><thead><tr><th>op</th>${backends.map((b) => `<th data-backend="${esc(b)}">${esc(b)}</th>`).join("")}</tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`;
}

const LEGEND = `<p class="legend">
<span class="m-0">pass: exact (or no bound recorded)</span> <span class="m-1">up to 10% of the bound</span> <span class="m-2">up to 50%</span> <span class="m-3">up to 100%</span>
<span class="m-fail">FAIL</span> <span class="m-na">n/a</span> <span class="m-none">-</span> not run</p>`;

function select(id: string, label: string, values: string[]): string {
  return `<label>${label} <select id="${id}"><option value="">all</option>${values.map((v) => `<option value="${esc(v)}">${esc(v)}</option>`).join("")}</select></label>`;
}

function tableRow(c: CellResult): string {
  const na = c.status === "n/a";
  const used = c.status === "fail" || (c.worst !== undefined && c.worst.ulps > 0);
  const status = c.status === "fail" ? `<a href="#${failId(c)}">FAIL</a>` : esc(c.status);
  const bound = na || !c.bound ? "" : c.bound.ulps === 0 ? esc(c.bound.rule) : `${fmtUlp(c.bound.ulps)} ulp<div class="rule">${esc(c.bound.rule)}</div>`;
  const detail = na ? (c.reason ?? "") : c.status === "fail" ? c.failure!.message : used ? worstElementText(c) : "";
  const ulp = (u: number | undefined) => (na ? "" : u === undefined ? "-" : fmtUlp(u));
  return `<tr class="${esc(c.status === "n/a" ? "na" : c.status)}" ${dataOf(c)}><th>${esc(c.op)}</th><td>${esc(c.dtype)}</td><td>${esc(c.backend)}</td><td class="status">${status}</td><td>${ulp(c.maxUlp)}</td><td>${ulp(c.p99Ulp)}</td><td title="${esc(c.contract ?? "")}">${bound}</td><td>${used && c.bound ? esc(fmtRelative(cellRelative(c))) : ""}</td><td>${na ? "" : c.outsideDiffer}</td><td class="detail">${esc(detail)}</td></tr>`;
}

function histogramFigure(c: CellResult): string {
  const caption = `${c.op} ${c.dtype} on ${c.backend}: ${c.elements} elements, max ${fmtUlp(c.maxUlp ?? 0)} ulp${!c.bound ? "" : c.bound.ulps === 0 ? "; bound: exact" : `; bound at the worst element ${fmtUlp(c.bound.ulps)} ulp`}`;
  return `<figure class="hist" ${dataOf(c)}>${histogramSvg(c.histogram, c.dtype, c.bound, caption)}<figcaption>${esc(caption)}</figcaption></figure>`;
}

/** Hides everything below the filters whose data attributes disagree with them; a matrix square picks its op and backend. */
const FILTER_SCRIPT = `
(() => {
  const keys = ["op", "dtype", "backend", "status"];
  const pick = Object.fromEntries(keys.map((k) => [k, document.getElementById("filter-" + k)]));
  const apply = () => {
    for (const el of document.querySelectorAll("[data-op], [data-backend]")) {
      el.hidden = keys.some((k) => pick[k].value !== "" && el.dataset[k] !== undefined && el.dataset[k] !== pick[k].value);
    }
    const rows = document.querySelectorAll("#results tbody tr");
    const shown = [...rows].filter((r) => !r.hidden).length;
    document.getElementById("shown").textContent = shown + " of " + rows.length + " cells shown";
  };
  const form = document.getElementById("filters");
  form.addEventListener("change", apply);
  form.addEventListener("reset", () => setTimeout(apply));
  document.getElementById("matrix").addEventListener("click", (e) => {
    const td = e.target.closest("td[data-pick]");
    if (!td) return;
    pick.op.value = td.dataset.pick;
    pick.backend.value = td.dataset.backend;
    apply();
    document.getElementById("details").scrollIntoView();
  });
  apply();
})();
`;

export function toHtml(cells: readonly CellResult[], meta: { date: string; seed: number; runs: number; seconds: number; machine?: string }): string {
  const s = summarize(cells);
  const backends = unique(cells.map((c) => c.backend));
  const failed = cells.filter((c) => c.status === "fail");
  const failures = failed
    .map((c) => `<section class="failure" id="${failId(c)}" ${dataOf(c)}><h4>${esc(c.op)} ${esc(c.dtype)} on ${esc(c.backend)}</h4><p>${esc(c.failure!.message)}</p><p>contract: ${esc(c.contract ?? "")}</p><pre>${esc(c.failure!.repro)}</pre></section>`)
    .join("\n");
  const histograms = cells.filter((c) => c.elements > 0).map(histogramFigure).join("\n");
  const counts = s.fail ? `${s.fail} of ${cells.length} cells fail; ${s.pass} pass, ${s.na} n/a` : `all ${s.pass} cells that ran pass; ${s.na} n/a`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mlx-ts conformance report</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 2em 2em; color: #222; }
[hidden] { display: none !important; }
#banner { margin: 0 -2em 1em; padding: 16px 2em; color: #fff; display: flex; gap: 1.5em; align-items: baseline; }
#banner.pass { background: #2e7d32; } #banner.fail { background: #c62828; }
#banner .verdict { font-size: 32px; font-weight: 800; letter-spacing: 2px; } #banner .counts { font-size: 18px; }
table { border-collapse: collapse; } th, td { border: 1px solid #ccc; padding: 2px 8px; text-align: left; vertical-align: top; }
#matrix td { text-align: center; min-width: 72px; cursor: pointer; font-variant-numeric: tabular-nums; }
#matrix tbody th { font-weight: normal; }
.m-0 { background: #a5d6a7; } .m-1 { background: #dce775; } .m-2 { background: #ffee58; } .m-3 { background: #ffa726; }
.m-fail { background: #c62828; color: #fff; font-weight: 800; } .m-na { background: #eee; color: #777; font-style: italic; } .m-none { color: #bbb; }
.legend span[class] { display: inline-block; padding: 0 8px; margin-right: 4px; border: 1px solid #ccc; }
#filters { position: sticky; top: 0; background: #fff; padding: 8px 0; border-bottom: 1px solid #ddd; z-index: 1; }
#filters label { margin-right: 1em; } #shown { color: #555; margin-left: 1em; }
#results tr.fail { background: #ffcdd2; } #results tr.fail .status { font-weight: bold; } #results tr.na { color: #888; }
#results td { font-variant-numeric: tabular-nums; } .rule { font-size: 11px; color: #666; max-width: 260px; } .detail { max-width: 480px; overflow-wrap: anywhere; }
#histograms { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 8px 16px; }
figure.hist { margin: 0; } figcaption { font-size: 12px; }
svg.hist text { font-size: 9px; fill: #333; } svg.hist .axis-title { font-size: 10px; fill: #555; }
svg.hist .axis line { stroke: #555; } svg.hist .bar { fill: #4a78c2; }
svg.hist .bound line { stroke: #c62828; stroke-width: 1.5; stroke-dasharray: 4 3; } svg.hist .bound text { fill: #c62828; }
section.failure { border-left: 4px solid #c62828; padding-left: 12px; }
pre { background: #f6f6f6; padding: 8px; overflow-x: auto; }
</style></head><body>
<header id="banner" class="${s.fail ? "fail" : "pass"}"><span class="verdict">${s.verdict}</span><span class="counts">${esc(counts)}</span></header>
<p id="summary">${esc(s.text)}; ${meta.seconds.toFixed(1)} s; ${esc(meta.date)}; seed ${meta.seed}, ${meta.runs} cases per cell${meta.machine ? `; ${esc(meta.machine)}` : ""}</p>
<h2>Ops x backends</h2>
<p>Each square: the op's worst error on that backend over its dtypes, as a share of what its contract allowed at that element (hover for each dtype, click to show the op's details below).</p>
${LEGEND}
${matrix(cells, backends)}
<h2 id="details">Details</h2>
<form id="filters">${select("filter-op", "op", unique(cells.map((c) => c.op)))}${select("filter-dtype", "dtype", unique(cells.map((c) => c.dtype)))}${select("filter-backend", "backend", backends)}${select("filter-status", "status", ["fail", "pass", "n/a"])}<button type="reset">show all</button><span id="shown"></span></form>
<h3>Failures (${s.fail})</h3>
${failures || "<p>none</p>"}
<h3>ulp error histograms</h3>
<p>One per cell with float elements compared inside its contract: how many elements fell at each distance from the reference (bins of powers of two), and the bound at the cell's worst element (bounds that depend on the inputs, such as condition bounds and absolute errors, differ from element to element).</p>
${histograms ? `<div id="histograms">
${histograms}
</div>` : "<p>no float elements compared</p>"}
<h3>All cells</h3>
<p>max and p99: ulp error over the elements inside the contract; bound: what the contract allowed at the worst element (hover for the contract); used: the worst element's error as a share of it; outside spec: elements outside the contract (NaN, infinities, subnormals, outside the domain) that differed, which the spec allows.</p>
<table id="results"><thead><tr><th>op</th><th>dtype</th><th>backend</th><th>status</th><th>max ulp</th><th>p99 ulp</th><th>bound</th><th>used</th><th>outside spec</th><th>worst element / reason</th></tr></thead><tbody>
${cells.map(tableRow).join("\n")}
</tbody></table>
<script>${FILTER_SCRIPT}</script>
</body></html>
`;
}
