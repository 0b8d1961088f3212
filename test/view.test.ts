// mx.view and x.view (a bitcast to another dtype) on every backend: known bit
// patterns, MLX's shape rule and its errors, non-contiguous inputs (read in
// row-major order), bytes kept exactly (NaN payloads), bool views canonical, and the
// transforms (vmap over any axis; no gradient, as in MLX).

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";

describe.each(BACKENDS)("view on $name", ({ device }) => {
  const o = { stream: device };
  const arr = (v: mx.NestedList, d: mx.DType) => mx.array(v, d, o);

  it("reads float32 bits as uint32 and back", async () => {
    const bits = mx.view(arr([1, -2, 0.5, -0], mx.float32), mx.uint32, o);
    expect(bits.dtype).toBe(mx.uint32);
    expect(await bits.tolist()).toEqual([0x3f800000, 0xc0000000, 0x3f000000, 0x80000000]);
    expect(await mx.view(arr([0x7f800000, 0x00000001], mx.uint32), mx.float32, o).tolist()).toEqual([Infinity, 2 ** -149]);
  });

  it("packs float16 and bfloat16 pairs little-endian into uint32", async () => {
    const h = mx.view(arr([[1, -2], [0.5, 65504]], mx.float16), mx.uint32, o);
    expect(h.shape).toEqual([2, 1]);
    expect(await h.tolist()).toEqual([[0xc0003c00], [0x7bff3800]]);
    expect(await mx.view(arr([1, -2], mx.bfloat16), mx.uint32, o).tolist()).toEqual([0xc0003f80]);
    expect(await mx.view(arr([0xc0003c00], mx.uint32), mx.float16, o).tolist()).toEqual([1, -2]);
  });

  it("reads int8 negatives as uint8 and splits wider integers into bytes", async () => {
    expect(await arr([-1, -128, 127, 0], mx.int8).view(mx.uint8, o).tolist()).toEqual([255, 128, 127, 0]);
    const bytes = mx.view(arr([[0x01020304], [-1]], mx.int32), mx.uint8, o);
    expect(bytes.shape).toEqual([2, 4]);
    expect(await bytes.tolist()).toEqual([[4, 3, 2, 1], [255, 255, 255, 255]]);
    expect(await mx.view(arr([-1, -2, 3, 0], mx.int8), mx.int32, o).tolist()).toEqual([0x0003feff]);
  });

  it("treats bool as one byte and makes a view as bool canonical: each nonzero byte true, stored as 1", async () => {
    expect(await mx.view(arr([true, false, true, true], mx.bool), mx.uint32, o).tolist()).toEqual([0x01010001]);
    const b = mx.view(arr([0x01020300], mx.int32), mx.bool, o);
    expect(b.shape).toEqual([4]);
    expect(await b.tolist()).toEqual([false, true, true, true]);
    expect(await mx.view(b, mx.int32, o).tolist()).toEqual([0x01010100]);
  });

  it("a view as bool reads alike in every op (sum, astype, equal, where, logical ops)", async () => {
    const b = arr([2, 0, -1, 1], mx.int8).view(mx.bool, o);
    expect(b.dtype).toBe(mx.bool);
    expect(await mx.sum(b, o).item()).toBe(3);
    expect(await b.astype(mx.int32, o).tolist()).toEqual([1, 0, 1, 1]);
    expect(await mx.view(b, mx.uint8, o).tolist()).toEqual([1, 0, 1, 1]);
    expect(await mx.equal(b, arr([true, false, true, true], mx.bool), o).tolist()).toEqual([true, true, true, true]);
    expect(await mx.logicalAnd(b, arr([true, true, true, false], mx.bool), o).tolist()).toEqual([true, false, true, false]);
    expect(await mx.where(b, 5, 7, o).tolist()).toEqual([5, 7, 5, 5]);
    // a float's bytes: -0 is 0x80000000, only its high byte nonzero; NaN's payload bytes too
    const f = mx.view(arr([-0, 1], mx.float32), mx.bool, o);
    expect(await mx.view(f, mx.uint8, o).tolist()).toEqual([0, 0, 0, 1, 0, 0, 1, 1]);
    expect(await mx.sum(mx.view(arr([[0xff00, 0x0101]], mx.uint16), mx.bool, o), { axis: 1, ...o }).tolist()).toEqual([3]);
  });

  it("keeps NaN payloads, also through a copy of a non-contiguous input", async () => {
    const words = [0x7fa00001, 0xffc12345, 0x00000001, 0x80000000];
    const f = mx.view(arr(words, mx.uint32), mx.float32, o);
    expect(await mx.view(f, mx.uint32, o).tolist()).toEqual(words);
    const t = mx.transpose(mx.reshape(f, [2, 2], o), undefined, o);
    expect(await mx.view(t, mx.uint32, o).tolist()).toEqual([[words[0], words[2]], [words[1], words[3]]]);
  });

  it("reads a transposed, broadcast or sliced input in row-major order", async () => {
    const t = mx.transpose(mx.reshape(mx.arange(0, 6, 1, { dtype: mx.int16, ...o }), [2, 3], o), undefined, o);
    expect(await mx.view(t, mx.uint8, o).tolist()).toEqual([[0, 0, 3, 0], [1, 0, 4, 0], [2, 0, 5, 0]]);
    const base = arr([[1, -2, 3, -4], [5, 6, -7, 8]], mx.int32);
    const wide = mx.broadcastTo(base, [3, 2, 4], o);
    const halves = mx.view(wide, mx.int16, o);
    expect(halves.shape).toEqual([3, 2, 8]);
    expect(await mx.view(halves, mx.int32, o).tolist()).toEqual(await wide.tolist());
    const bytes = mx.arange(0, 9, 1, { dtype: mx.uint8, ...o });
    // byte offset 1: not a multiple of 4, so the kernel copies first; byte offset 4 is read in place
    expect(await mx.view(mx.slice(bytes, [1], [5], [1], o), mx.uint32, o).tolist()).toEqual([0x04030201]);
    expect(await mx.view(mx.slice(bytes, [4], [8], [1], o), mx.uint32, o).tolist()).toEqual([0x07060504]);
    expect(await mx.view(mx.slice(bytes, [0], [8], [2], o), mx.uint16, o).tolist()).toEqual([0x0200, 0x0604]);
  });

  it("follows MLX's shape rule", async () => {
    expect(mx.view(mx.zeros([2, 3], mx.uint32, o), mx.uint8, o).shape).toEqual([2, 12]);
    expect(mx.view(mx.zeros([2, 8], mx.uint8, o), mx.float32, o).shape).toEqual([2, 2]);
    expect(mx.view(mx.zeros([2, 4], mx.float16, o), mx.int16, o).shape).toEqual([2, 4]);
    const empty = mx.view(mx.zeros([0, 4], mx.uint8, o), mx.uint32, o);
    expect(empty.shape).toEqual([0, 1]);
    expect(await empty.tolist()).toEqual([]);
    expect(await mx.view(arr(1, mx.int8), mx.uint8, o).item()).toBe(1);
    expect(await mx.view(arr(-1, mx.float32), mx.uint32, o).item()).toBe(0xbf800000);
    const x = arr([1, 2], mx.float32);
    expect(mx.view(x, mx.float32, o)).toBe(x);
  });

  it("refuses what MLX refuses, naming the argument", () => {
    expect(() => mx.view(arr(1, mx.float32), mx.uint8, o)).toThrow(/^\[view\] an input of 0 dimensions .*float32 has 4 bytes, dtype uint8 1/);
    expect(() => mx.view(arr([1, 2, 3], mx.int8), mx.int32, o)).toThrow(/^\[view\] the input's last axis holds 3 bytes .* 4 bytes of dtype int32/);
    expect(() => mx.view(arr([1, 2], mx.uint16), mx.float64, o)).toThrow(/^\[view\] the input's last axis holds 4 bytes/);
    expect(() => mx.view(arr([1], mx.float32), "uint32" as unknown as mx.DType, o)).toThrow(/^\[view\] dtype must be an mx dtype/);
    expect(() => mx.view(arr([1], mx.float32), mx.uint32, { axis: 0 } as unknown as mx.OpOptions)).toThrow(/^\[view\] unknown option 'axis'/);
  });

  it("errs naming a dtype the backend does not hold", async () => {
    const caps = mx.registeredBackends().find((b) => b.name === device.backend)!.capabilities.dtypes;
    if (caps.has(mx.float64)) return;
    await expect(mx.view(arr([1, 2], mx.float32), mx.float64, o).tolist()).rejects.toThrow(/^\[view\] dtype float64 is not supported/);
  });

  it("vmaps over any axis as stacking the examples does", async () => {
    const x = mx.reshape(mx.arange(0, 24, 1, { dtype: mx.int16, ...o }), [2, 3, 4], o);
    for (const axis of [0, 1, 2]) {
      const got = mx.vmap((e: mx.MxArray) => mx.view(e, mx.uint8, o), { inAxes: axis })(x) as mx.MxArray;
      const examples = Array.from({ length: x.shape[axis]! }, (_, i) => mx.view(mx.take(x, i, axis, o), mx.uint8, o));
      expect(await got.tolist(), `axis ${axis}`).toEqual(await mx.stack(examples, o).tolist());
    }
    const scalars = arr([1, 2], mx.int32);
    expect(() => mx.vmap((e: mx.MxArray) => mx.view(e, mx.uint8, o))(scalars)).toThrow(/^\[view\] an input of 0 dimensions/);
  });

  it("has no gradient (as in MLX)", () => {
    expect(() => mx.grad((e: mx.MxArray) => mx.sum(mx.view(e, mx.float16, o), o))(arr([1, 2], mx.float32))).toThrow(/\[view\] has no vjp/);
  });
});

describe("view of the cpu-only dtypes", () => {
  const o = { stream: mx.cpu };

  it("views float64, int64, uint64 and complex64", async () => {
    expect(await mx.view(mx.array([1, -2], mx.float64, o), mx.uint64, o).tolist()).toEqual([0x3ff0000000000000n, 0xc000000000000000n]);
    expect(await mx.view(mx.array([-1n], mx.int64, o), mx.uint32, o).tolist()).toEqual([0xffffffff, 0xffffffff]);
    expect(await mx.view(mx.array([0x3ff0000000000000n], mx.uint64, o), mx.float64, o).tolist()).toEqual([1]);
    expect(await mx.view(mx.array([{ re: 1, im: -2 }], mx.complex64, o), mx.uint32, o).tolist()).toEqual([0x3f800000, 0xc0000000]);
    expect(await mx.view(mx.array([[1, 2], [3, 4]], mx.float32, o), mx.complex64, o).tolist()).toEqual([[{ re: 1, im: 2 }], [{ re: 3, im: 4 }]]);
    const c = mx.transpose(mx.array([[{ re: 1, im: 2 }, { re: 3, im: 4 }], [{ re: 5, im: 6 }, { re: 7, im: 8 }]], mx.complex64, o), undefined, o);
    expect(await mx.view(c, mx.float32, o).tolist()).toEqual([[1, 2, 5, 6], [3, 4, 7, 8]]);
  });
});
