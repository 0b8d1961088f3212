// User kernels (mx.fast.metalKernel, mx.fast.wgslKernel): MLX's exp example
// in both languages, strides of a transposed input, threadgroup reductions
// with barriers, atomics with an init value, template values, several
// outputs, compile and emulator errors at the user's line, gradients and jvp
// from the reference, vmap, the errors for a wrong backend or bad arguments,
// and checkKernel finding, shrinking and reproducing a wrong kernel.

import { describe, expect, it, vi } from "vitest";
import * as mx from "../index.js";
import { expectClose, type Nested } from "./helpers/backends.js";

const hasMetal = mx.isAvailable(mx.metal);
const hasWebGpu = mx.isAvailable(mx.webgpu);

const f32 = (v: mx.NestedList) => mx.array(v, mx.float32, { stream: mx.cpu });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** What each language spells differently, so one suite covers both. */
interface Lang {
  name: string;
  define: (c: mx.fast.KernelConfig) => mx.fast.UserKernel;
  exp: string;
  /** o[i] = a[off(i)] where off walks a's shape and strides. */
  strided: string;
  /** Per-threadgroup sums of N elements in threadgroup memory: header and body. */
  reduce: { header: string; source: string };
  /** Count of each value of `a` in float `o`. */
  histogram: string;
  /** s = a + b and p = a * b as int32. */
  sumProduct: string;
  /** A body whose line 3 names an unknown identifier. */
  broken: string;
}

const METAL: Lang = {
  name: "metal",
  define: mx.fast.metalKernel,
  exp: "\n  uint elem = thread_position_in_grid.x;\n  out[elem] = metal::exp(inp[elem]);\n",
  strided: `
  uint i = thread_position_in_grid.x;
  int64_t off = 0;
  uint rem = i;
  for (int d = a_ndim - 1; d >= 0; d--) { off += (rem % a_shape[d]) * a_strides[d]; rem /= a_shape[d]; }
  o[i] = T(a[off]) * T(S);
`,
  reduce: {
    header: "",
    source: `
  threadgroup float buf[N];
  uint t = thread_position_in_threadgroup.x;
  uint g = threadgroup_position_in_grid.x;
  buf[t] = a[g * N + t];
  threadgroup_barrier(mem_flags::mem_threadgroup);
  for (uint s = N / 2; s > 0; s /= 2) {
    if (t < s) buf[t] += buf[t + s];
    threadgroup_barrier(mem_flags::mem_threadgroup);
  }
  if (t == 0) o[g] = buf[0];
`,
  },
  histogram: "\n  uint i = thread_position_in_grid.x;\n  atomic_fetch_add_explicit(&o[a[i]], 1.0f, memory_order_relaxed);\n",
  sumProduct: "\n  uint i = thread_position_in_grid.x;\n  s[i] = a[i] + b[i];\n  p[i] = int(a[i] * b[i]);\n",
  broken: "\n  uint i = thread_position_in_grid.x;\n  o[i] = a[i] + undefined_thing;\n",
};

const WGSL: Lang = {
  name: "webgpu",
  define: mx.fast.wgslKernel,
  exp: "\n  let elem = thread_position_in_grid.x;\n  out[elem] = exp(inp[elem]);\n",
  strided: `
  let i = thread_position_in_grid.x;
  var off = 0;
  var rem = i32(i);
  for (var d = a_ndim - 1; d >= 0; d--) { off += (rem % a_shape[d]) * a_strides[d]; rem /= a_shape[d]; }
  o_store(i, a_load(u32(off)) * T(S));
`,
  reduce: {
    header: "var<workgroup> buf: array<f32, N>;",
    source: `
  let t = thread_position_in_threadgroup.x;
  let g = threadgroup_position_in_grid.x;
  buf[t] = a[g * u32(N) + t];
  workgroupBarrier();
  for (var s = u32(N) / 2u; s > 0u; s /= 2u) {
    if (t < s) { buf[t] += buf[t + s]; }
    workgroupBarrier();
  }
  if (t == 0u) { o[g] = buf[0]; }
`,
  },
  histogram: "\n  let i = thread_position_in_grid.x;\n  o_atomic_add(u32(a[i]), 1.0);\n",
  sumProduct: "\n  let i = thread_position_in_grid.x;\n  s[i] = a[i] + b[i];\n  p[i] = i32(a[i] * b[i]);\n",
  broken: "\n  let i = thread_position_in_grid.x;\n  o[i] = a[i] + undefined_thing;\n",
};

const LANGS = [...(hasMetal ? [METAL] : []), ...(hasWebGpu ? [WGSL] : [])];

