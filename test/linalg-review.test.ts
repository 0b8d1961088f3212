// Defects a review found in mx.linalg on the cpu reference: svd and pinv of a
// matrix holding NaN or an infinity (NaN throughout, U included, not zeros or
// an identity), and the one dtype rule of docs/semantics.md (det, slogdet
// and norm take integers and 16-bit floats; the factorizations refuse them
// with one message).

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";

const cpu = { stream: mx.cpu };
const allNaN = async (x: mx.MxArray) => ((await x.tolist()) as number[][]).flat(2).every((v) => Number.isNaN(v));

describe("svd and pinv of a non-finite matrix", () => {
  it.each([mx.float32, mx.float64])("NaN: pinv and every svd output NaN (%s)", async (d) => {
    const a = mx.array([[NaN, 1], [1, 1]], d, cpu);
    expect(await allNaN(mx.linalg.pinv(a, cpu))).toBe(true);
    const [u, s, vt] = mx.linalg.svd(a, cpu);
    for (const x of [u, s, vt]) expect(await allNaN(x)).toBe(true);
    expect(await allNaN(mx.linalg.svd(a, false, cpu))).toBe(true);
  });

  it("an infinity, a wide and a tall matrix, in a batch beside a finite one (which keeps its values)", async () => {
    const wide = mx.array([[[1, 0, 0], [0, 2, 0]], [[1, Infinity, 0], [0, 2, 0]]], mx.float64, cpu);
    const p = mx.linalg.pinv(wide, cpu);
    expect([...p.shape]).toEqual([2, 3, 2]);
    const [first, second] = (await p.tolist()) as number[][][];
    expect(first).toEqual([[1, 0], [0, 0.5], [0, 0]]);
    expect(second!.flat().every((v) => Number.isNaN(v))).toBe(true);
    const [u, s, vt] = mx.linalg.svd(mx.swapaxes(wide, -1, -2, cpu), cpu);
    expect(((await u.tolist()) as number[][][])[1]!.flat().every((v) => Number.isNaN(v))).toBe(true);
    expect(((await s.tolist()) as number[][])[1]!.every((v) => Number.isNaN(v))).toBe(true);
    expect(((await vt.tolist()) as number[][][])[1]!.flat().every((v) => Number.isNaN(v))).toBe(true);
    expect(((await s.tolist()) as number[][])[0]).toEqual([2, 1]);
  });

  it("norm through the singular values of a NaN matrix is NaN", async () => {
    expect(await mx.linalg.norm(mx.array([[NaN, 1], [1, 1]], mx.float32, cpu), 2, cpu).item()).toBeNaN();
  });
});

describe("the dtype rule", () => {
  const m = [[4, 1], [2, 3]];

  it.each([mx.float16, mx.bfloat16])("det, slogdet and norm of %s: computed through float32, in the input's dtype", async (d) => {
    const a = mx.array(m, d, cpu);
    const det = mx.linalg.det(a, cpu);
    expect(det.dtype).toBe(d);
    expect(await det.item()).toBe(10);
    const [sign, logabsdet] = mx.linalg.slogdet(a, cpu);
    expect([sign.dtype, logabsdet.dtype]).toEqual([d, d]);
    expect(await sign.item()).toBe(1);
    expect(await logabsdet.item()).toBe(await mx.astype(mx.array(Math.log(10), mx.float32), d, cpu).item());
    for (const ord of ["nuc", 2, -2, "fro", 1, Infinity] as const) {
      const n = mx.linalg.norm(a, ord, cpu);
      expect(n.dtype).toBe(d);
      const want = await mx.astype(mx.linalg.norm(mx.array(m, mx.float64, cpu), ord, cpu), d, cpu).item();
      expect(await n.item()).toBe(want);
    }
    // the gradient of det flows through the casts: d det / dA = det A^-T
    const g = await mx.grad((x: mx.MxArray) => mx.linalg.det(x, cpu))(a).tolist();
    expect(g).toEqual([[3, -2], [-1, 4]]);
  });

  it("integers and bool give float32 in det, slogdet and norm", async () => {
    expect(mx.linalg.det(mx.array(m, mx.int32, cpu), cpu).dtype).toBe(mx.float32);
    expect(mx.linalg.slogdet(mx.array(m, mx.uint8, cpu), cpu)[1].dtype).toBe(mx.float32);
    expect(await mx.linalg.det(mx.array([[true, false], [false, true]], mx.bool, cpu), cpu).item()).toBe(1);
    expect(await mx.linalg.norm(mx.array(m, mx.int16, cpu), "nuc", cpu).dtype).toBe(mx.float32);
  });

  it("the factorizations refuse every dtype but float32 and float64 with one message naming the op, the argument and the cast", () => {
    const calls: [string, (a: mx.MxArray) => unknown][] = [
      ["inv", (a) => mx.linalg.inv(a, cpu)],
      ["cholesky", (a) => mx.linalg.cholesky(a, cpu)],
      ["qr", (a) => mx.linalg.qr(a, cpu)],
      ["svd", (a) => mx.linalg.svd(a, cpu)],
      ["pinv", (a) => mx.linalg.pinv(a, cpu)],
      ["eigh", (a) => mx.linalg.eigh(a, cpu)],
      ["eig", (a) => mx.linalg.eig(a, cpu)],
      ["lu", (a) => mx.linalg.lu(a, cpu)],
      ["triInv", (a) => mx.linalg.triInv(a, cpu)],
    ];
    for (const d of [mx.float16, mx.bfloat16, mx.int32, mx.bool]) {
      for (const [name, f] of calls) {
        const message = new RegExp(`^\\[linalg\\.${name}\\] a must be float32 or float64, got ${d.name} \\(mx\\.linalg's factorizations and solves compute in these two only.*cast it with mx\\.astype\\(a, mx\\.float32\\)`);
        expect(() => f(mx.array(m, d, cpu))).toThrow(message);
      }
    }
    expect(() => mx.linalg.choleskyInv(mx.array(m, mx.float16, cpu), cpu)).toThrow(/^\[linalg\.choleskyInv\] L must be float32 or float64, got float16 .*mx\.astype\(L, mx\.float32\)/);
  });
});
