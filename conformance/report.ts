// The conformance report: a text table op x dtype x backend (pass / FAIL /
// n/a with the reason, max and p99 ulp error, outside-spec differences, the
// worst element), the failures with their reproductions, and the JSON form.

import type { CellResult } from "./property.js";

const fmtUlp = (u: number | undefined) => (u === undefined ? "-" : u === Infinity ? "inf" : u >= 100 ? u.toExponential(1) : String(Math.round(u * 100) / 100));

const show = (v: unknown) => (typeof v === "number" && Object.is(v, -0) ? "-0" : String(v));

export function formatTable(cells: readonly CellResult[]): string {
  const header = ["op", "dtype", "backend", "status", "max ulp", "p99 ulp", "outside spec", "worst element: op(inputs) = got vs reference / reason"];
  const rows = cells.map((c) => [
    c.op,
    c.dtype,
    c.backend,
    c.status === "fail" ? "FAIL" : c.status,
    c.status === "n/a" ? "" : fmtUlp(c.maxUlp),
    c.status === "n/a" ? "" : fmtUlp(c.p99Ulp),
    c.status === "n/a" ? "" : c.outsideDiffer ? `${c.outsideDiffer} differ (allowed)` : "0",
    c.status === "n/a" ? (c.reason ?? "") : c.status === "fail" ? c.failure!.message : c.worst ? `${c.worst.inputs ? `${c.op}(${c.worst.inputs.map(show).join(", ")}) = ` : ""}${show(c.worst.got)} vs ${show(c.worst.want)}` : "",
  ]);
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (r: string[]) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]!))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function summarize(cells: readonly CellResult[]): { pass: number; fail: number; na: number; outside: number; text: string } {
  const pass = cells.filter((c) => c.status === "pass").length;
  const fail = cells.filter((c) => c.status === "fail").length;
  const na = cells.filter((c) => c.status === "n/a").length;
  const outside = cells.reduce((s, c) => s + c.outsideDiffer, 0);
  const cases = cells.reduce((s, c) => s + c.runs, 0);
  return { pass, fail, na, outside, text: `${cells.length} cells (op x dtype x backend): ${pass} pass, ${fail} fail, ${na} n/a; ${cases} cases; ${outside} outside-spec elements differed (allowed)` };
}

/** The failures, each with its message, fast-check seed and path, and a TS reproduction. */
export function formatFailures(cells: readonly CellResult[]): string {
  return cells
    .filter((c) => c.status === "fail")
    .map((c) => `FAIL ${c.op} ${c.dtype} on ${c.backend}\n${c.failure!.repro}\n`)
    .join("\n");
}

export function toJson(cells: readonly CellResult[], meta: Record<string, unknown>): string {
  return JSON.stringify({ ...meta, summary: summarize(cells), cells }, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : typeof v === "bigint" ? v.toString() : v), 2);
}
