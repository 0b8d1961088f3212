// Error-input entries of the user-kernel factories (mx.fast.metalKernel,
// mx.fast.wgslKernel): the definition's fields and the launch's fields are
// each probed; a kernel is launched (and evaluated) only with the valid body
// and header, since a probed body such as 'bogus' is a valid definition that
// does not compile, and only where its backend is available; and of
// mx.checkKernel.

import * as mx from "../index.js";
import type { ArgKind, ArgSpec, ErrorEntry } from "./error-inputs.js";

const arg = (kind: ArgKind, ...names: string[]): ArgSpec => ({ kind, names });
const opts = (names: string[], fields: Record<string, ArgSpec>): ArgSpec => ({ kind: "options", names, fields: { stream: arg("stream", "stream"), ...fields } });

const DEFINITION = opts(["options"], {
  name: arg("any", "name"),
  inputNames: arg("any", "inputNames"),
  outputNames: arg("any", "outputNames"),
  source: arg("any", "source"),
  header: arg("any", "header"),
  ensureRowContiguous: arg("bool", "ensureRowContiguous"),
  atomicOutputs: arg("bool", "atomicOutputs"),
  reference: arg("fn", "reference"),
  contract: arg("any", "contract"),
});

const LAUNCH = opts(["options"], {
  inputs: arg("arrays", "inputs", "input"),
  template: arg("any", "template"),
  grid: arg("any", "grid"),
  threadgroup: arg("any", "threadgroup"),
  outputShapes: arg("any", "outputShapes"),
  outputDtypes: arg("any", "outputDtypes"),
  initValue: arg("number", "initValue"),
  verbose: arg("bool", "verbose"),
});

function entry(name: "fast.metalKernel" | "fast.wgslKernel", device: mx.Device, source: string, header: string): ErrorEntry {
  return {
    name,
    // the launch's arguments are probed only where its backend runs (without it the kernel is defined, never launched)
    args: mx.isAvailable(device) ? [DEFINITION, LAUNCH] : [DEFINITION],
    valid: () => [
      { name: "double", inputNames: ["a"], outputNames: ["b"], source, header, reference: (a: mx.MxArray) => mx.multiply(a, 2) },
      { inputs: [mx.array([1, 2, 3], mx.float32)], template: [["F", 2]], grid: [3, 1, 1], threadgroup: [4, 1, 1], outputShapes: [[3]], outputDtypes: [mx.float32] },
    ],
    call: (f, [definition, launch]) => {
      const kernel = f(definition) as mx.fast.UserKernel;
      const d = definition as { source?: unknown; header?: unknown };
      return d.source === source && d.header === header && mx.isAvailable(device) ? kernel(launch as mx.fast.KernelCallOptions) : kernel;
    },
    bad: [
      { label: "an input name that is also an output name", args: () => [{ name: "k", inputNames: ["a"], outputNames: ["a"], source }], names: ["inputNames", "outputNames"] },
      { label: "a name that is not an identifier", args: () => [{ name: "my kernel", inputNames: ["a"], outputNames: ["b"], source }], names: ["name"] },
      { label: "an unknown contract field", args: () => [{ name: "k", inputNames: ["a"], outputNames: ["b"], source, contract: { ulps: 2 } }], names: ["ulps"] },
    ],
  };
}

/** An exp kernel with a reference, on whichever kernel backend this machine has. */
function expKernel(): mx.fast.UserKernel {
  const reference = (x: mx.MxArray) => mx.exp(x);
  return mx.isAvailable(mx.metal)
    ? mx.fast.metalKernel({ name: "probe_exp", inputNames: ["a"], outputNames: ["b"], source: "uint i = thread_position_in_grid.x; b[i] = metal::exp(a[i]);", reference })
    : mx.fast.wgslKernel({ name: "probe_exp", inputNames: ["a"], outputNames: ["b"], source: "let i = thread_position_in_grid.x; b[i] = exp(a[i]);", reference, contract: { rtol: 1e-4, atol: 1e-30 } });
}

const CHECK_KERNEL: ErrorEntry = {
  name: "checkKernel",
  args: [
    arg("any", "kernel"),
    { kind: "options", names: ["options"], fields: { inputs: arg("any", "inputs"), launch: arg("fn", "launch"), runs: arg("int", "runs"), seed: arg("int", "seed"), contract: arg("any", "contract") } },
  ],
  valid: () => [expKernel(), { inputs: [{ shape: [4], dtype: mx.float32, min: -2, max: 2, specials: false }], runs: 2, seed: 1 }],
  bad: [
    { label: "a kernel without a reference", args: () => [mx.fast.wgslKernel({ name: "noref", inputNames: ["a"], outputNames: ["b"], source: "b[0] = a[0];" }), { inputs: [{ dtype: mx.float32 }] }], names: ["reference"] },
    { label: "an input spec without a dtype", args: () => [expKernel(), { inputs: [{ shape: [2] }] }], names: ["inputs[0]"] },
  ],
};

export const FAST_KERNEL_ERROR_ENTRIES: readonly ErrorEntry[] = [
  CHECK_KERNEL,
  entry("fast.metalKernel", mx.metal, "\n  uint i = thread_position_in_grid.x;\n  b[i] = twice(a[i]) / 2;\n", "inline float twice(float x) { return 2 * x; }"),
  entry("fast.wgslKernel", mx.webgpu, "\n  let i = thread_position_in_grid.x;\n  b[i] = twice(a[i]) / 2.0;\n", "fn twice(x: f32) -> f32 { return 2.0 * x; }"),
];
