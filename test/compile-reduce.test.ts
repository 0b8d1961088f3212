// mx.compile's fused reductions (compile/fusion.ts with each backend's fuse):
// an elementwise prologue, one sum/prod/max/min over any axes and an
// elementwise epilogue give the bits of the uncompiled graph on every backend
// (float, half, integer and bool dtypes; axis subsets, keepdims, empty axes,
// size-0 and size-1 axes; short, workgroup and two-pass reductions).

import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import * as mx from "../index.js";
import { storageBytes } from "./helpers/bytes.js";
import { BACKENDS } from "./helpers/backends.js";
import { getBackend } from "../backends/backend.js";
import type { Tensor } from "../backends/backend.js";
import { MetalBuffer, type MetalBackend } from "../backends/metal/backend.js";
import { metalFuseReduce } from "../backends/metal/fuse-reduce.js";
import type { FusedGroup } from "../src/compile/group.js";
import { Reduce } from "../src/primitives/reduce.js";
import { Unary } from "../src/primitives/elementwise.js";
import { fullProfile, sized } from "./helpers/profile.js";


/** Deterministic values in [-3, 3) with a few special ones (a linear congruential walk from `seed`). */
function valuesOf(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s % 6000) / 1000 - 3;
  });
}

function input(shape: number[], dtype: mx.DType, seed: number, stream: mx.Device): mx.MxArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const vals = valuesOf(n, seed).map((v) => (dtype.kind === "float" ? v : Math.round(v * 20)));
  return mx.reshape(mx.array(dtype === mx.bool ? vals.map((v) => v > 0) : vals, dtype, { stream }), shape, { stream });
}

type Fn = (...xs: mx.MxArray[]) => mx.MxArray | mx.MxArray[];

/** Runs `f` as it is and compiled; expects the same dtypes, shapes and bits. Returns what fusion did. */
async function expectSameBits(f: Fn, args: mx.MxArray[]): Promise<mx.CompileTrace> {
  const list = (r: mx.MxArray | mx.MxArray[]) => (Array.isArray(r) ? r : [r]);
  const plain = list(f(...args));
  const cf = mx.compile(f);
  const compiled = list(cf(...args));
  expect(compiled.map((x) => `${x.dtype.name}[${x.shape.join(",")}]`)).toEqual(plain.map((x) => `${x.dtype.name}[${x.shape.join(",")}]`));
  expect(await storageBytes(compiled)).toEqual(await storageBytes(plain));
  return mx.compileStats(cf).traces[0]!;
}

