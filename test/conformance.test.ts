// The conformance machinery: cells pass on correct kernels, a deliberately
// wrong kernel is caught and shrunk to a reproduction, inputs outside the spec
// are counted rather than failed, each cell records what its contract allowed
// at its worst element, and the `mlx-ts conformance` command's flags, report
// (verdict first, the table only with --table), JSON and exit status.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as mx from "../index.js";
import { getBackend, type Kernel } from "../backends/backend.js";
import { runCase } from "../conformance/check.js";
import { contractFor } from "../conformance/contracts.js";
import { checkGraph, type Graph } from "../conformance/graphs.js";
import { OPS, opsMatching } from "../conformance/opdb.js";
import { runCell, runGraphs } from "../conformance/runner.js";
import { main } from "../cli/main.js";
import { BACKENDS } from "./helpers/backends.js";

const entry = (name: string) => OPS.find((e) => e.name === name)!;
const others = BACKENDS.filter((b) => b.device.backend !== "cpu");

describe.skipIf(others.length === 0).each(others)("conformance of $name against the cpu reference", ({ device }) => {
  const backend = device.backend;
  const kernels = getBackend(backend).kernels as Record<string, Kernel>;
  const saved = { ...kernels };
  afterEach(() => Object.assign(kernels, saved));

  it("passes correct kernels and gathers ulp statistics", async () => {
    for (const name of ["add", "exp", "sum", "matmul", "transpose"]) {
      const cell = await runCell(entry(name), mx.float32, backend, 15, 7);
      expect(cell.status, `${name}: ${cell.failure?.message}`).toBe("pass");
      expect(cell.runs).toBeGreaterThan(0);
    }
    const exp = await runCell(entry("exp"), mx.float32, backend, 15, 7);
    expect(exp.elements).toBeGreaterThan(0);
    expect(exp.maxUlp).toBeGreaterThanOrEqual(exp.p99Ulp!);
    expect(exp.histogram.reduce((a, b) => a + b, 0)).toBe(exp.elements);
  });

  it("records what each cell's contract allowed at its worst element", async () => {
    const exp = await runCell(entry("exp"), mx.float32, backend, 15, 7);
    // float32 output: the contract's float32 ulps plus 2 for rounding, wherever the worst element is
    const c = contractFor(backend, "exp");
    expect(exp.bound).toEqual({ ulps: c.ulps + 2, rule: expect.stringMatching(new RegExp(`^${c.ulps} f32 ulp \\+ 2 ulp rounding; `)) });
    expect(exp.worst!.ulps).toBeLessThanOrEqual(exp.maxUlp!);
    const add = await runCell(entry("add"), mx.float32, backend, 5, 7);
    expect(add.bound).toEqual({ ulps: 0, rule: expect.stringMatching(/^exact/) });
    const sum = await runCell(entry("sum"), mx.float32, backend, 15, 7);
    expect(sum.bound!.rule).toMatch(/^from the op's condition, u = 2\^-24/);
    expect(sum.bound!.ulps).toBeGreaterThanOrEqual(2);
    expect((await runCell(entry("add"), mx.int32, backend, 5, 7)).bound).toBeUndefined();
    // a random graph's worst element names its node, and its bound that node's contract
    const graphs = await runGraphs(mx.float32, backend, 10, 3);
    expect(graphs.worst!.node).toMatch(/^v\d+ = \w+\(v\d+(, v\d+)?\)$/);
    expect(graphs.bound!.rule.startsWith(`node ${graphs.worst!.node}: `)).toBe(true);
    expect(graphs.worst!.repro).toContain("// the graph:\nconst v0 = ");
  });

  it("catches a wrong kernel and shrinks it to a reproduction", async () => {
    // exp computed as expm1: off by one everywhere
    kernels.exp = (prim, xs, out) => saved.expm1!(Object.create(prim, { name: { value: "expm1" } }), xs, out);
    const cell = await runCell(entry("exp"), mx.float32, backend, 30, 7);
    expect(cell.status).toBe("fail");
    expect(cell.failure!.message).toMatch(/element \d+: got .*, reference/);
    expect(cell.failure!.repro).toContain(`mx.exp(x0, { stream: mx.${backend} })`);
    expect(cell.failure!.repro).toMatch(/fast-check seed 7, path "[\d:]+"/);
    // shrunk: a handful of elements, not the 96 a case may hold
    const values = /mx\.array\(\[([^\]]*)\]/.exec(cell.failure!.repro)![1]!.split(",");
    expect(values.length).toBeLessThanOrEqual(4);
  });

  it("reports a wrong kernel from the command line: FAIL first, then its reproduction, exit status 1", async () => {
    kernels.exp = (prim, xs, out) => saved.expm1!(Object.create(prim, { name: { value: "expm1" } }), xs, out);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      expect(await main(["conformance", "--backends", backend, "--ops", "exp,add", "--dtypes", "float32", "--runs", "10", "--graphs", "0", "--no-numpy"])).toBe(1);
      const out = log.mock.calls.map((c) => c.join(" ")).join("\n");
      // exp's cells fail (its values and, where the contract covers them, its special values); add's pass
      expect(out.split("\n")[0]).toMatch(/^FAIL {2}\d+ cells \(op x dtype x backend\): \d+ pass, [12] fail, /);
      expect(out).not.toMatch(/FAIL add/);
      const failure = out.indexOf(`FAIL exp float32 on ${backend}\n// exp float32 on ${backend}: element `);
      expect(failure).toBeGreaterThan(0);
      expect(out.indexOf(`mx.exp(x0, { stream: mx.${backend} })`)).toBeGreaterThan(failure);
      expect(out).toMatch(new RegExp(`1\\. exp float32 ${backend} \\(FAIL\\): .* ulp, bound .* ulp \\(`));
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });

  it("counts differences on inputs outside the contract instead of failing", async () => {
    const multiply = entry("multiply");
    const x = { dtype: "float32" as const, shape: [4], values: [NaN, 1e35, Infinity, 0.5], layout: "contiguous" as const };
    const out = await runCase(multiply, backend, { inputs: [x, { ...x, values: [3, 3, 3, 3] }], params: {} });
    expect(out.failure).toBeUndefined();
    // only 0.5 * 3 is inside the WGSL domain of multiply ([-1e30, 1e30], finite)
    expect(out.ulps).toHaveLength(1);
  });

  it("localizes a wrong kernel inside a graph to its node, not to the nodes after it", async () => {
    const g: Graph = {
      dtype: "float32",
      leaves: [{ dtype: "float32", shape: [2, 3], values: [0.1, 0.5, 1, 1.5, 2, 2.5], layout: "transposed" }],
      nodes: [
        { op: "exp", inputs: [0], params: {} },
        { op: "sin", inputs: [1], params: {} },
        { op: "add", inputs: [2, 1], params: {} },
        { op: "sum", inputs: [3], params: { axes: [1], keepdims: true } },
      ],
    };
    const good = await checkGraph(g, backend);
    expect(good.failure).toBeUndefined();
    expect(good.nodes).toBe(4);
    // sin computed as cos: node v2 is wrong; v3 and v4 are right given their (wrong) inputs
    kernels.sin = (prim, xs, out) => saved.cos!(Object.create(prim, { name: { value: "cos" } }), xs, out);
    const bad = await checkGraph(g, backend);
    expect(bad.failure?.node).toBe(2);
    expect(bad.failure?.op).toBe("sin");
    expect(bad.failure?.graph).toContain(`const v2 = mx.sin(v1, { stream: mx.${backend} });`);
    // and the random-graph property finds it, naming the node
    const cell = await runGraphs(mx.float32, backend, 30, 3);
    expect(cell.status).toBe("fail");
    expect(cell.failure!.message).toMatch(/node v\d+ \(sin\) leaves its contract given its own inputs/);
    expect(cell.failure!.repro).toContain("// the failing node alone, on the backend's inputs to it:");
  });

  it("reports dtypes the backend cannot hold as n/a with the reason", async () => {
    const cell = await runCell(entry("add"), mx.float64, backend, 5, 1);
    if (getBackend(backend).capabilities.dtypes.has(mx.float64)) expect(cell.status).toBe("pass");
    else expect(cell.reason).toBe(`float64 not supported on ${getBackend(backend).displayName}`);
  });

  it("builds non-contiguous inputs with the same logical values", async () => {
    for (const layout of ["transposed", "strided"] as const) {
      const out = await runCase(entry("stopGradient"), backend, { inputs: [{ dtype: "int32", shape: [2, 3], values: [1, 2, 3, 4, 5, 6], layout }], params: {} });
      expect(out.failure).toBeUndefined();
      expect(out.repro).toContain(layout === "transposed" ? "mx.transpose(" : "mx.slice(");
    }
  });
});

describe("mlx-ts conformance", () => {
  it("selects ops by glob", () => {
    // the complex64 entries (conformance/opdb-complex.ts) share their ops' names and follow the real ones
    expect(opsMatching("log1p,arc*").map((e) => e.name)).toEqual(["log1p", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "arctan2", "arcsin", "arccos", "arctan"]);
    expect(opsMatching("arcsin").map((e) => e.dtypes.map((d) => d.name).includes("complex64"))).toEqual([false, true]);
  });

  it("rejects bad flags and unknown backends with exit status 2", async () => {
    expect(await main(["conformance", "--runs", "0"])).toBe(2);
    expect(await main(["conformance", "--bogus"])).toBe(2);
    expect(await main(["conformance", "--backends", "nosuch"])).toBe(2);
    expect(await main(["conformance", "--ops", "nosuchop"])).toBe(2);
  });

  it.skipIf(others.length === 0)("prints the verdict first, the table only with --table, writes JSON and exits 0 when every cell holds", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "mlx-ts-")), "report.json");
    const printed = async (argv: string[]) => {
      const log = vi.spyOn(console, "log").mockImplementation(() => {});
      const err = vi.spyOn(console, "error").mockImplementation(() => {});
      try {
        expect(await main(argv)).toBe(0);
        return log.mock.calls.map((c) => c.join(" ")).join("\n");
      } finally {
        log.mockRestore();
        err.mockRestore();
      }
    };
    const args = ["conformance", "--ops", "negative,maximum", "--dtypes", "float32,int32", "--runs", "4", "--graphs", "3", "--no-numpy"];
    const out = await printed([...args, "--json", file]);
    expect(out.split("\n")[0]).toMatch(/^PASS {2}\d+ cells \(op x dtype x backend\): \d+ pass, 0 fail, \d+ n\/a; /);
    expect(out).toMatch(/nearest their bounds|Every float element compared was exact/);
    expect(out).not.toMatch(/^op\s+dtype\s+backend/m);
    const report = JSON.parse(readFileSync(file, "utf8")) as { cells: { op: string; dtype: string; status: string }[]; summary: { fail: number } };
    expect(report.summary.fail).toBe(0);
    expect(report.cells.map((c) => `${c.op} ${c.dtype}`)).toEqual(expect.arrayContaining(["maximum int32", "random graphs float32"]));
    const withTable = await printed([...args, "--table"]);
    expect(withTable.split("\n")[0]).toMatch(/^PASS /);
    expect(withTable).toMatch(/^op\s+dtype\s+backend/m);
    expect(withTable).toMatch(/^maximum\s+int32\s+/m);
  });
});
