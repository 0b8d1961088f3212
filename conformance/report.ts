// The conformance report for a terminal, summary first: the verdict line
// (PASS or FAIL with the counts), the failures with their reproductions, the
// ten cells whose worst element came nearest its bound (what was measured and
// what the contract allowed there), and the full op x dtype x backend table
// only on request; plus the JSON form, which keeps every field of every cell.

import { relativeToBound, type CellResult } from "./property.js";

/** An ulp count in a few characters: 0, 0.5, 2.13, 485, 8.4e+6, inf. */
export function fmtUlp(u: number): string {
  if (u === Infinity) return "inf";
  if (u === 0) return "0";
  if (u < 0.01 || u >= 1000) return u.toExponential(1);
  return String(Number(u.toPrecision(3)));
}

/** A value as JS would spell it, -0 included. */
const show = (v: unknown) => (typeof v === "number" && Object.is(v, -0) ? "-0" : String(v));

export interface Summary {
  verdict: "PASS" | "FAIL";
  pass: number;
  fail: number;
  na: number;
  /** Cases run over all cells. */
  cases: number;
  /** Elements outside the contracts that differed from the reference (allowed). */
  outside: number;
  /** The counts in one sentence. */
  text: string;
}

export function summarize(cells: readonly CellResult[]): Summary {
  const pass = cells.filter((c) => c.status === "pass").length;
  const fail = cells.filter((c) => c.status === "fail").length;
  const na = cells.filter((c) => c.status === "n/a").length;
  const outside = cells.reduce((s, c) => s + c.outsideDiffer, 0);
  const cases = cells.reduce((s, c) => s + c.runs, 0);
  const text = `${cells.length} cells (op x dtype x backend): ${pass} pass, ${fail} fail, ${na} n/a; ${cases} cases; ${outside} outside-spec elements differed (allowed)`;
  return { verdict: fail ? "FAIL" : "PASS", pass, fail, na, cases, outside, text };
}

/** The first line of the report: PASS or FAIL, the counts, the time taken. */
export function verdictLine(cells: readonly CellResult[], seconds: number): string {
  const s = summarize(cells);
  return `${s.verdict}  ${s.text}; ${seconds.toFixed(1)} s`;
}

/** A cell's worst element relative to its bound: 0 when exact or without a bound. */
export function cellRelative(c: CellResult): number {
  return c.worst && c.bound ? relativeToBound(c.worst.ulps, c.bound) : 0;
}

/** "4% of the bound", "<1% of the bound", "3.2x the bound". */
export function fmtRelative(r: number): string {
  if (r > 1) return `${r === Infinity ? "inf" : Number(r.toPrecision(2))}x the bound`;
  return `${r < 0.01 ? "<1" : Math.round(r * 100)}% of the bound`;
}

/** Where the worst element is: "exp(20) = 485165248, reference 485165184", or its graph node. */
export function worstElementText(c: CellResult): string {
  const w = c.worst;
  if (!w) return "";
  const at = w.node ?? (w.inputs ? `${c.op}(${w.inputs.map(show).join(", ")})` : "");
  return `${at ? `${at} = ` : ""}${show(w.got)}, reference ${show(w.want)}`;
}

/** The `n` cells whose worst element came nearest its bound (relative to it), nearest first; exact cells left out. */
export function nearestBounds(cells: readonly CellResult[], n = 10): CellResult[] {
  return cells
    .filter((c) => c.status !== "n/a" && cellRelative(c) > 0)
    .sort((a, b) => cellRelative(b) - cellRelative(a) || b.worst!.ulps - a.worst!.ulps)
    .slice(0, n);
}

/** The cells nearest their bounds, each with what was measured, what was allowed there and why, and where. */
export function formatNearest(cells: readonly CellResult[], n = 10): string {
  const near = nearestBounds(cells, n);
  if (!near.length) return "Every float element compared was exact: no cell used any of its bound.";
  const lines = near.map((c, i) => {
    const head = `${String(i + 1).padStart(3)}. ${c.op} ${c.dtype} ${c.backend}${c.status === "fail" ? " (FAIL)" : ""}`;
    return `${head}: ${fmtUlp(c.worst!.ulps)} ulp, bound ${fmtUlp(c.bound!.ulps)} ulp (${c.bound!.rule}), ${fmtRelative(cellRelative(c))}\n       at ${worstElementText(c)}`;
  });
  return [`The ${near.length === 1 ? "cell" : `${near.length} cells`} nearest their bounds (the worst element of each, and what its contract allowed there):`, ...lines].join("\n");
}

/** The failures, each a TS reproduction that opens with the message (and contract), the fast-check seed and path. */
export function formatFailures(cells: readonly CellResult[]): string {
  const failed = cells.filter((c) => c.status === "fail");
  if (!failed.length) return "";
  const blocks = failed.map((c) => `FAIL ${c.op} ${c.dtype} on ${c.backend}\n${c.failure!.repro}`);
  return [`${failed.length} failure${failed.length === 1 ? "" : "s"}, each with a reproduction:`, ...blocks].join("\n\n");
}

/** The full op x dtype x backend table; the worst element only where a cell used some of its bound. */
export function formatTable(cells: readonly CellResult[]): string {
  const header = ["op", "dtype", "backend", "status", "max ulp", "p99 ulp", "bound", "outside spec", "worst element / reason"];
  const rows = cells.map((c) => {
    const na = c.status === "n/a";
    const used = c.status === "fail" || (c.worst !== undefined && c.worst.ulps > 0);
    return [
      c.op,
      c.dtype,
      c.backend,
      c.status === "fail" ? "FAIL" : c.status,
      na ? "" : c.maxUlp === undefined ? "-" : fmtUlp(c.maxUlp),
      na ? "" : c.p99Ulp === undefined ? "-" : fmtUlp(c.p99Ulp),
      na || !c.bound ? "" : c.bound.ulps === 0 ? "exact" : `${fmtUlp(c.bound.ulps)} ulp`,
      na ? "" : c.outsideDiffer ? `${c.outsideDiffer} differ (allowed)` : "0",
      na ? (c.reason ?? "") : c.status === "fail" ? c.failure!.message : used ? worstElementText(c) : "",
    ];
  });
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (r: string[]) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The whole terminal report: verdict, failures, the cells nearest their bounds, and the table when `table`. */
export function formatReport(cells: readonly CellResult[], o: { seconds: number; table: boolean }): string {
  const failures = formatFailures(cells);
  return [
    verdictLine(cells, o.seconds),
    ...(failures ? [failures] : []),
    formatNearest(cells),
    o.table ? formatTable(cells) : "The full op x dtype x backend table: --table, or in --json FILE and --html FILE.",
  ].join("\n\n");
}

/** Every field of every cell, with NaN, infinities, -0 and bigints spelled as strings JSON can hold. */
export function toJson(cells: readonly CellResult[], meta: Record<string, unknown>): string {
  const spell = (_k: string, v: unknown) => (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0)) ? show(v) : typeof v === "bigint" ? v.toString() : v);
  return JSON.stringify({ ...meta, summary: summarize(cells), cells }, spell, 2);
}
