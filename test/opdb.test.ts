// The op database drives these tests: every entry, for every dtype it takes,
// on every backend present but webgpu (test/opdb-webgpu.test.ts) against the
// cpu reference, and the reference itself against NumPy where NumPy is
// installed, a few generated cases each. Adding an op to conformance/opdb.ts
// adds its tests here.

import { afterAll, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { NumpyProcess, numpyUnavailable, runNumpyCell } from "../conformance/numpy.js";
import { OPS } from "../conformance/opdb.js";
import { runSpecialCases, SPECIAL_CASES } from "../conformance/special-cases.js";
import { BACKENDS } from "./helpers/backends.js";
import { expectHolds, opCellTests, RUNS, SEED } from "./helpers/opdb-cells.js";

describe.each(BACKENDS.filter((b) => b.device.backend !== "cpu" && b.device.backend !== "webgpu"))("op database on $name against the cpu reference", ({ device }) => opCellTests(device.backend));

const why = numpyUnavailable();
describe.skipIf(why !== undefined)(`op database: the cpu reference against NumPy${why ? ` (skipped: ${why})` : ""}`, () => {
  const np = why ? undefined : new NumpyProcess();
  afterAll(() => np?.close());
  for (const entry of OPS) {
    it(`${entry.name}`, async () => {
      for (const d of entry.dtypes) expectHolds(await runNumpyCell(np!, entry, d, RUNS, SEED));
    });
  }
});

// webgpu compiles a kernel per op, dtype and cast target on its first use: about a minute on lavapipe
const SPECIAL_CASES_TIMEOUT_MS = 240_000;

describe.each(BACKENDS)("the array API's special cases on $name", ({ device }) => {
  it("hold exactly on the reference; elsewhere each broken rule is counted as outside spec", async () => {
    const cells = await runSpecialCases(device.backend);
    expect(cells.length).toBe(Object.keys(SPECIAL_CASES).length);
    for (const c of cells) {
      expectHolds(c);
      if (device.backend === "cpu") expect(c.outsideDiffer, c.op).toBe(0);
    }
  }, SPECIAL_CASES_TIMEOUT_MS);
});

it("every entry names a public op", () => {
  // dotted names live in a namespace (linalg.cholesky, fast.rmsNorm)
  for (const e of OPS) expect(typeof e.name.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], mx), e.name).toBe("function");
});
