// The loop guard of user WGSL kernels (backends/webgpu/loop-guard.ts): the
// scanner puts a guard at the head of every loop body on the same line,
// leaving comments, continuing blocks and lookalike names alone; on the
// webgpu backend an endless loop, for or while (nested, in a helper, with a
// continuing block, around a barrier) fails the wait with an error naming the
// kernel, its result reads as lost, the backend stays usable and node exits.

import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import * as mx from "../index.js";
import { guardDeclarations, instrumentLoops } from "../backends/webgpu/loop-guard.js";

const hasWebGpu = mx.isAvailable(mx.webgpu);
const GUARD = "mx_loop_n_ += 1u; if ((mx_loop_n_ & 1023u) == 1u) { if (mx_loop_stopped_()) { break; } }";
const uniformGuard = (c: string) => `${c} += 1u; mx_loop_n_ += 512u; if ((${c} & 1023u) == 1u) { if (mx_loop_stopped_uniform_()) { ${c} = 0u; break; } }`;

/** The lines of `code` with every guard (and uniform counter) taken out. */
const unguarded = (code: string) =>
  code
    .replaceAll(` ${GUARD}`, "")
    .replace(/ var mx_loop_u\d+_: u32 = 0u;/g, "")
    .replace(/ (mx_loop_u\d+_) \+= 1u; mx_loop_n_ \+= \d+u; if \(\(\1 & 1023u\) == 1u\) \{ if \(mx_loop_stopped_uniform_\(\)\) \{ \1 = 0u; break; \} \}/g, "");

describe("instrumentLoops", () => {
  it("guards loop, for and while on the line of their body's brace, keeping every line", () => {
    const src = "fn main() {\n  var i = 0;\n  loop {\n    i++;\n    if (i > 3) { break; }\n  }\n  for (var k = 0; k < 4; k++) { i += k; }\n  while (i < 100)\n  {\n    i *= 2;\n  }\n}\n";
    const { code, loops, uniform } = instrumentLoops(src);
    expect(loops).toBe(3);
    expect(uniform).toBe(false);
    const lines = code.split("\n");
    expect(lines).toHaveLength(src.split("\n").length);
    expect(lines[2]).toBe(`  loop { ${GUARD}`);
    expect(lines[6]).toBe(`  for (var k = 0; k < 4; k++) { ${GUARD} i += k; }`);
    expect(lines[7]).toBe("  while (i < 100)");
    expect(lines[8]).toBe(`  { ${GUARD}`);
    expect(unguarded(code)).toBe(src);
  });

  it("leaves comments, continuing blocks and names that contain loop keywords alone", () => {
    const src = [
      "fn f(loop_count: i32) -> i32 { // loop { for (;;) {",
      "  /* while (true) { /* nested: loop { */ for { */ var for_each = loop_count;",
      "  loop {",
      "    for_each -= 1;",
      "    continuing { for_each += 0; break if for_each < 0; }",
      "  }",
      "  return for_each; }",
    ].join("\n");
    const { code, loops } = instrumentLoops(src);
    expect(loops).toBe(1);
    const lines = code.split("\n");
    expect(lines[0]).toBe("fn f(loop_count: i32) -> i32 { // loop { for (;;) {");
    expect(lines[1]).toBe("  /* while (true) { /* nested: loop { */ for { */ var for_each = loop_count;");
    expect(lines[2]).toBe(`  loop { ${GUARD}`);
    expect(lines[4]).toBe("    continuing { for_each += 0; break if for_each < 0; }");
    expect(unguarded(code)).toBe(src);
  });

  it("guards loops in every function, nested loops and a loop inside a continuing block", () => {
    const src = "fn g(n: u32) -> u32 { var s = 0u; for (var i = 0u; i < n; i++) { for (var j = 0u; j < i; j++) { s += j; } } return s; }\n" +
      "fn main() { var i = 0u; loop { i++; continuing { while (i > 9u) { i -= 1u; } break if i > 5u; } } }";
    const { code, loops } = instrumentLoops(src);
    expect(loops).toBe(4);
    expect(code.split(GUARD)).toHaveLength(5);
    expect(code).toContain(`while (i > 9u) { ${GUARD} i -= 1u; }`);
    expect(unguarded(code)).toBe(src);
  });

  it("gives the loops around a barrier, directly or through helpers, a uniform guard on a counter of their own", () => {
    const src = [
      "fn sync() { workgroupBarrier(); }",
      "fn step(t: u32) { if (t < 4u) { sync(); } }",
      "fn main(t: u32) {",
      "  for (var i = 0u; i < 8u; i++) { for (var k = 0u; k < t; k++) { } step(t); }",
      "  loop { storageBarrier(); }",
      "  while (t > 3u) { break; }",
      "}",
    ].join("\n");
    const { code, loops, uniform } = instrumentLoops(src, 512);
    expect(loops).toBe(4);
    expect(uniform).toBe(true);
    const lines = code.split("\n");
    expect(lines[2]).toBe("fn main(t: u32) { var mx_loop_u0_: u32 = 0u; var mx_loop_u1_: u32 = 0u;");
    expect(lines[3]).toBe(`  for (var i = 0u; i < 8u; i++) { ${uniformGuard("mx_loop_u0_")} for (var k = 0u; k < t; k++) { ${GUARD} } step(t); }`);
    expect(lines[4]).toBe(`  loop { ${uniformGuard("mx_loop_u1_")} storageBarrier(); }`);
    expect(lines[5]).toBe(`  while (t > 3u) { ${GUARD} break; }`);
    expect(unguarded(code)).toBe(src);
    expect(guardDeclarations(5, 2 ** 20, 3, true)).toMatch(/@binding\(5\) var<storage, read_write> mx_loop_stop_: atomic<u32>;[\s\S]*mx_loop_n_ > 1048576u[\s\S]*atomicStore\(&mx_loop_stop_, 3u\)[\s\S]*workgroupUniformLoad/);
  });

  it("leaves a source without loops as it is", () => {
    const src = "let i = thread_position_in_grid.x; // for each element\no[i] = a[i];";
    expect(instrumentLoops(src)).toEqual({ code: src, loops: 0, uniform: false });
  });
});

