// User kernels on the MSL execution layer may not reach outside their buffers
// or their stacks: an access outside an input or output (above or below, by
// index, pointer arithmetic, a vector cast, an atomic, in a helper), outside a
// thread or threadgroup array or object (indexed, or through a thread or
// threadgroup pointer), an overflowed kernel-thread stack, in the fiber,
// sequential and OS-thread schedules, are errors naming the kernel (and the
// line) with the process alive, and in-bounds kernels still compute the same results.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";

const hasMetal = mx.isAvailable(mx.metal);
const on = { stream: mx.metal };
const f32 = (v: number[]) => mx.array(v, mx.float32, on);

interface Launch {
  source: string;
  header?: string;
  inputs?: mx.MxArray[];
  grid?: [number, number, number];
  threadgroup?: [number, number, number];
  outputShape?: number[];
  atomic?: boolean;
}

/** Defines kernel `name` (input `inp`, output `out`) and runs it; resolves to the output's values. */
async function launch(name: string, l: Launch): Promise<unknown> {
  const k = mx.fast.metalKernel({ name, inputNames: ["inp"], outputNames: ["out"], source: l.source, header: l.header, atomicOutputs: l.atomic });
  const [out] = k({
    inputs: l.inputs ?? [f32([1, 2, 3, 4])], grid: l.grid ?? [4, 1, 1], threadgroup: l.threadgroup ?? [4, 1, 1],
    outputShapes: [l.outputShape ?? [4]], outputDtypes: [mx.float32], initValue: l.atomic ? 0 : undefined, stream: mx.metal,
  });
  return out!.tolist();
}

/** The process still runs metal work correctly (nothing was corrupted). */
async function alive(): Promise<void> {
  expect(await mx.add(f32([1, 2, 3]), 1, on).tolist()).toEqual([2, 3, 4]);
}