describe.each(LANGS)("$name kernels", (lang) => {
  const expKernel = lang.define({ name: "myexp", inputNames: ["inp"], outputNames: ["out"], source: lang.exp, reference: (x) => mx.exp(x) });
  const launchExp = (x: mx.MxArray) => expKernel({ inputs: [x], grid: [x.size, 1, 1], threadgroup: [32, 1, 1], outputShapes: [x.shape], outputDtypes: [mx.float32] })[0]!;

  it("runs MLX's exp example (a grid that ends inside a threadgroup)", async () => {
    const x = f32([[0, 1, 2], [-1, 0.5, 3]]);
    const [out] = expKernel({ inputs: [x], grid: [6, 1, 1], threadgroup: [4, 1, 1], outputShapes: [[2, 3]], outputDtypes: [mx.float32] });
    expect(out!.stream.device.backend).toBe(lang.name);
    const want = (await mx.exp(x).tolist()) as number[][];
    const got = (await out!.tolist()) as number[][];
    got.flat().forEach((g, i) => expect(Math.abs(g - want.flat()[i]!)).toBeLessThan(2e-6 * Math.abs(want.flat()[i]!)));
  });

  it("passes shapes and strides of a transposed input with ensureRowContiguous false, and template values", async () => {
    const k = lang.define({ name: "strided", inputNames: ["a"], outputNames: ["o"], ensureRowContiguous: false, source: lang.strided });
    const x = mx.transpose(mx.reshape(mx.array(range(6), mx.float16), [2, 3]));
    const [o] = k({ inputs: [x], template: [["T", mx.float16], ["S", 3]], grid: [6, 1, 1], threadgroup: [8, 1, 1], outputShapes: [[3, 2]], outputDtypes: [mx.float16] });
    expect(o!.dtype).toBe(mx.float16);
    expect(await o!.tolist()).toEqual([[0, 9], [3, 12], [6, 15]]);
    // with row-contiguous inputs the strides are the row-major ones: same values
    const k2 = lang.define({ name: "strided2", inputNames: ["a"], outputNames: ["o"], source: lang.strided });
    const [o2] = k2({ inputs: [x], template: { T: mx.float16, S: 1 }, grid: [6, 1, 1], threadgroup: [8, 1, 1], outputShapes: [[3, 2]], outputDtypes: [mx.float16] });
    expect(await o2!.tolist()).toEqual([[0, 3], [1, 4], [2, 5]]);
  });

  it("reduces in threadgroup memory with barriers", async () => {
    const k = lang.define({ name: "tgsum", inputNames: ["a"], outputNames: ["o"], header: lang.reduce.header, source: lang.reduce.source });
    const [o] = k({ inputs: [f32(range(64))], template: [["N", 16]], grid: [64, 1, 1], threadgroup: [16, 1, 1], outputShapes: [[4]], outputDtypes: [mx.float32] });
    expect(await o!.tolist()).toEqual([120, 376, 632, 888]);
  });

  it("adds atomically into outputs filled with initValue", async () => {
    const k = lang.define({ name: "hist", inputNames: ["a"], outputNames: ["o"], atomicOutputs: true, source: lang.histogram });
    const a = mx.array([0, 1, 1, 3, 3, 3, 1, 3, 0], mx.int32);
    const [o] = k({ inputs: [a], grid: [9, 1, 1], threadgroup: [4, 1, 1], outputShapes: [[4]], outputDtypes: [mx.float32], initValue: 10 });
    expect(await o!.tolist()).toEqual([12, 13, 10, 14]);
  });

  it("fills several outputs of different dtypes in one launch", async () => {
    const k = lang.define({ name: "sumprod", inputNames: ["a", "b"], outputNames: ["s", "p"], source: lang.sumProduct });
    const [s, p] = k({ inputs: [f32([1, 2, 3]), f32([4, 5, 6.5])], grid: [3, 1, 1], threadgroup: [4, 1, 1], outputShapes: [[3], [3]], outputDtypes: [mx.float32, mx.int32] });
    expect(await s!.tolist()).toEqual([5, 7, 9.5]);
    expect(p!.dtype).toBe(mx.int32);
    expect(await p!.tolist()).toEqual([4, 10, 19]);
  });

  it("reports a compile error at the line of the user's source", async () => {
    const k = lang.define({ name: "broken", inputNames: ["a"], outputNames: ["o"], source: lang.broken });
    const run = async () => k({ inputs: [f32([1])], grid: [1, 1, 1], threadgroup: [1, 1, 1], outputShapes: [[1]], outputDtypes: [mx.float32] })[0]!.tolist();
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      await expect(run()).rejects.toThrow(lang.name === "metal" ? /broken\.metal:3:\d+: error: .*undefined_thing/ : /:3:\d+ error: .*undefined_thing[\s\S]*broken\.wgsl/);
    } finally {
      err.mockRestore();
      warn.mockRestore();
    }
  });

  it("takes the gradient and the jvp of its reference, and vmaps by launching per batch entry", async () => {
    const x = f32([0.5, -1, 2]);
    const g = mx.grad((v: mx.MxArray) => mx.sum(mx.multiply(launchExp(v), v)))(x);
    const want = await mx.grad((v: mx.MxArray) => mx.sum(mx.multiply(mx.exp(v), v)))(x).tolist();
    // the product rule reads the kernel's own exp (the driver's on webgpu): equal within float32 rounding
    await expectClose(g, want as Nested, 1e-6, 1e-6);
    const [, [t]] = mx.jvp((v: mx.MxArray) => launchExp(v), [x], [f32([1, 2, 3])]);
    const [, [tw]] = mx.jvp((v: mx.MxArray) => mx.exp(v), [x], [f32([1, 2, 3])]);
    expect(await t!.tolist()).toEqual(await tw!.tolist());
    const batch = f32([[0, 1, 2], [3, 4, 5]]);
    const mapped = mx.vmap(launchExp, { inAxes: 1 })(batch);
    expect(mapped.shape).toEqual([3, 2]);
    const rows = await Promise.all([0, 1, 2].map((j) => launchExp(mx.take(batch, j, 1)).tolist()));
    expect(await mapped.tolist()).toEqual(rows);
  });

  it("has no gradient without a reference, naming the kernel", () => {
    const k = lang.define({ name: "noref", inputNames: ["inp"], outputNames: ["out"], source: lang.exp });
    const f = (v: mx.MxArray) => mx.sum(k({ inputs: [v], grid: [2, 1, 1], threadgroup: [2, 1, 1], outputShapes: [[2]], outputDtypes: [mx.float32] })[0]!);
    expect(() => mx.grad(f)(f32([1, 2]))).toThrow(/kernel 'noref' has no reference/);
  });

  it("refuses a stream of another backend, naming the backend it needs", () => {
    const call = () => expKernel({ inputs: [f32([1])], grid: [1, 1, 1], threadgroup: [1, 1, 1], outputShapes: [[1]], outputDtypes: [mx.float32], stream: mx.cpu });
    expect(call).toThrow(new RegExp(`kernel 'myexp' runs on the ${lang.name} backend, but stream .* is on the cpu backend`));
  });

  it("prints the generated source when verbose", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      launchExp(f32([1]));
      expect(log).not.toHaveBeenCalled();
      expKernel({ inputs: [f32([1])], grid: [1, 1, 1], threadgroup: [1, 1, 1], outputShapes: [[1]], outputDtypes: [mx.float32], verbose: true });
      const text = String(log.mock.calls[0]![0]);
      expect(text).toContain(lang.name === "metal" ? "const device float* inp [[buffer(0)]]" : "var<storage, read> inp: array<f32>");
      expect(text).toContain(lang.exp.trim().split("\n")[0]!);
    } finally {
      log.mockRestore();
    }
  });
});

