// irfft, irfft2 and irfftn without n (or s) on an input whose last transformed
// axis has length m of 0 or 1: the default output length 2 (m - 1) is not
// positive, and the error says so and suggests passing n (it used to say
// "n must be a positive integer below 2^31, got 0" of an n never passed).

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";

describe("the default length of the inverse real transforms", () => {
  it("irfft of length 1 and 0: the default 2 (m - 1), m and the axis named, n suggested", () => {
    expect(() => mx.fft.irfft(mx.array([{ re: 1, im: 0 }], mx.complex64))).toThrow(
      /^\[fft\.irfft\] the default output length 2 \(m - 1\) is 0, not positive: a's last transformed axis \(axis 0\) has length m = 1, and n was not given; pass n, the length of the real output/,
    );
    expect(() => mx.fft.irfft(mx.zeros([0], mx.complex64))).toThrow(/^\[fft\.irfft\] the default output length 2 \(m - 1\) is -2, not positive: .* m = 0, and n was not given; pass n/);
    expect(() => mx.fft.irfft(mx.zeros([1, 3], mx.complex64), null, 0)).toThrow(/is 0, not positive: a's last transformed axis \(axis 0\) has length m = 1/);
    expect(() => mx.fft.irfft(mx.zeros([1, 3], mx.complex64), { axis: -2 })).toThrow(/axis 0\) has length m = 1/);
  });

  it("irfft2 and irfftn: s suggested", () => {
    for (const f of [mx.fft.irfft2, mx.fft.irfftn]) {
      expect(() => f(mx.zeros([3, 1], mx.complex64))).toThrow(/the default output length 2 \(m - 1\) is 0, not positive: a's last transformed axis \(axis 1\) has length m = 1, and s was not given; pass s, whose last entry is the length of the real output/);
    }
  });

  it("with n or s given, or m of 2, the transform runs; a bad n keeps its own message", async () => {
    expect(await mx.fft.irfft(mx.array([{ re: 1, im: 0 }], mx.complex64), 1).tolist()).toEqual([1]);
    expect(await mx.fft.irfft(mx.array([{ re: 2, im: 0 }], mx.complex64), 2).tolist()).toEqual([1, 1]);
    expect([...mx.fft.irfft(mx.zeros([2], mx.complex64)).shape]).toEqual([2]);
    expect([...mx.fft.irfftn(mx.zeros([3, 1], mx.complex64), [3, 4]).shape]).toEqual([3, 4]);
    expect(() => mx.fft.irfft(mx.array([{ re: 1, im: 0 }], mx.complex64), 0)).toThrow(/^\[fft\.irfft\] n must be a positive integer below 2\^31, got 0/);
  });
});