describe.each(BACKENDS)("compile: fused reductions on $name", ({ name, device }) => {
  const o = { stream: device };

  it("fuses sum(x * x), max(abs(a - b)), sqrt(sum / n) and the variance into one node each", async () => {
    const x = input([40, 70], mx.float32, 1, device);
    const y = input([40, 70], mx.float32, 2, device);
    // [groups, nodes] of the trace (the variance's inner mean is a reduction of its own: its divide joins the outer prologue)
    const cases: [Fn, mx.MxArray[], number[]][] = [
      [(a) => mx.sum(mx.multiply(a, a, o), { axis: 1, ...o }), [x], [1, 1]],
      [(a, b) => mx.max(mx.abs(mx.subtract(a, b, o), o), o), [x, y], [1, 1]],
      [(a) => mx.sqrt(mx.divide(mx.sum(mx.square(a, o), { axis: 0, ...o }), 40, o), o), [x], [1, 1]],
      [(a) => mx.mean(mx.square(mx.subtract(a, mx.mean(a, { axis: 1, keepdims: true, ...o }), o), o), { axis: 1, ...o }), [x], [1, 2]],
    ];
    for (const [f, args, fused] of cases) {
      const t = await expectSameBits(f, args);
      expect([t.groups, t.nodes]).toEqual(fused);
    }
  }, 120_000);

  it("gives the uncompiled bits for every reduction, dtype and axes", async () => {
    const dtypes = [mx.float32, mx.float16, mx.bfloat16, mx.int32, mx.int8, mx.uint8, mx.uint32, mx.bool];
    const reductions = ["sum", "prod", "max", "min"] as const;
    const shape = [3, 5, 7];
    const axesList: (number[] | undefined)[] = [undefined, [0], [1], [2], [0, 2], [1, 2], []];
    let i = 0;
    for (const dtype of dtypes) {
      const x = input(shape, dtype, 7, device);
      // the cpu runs every reduction of every dtype; a GPU one per dtype (each fused kernel is a pipeline to compile)
      for (const r of name === "cpu" ? reductions : [reductions[i % reductions.length]!]) {
        // the axes and keepdims walk their lists across the dtypes and reductions
        const axis = axesList[i % axesList.length];
        const keepdims = i++ % 2 === 1;
        // bool: a logical op before the reduction; the rest: a product and a cast back
        const pro = (a: mx.MxArray) => (dtype === mx.bool ? mx.logicalNot(a, o) : mx.astype(mx.multiply(mx.add(a, a, o), a, o), dtype, o));
        const f = (a: mx.MxArray) => {
          const red = mx[r](pro(a), { ...(axis ? { axis } : {}), keepdims, ...o });
          return [red, mx.add(red, red, o)];
        };
        await expectSameBits(f, [x]);
      }
    }
  }, 120_000);

  it("keeps size-0 and size-1 axes, broadcast inputs and strided views bit for bit", async () => {
    const empty = mx.zeros([4, 0, 3], mx.float32, o);
    await expectSameBits((a) => mx.exp(mx.sum(mx.exp(a, o), { axis: 1, ...o }), o), [empty]);
    await expectSameBits((a) => mx.exp(mx.sum(mx.exp(a, o), { axis: 2, ...o }), o), [empty]);
    const one = input([5, 1, 6], mx.float16, 3, device);
    await expectSameBits((a) => mx.negative(mx.max(mx.square(a, o), { axis: 1, ...o }), o), [one]);
    // a row broadcast against a transposed view, reduced over the broadcast axis
    const x = mx.transpose(input([9, 13], mx.float32, 4, device), undefined, o);
    const row = input([9], mx.float32, 5, device);
    await expectSameBits((a, b) => mx.sum(mx.multiply(a, b, o), { axis: 0, keepdims: true, ...o }), [x, row]);
    await expectSameBits((a, b) => mx.min(mx.subtract(a, b, o), { axis: 1, ...o }), [x, row]);
  });

  it("propagates NaN through max and min as the reduce kernel does", async () => {
    // sqrt of the negative elements: NaN among numbers, first or later in a segment
    const x = input([4, 9], mx.float32, 21, device);
    for (const r of ["max", "min"] as const) {
      await expectSameBits((a) => mx.abs(mx[r](mx.sqrt(a, o), { axis: 1, ...o }), o), [x]);
      await expectSameBits((a) => mx[r](mx.sqrt(a, o), { axis: 0, ...o }), [x]);
    }
  });

  it("folds long segments in the reduce kernel's order (short, grouped, workgroup and two-pass splits)", async () => {
    // the folds: a float32 sum of squares under sqrt, a float16 sum and a float16 mean (its sum reads float16 into a float32 result)
    const folds: [mx.DType, (axis: number) => Fn][] = [
      [mx.float32, (axis) => (a) => mx.sqrt(mx.sum(mx.multiply(a, a, o), { axis, ...o }), o)],
      [mx.float16, (axis) => (a) => mx.sum(mx.multiply(a, 0.5, o), { axis, ...o })],
      [mx.float16, (axis) => (a) => mx.mean(mx.multiply(a, 0.5, o), { axis, ...o })],
    ];
    // [shape, axis, the folds a GPU runs there in the default profile]: each fold and split is a kernel to compile, so
    // every split meets one fold or more and every fold several splits; the cpu and the full profile run every fold
    for (const [shape, axis, picked] of [
      [[3, 60], 1, [0, 1, 2]],
      // medium segments of many outputs: a group of lanes per output on the GPUs (8 lanes, then 32)
      [[1100, 100], 1, [2]],
      [[100, 1100], 0, [1]],
      [[1030, 999], 1, [0]],
      [[3, 5000], 1, [0]],
      [[2, 70000], 1, [1]],
      // chunks of 16384: webgpu's uncompiled float16 sum reads whole quads of words (the fused group runs node by node there)
      [[2, 32768], 1, [1]],
      [[300000], 0, [0, 1, 2]],
      [[70000, 3], 0, [2]],
      // 68 chunks: webgpu's second pass is a workgroup tree too, metal's a threadgroup (more chunks than a thread folds)
      ...(device.backend !== "cpu" ? [[[1100000], 0, [0, 1, 2]]] : []),
    ] as [number[], number, number[]][]) {
      for (const [i, [dtype, fold]] of folds.entries()) {
        if (!fullProfile && device.backend !== "cpu" && !picked.includes(i)) continue;
        await expectSameBits(fold(axis), [input(shape, dtype, dtype === mx.float32 ? shape[0]! : 11, device)]);
      }
    }
  }, 120_000);

  it.runIf(device.backend === "metal")("gives the uncompiled bits for narrow dtypes over two passes, NaN included", async () => {
    // metal: partials in the accumulator dtype, the second pass's cast to half, bool and uint8 results; sqrt makes NaNs in max and min
    // (each reduction a library to compile: the default profile folds uint8 by its product only, float16 and bool sum)
    const cases: [mx.DType, ("sum" | "prod" | "max" | "min")[]][] = [[mx.float16, ["sum", "max", "min"]], [mx.uint8, sized(["prod"], ["sum", "prod"])], [mx.bool, ["sum", "max"]]];
    for (const [dtype, reductions] of cases) {
      const x = input([2, 70000], dtype, 13, device);
      const pro = (a: mx.MxArray) => (dtype === mx.float16 ? mx.sqrt(a, o) : dtype === mx.bool ? mx.logicalNot(a, o) : mx.astype(mx.multiply(a, a, o), dtype, o));
      for (const r of reductions) {
        const t = await expectSameBits((a) => { const red = mx[r](pro(a), { axis: 1, ...o }); return mx.add(red, red, o); }, [x]);
        expect([t.groups, t.nodes]).toEqual([1, 1]);
      }
    }
    // 68 chunks, so the second pass is a threadgroup: a signed sum shows any change of its order
    await expectSameBits((a) => mx.sum(mx.multiply(a, 1.25, o), o), [input([1100000], mx.float32, 3, device)]);
  }, 120_000);

  it.runIf(device.backend === "metal")("runs a call past the inline parameter bytes node by node, and the int64 index variant, with the same bits", async () => {
    const metal = getBackend("metal") as MetalBackend;
    const group: FusedGroup = {
      inputs: [mx.float32],
      nodes: [
        { primitive: new Unary("exp"), operands: [0], dtype: mx.float32 },
        { primitive: new Reduce("sum", [1], false), operands: [1], dtype: mx.float32 },
      ],
      outputs: [1],
      reduce: 1,
      key: "test-params-bytes|float32|exp;sum@1",
    };
    const x = input([3, 100], mx.float32, 5, device);
    await mx.eval(x);
    const [want] = await storageBytes([mx.sum(mx.exp(x, o), { axis: 1, ...o })]);
    const t = x.tensor();
    // the same bytes, stated as 2^31 long: the host picks the variant from the stated length
    const large: Tensor = { ...t, buffer: new MetalBuffer(metal, 2 ** 31, (t.buffer as MetalBuffer).bytes, (t.buffer as MetalBuffer).byteOffset) };
    const run = (limit: number, input: Tensor) => {
      const [r] = metalFuseReduce(metal, group, limit)!(group.nodes[1]!.primitive, [input], [{ shape: [3], dtype: mx.float32 }]);
      const words = [...new Uint8Array(metal.readSync(r!).buffer.slice(0))];
      metal.release(r!.buffer);
      return words;
    };
    const sums = vi.spyOn(metal.kernels, "sum");
    expect(run(8, t)).toEqual(want);
    expect(sums).toHaveBeenCalledTimes(1); // node by node
    expect(run(4096, t)).toEqual(want);
    expect(run(4096, large)).toEqual(want);
    expect(sums).toHaveBeenCalledTimes(1);
    sums.mockRestore();
  });

  it("runs logsumexp written by hand, with the reduction and a prologue value returned", async () => {
    const x = input([6, 50], mx.float32, 9, device);
    const lse = (a: mx.MxArray) => {
      const m = mx.max(a, { axis: 1, keepdims: true, ...o });
      return mx.add(mx.log(mx.sum(mx.exp(mx.subtract(a, m, o), o), { axis: 1, keepdims: true, ...o }), o), m, o);
    };
    await expectSameBits(lse, [x]);
    // x * x also leaves the group: it stays a node of its own, the reduction fuses with the rest
    await expectSameBits((a) => {
      const sq = mx.multiply(a, a, o);
      const s = mx.sum(sq, { axis: 1, ...o });
      return [sq, s, mx.sqrt(s, o)];
    }, [x]);
  });

  it("matches random chains around a random reduction", async () => {
    const unary = ["exp", "abs", "square", "negative", "sin", "sqrt"] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(mx.float32, mx.float16, mx.bfloat16),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
        fc.constantFrom("sum", "prod", "max", "min"),
        fc.array(fc.constantFrom(...unary), { maxLength: 3 }),
        fc.array(fc.constantFrom(...unary), { maxLength: 2 }),
        fc.integer({ min: 0, max: 1000 }),
        async (dtype, shape, r, pre, post, seed) => {
          const axes = shape.map((_, i) => i).filter((i) => (seed >> i) & 1);
          const x = input(shape, dtype, seed, device);
          const y = input(shape, dtype, seed + 1, device);
          const f = (a: mx.MxArray, b: mx.MxArray) => {
            let v = mx.multiply(a, b, o);
            for (const u of pre) v = mx[u](v, o);
            let red = mx[r](v, { axis: axes, keepdims: seed % 3 === 0, ...o });
            for (const u of post) red = mx[u](red, o);
            return red;
          };
          await expectSameBits(f, [x, y]);
        },
      ),
      { numRuns: name === "cpu" ? 25 : 6, seed: 17 },
    );
  });
});