describe.skipIf(!hasMetal)("metal kernels on the MSL execution layer", () => {
  it("reports a divergent barrier at the line of the user's source", async () => {
    const k = mx.fast.metalKernel({
      name: "divergent", inputNames: ["a"], outputNames: ["o"],
      source: "\n  uint i = thread_position_in_grid.x;\n  if (i % 2 == 0) {\n    threadgroup_barrier(mem_flags::mem_threadgroup);\n  }\n  o[i] = a[i];\n",
    });
    const [o] = k({ inputs: [f32([1, 2, 3, 4])], grid: [4, 1, 1], threadgroup: [4, 1, 1], outputShapes: [[4]], outputDtypes: [mx.float32] });
    await expect(o!.tolist()).rejects.toThrow(/divergent threadgroup_barrier at MSL line 4[\s\S]*fast\.metalKernel 'divergent'/);
  });

  it("reports a compile error in the header at the header's line, and binds a 0-d input by reference", async () => {
    const bad = mx.fast.metalKernel({ name: "hdr", inputNames: ["a"], outputNames: ["o"], header: "inline float f(float x) {\n  return x * nope;\n}", source: "o[0] = f(a[0]);" });
    await expect(bad({ inputs: [f32([1])], grid: [1, 1, 1], threadgroup: [1, 1, 1], outputShapes: [[1]], outputDtypes: [mx.float32] })[0]!.tolist()).rejects.toThrow(/hdr_header\.metal:2:\d+: error/);
    const scale = mx.fast.metalKernel({ name: "scale", inputNames: ["a", "s"], outputNames: ["o"], source: "uint i = thread_position_in_grid.x; o[i] = a[i] * s;" });
    const [o] = scale({ inputs: [f32([1, 2]), 1.5], grid: [2, 1, 1], threadgroup: [2, 1, 1], outputShapes: [[2]], outputDtypes: [mx.float32], verbose: false });
    expect(await o!.tolist()).toEqual([1.5, 3]);
  });
});

