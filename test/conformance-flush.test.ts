// The conformance check under a GPU that flushes subnormal intermediates to zero (WGSL §15.7.2): two cases
// the H200 met (seed 20261203), std of a flushed variance and layerNorm of a flushed product or a
// subnormal bias, pass; results off by more than a flush still fail; the tests' meets accepts a flushed subnormal product.

import { expect, it } from "vitest";
import * as mx from "../index.js";
import { judge, type CaseOutcome } from "../conformance/check.js";
import { OPS } from "../conformance/opdb.js";
import { contract, meets } from "../conformance/contracts.js";
const entry = (n: string) => OPS.find((e) => e.name === n)!;
const cpu = { stream: mx.cpu };
async function verdict(name: string, inputs: { dtype: string; shape: number[]; values: number[] }[], params: Record<string, unknown>, gotFrom: (ref: number[]) => number[]) {
  const e = entry(name);
  const c = { inputs: inputs.map((i) => ({ ...i, layout: "contiguous" as const })), params };
  const refIn = inputs.map((i) => mx.reshape(mx.array(i.values, mx.float32, cpu), i.shape, cpu));
  const ref = e.call(refIn, params, cpu);
  const rv = (await mx.reshape(ref, [-1], cpu).tolist()) as number[];
  const got = mx.reshape(mx.array(gotFrom(rv), mx.float32, cpu), ref.shape, cpu);
  const out: CaseOutcome = { ulps: [], outsideDiffer: 0, repro: "" };
  return judge(e, "webgpu", c as never, got, ref, refIn, out);
}
it("std with a flushed variance", async () => {
  const x = [0, NaN, 0, 0, 0, 0, NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NaN, 0, 0, 0, 0, 0, -6.112933957199918e-23, 1e-30, 0, 0, 0, NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NaN, NaN];
  const inputs = [{ dtype: "float32", shape: [4, 4, 4], values: x }];
  const p = { axes: [2], keepdims: false, ddof: 1 };
  const ok = await verdict("std", inputs, p, (r) => r.map((v, i) => (i === 9 ? 0 : v)));
  expect(ok.failure).toBeUndefined();
  const bad = await verdict("std", inputs, p, (r) => r.map((v, i) => (i === 9 ? 1e-10 : v)));
  expect(bad.failure).toMatch(/element 9/);
});
it("layerNorm with a subnormal bias and a flushed product", async () => {
  const x = [0, 0, 0, 0, 0, 0, 0, 0, 0, NaN, 0, NaN, 0, 0, 0, 0, 0, 0, NaN, 0, 0, 0, 0, NaN, 0, 0, 0, 0, 0, 0, 0, 0, 3.2974011485605358e-28, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NaN, 0, 0, 0, 0, 0];
  const inputs = [{ dtype: "float32", shape: [2, 1, 5, 5], values: x }, { dtype: "float32", shape: [5], values: [0, 0, 0, -1.5749804482519464e-13, 0] }, { dtype: "float32", shape: [5], values: [0, 0, 0, 1.1189767607695999e-39, 0] }];
  const p = { eps: 9.5367431640625e-7, weight: true, bias: true, axes: [3] };
  const ok = await verdict("fast.layerNorm", inputs, p, (r) => r.map((v, i) => (i === 33 ? 0 : v)));
  expect(ok.failure).toBeUndefined();
  // the same with a normal bias: the flushed product (1.06e-38) is what differs
  const inputs2 = [inputs[0]!, inputs[1]!, { dtype: "float32", shape: [5], values: [0, 0, 0, 1e-30, 0] }];
  const ok2 = await verdict("fast.layerNorm", inputs2, p, (r) => r.map((v, i) => (i === 33 ? 1e-30 : v)));
  expect(ok2.failure).toBeUndefined();
  const bad = await verdict("fast.layerNorm", inputs2, p, (r) => r.map((v, i) => (i === 33 ? 2e-30 : v)));
  expect(bad.failure).toMatch(/element 33/);
});
it("the tests' meets: a product flushed from a float32 subnormal meets multiply's webgpu contract (the H100 met it, test/binary.test.ts)", () => {
  const c = contract({ backend: "webgpu" }, "multiply");
  const want = -4.462611717334121e-15 * 1.5700430346545991e-31, rounded = -1.401298464324817e-45;
  expect(meets(c, 0, want, rounded, mx.float32)).toBe(true);
  expect(meets(c, rounded, want, rounded, mx.float32)).toBe(true);
  expect(meets(c, 2 * rounded, want, rounded, mx.float32)).toBe(false);
  // a normal result flushed is still wrong
  expect(meets(c, 0, 1e-37, 1e-37, mx.float32)).toBe(false);
});