type Kernel = ReturnType<typeof mx.fast.wgslKernel>;

/** Set once a wait timed out: the webgpu queue is stuck behind that kernel (even creating an array may block), so later GPU tests fail before they touch it. */
let hung = false;

afterAll(() => {
  // a hung kernel keeps the worker from exiting (Dawn's queue never drains): end it, so that the run ends, failed
  if (hung) {
    console.error("a WGSL kernel hangs: killing this test worker, which cannot exit");
    process.kill(process.pid, "SIGKILL");
  }
});

/** `p`, or a failure after 30 s: a hang fails its test instead of holding vitest. */
function within<T>(p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      hung = true;
      reject(new Error("did not finish within 30 s: the kernel hangs"));
    }, 30_000);
  });
  return Promise.race([p, hang]).finally(() => clearTimeout(timer));
}
const LIMIT = 2 ** 20;
const over = (name = "\\w+", barrier = false) =>
  new RegExp(`\\[webgpu\\] fast\\.wgslKernel: kernel '${name}' ran past 2\\^20 loop iterations in one invocation${barrier ? ", an iteration of a loop around a barrier counting 128" : ""} \\(an endless loop\\?\\): its dispatch was stopped and its outputs were not computed`);

describe.skipIf(!hasWebGpu)("endless loops in WGSL kernels on webgpu", () => {
  const before = process.env.MLX_TS_WGSL_LOOP_LIMIT;
  beforeAll(() => {
    // a smaller budget than the default's 2^26 keeps the endless cases short (the child process below takes the default)
    process.env.MLX_TS_WGSL_LOOP_LIMIT = String(LIMIT);
  });
  afterAll(() => {
    if (before === undefined) delete process.env.MLX_TS_WGSL_LOOP_LIMIT;
    else process.env.MLX_TS_WGSL_LOOP_LIMIT = before;
  });
  beforeEach(() => {
    if (hung) throw new Error("an earlier kernel hangs: the webgpu queue is stuck behind it");
  });

  const o = { stream: mx.webgpu };
  const define = (name: string, source: string, header?: string): Kernel => mx.fast.wgslKernel({ name, inputNames: ["a"], outputNames: ["o"], source, header });
  const launch = (k: Kernel, a: mx.MxArray, threadgroup = 64) =>
    k({ inputs: [a], grid: [a.size, 1, 1], threadgroup: [threadgroup, 1, 1], outputShapes: [a.shape], outputDtypes: [mx.float32] })[0]!;
  const ones = (n: number) => mx.ones([n], mx.float32, o);

  /** The kernel's wait fails naming it, a later op on webgpu works, and its output reads as lost. */
  async function expectStopped(k: Kernel, name: string, barrier = false): Promise<void> {
    const a = ones(256);
    const y = launch(k, a);
    await expect(within(mx.eval(y))).rejects.toThrow(over(name, barrier));
    expect(await mx.add(a, 1, o).tolist()).toEqual(Array(256).fill(2));
    await expect(y.tolist()).rejects.toThrow(/this array's value was lost: the work that computed it failed .*kernel '\w+' ran past 2\^20 loop iterations/);
    await expect(mx.multiply(y, 2, o).tolist()).rejects.toThrow(/value was lost/);
  }

  it("stops an endless loop, for and while", async () => {
    const body = (l: string) => `\n  let i = thread_position_in_grid.x;\n  var x = a[i];\n  ${l} x = x * 1.0001; if (x < -1.0) { break; } }\n  o[i] = x;\n`;
    await expectStopped(define("spinLoop", body("loop {")), "spinLoop");
    await expectStopped(define("spinFor", body("for (var k = 0u; k < 0xffffffffu; k++) { if (k == 0xfffffffeu) { k = 0u; }")), "spinFor");
    await expectStopped(define("spinWhile", body("while (x > 0.0) {")), "spinWhile");
  });

  it("stops nested loops (an endless outer loop of short inner ones, or an endless inner one), a loop in a helper, and one with a continuing block", async () => {
    await expectStopped(define("outer", "\n  let i = thread_position_in_grid.x;\n  var x = a[i];\n  loop {\n    for (var k = 0; k < 3; k++) { x += 1.0; }\n    if (x < 0.0) { break; }\n  }\n  o[i] = x;\n"), "outer");
    await expectStopped(define("inner", "\n  let i = thread_position_in_grid.x;\n  var x = a[i];\n  for (var k = 0; k < 3; k++) {\n    while (x > 0.0) { x += 1.0; }\n  }\n  o[i] = x;\n"), "inner");
    await expectStopped(define("helper", "\n  let i = thread_position_in_grid.x;\n  o[i] = forever(a[i]);\n", "fn forever(v: f32) -> f32 {\n  var x = v;\n  loop { x = x + 1.0; if (x < 0.0) { break; } }\n  return x;\n}"), "helper");
    // rounds of exactly 1024 iterations (one of the outer loop, 1023 of the inner), shifted by one so that every read of the
    // stop word falls in the inner loop: only an invocation that keeps breaking at every loop head once stopped ends
    await expectStopped(define("aligned", "\n  let i = thread_position_in_grid.x;\n  var x = a[i];\n  for (var j = 0u; j < 1u; j++) { x += 1.0; }\n  loop {\n    for (var k = 0u; k < 1023u; k++) { x += 1.0; }\n  }\n  o[i] = x;\n"), "aligned");
    await expectStopped(define("cont", "\n  let i = thread_position_in_grid.x;\n  var x = a[i];\n  var n = 0u;\n  loop {\n    x += 1.0;\n    continuing { n++; break if x < 0.0; }\n  }\n  o[i] = x + f32(n);\n"), "cont");
  });

  it("stops an endless loop around a barrier, which the whole workgroup leaves together", async () => {
    const header = "var<workgroup> buf: array<f32, 64>;";
    await expectStopped(define("barrierSpin", "\n  let t = thread_position_in_threadgroup.x;\n  var x = a[thread_position_in_grid.x];\n  loop {\n    buf[t] = x;\n    workgroupBarrier();\n    x = buf[63u - t] + 1.0;\n    workgroupBarrier();\n  }\n  o[thread_position_in_grid.x] = x;\n", header), "barrierSpin", true);
  });

  it("fails the eval the stopped kernel ran in, with the other results of that eval; the same kernel then runs where it ends", async () => {
    const spin = define("spinMix", "\n  let i = thread_position_in_grid.x;\n  var x = a[i];\n  while (x > 0.0) { x += 1.0; }\n  o[i] = x;\n");
    const a = ones(64);
    const z = mx.exp(mx.zeros([4], mx.float32, o), o);
    const y = launch(spin, a);
    await expect(within(mx.eval(z, y))).rejects.toThrow(over("spinMix"));
    await expect(y.tolist()).rejects.toThrow(/value was lost/);
    // and the same kernel again, on input it finishes on
    const w = launch(spin, mx.multiply(a, -1, o));
    expect(await within(w.tolist())).toEqual(Array(64).fill(-1));
  });

  it("leaves kernels whose loops end below the budget exact, barrier loops and many checks included", async () => {
    // each invocation runs 3 * (i % 7) + 3000 iterations: past two reads of the stop word
    const k = define("sums", [
      "",
      "  let i = thread_position_in_grid.x;",
      "  var s = 0u; // loop { never: a comment",
      "  for (var r = 0u; r < 3000u + 3u * (i % 7u); r++) {",
      "    s = s * 1664525u + r; /* while { */",
      "  }",
      "  var j = 0u;",
      "  loop { if (j >= i % 5u) { break; } s += 1u; continuing { j++; } }",
      "  o[i] = f32(s & 0xffffu);",
    ].join("\n"));
    const n = 1000;
    const y = k({ inputs: [ones(n)], grid: [n, 1, 1], threadgroup: [64, 1, 1], outputShapes: [[n]], outputDtypes: [mx.float32] })[0]!;
    const want = Array.from({ length: n }, (_, i) => {
      let s = 0;
      for (let r = 0; r < 3000 + 3 * (i % 7); r++) s = (Math.imul(s, 1664525) + r) >>> 0;
      s = (s + (i % 5)) >>> 0;
      return s & 0xffff;
    });
    expect(await within(y.tolist())).toEqual(want);
    // a tree reduction with a barrier in its loop, run 1000 times around, its barriers in a helper: 7000 iterations
    // of loops around a barrier, counting 128 each (twice the workgroup's invocations), below the budget of 2^20 (the
    // inner loop's guard reads the stop word 6 times)
    const red = mx.fast.wgslKernel({
      name: "treeSum", inputNames: ["a"], outputNames: ["o"], header: "var<workgroup> buf: array<f32, 64>;\nfn sync() { workgroupBarrier(); }",
      source: "\n  let t = thread_position_in_threadgroup.x;\n  var acc = 0.0;\n  for (var rep = 0; rep < 1000; rep++) {\n    buf[t] = a[thread_position_in_grid.x];\n    sync();\n    for (var s = 32u; s > 0u; s /= 2u) {\n      if (t < s) { buf[t] += buf[t + s]; }\n      sync();\n    }\n    acc += buf[0];\n    sync();\n  }\n  if (t == 0u) { o[threadgroup_position_in_grid.x] = acc; }\n",
    });
    const x = mx.array(Array.from({ length: 128 }, (_, i) => i % 13), mx.float32, o);
    const [r] = red({ inputs: [x], grid: [128, 1, 1], threadgroup: [64, 1, 1], outputShapes: [[2]], outputDtypes: [mx.float32] });
    const sum = (from: number) => Array.from({ length: 64 }, (_, i) => (from + i) % 13).reduce((p, q) => p + q, 0);
    expect(await within(r!.tolist())).toEqual([1000 * sum(0), 1000 * sum(64)]);
  });

  it("reports a compile error in a guarded source at the line of the user's source", async () => {
    const k = define("brokenLoop", "\n  let i = thread_position_in_grid.x;\n  for (var k = 0; k < 4; k++) { o[i] += a[i]; }\n  loop { o[i] = undefined_thing; break; }\n");
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      await expect(within(launch(k, ones(4), 4).tolist())).rejects.toThrow(/:4:\d+ error: .*undefined_thing[\s\S]*brokenLoop\.wgsl/);
    } finally {
      err.mockRestore();
      warn.mockRestore();
    }
  });

});

