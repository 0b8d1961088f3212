// The terminal conformance report on synthetic cells: the verdict line comes
// first, then the failures with their reproductions, then the ten cells
// nearest their bounds with what was allowed; the full table only on request,
// with no worst element for exact passes; the JSON keeps every field.

import { describe, expect, it } from "vitest";
import type { CellResult } from "../conformance/property.js";
import { fmtUlp, formatReport, formatTable, nearestBounds, toJson } from "../conformance/report.js";

const histogram = () => new Array(25).fill(0) as number[];

/** A passing float cell whose worst element used `ulps` of a `bound`-ulp allowance. */
function floatCell(op: string, dtype: string, backend: string, ulps: number, bound: number, rule = "43 f32 ulp + 2 ulp rounding; WGSL §15.7.4.1"): CellResult {
  return {
    op, dtype, backend, status: "pass", runs: 5, skipped: 0, elements: 40, maxUlp: ulps, p99Ulp: ulps, outsideDiffer: 0, histogram: histogram(), contract: `${rule} (long form)`,
    worst: { got: 1 + ulps, want: 1, ulps, inputs: [0.5], repro: `const x0 = mx.array([0.5]); // ${op}` },
    bound: { ulps: bound, rule },
  };
}

const failing: CellResult = {
  op: "exp", dtype: "float16", backend: "webgpu", status: "fail", runs: 3, skipped: 0, elements: 6, maxUlp: 4000, p99Ulp: 4000, outsideDiffer: 0, histogram: histogram(), contract: "43 f32 ulp on [-20, 20]",
  worst: { got: 2, want: 1, ulps: 4000, inputs: [0], repro: "" },
  bound: { ulps: 2.01, rule: "43 f32 ulp + 2 ulp rounding; WGSL §15.7.4.1" },
  failure: { message: "element 0: got 2, reference 1", repro: "// exp float16 on webgpu: element 0: got 2, reference 1\nconst x0 = mx.array([0], mx.float16, { stream: mx.webgpu });", seed: 7, path: "1:2" },
};
const intCell: CellResult = { op: "add", dtype: "int32", backend: "webgpu", status: "pass", runs: 5, skipped: 0, elements: 0, outsideDiffer: 0, histogram: histogram() };
const naCell: CellResult = { op: "add", dtype: "float64", backend: "webgpu", status: "n/a", reason: "float64 not supported on webgpu", runs: 0, skipped: 0, elements: 0, outsideDiffer: 0, histogram: histogram() };
const exactPass = floatCell("add", "float32", "webgpu", 0, 0, "exact; WGSL §15.7.4.1");
const numpyCell: CellResult = { ...floatCell("exp", "float32", "cpu vs numpy", 1, 1), worst: undefined, bound: undefined };
const graph = floatCell("random graphs", "float32", "webgpu", 8.4e6, 2.1e7, "node v5 = sum(v4): from the op's condition, u = 2^-24, + 2 ulp rounding; float32 accumulation");
graph.worst = { got: 3, want: 3.0001, ulps: 8.4e6, node: "v5 = sum(v4)", repro: "// the graph" };

/** Eleven passing cells at 1% to 91% of their bounds, a graph at 40%, and cells with nothing to rank. */
const passing: CellResult[] = [
  ...Array.from({ length: 11 }, (_, k) => floatCell(`op${k}`, "float32", "webgpu", 1 + 9 * k, 100)),
  graph, exactPass, intCell, naCell, numpyCell,
];

