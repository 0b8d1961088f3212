// A deliberately wrong kernel module for test/check-kernel-cli.test.ts: a
// ReLU that leaks 0.01 x below -1 (and maps NaN to 0), in MSL and in WGSL,
// against the reference max(x, 0). It has no `checks` export, so the CLI
// draws one float32 input per input name.

import * as mx from "../../index.js";

const reference = (x: mx.MxArray) => mx.maximum(x, 0);

export const wrongReluMetal = mx.fast.metalKernel({
  name: "wrongReluMetal",
  inputNames: ["inp"],
  outputNames: ["out"],
  source: "uint i = thread_position_in_grid.x; float x = inp[i]; out[i] = max(x, 0.0f);",
  reference,
  contract: {},
});

export const wrongReluWgsl = mx.fast.wgslKernel({
  name: "wrongReluWgsl",
  inputNames: ["inp"],
  outputNames: ["out"],
  source: "let i = thread_position_in_grid.x; let x = inp[i]; out[i] = select(select(0.0, x, x > 0.0), 0.01 * x, x < -1.0);",
  reference,
  contract: {},
});