describe.skipIf(!hasWebGpu)("node after an endless WGSL kernel", () => {
  it("exits after the error, at the default budget", { timeout: 120_000 }, async () => {
    const script = join(mkdtempSync(join(tmpdir(), "wgsl-loops-")), "spin.mts");
    writeFileSync(script, [
      `import * as mx from ${JSON.stringify(join(process.cwd(), "index.js"))};`,
      "const spin = mx.fast.wgslKernel({ name: 'spin', inputNames: ['a'], outputNames: ['o'], source: 'let i = thread_position_in_grid.x; var x = a[i]; loop { x = x * 1.0001; if (x < -1.0) { break; } } o[i] = x;' });",
      "const a = mx.ones([64], mx.float32, { stream: mx.webgpu });",
      "const [y] = spin({ inputs: [a], grid: [64, 1, 1], threadgroup: [64, 1, 1], outputShapes: [[64]], outputDtypes: [mx.float32] });",
      "y!.tolist().then(() => console.log('no error'), (e) => console.log('caught:', (e as Error).message));",
    ].join("\n"));
    const env: Record<string, string | undefined> = { ...process.env };
    delete env.MLX_TS_WGSL_LOOP_LIMIT;
    const child = spawn(process.execPath, ["--import", "tsx", script], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const ended = await new Promise<number | string>((resolve) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve("still running after 90 s");
      }, 90_000);
      child.on("exit", (code) => {
        clearTimeout(timer);
        resolve(code ?? -1);
      });
    });
    expect(ended, out).toBe(0);
    expect(out).toMatch(/caught: \[webgpu\] fast\.wgslKernel: kernel 'spin' ran past 2\^26 loop iterations in one invocation/);
  });
});