describe("the terminal conformance report", () => {
  it("opens with the verdict and the counts", () => {
    const pass = formatReport(passing, { seconds: 2, table: false }).split("\n");
    expect(pass[0]).toBe(`PASS  ${passing.length} cells (op x dtype x backend): ${passing.length - 1} pass, 0 fail, 1 n/a; 75 cases; 0 outside-spec elements differed (allowed); 2.0 s`);
    const fail = formatReport([...passing, failing], { seconds: 2, table: false }).split("\n");
    expect(fail[0]).toMatch(/^FAIL  17 cells \(op x dtype x backend\): 15 pass, 1 fail, 1 n\/a;/);
  });

  it("puts the failures, with their reproductions, before the cells nearest their bounds", () => {
    const text = formatReport([...passing, failing], { seconds: 2, table: false });
    const failureAt = text.indexOf("FAIL exp float16 on webgpu\n// exp float16 on webgpu: element 0: got 2, reference 1\nconst x0 = mx.array([0], mx.float16, { stream: mx.webgpu });");
    expect(failureAt).toBeGreaterThan(0);
    expect(text.indexOf("nearest their bounds")).toBeGreaterThan(failureAt);
    expect(formatReport(passing, { seconds: 2, table: false })).not.toMatch(/failure/);
  });

  it("lists the ten cells nearest their bounds, nearest first, each with what was allowed", () => {
    const near = nearestBounds(passing);
    expect(near.map((c) => c.op)).toEqual(["op10", "op9", "op8", "op7", "op6", "op5", "random graphs", "op4", "op3", "op2"]);
    const text = formatReport(passing, { seconds: 2, table: false });
    expect(text).toContain("The 10 cells nearest their bounds");
    expect(text).toContain("1. op10 float32 webgpu: 91 ulp, bound 100 ulp (43 f32 ulp + 2 ulp rounding; WGSL §15.7.4.1), 91% of the bound\n       at op10(0.5) = 92, reference 1");
    expect(text).toContain("7. random graphs float32 webgpu: 8.4e+6 ulp, bound 2.1e+7 ulp (node v5 = sum(v4): from the op's condition, u = 2^-24, + 2 ulp rounding; float32 accumulation), 40% of the bound\n       at v5 = sum(v4) = 3, reference 3.0001");
    // exact cells, integer cells, n/a cells and cells without a recorded bound are not ranked
    const ranked = [...text.matchAll(/^ +\d+\. (.*?):/gm)].map((m) => m[1]);
    expect(ranked).toHaveLength(10);
    expect(ranked.filter((r) => /^(op0|op1|add) |cpu vs numpy/.test(r!))).toEqual([]);
    // a failing cell ranks above every pass, marked
    expect(formatReport([...passing, failing], { seconds: 2, table: false })).toContain("1. exp float16 webgpu (FAIL): 4.0e+3 ulp, bound 2.01 ulp");
    expect(formatReport([exactPass, intCell], { seconds: 2, table: false })).toContain("Every float element compared was exact");
  });

  it("prints the full table only when asked", () => {
    const without = formatReport(passing, { seconds: 2, table: false });
    expect(without).not.toMatch(/^op\s+dtype\s+backend/m);
    expect(without).toContain("The full op x dtype x backend table: --table");
    const withTable = formatReport(passing, { seconds: 2, table: true });
    expect(withTable).toMatch(/^op\s+dtype\s+backend\s+status\s+max ulp\s+p99 ulp\s+bound\s+outside spec\s+worst element \/ reason$/m);
    expect(withTable.split("\n").filter((l) => /^(op\d+|random graphs|add|exp) /.test(l))).toHaveLength(passing.length);
  });

  it("shows no worst element for exact passes, and the bound and worst element where some error was used", () => {
    const rows = formatTable(passing).split("\n");
    const row = (op: string, dtype: string) => rows.find((l) => l.startsWith(`${op} `) && l.includes(` ${dtype} `))!;
    expect(row("add", "float32")).toMatch(/pass\s+0\s+0\s+exact\s+0$/);
    expect(row("add", "int32")).toMatch(/pass\s+-\s+-\s+0$/);
    expect(row("add", "float64")).toMatch(/n\/a\s+float64 not supported on webgpu$/);
    expect(row("op3", "float32")).toMatch(/pass\s+28\s+28\s+100 ulp\s+0\s+op3\(0\.5\) = 29, reference 1$/);
  });

  it("writes every field of every cell to JSON, non-finite numbers and -0 spelled out", () => {
    const odd: CellResult = { ...floatCell("sin", "float32", "webgpu", Infinity, Infinity), worst: { got: -0, want: NaN, ulps: Infinity, inputs: [-Infinity], repro: "" } };
    const cells = [...passing, failing, odd];
    const json = JSON.parse(toJson(cells, { seed: 7 })) as { seed: number; summary: { fail: number; verdict: string }; cells: unknown[] };
    expect(json.seed).toBe(7);
    expect(json.summary).toMatchObject({ fail: 1, verdict: "FAIL" });
    const paths = (v: unknown, at = ""): string[] =>
      v !== null && typeof v === "object" ? Object.entries(v).filter(([, x]) => x !== undefined).flatMap(([k, x]) => [`${at}.${k}`, ...paths(x, `${at}.${k}`)]) : [];
    cells.forEach((c, i) => expect(paths(json.cells[i])).toEqual(paths(c)));
    expect((json.cells[cells.length - 1] as CellResult).worst).toEqual({ got: "-0", want: "NaN", ulps: "Infinity", inputs: ["-Infinity"], repro: "" });
  });

  it("formats ulp counts briefly", () => {
    expect([0, 0.004, 0.5, 2.126, 485, 4098, 8.4e6, Infinity].map(fmtUlp)).toEqual(["0", "4.0e-3", "0.5", "2.13", "485", "4.1e+3", "8.4e+6", "inf"]);
  });
});
