// The math mode per call and per graph: `{ mathMode }` on the ops it changes,
// taken when the op is called (a graph keeps its mode after setMathMode), kept
// through vmap and in compile's fused kernels, rejected where it means nothing.

import { afterEach, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BINARY_WGSL, UNARY_WGSL } from "../backends/webgpu/codegen.js";
import { MATH_MODE_OPS } from "../src/math-mode.js";
import type { Binary, Unary } from "../src/primitives/elementwise.js";

const hasWebGpu = mx.isAvailable(mx.webgpu);
const modeOf = (y: mx.MxArray) => (y.primitive as Unary | Binary).mathMode;

afterEach(() => mx.setMathMode("precise"));

describe("math mode", () => {
  it("covers exactly the float32 functions that have a driver builtin beside the library's", () => {
    const withBuiltin = Object.entries({ ...UNARY_WGSL, ...BINARY_WGSL }).filter(([, ex]) => ex.fast !== undefined).map(([name]) => name);
    expect([...MATH_MODE_OPS].sort()).toEqual(withBuiltin.sort());
  });

  it("is taken per call, else from setMathMode when the op is called", () => {
    const x = mx.array([0.5, 1.5]);
    expect(modeOf(mx.exp(x))).toBe("precise");
    expect(modeOf(mx.exp(x, { mathMode: "fast" }))).toBe("fast");
    expect(modeOf(mx.power(x, 2, { mathMode: "fast" }))).toBe("fast");
    mx.setMathMode("fast");
    expect(modeOf(mx.sin(x))).toBe("fast");
    expect(modeOf(mx.sin(x, { mathMode: "precise" }))).toBe("precise");
    expect(mx.exp(x, { mathMode: "fast" }).primitive!.params()).toEqual({ mathMode: "fast" });
    expect(mx.exp(x, { mathMode: "precise" }).primitive!.params()).toEqual({});
  });

  it("is kept through vmap", () => {
    const f = (v: mx.MxArray) => mx.tanh(v, { mathMode: "fast" });
    const graph = mx.vmap(f)(mx.ones([3, 2]));
    expect(modeOf(graph)).toBe("fast");
  });

  it("is an error on ops it does not change, and for values other than precise and fast", () => {
    const x = mx.array([1]);
    expect(() => mx.add(x, x, { mathMode: "fast" } as mx.OpOptions)).toThrow(/^\[add\] unknown option 'mathMode'/);
    expect(() => mx.exp(x, { mathMode: "exact" as "fast" })).toThrow(/^\[exp\] mathMode must be "precise" or "fast", got/);
  });

  it.skipIf(!hasWebGpu)("runs the driver's builtin for one call on webgpu while the rest stay precise", async () => {
    // log of a subnormal: the library gives the correctly rounded value; lavapipe's and NVIDIA's builtins flush it
    const tiny = mx.array([1e-40], mx.float32, { stream: mx.webgpu });
    const precise = await mx.log(tiny).item();
    expect(precise).toBe(Math.fround(Math.log(Math.fround(1e-40))));
    const fast = await mx.log(tiny, { mathMode: "fast" }).item();
    expect(fast).not.toBe(precise);
    // one graph with both: each node keeps its own
    const both = mx.stack([mx.log(tiny), mx.log(tiny, { mathMode: "fast" })]);
    expect(await both.tolist()).toEqual([[precise], [fast]]);
    // compiled: each fused kernel keeps its nodes' mode
    const fastChain = mx.compile((x: mx.MxArray) => mx.negative(mx.log(x, { mathMode: "fast" })));
    const preciseChain = mx.compile((x: mx.MxArray) => mx.negative(mx.log(x)));
    expect(await fastChain(tiny).item()).toBe(-fast);
    expect(await preciseChain(tiny).item()).toBe(-precise);
  });
});
