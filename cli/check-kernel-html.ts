// The `mlx-ts check-kernel` report as one self-contained HTML page: a pass/fail
// banner with the counts, the table of checks (kernel, backend, dtypes, cases,
// worst error, contract, status) and each failure with its reproduction.
// Nothing is fetched; every value from the run is escaped.

import type { KernelCheckRow } from "./check-kernel.js";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const failId = (r: KernelCheckRow, i: number) => `fail-${i}-${r.exportName}`.replace(/[^\w-]+/g, "_");

function row(r: KernelCheckRow, i: number): string {
  const status = r.status === "FAIL" ? `<a href="#${failId(r, i)}">FAIL</a>` : r.status === "skipped" ? `skipped: ${esc(r.reason ?? "")}` : "PASS";
  const name = r.exportName === r.kernel ? esc(r.kernel) : `${esc(r.exportName)} <span class="own">(${esc(r.kernel)})</span>`;
  const cells = [esc(r.backend), esc(r.dtypes), r.status === "skipped" ? "" : String(r.cases), esc(r.worst), esc(r.contract)];
  return `<tr class="${r.status.toLowerCase()}"><th>${name}</th>${cells.map((c) => `<td>${c}</td>`).join("")}<td class="status">${status}</td></tr>`;
}

function failure(r: KernelCheckRow, i: number): string {
  return `<section class="failure" id="${failId(r, i)}"><h3>${esc(r.exportName)} ${esc(r.dtypes)} on ${esc(r.backend)}</h3><p>${esc(r.failure!.message)}</p><p>contract: ${esc(r.contract)}</p><pre>${esc(r.failure!.reproduction)}</pre></section>`;
}

export function kernelReportHtml(rows: readonly KernelCheckRow[], meta: { date: string; file: string; verdict: string }): string {
  const fail = rows.some((r) => r.status === "FAIL");
  const failures = rows.map((r, i) => (r.failure ? failure(r, i) : "")).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mlx-ts check-kernel: ${esc(meta.file)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 2em 2em; color: #222; }
#banner { margin: 0 -2em 1em; padding: 16px 2em; color: #fff; font-size: 18px; }
#banner.pass { background: #2e7d32; } #banner.fail { background: #c62828; }
table { border-collapse: collapse; } th, td { border: 1px solid #ccc; padding: 2px 8px; text-align: left; vertical-align: top; }
tbody th { font-weight: normal; } .own { color: #666; } td { font-variant-numeric: tabular-nums; }
tr.fail { background: #ffcdd2; } tr.fail .status { font-weight: bold; } tr.skipped { color: #888; }
section.failure { border-left: 4px solid #c62828; padding-left: 12px; }
pre { background: #f6f6f6; padding: 8px; overflow-x: auto; }
</style></head><body>
<header id="banner" class="${fail ? "fail" : "pass"}">${esc(meta.verdict)}</header>
<p>${esc(meta.file)}; ${esc(meta.date)}</p>
<p>Each row: one kernel under one set of check options, run against its reference (the cpu in float64). Worst error: the largest ulp error over the cases that passed, with its share of the bound where the contract is in ulps only; a failing row shows the element that broke the contract.</p>
<table id="checks"><thead><tr><th>kernel</th><th>backend</th><th>dtypes</th><th>cases</th><th>worst error</th><th>contract</th><th>status</th></tr></thead><tbody>
${rows.map(row).join("\n")}
</tbody></table>
<h2>Failures</h2>
${failures || "<p>none</p>"}
</body></html>
`;
}
