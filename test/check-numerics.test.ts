// mx.checkNumerics: per output and backend, the max abs / rel / ulp error
// against the reference and the worst elements; a wrong kernel shows up in
// them; bad arguments are clear errors.

import { afterEach, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { getBackend, type Kernel } from "../backends/backend.js";
import { BACKENDS } from "./helpers/backends.js";

const x = mx.array([[0.5, -1, 2], [3, 0.25, -4]], mx.float32);
const y = mx.array([1, 2, 3], mx.float32);
const fn = (a: mx.MxArray, b: mx.MxArray) => ({ total: mx.sum(mx.add(mx.exp(a), b), { axis: 1 }), parts: [mx.tanh(a), mx.greater(a, b)] });

describe("checkNumerics", () => {
  it("reports every output of a tree, per backend (the cpu against itself: no error)", async () => {
    const report = await mx.checkNumerics(fn, [x, y], { backends: ["cpu"] });
    expect(report.map((r) => [r.output, r.dtype, r.shape])).toEqual([[0, "float32", [2]], [1, "float32", [2, 3]], [2, "bool", [2, 3]]]);
    for (const r of report) expect(r.backends).toEqual([{ backend: "cpu", maxAbs: 0, maxRel: 0, maxUlp: 0, worst: [] }]);
  });

  it("refuses what it cannot run, naming the argument", async () => {
    await expect(mx.checkNumerics(42 as unknown as () => mx.MxArray, [x])).rejects.toThrow(/fn must be a function/);
    await expect(mx.checkNumerics(fn, [x, y], { backends: ["tpu" as "metal"] })).rejects.toThrow(/backend 'tpu' is not available/);
    await expect(mx.checkNumerics(() => 3, [x])).rejects.toThrow(/returned no arrays/);
    await expect(mx.checkNumerics(fn, [x, [1, 2] as unknown as mx.MxArray])).rejects.toThrow(/input 1 must be an mx array/);
  });
});

describe.skipIf(BACKENDS.length < 2).each(BACKENDS.filter((b) => b.device.backend !== "cpu"))("checkNumerics on $name", ({ device }) => {
  const kernels = getBackend(device.backend).kernels as Record<string, Kernel>;
  const saved = { ...kernels };
  afterEach(() => Object.assign(kernels, saved));

  it("measures the backend within a few ulp of the reference", async () => {
    const [total, tanh, cmp] = await mx.checkNumerics(fn, [x, y], { backends: [device.backend] });
    expect(total!.backends[0]!.backend).toBe(device.backend);
    expect(total!.backends[0]!.maxUlp).toBeLessThan(64);
    expect(tanh!.backends[0]!.maxRel).toBeLessThan(1e-5);
    expect(cmp!.backends[0]!.maxAbs).toBe(0);
  });

  it("shows a wrong kernel in the worst elements", async () => {
    kernels.tanh = (prim, xs, out) => saved.sinh!(Object.create(prim, { name: { value: "sinh" } }), xs, out);
    const [, tanh] = await mx.checkNumerics(fn, [x, y], { backends: [device.backend], worst: 2 });
    const b = tanh!.backends[0]!;
    expect(b.maxAbs).toBeGreaterThan(20);
    expect(b.worst).toHaveLength(2);
    // tanh(-4) = -0.9993 on the reference, sinh(-4) = -27.29 on the broken kernel
    expect(b.worst[0]).toMatchObject({ index: 5 });
    expect(b.worst[0]!.got as number).toBeCloseTo(Math.sinh(-4), 4);
    expect(b.worst[0]!.want as number).toBeCloseTo(Math.tanh(-4), 6);
  });
});