describe.skipIf(!hasMetal)("user kernels stay inside their buffers (metal)", () => {
  it("reports a write past the output from a grid larger than it (the heap-corrupting repro), naming the kernel and line", async () => {
    const run = launch("k", { source: "out[thread_position_in_grid.x] = inp[0];", inputs: [mx.ones([4], mx.float32, on)], grid: [4096, 1, 1], threadgroup: [256, 1, 1] });
    await expect(run).rejects.toThrow(/kernel 'custom_kernel_k' at k\.metal:1: out-of-bounds access to 'out' \(buffer\(1\), 16 bytes\): element 4 \(4 bytes at byte offset 16\)[\s\S]*fast\.metalKernel 'k'/);
    await alive();
  });

  it("reports a read past an input instead of returning another array's data", async () => {
    // arrays allocated around the input: a read past it would have found their bytes
    const neighbours = [f32([101, 102, 103, 104]), f32([201, 202, 203, 204])];
    await mx.eval(...neighbours);
    const run = launch("readpast", { source: "uint i = thread_position_in_grid.x;\nout[i] = inp[i + 4];" });
    await expect(run).rejects.toThrow(/kernel 'custom_kernel_readpast' at readpast\.metal:2: out-of-bounds access to 'inp' \(buffer\(0\), 16 bytes\): element 4\b/);
    expect(await neighbours[1]!.tolist()).toEqual([201, 202, 203, 204]);
    await alive();
  });

  it("holds a view to its own elements, not the rest of the buffer it shares", async () => {
    const x = f32([1, 2, 3, 4, 5, 6, 7, 8]);
    const head = mx.slice(x, [0], [4], undefined, on);
    const run = launch("viewpast", { source: "uint i = thread_position_in_grid.x;\nout[i] = inp[i + 2];", inputs: [head] });
    await expect(run).rejects.toThrow(/kernel 'custom_kernel_viewpast' at viewpast\.metal:2: out-of-bounds access to 'inp' \(buffer\(0\), 16 bytes\): element 4\b/);
    await alive();
  });

  it("reports a write below the output through a negative index", async () => {
    const run = launch("below", { source: "int i = int(thread_position_in_grid.x);\nout[i - 1] = inp[i];" });
    await expect(run).rejects.toThrow(/kernel 'custom_kernel_below' at below\.metal:2: out-of-bounds access to 'out' \(buffer\(1\), 16 bytes\): element -1 \(4 bytes at byte offset -4\)/);
    await alive();
  });

  it("stops a large grid at its first access outside the output", async () => {
    const run = launch("large", { source: "uint i = thread_position_in_grid.y * threads_per_grid.x + thread_position_in_grid.x;\nout[i] = 1.0f;", grid: [65536, 64, 1], threadgroup: [256, 1, 1] });
    await expect(run).rejects.toThrow(/kernel 'custom_kernel_large' at large\.metal:2: out-of-bounds access to 'out'/);
    await alive();
  });

  it("checks pointer arithmetic, vector casts, pointers held in variables and helper functions", async () => {
    await expect(launch("arith", { source: "device float* p = out + 4;\np[-1] = 5.0f;\n*p = 1.0f;" })).rejects.toThrow(/arith\.metal:3: out-of-bounds access to 'out'.*element 4\b/);
    await expect(launch("vec", { source: "if (thread_position_in_grid.x == 0) {\n  ((device float4*)out)[1] = float4(1.0f);\n}" })).rejects.toThrow(/vec\.metal:2: out-of-bounds access to 'out' \(buffer\(1\), 16 bytes\): element 1 \(16 bytes at byte offset 16\)/);
    await expect(launch("addr", { source: "auto q = &out[1];\nq[3] = 1.0f;" })).rejects.toThrow(/addr\.metal:2: out-of-bounds access to 'out'.*element 4\b/);
    await expect(launch("nullp", { source: "device float* p = nullptr;\n*p = 1.0f;" })).rejects.toThrow(/nullp\.metal:2: .*points into no bound buffer/);
    const header = "inline void put(device float* o, uint i, float v) {\n  o[i] = v;\n}";
    await expect(launch("helper", { header, source: "uint i = thread_position_in_grid.x;\nput(out, i + 1, inp[i]);" })).rejects.toThrow(/helper_header\.metal:2: out-of-bounds access to 'out'/);
    await alive();
  });

  // helpers taking `const device T*` (templates deduce T as for plain pointers), `device T*` and `constant T*`
  const helpers = [
    "template <typename T> T first(const device T* p) {",
    "  return p[0];",
    "}",
    "template <typename T> T second(device const T* p) { return p[1]; }",
    "template <typename T> void put(device T* p, uint i, T v) { p[i] = v; }",
    "float get(const device float* p, uint i) { return p[i]; }",
    "template <typename T> const device T* skip(const device T* p, int n) { return p + n; }",
    "template <typename T> T head(constant T* p) { return p[0]; }",
  ].join("\n");
  const eight = () => [f32([1, 2, 3, 4, 5, 6, 7, 8])];

  it("passes checked pointers to helpers as MSL does: const from non-const (template deduction included), arithmetic, casts, constant", async () => {
    const source = `uint i = thread_position_in_grid.x;
put(out, i, inp[i] * 10.0f);
device float* mine = out + i;
device const float* in = inp;
out[i] = first(mine) + first(in + 4) + second(inp + i) + get(out, i) + first(skip(out, int(i))) + first((const device float4*)inp)[i] +
  as_type<float>(first((device uint*)mine)) + float(head(inp_shape));`;
    const expected = [0, 1, 2, 3].map((i) => 10 * (i + 1) + 5 + (i + 2) + 10 * (i + 1) + 10 * (i + 1) + (i + 1) + 10 * (i + 1) + 8);
    expect(await launch("helpers", { header: helpers, source, inputs: eight() })).toEqual(expected);
  });

  it("checks accesses inside helpers given a non-const device pointer, through pointer arithmetic and casts", async () => {
    const run = (name: string, body: string) => launch(name, { header: helpers, inputs: eight(), source: `uint i = thread_position_in_grid.x;\n${body}` });
    await expect(run("hfirst", "out[i] = first(out + 4);")).rejects.toThrow(/kernel 'custom_kernel_hfirst' at hfirst_header\.metal:2: out-of-bounds access to 'out' \(buffer\(1\), 16 bytes\): element 4 \(4 bytes at byte offset 16\)/);
    await expect(run("hbelow", "device float* p = out;\nout[i] = first(p - 1);")).rejects.toThrow(/hbelow_header\.metal:2: out-of-bounds access to 'out' \(buffer\(1\), 16 bytes\): element -1\b/);
    await expect(run("hvec", "out[i] = first((device float4*)out + 1).x;")).rejects.toThrow(/hvec_header\.metal:2: out-of-bounds access to 'out' \(buffer\(1\), 16 bytes\): element 1 \(16 bytes at byte offset 16\)/);
    await expect(run("hskip", "out[i] = first(skip(out, 5));")).rejects.toThrow(/hskip_header\.metal:2: out-of-bounds access to 'out'.*element 5\b/);
    await expect(run("hsecond", "out[i] = second(inp + 7);")).rejects.toThrow(/hsecond_header\.metal:4: out-of-bounds access to 'inp' \(buffer\(0\), 32 bytes\): element 8\b/);
    await expect(run("hget", "out[i] = get(out, i + 4);")).rejects.toThrow(/hget_header\.metal:6: out-of-bounds access to 'out'.*element [4-7]\b/);
    await expect(run("hhead", "out[i] = float(head(inp_shape + 64));")).rejects.toThrow(/hhead_header\.metal:8: out-of-bounds access to 'mx_meta_'/);
    await alive();
  });

  it("checks atomics, simdgroup loads and the shapes block", async () => {
    const histogram = "uint i = thread_position_in_grid.x;\natomic_fetch_add_explicit(&out[uint(inp[i])], 1.0f, memory_order_relaxed);";
    expect(await launch("hist", { atomic: true, source: histogram, inputs: [f32([0, 1, 1, 3])] })).toEqual([1, 2, 0, 1]);
    await expect(launch("hist2", { atomic: true, source: histogram, inputs: [f32([0, 1, 4, 3])] })).rejects.toThrow(/hist2\.metal:2: out-of-bounds access to 'out'.*element 4\b/);
    await expect(launch("simd", { source: "simdgroup_float8x8 m;\nsimdgroup_load(m, inp, 8);\nsimdgroup_store(m, out, 8);" })).rejects.toThrow(/simd\.metal:2: out-of-bounds access to 'inp'/);
    await expect(launch("shape", { source: "uint i = thread_position_in_grid.x;\nout[i] = inp_shape[i * 64];" })).rejects.toThrow(/shape\.metal:2: out-of-bounds access to 'mx_meta_'/);
    await alive();
  });

  it("checks indices of thread and threadgroup arrays", async () => {
    const tg = "threadgroup float buf[4];\nuint t = thread_position_in_threadgroup.x;\nbuf[t + 1] = inp[t];\nthreadgroup_barrier(mem_flags::mem_threadgroup);\nout[t] = buf[t];";
    await expect(launch("tgarr", { source: tg })).rejects.toThrow(/kernel 'custom_kernel_tgarr': index 4 is outside the thread or threadgroup array 'float\[4\]' at tgarr\.metal:3/);
    await expect(launch("local", { source: "float acc[4] = {0};\nuint t = thread_position_in_grid.x;\nacc[t + 1] = 1.0f;\nout[t] = acc[0];" })).rejects.toThrow(/index 4 is outside the thread or threadgroup array 'float\[4\]' at local\.metal:3/);
    await alive();
  });

  // helpers for thread and threadgroup pointers: a template deducing T from a thread pointer, a threadgroup pointer parameter
  const local = [
    "struct Pair { float a; int b; };",
    "template <typename T> T total(const thread T* v, int n) {",
    "  T s = T(0);",
    "  for (int k = 0; k < n; k++) s += v[k];",
    "  return s;",
    "}",
    "inline float tgget(threadgroup float* g, uint k) {",
    "  return g[k];",
    "}",
    "constant float table[3] = {10.0f, 20.0f, 30.0f};",
  ].join("\n");

  it("checks pointers into thread and threadgroup memory: arrays, plain addresses, casts, &a[i], helpers, null", async () => {
    const run = (name: string, source: string) => launch(name, { header: local, source });
    const arr = (k: string, line: number, what: string, rest: string) =>
      new RegExp(`kernel 'custom_kernel_${k}' at ${k}\\.metal:${line}: out-of-bounds access to ${what}: ${rest}`);
    // the review's repros: a far read (stack bytes), a write loop (corrupted the fiber past the timeout), a threadgroup write past the guard pages
    await expect(run("tread", "thread float a[4];\nthread float* p = a;\nout[0] = p[100000];")).rejects.toThrow(arr("tread", 3, "thread array 'float\\[4\\]' \\(16 bytes\\)", "element 100000 \\(4 bytes at byte offset 400000\\)"));
    await expect(run("twrite", "thread float a[4];\nthread float* q = a;\nfor (uint i = 0; i < 100000; i++) q[i] = 0;\nout[0] = a[0];")).rejects.toThrow(arr("twrite", 3, "thread array 'float\\[4\\]' \\(16 bytes\\)", "element 4\\b"));
    await expect(run("tgfar", "threadgroup float t[64];\nthreadgroup float* g = t;\ng[1 << 22] = 1;\nout[0] = t[0];")).rejects.toThrow(arr("tgfar", 3, "threadgroup array 'float\\[64\\]' \\(256 bytes\\)", "element 4194304\\b"));
    await alive();
    await expect(run("scalar", "float x = 1.0f;\nthread float* p = &x;\nout[0] = p[1];")).rejects.toThrow(arr("scalar", 3, "thread object at 'float ?\\*' \\(4 bytes\\)", "element 1\\b"));
    await expect(run("bytes", "thread Pair s;\nthread uchar* b = (thread uchar*)&s;\nout[0] = float(b[8]);")).rejects.toThrow(arr("bytes", 3, "thread object at 'Pair ?\\*' \\(8 bytes\\)", "element 8\\b"));
    await expect(run("elem", "thread float a[4] = {1, 2, 3, 4};\nthread float* e = &a[2];\nout[0] = e[2];")).rejects.toThrow(arr("elem", 3, "thread array 'float\\[4\\]' \\(16 bytes\\)", "element 4\\b"));
    await expect(run("vec", "thread float a[4] = {1, 2, 3, 4};\nthread float4* v = (thread float4*)a;\nout[0] = v[1].x;")).rejects.toThrow(arr("vec", 3, "thread array 'float\\[4\\]' \\(16 bytes\\)", "element 1 \\(16 bytes at byte offset 16\\)"));
    await expect(run("past", "thread float a[4] = {1, 2, 3, 4};\nthread float* p = a + 1;\nout[0] = p[3];")).rejects.toThrow(arr("past", 3, "thread object at 'float ?\\*' \\(12 bytes\\)", "element 3\\b"));
    await expect(run("tgpast", "threadgroup float t[64];\nthreadgroup float* g = t + 8;\ng[56] = 1.0f;\nout[0] = t[0];")).rejects.toThrow(arr("tgpast", 3, "threadgroup object at 'float ?\\*' \\(224 bytes\\)", "element 56\\b"));
    await expect(run("tghelp", "threadgroup float t[64];\nuint i = thread_position_in_grid.x;\nt[i] = 1.0f;\nout[i] = tgget(t, 64);")).rejects.toThrow(/kernel 'custom_kernel_tghelp' at tghelp_header\.metal:8: out-of-bounds access to threadgroup array 'float\[64\]' \(256 bytes\): element 64\b/);
    await expect(run("tsum", "thread float a[4] = {1, 2, 3, 4};\nout[0] = total(&a[1], 4);")).rejects.toThrow(/kernel 'custom_kernel_tsum' at tsum_header\.metal:4: out-of-bounds access to thread array 'float\[4\]' \(16 bytes\): element 4\b/);
    await expect(run("tnull", "thread float* p = nullptr;\nout[0] = *p;")).rejects.toThrow(/kernel 'custom_kernel_tnull' at tnull\.metal:2: access of 4 bytes through a null thread or threadgroup pointer/);
    await alive();
  });

  it("still computes in-bounds thread and threadgroup pointer code: sums, helpers, casts, &a[i], 2-d arrays, atomics, simdgroup loads", async () => {
    const source = `uint i = thread_position_in_grid.x;
thread float a[8];
for (int k = 0; k < 8; k++) a[k] = inp[(i + k) % 4];
thread float* p = a;
float s = 0.0f;
for (int k = 0; k < 8; k++) s += p[k];
threadgroup float t[64];
threadgroup float* g = &t[0];
for (uint k = i; k < 64; k += 4) g[k] = k < 4 ? inp[k] : 1.0f;
threadgroup atomic_int count;
threadgroup atomic_int* c = &count;
if (i == 0) atomic_store_explicit(c, 0, memory_order_relaxed);
threadgroup_barrier(mem_flags::mem_threadgroup);
atomic_fetch_add_explicit(c, int(i), memory_order_relaxed);
simdgroup_float8x8 m8;
simdgroup_load(m8, g, 8);
threadgroup_barrier(mem_flags::mem_threadgroup);
thread float4* v = (thread float4*)a;
thread float* e = &a[6];
float m[2][2] = {{1, 2}, {3, 4}};
thread float* flat = &m[0][0];
Pair pr = {5.0f, 6};
thread Pair* pp = &pr;
thread const float* from1 = p + 1;
constant float* tb = &table[1];
out[i] = s + tgget(t, i + 4) + tgget(g + 4, 3 - i) + v[1].w + e[1] + flat[3] + pp->a + float(pp->b) + total(from1, 7) + total(&m[0][0], 4) +
  float(from1 - p) + (a + 2)[5] + tb[1] + float(atomic_load_explicit(c, memory_order_relaxed));`;
    // per thread i: a = inp rotated by i (sum 10, twice), a[7] = inp[(i + 7) % 4]
    const expected = [0, 1, 2, 3].map((i) => {
      const last = [1, 2, 3, 4][(i + 7) % 4]!;
      return 20 + 1 + 1 + last + last + 4 + 11 + (20 - (i + 1)) + 10 + 1 + last + 30 + 6;
    });
    expect(await launch("tlocal", { header: local, source })).toEqual(expected);
  });

  it("reports an overflowed kernel-thread stack, with barriers (fibers) and without", async () => {
    const body = (barrier: boolean) =>
      `float big[65536];\nuint t = thread_position_in_threadgroup.x;\nfor (int k = 0; k < 65536; k++) big[k] = inp[t] + float(k);\n${barrier ? "threadgroup_barrier(mem_flags::mem_threadgroup);\n" : ""}out[t] = big[t * 7];`;
    const overflow = /kernel 'custom_kernel_deep\w*' at deep\w*\.metal:\d+ faulted: the stack of a kernel thread \(256 KiB\) overflowed/;
    await expect(launch("deep", { source: body(true) })).rejects.toThrow(overflow);
    await alive();
    await expect(launch("deepseq", { source: body(false) })).rejects.toThrow(overflow);
    await alive();
  });

  it("still computes in-bounds kernels exactly: indices, pointers, vector casts, atomics, barriers, helpers", async () => {
    const header = "inline float first(const device float* const p) {\n  return *p;\n}\nconstant float table[3] = {10.0f, 20.0f, 30.0f};";
    const source = `
  uint i = thread_position_in_grid.x;
  device float* p = out;
  p += 1; p++; --p;
  const device float4* v = (const device float4*)inp;
  constant float* t = table;
  threadgroup float buf[4];
  buf[i] = inp[3 - i];
  threadgroup_barrier(mem_flags::mem_threadgroup);
  out[i] = (*v)[i] + first(inp) + t[i % 3] + float(p - out) + buf[i];`;
    expect(await launch("good", { header, source })).toEqual([1 + 1 + 10 + 1 + 4, 2 + 1 + 20 + 1 + 3, 3 + 1 + 30 + 1 + 2, 4 + 1 + 10 + 1 + 1]);
    const x = mx.reshape(f32(Array.from({ length: 12 }, (_, i) => i / 4)), [3, 4], on);
    const k = mx.fast.metalKernel({ name: "exp2d", inputNames: ["inp"], outputNames: ["out"], source: "uint i = thread_position_in_grid.x;\nout[i] = metal::exp(inp[i]);" });
    const [y] = k({ inputs: [mx.transpose(x, undefined, on)], grid: [12, 1, 1], threadgroup: [8, 1, 1], outputShapes: [[4, 3]], outputDtypes: [mx.float32], stream: mx.metal });
    expect(await y!.tolist()).toEqual(await mx.exp(mx.transpose(x, undefined, on), on).tolist());
  });

  it("fails cleanly in a separate process too, in the OS-thread schedule (MLX_TS_METAL_EMU_THREADS=1)", () => {
    const index = fileURLToPath(new URL("../index.ts", import.meta.url));
    const script = `
      import * as mx from ${JSON.stringify(index)};
      const on = { stream: mx.metal };
      const run = async (name, source, grid, tg) => {
        const k = mx.fast.metalKernel({ name, inputNames: ["inp"], outputNames: ["out"], source });
        const [o] = k({ inputs: [mx.ones([4], mx.float32, on)], grid, threadgroup: tg, outputShapes: [[4]], outputDtypes: [mx.float32], stream: mx.metal });
        try { await o.tolist(); console.log(name, "ran"); } catch (e) { console.log(name, "error:", e.message.split("\\n")[0]); }
      };
      await run("grid", "out[thread_position_in_grid.x] = inp[0];", [4096, 1, 1], [256, 1, 1]);
      await run("tptr", "thread float a[4];\\nthread float* q = a;\\nfor (uint i = 0; i < 100000; i++) q[i] = inp[0];\\nout[thread_position_in_grid.x] = a[0];", [4, 1, 1], [4, 1, 1]);
      await run("huge", "float big[4000000];\\nuint t = thread_position_in_threadgroup.x;\\nfor (int k = 0; k < 4000000; k++) big[k] = inp[t] + float(k);\\nthreadgroup_barrier(mem_flags::mem_threadgroup);\\nout[t] = big[t * 3];", [4, 1, 1], [4, 1, 1]);
      console.log("alive", JSON.stringify(await mx.add(mx.ones([2], mx.float32, on), 1, on).tolist()));
    `;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8", env: { ...process.env, MLX_TS_METAL_EMU_THREADS: "1", MLX_TS_WEBGPU: "0" }, timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/grid error: \[metal\] kernel 'custom_kernel_grid' at grid\.metal:1: out-of-bounds access to 'out'/);
    expect(r.stdout).toMatch(/tptr error: \[metal\] kernel 'custom_kernel_tptr' at tptr\.metal:3: out-of-bounds access to thread array 'float\[4\]' \(16 bytes\): element 4\b/);
    expect(r.stdout).toMatch(/huge error: \[metal\] kernel 'custom_kernel_huge' at huge\w*\.metal:\d+ faulted: the stack of a kernel thread \(\d+ KiB\) overflowed/);
    expect(r.stdout).toMatch(/alive \[2,2\]/);
  });
});
