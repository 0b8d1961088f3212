// The kernel size of mx.nn's convolution layers has no cap of its own, as in
// MLX (a kernel of 5000 builds and runs on every backend); the one bound is the
// weight's size, 2^28 values, counted as the weight is ([out, ...kernel, in / groups]).

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, values, withDefaultDevice } from "./helpers/backends.js";
import { quarters } from "./helpers/quarters.js";

const { nn } = mx;


describe.each(BACKENDS)("nn convolution layers with kernels over 4096 on $name", ({ device }) => {
  withDefaultDevice(device);
  const arr = (v: number[], shape: number[]) => mx.reshape(mx.array(v, mx.float32), shape);

  it("Conv1d and Conv2d with a kernel of 5000 equal the op on the layer's weight; ConvTranspose1d builds", async () => {
    const layers: [mx.nn.Module & { weight: mx.MxArray; forward(x: mx.MxArray): mx.MxArray }, number[], (x: mx.MxArray, w: mx.MxArray) => mx.MxArray][] = [
      [new nn.Conv1d(2, 3, 5000, { padding: 1 }), [1, 5010, 2], (x, w) => mx.conv1d(x, w, { padding: 1 })],
      [new nn.Conv2d(2, 2, [1, 5000], { groups: 2 }), [1, 2, 5003, 2], (x, w) => mx.conv2d(x, w, { groups: 2 })],
    ];
    for (const [i, [layer, xs, op]] of layers.entries()) {
      const ws = [...layer.weight.shape];
      expect(ws.slice(1, -1)).toContain(5000);
      layer.weight = arr(quarters(ws.reduce((a, b) => a * b, 1), 3 + i), ws);
      const x = arr(quarters(xs.reduce((a, b) => a * b, 1), 11 + i), xs);
      const got = layer.forward(x);
      const want = op(x, layer.weight);
      expect([...got.shape]).toEqual([...want.shape]);
      expect(await mx.max(mx.abs(want)).item(), "not all zeros").toBeGreaterThan(0);
      expect(await values(got), `layer ${i}`).toEqual(await values(want));
    }
    // (not run: the transposed convolution visits every tap of every output point, 25M here)
    const t = new nn.ConvTranspose1d(1, 2, 5000, { stride: 2 });
    expect([...t.weight.shape]).toEqual([2, 5000, 1]);
    expect([...t.forward(mx.ones([1, 3, 1])).shape]).toEqual([1, 5004, 2]);
  });

  it("the bound is the weight's 2^28 values, counted over inChannels / groups", () => {
    // built lazily: no weight is computed here
    expect([...new nn.Conv1d(1, 1, 2 ** 28, { bias: false }).weight.shape]).toEqual([1, 2 ** 28, 1]);
    expect([...new nn.Conv1d(2, 2 ** 14, 2 ** 14, { groups: 2, bias: false }).weight.shape]).toEqual([2 ** 14, 2 ** 14, 1]);
    expect(() => new nn.Conv1d(1, 1, 2 ** 28 + 1)).toThrow(/^\[nn\.Conv1d\] the weight \[1, 268435457, 1\] would hold more than 2\^28 values/);
    expect(() => new nn.ConvTranspose2d(2, 2, [2 ** 14, 2 ** 13])).toThrow(/^\[nn\.ConvTranspose2d\] the weight \[2, 16384, 8192, 2\] would hold more than 2\^28 values/);
    expect(() => new nn.Conv3d(1, 1, [1, 1, 2 ** 31])).toThrow(/^\[nn\.Conv3d\] kernelSize must be an integer from 1 to 2\^31 - 1, got 2147483648/);
    expect(() => new nn.Conv1d(1, 1, 0)).toThrow(/^\[nn\.Conv1d\] kernelSize must be/);
  });
});
