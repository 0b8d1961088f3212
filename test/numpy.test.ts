// The cpu reference against NumPy: cells pass on the real reference (divmod's
// two outputs and the window functions included), a deliberately wrong
// reference kernel is caught, and NumPy's undefined cases (C casts out of
// range) are counted rather than failed. Skipped with the
// reason where /usr/bin/python3 has no numpy, unless MLX_TS_REQUIRE_NUMPY=1.

import { afterAll, afterEach, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { getBackend, type Kernel } from "../backends/backend.js";
import { NUMPY_EXPR, NumpyProcess, numpyUnavailable, runNumpyCell } from "../conformance/numpy.js";
import { OPS } from "../conformance/opdb.js";

const why = numpyUnavailable();
const entry = (name: string) => OPS.find((e) => e.name === name)!;

describe("NumPy is available where required", () => {
  it.runIf(process.env.MLX_TS_REQUIRE_NUMPY === "1")("MLX_TS_REQUIRE_NUMPY=1: numpy imports", () => {
    expect(why).toBeUndefined();
  });
});

describe.skipIf(why !== undefined)(`the cpu reference against NumPy${why ? ` (skipped: ${why})` : ""}`, () => {
  const np = why ? undefined : new NumpyProcess();
  const kernels = getBackend("cpu").kernels as Record<string, Kernel>;
  const saved = { ...kernels };
  afterEach(() => Object.assign(kernels, saved));
  afterAll(() => np?.close());

  it("agrees on sums (with infinite terms), exp, floor_divide, matmul and slicing", async () => {
    for (const [name, dtype] of [["sum", mx.float32], ["sum", mx.int32], ["exp", mx.float16], ["floorDivide", mx.int8], ["matmul", mx.float64], ["slice", mx.uint8], ["argmax", mx.float32]] as const) {
      const cell = await runNumpyCell(np!, entry(name), dtype, 25, 11);
      expect(cell.status, `${name} ${dtype.name}: ${cell.failure?.message}`).toBe("pass");
      expect(cell.runs).toBeGreaterThan(0);
    }
  });

  it("models mean and vecdot as they are composed: the sum rounded (overflowing) before the division, 16-bit products rounded before the sum", async () => {
    // found by conformance seed 31415926: NumPy in float64 throughout gave a finite mean and a vecdot 4 ulp of float16 away
    const huge = [0.5, -3e38, -3e38, -3e38, 0, 0];
    const x = mx.array(huge, mx.float32, { stream: mx.cpu });
    const meanRef = await mx.mean(x, { stream: mx.cpu }).item();
    const mean = await np!.evaluate(NUMPY_EXPR.mean!, [{ dtype: "float32", shape: [6], values: huge }], { axes: null, keepdims: false }, "float32");
    expect(meanRef).toBe(-Infinity);
    expect(mean.values).toEqual(["-inf"]);
    const [a, b] = [[-0.96875, 0.328125, 0.8125], [0.46875, 1.953125, -0.078125]];
    const dotRef = await mx.vecdot(mx.array(a, mx.float16, { stream: mx.cpu }), mx.array(b, mx.float16, { stream: mx.cpu }), { stream: mx.cpu }).item();
    const dot = await np!.evaluate(NUMPY_EXPR.vecdot!, [{ dtype: "float16", shape: [3], values: a }, { dtype: "float16", shape: [3], values: b }], { axis: -1 }, "float16");
    expect(dotRef).toBe(0.123046875);
    expect(dot.values).toEqual([0.123046875]);
  });

  it("catches a wrong reference kernel", async () => {
    kernels.log = (prim, xs, out) => saved.log2!(Object.create(prim, { name: { value: "log2" } }), xs, out);
    const cell = await runNumpyCell(np!, entry("log"), mx.float32, 25, 11);
    expect(cell.status).toBe("fail");
    expect(cell.failure!.repro).toContain("// NumPy: np.log(*x)");
  });

  it("counts casts NumPy leaves undefined instead of failing", async () => {
    const cell = await runNumpyCell(np!, entry("astype"), mx.float32, 40, 5);
    expect(cell.status, cell.failure?.message).toBe("pass");
    expect(cell.outsideDiffer).toBeGreaterThan(0);
  });

  it("agrees on divmod's two outputs, the closeness tests and the window functions", async () => {
    for (const [name, dtype] of [["divmod", mx.int16], ["isclose", mx.float32], ["allclose", mx.float16], ["arrayEqual", mx.float32], ["broadcastArrays", mx.uint8], ["bartlett", mx.float32], ["hanning", mx.float32], ["hamming", mx.float32], ["blackman", mx.float32]] as const) {
      const cell = await runNumpyCell(np!, entry(name), dtype, 15, 11);
      expect(cell.status, `${name} ${dtype.name}: ${cell.failure?.message}`).toBe("pass");
      expect(cell.runs).toBeGreaterThan(0);
    }
  });

  it("says which ops and dtypes NumPy lacks, and that complex64 is not sent to it", async () => {
    expect((await runNumpyCell(np!, entry("erf"), mx.float32, 1, 1)).reason).toBe("NumPy has no erf");
    expect((await runNumpyCell(np!, entry("add"), mx.bfloat16, 1, 1)).reason).toBe("NumPy has no bfloat16");
    const complexReal = OPS.find((e) => e.name === "real" && e.dtypes.includes(mx.complex64))!;
    expect((await runNumpyCell(np!, complexReal, mx.complex64, 1, 1)).reason).toBe("complex64 is not sent to NumPy by this check");
  });
});