describe.each(LANGS)("checkKernel on $name", (lang) => {
  const body = (expr: string) => (lang.name === "metal" ? `uint i = thread_position_in_grid.x; float x = inp[i]; out[i] = ${expr};` : `let i = thread_position_in_grid.x; let x = inp[i]; out[i] = ${expr};`);
  const exp = lang.name === "metal" ? "metal::exp(x)" : "exp(x)";

  it("passes a kernel that computes its reference", async () => {
    // lavapipe's exp is a few ulp off and flushes subnormals (WGSL allows both): the contract says so
    const contract = lang.name === "metal" ? { ulp: 1 } : { rtol: 1e-5, atol: 2 ** -126 };
    const k = lang.define({ name: "goodexp", inputNames: ["inp"], outputNames: ["out"], source: body(exp), reference: (x) => mx.exp(x), contract });
    const report = await mx.checkKernel(k, { inputs: [{ dtype: mx.float32 }], runs: 15, seed: 7 });
    expect(report.text).toMatch(/15 cases within the contract/);
    expect(report.ok).toBe(true);
  });

  it("finds, shrinks and reproduces a wrong result", async () => {
    const wrong = lang.name === "metal" ? `x > 3.0f ? ${exp} * 1.001f : ${exp}` : `select(${exp}, ${exp} * 1.001, x > 3.0)`;
    const k = lang.define({ name: "wrongexp", inputNames: ["inp"], outputNames: ["out"], source: body(wrong), reference: (x) => mx.exp(x), contract: { rtol: 1e-4, atol: 2 ** -126 } });
    const report = await mx.checkKernel(k, { inputs: [{ dtype: mx.float32, specials: false }], runs: 40, seed: 3 });
    expect(report.ok).toBe(false);
    const f = report.failure!;
    const x = f.inputs[0]!.values[f.index] as number;
    expect(x).toBeGreaterThan(3);
    expect(Number(f.got) / Number(f.want)).toBeCloseTo(1.001, 5);
    expect(f.inputs[0]!.values.length).toBeLessThanOrEqual(8);
    expect(f.reproduction).toContain("wrongexp({ inputs, grid: [");
    expect(report.text).toMatch(/kernel 'wrongexp' fails after \d+ cases/);
  });
});

describe("kernel arguments", () => {
  const source = "o[0] = a[0];";
  it("names the argument at fault", async () => {
    expect(() => mx.fast.metalKernel({ name: "k", inputNames: ["a"], outputNames: [], source })).toThrow(/\[fast\.metalKernel\] outputNames/);
    expect(() => mx.fast.wgslKernel({ name: "k k", inputNames: ["a"], outputNames: ["o"], source })).toThrow(/\[fast\.wgslKernel\] name must be an identifier/);
    expect(() => mx.fast.metalKernel({ name: "k", inputNames: ["a"], outputNames: ["o"], source, contract: { atol: -1 } })).toThrow(/contract\.atol/);
    if (!hasMetal) return;
    const k = mx.fast.metalKernel({ name: "k", inputNames: ["a"], outputNames: ["o"], source });
    const launch = { inputs: [f32([1])], grid: [1, 1, 1], threadgroup: [1, 1, 1], outputShapes: [[1]], outputDtypes: [mx.float32] };
    expect(() => k({ ...launch, inputs: [] })).toThrow(/kernel 'k': inputs must be a list of 1 arrays \(a\)/);
    expect(() => k({ ...launch, threadgroup: [2048, 1, 1] })).toThrow(/threadgroup .* 2048 threads/);
    expect(() => k({ ...launch, grid: [1.5] })).toThrow(/grid\[0\]/);
    expect(() => k({ ...launch, template: [["a", 1]] })).toThrow(/template name 'a'/);
    expect(() => k({ ...launch, outputDtypes: [mx.float64] })).toThrow(/float64 has no MSL type/);
    await expect(mx.checkKernel(k, { inputs: [{ dtype: mx.float32 }] })).rejects.toThrow(/\[checkKernel\] kernel 'k' has no reference/);
  });
});
