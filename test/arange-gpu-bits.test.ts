// Float arange on the GPU backends against the cpu reference, bit for bit,
// in the domain docs/webgpu.md and docs/metal.md promise it: start and step
// values of the dtype, every i * step and start + i * step exactly a float32
// value, count at most 2^25 (the kernels step in float32 from either end).
// Integer dtypes are exact everywhere.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";

const cpu = BACKENDS.find((b) => b.name === "cpu")!.device;
const GPUS = BACKENDS.filter((b) => b.name !== "cpu");

/** The raw element bits of `x` (floats compared by their bits, -0 and NaN included). */
async function bitsOf(x: mx.MxArray): Promise<number[]> {
  const width = x.dtype.size === 2 ? mx.uint16 : mx.uint32;
  return (await mx.view(x, width).tolist()) as number[];
}

const CASES: [string, () => [number, number, number, mx.DType]][] = [
  ["integers as float32", () => [0, 1000, 1, mx.float32]],
  ["quarter steps", () => [-3, 5, 0.25, mx.float32]],
  ["a negative step", () => [10, -10, -0.5, mx.float32]],
  ["even integers past 2^24", () => [2 ** 24 - 64, 2 ** 24 + 256, 2, mx.float32]],
  ["a negative step past 2^25", () => [2 ** 25 + 400, 2 ** 25 - 400, -4, mx.float32]],
  ["float16 halves", () => [0, 100, 0.5, mx.float16]],
  ["bfloat16 eighths", () => [-8, 8, 0.125, mx.bfloat16]],
  ["int16", () => [-500, 500, 7, mx.int16]],
  ["uint8 (wrapping)", () => [0, 300, 3, mx.uint8]],
];

describe.each(GPUS)("float arange on $name is the cpu's bits in its exact domain", ({ device }) => {
  it.each(CASES)("%s", async (_label, args) => {
    const [start, stop, step, dtype] = args();
    const want = await bitsOf(mx.arange(start, stop, step, { dtype, stream: cpu }));
    expect(await bitsOf(mx.arange(start, stop, step, { dtype, stream: device }))).toEqual(want);
  });
});
