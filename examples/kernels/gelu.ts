// GELU (tanh approximation) written twice, as an MSL kernel for the metal
// backend and a WGSL kernel for the webgpu backend, both checked against one
// mlx-ts reference. docs/kernels.md walks through it; check it with
//   npx tsx cli/main.ts check-kernel examples/kernels/gelu.ts
// (a package would `import * as mx from "mlx-ts"` and run `npx mlx-ts check-kernel`).

import * as mx from "../../index.js";

/**
 * GELU with the tanh approximation, 0.5 x (1 + tanh(z)) with
 * z = sqrt(2/pi) (x + 0.044715 x^3), written as x * sigmoid(2z): the same
 * function without the cancellation of 1 + tanh(z) for negative x.
 */
export function geluReference(x: mx.MxArray): mx.MxArray {
  const cube = mx.multiply(x, mx.multiply(x, x));
  const twoZ = mx.multiply(1.5957691216057308, mx.add(x, mx.multiply(0.044715, cube)));
  return mx.multiply(x, mx.sigmoid(twoZ));
}

/**
 * Within 4 ulp, or within 1e-6 absolute: for x below about -5 the result is
 * under 1e-5 and its relative error grows with |z| (float32 rounds z, and
 * exp turns that into a relative error of about |2z| half-ulps).
 */
const contract = { ulp: 4, atol: 1e-6 };

/** The MSL kernel: `inp` and `out` are `device` pointers of the launch's dtypes; it computes in float. */
export const geluMetal = mx.fast.metalKernel({
  name: "geluMetal",
  inputNames: ["inp"],
  outputNames: ["out"],
  source: `
  uint i = thread_position_in_grid.x;
  float x = inp[i];
  float two_z = 1.5957691216057308f * (x + 0.044715f * x * x * x);
  out[i] = x / (1.0f + metal::exp(-two_z));
`,
  reference: geluReference,
  contract,
});

/** The WGSL kernel: `inp_load(i)` reads any float dtype as f32 and `out_store(i, v)` writes one. */
export const geluWgsl = mx.fast.wgslKernel({
  name: "geluWgsl",
  inputNames: ["inp"],
  outputNames: ["out"],
  source: `
  let i = thread_position_in_grid.x;
  let x = inp_load(i);
  let two_z = 1.5957691216057308 * (x + 0.044715 * x * x * x);
  out_store(i, x / (1.0 + exp(-two_z)));
`,
  reference: geluReference,
  contract,
});

/** Launches `kernel` (geluMetal or geluWgsl) on `x`: one thread per element, the output shaped and typed as `x`. */
export function gelu(kernel: mx.fast.UserKernel, x: mx.MxArray): mx.MxArray {
  const [out] = kernel({ inputs: [x], grid: [x.size, 1, 1], threadgroup: [256, 1, 1], outputShapes: [x.shape], outputDtypes: [x.dtype] });
  return out!;
}

/** What `mlx-ts check-kernel` draws for each kernel: float32 and float16 values in [-12, 12] with the special values mixed in. */
const inputs = [[{ dtype: mx.float32, min: -12, max: 12 }], [{ dtype: mx.float16, min: -12, max: 12 }]];
export const checks = {
  geluMetal: inputs.map((i) => ({ inputs: i })),
  geluWgsl: inputs.map((i) => ({ inputs: i })),
};
