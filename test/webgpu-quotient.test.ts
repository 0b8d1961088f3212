// WebGPU division is correctly rounded on every adapter (wgsl/quotient.wgsl):
// divide and reciprocal give the cpu reference's bits over random
// float32 patterns, ties' neighbours and special values; the generated
// kernels call div_f rather than the driver's `/` (which Vulkan allows 2.5 ulp
// and which the H200 flushes past |b| = 2^126); and div_f stays exact when the
// driver's reciprocal is made hundreds of ulp off, and its long division
// (near-ties, subnormal results) is exact on its own.

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { getBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";

const webgpu = mx.registeredBackends().some((b) => b.name === "webgpu");
const onGpu = { stream: mx.webgpu };
const onCpu = { stream: mx.cpu };

/** Float32 operand pairs as bits: random patterns, every exponent near 1 and the limits, special values, quotients next to ties. */
function operands(n: number): [Float32Array, Float32Array] {
  const a = new Uint32Array(n), b = new Uint32Array(n);
  let s = 20261205;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), (s ^ (s >>> 15)) >>> 0);
  const specials = [0, 0x80000000, 1, 0x807fffff, 0x00800000, 0x7f7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0x3f800000, 0x7e800000, 0x7f000000, 3];
  const f = new Float32Array(1), w = new Uint32Array(f.buffer);
  for (let i = 0; i < n; i++) {
    const mode = i % 4;
    if (mode === 0) [a[i], b[i]] = [next(), next()];
    else if (mode === 1) [a[i], b[i]] = [(next() & 0x807fffff) | ((next() % 80) + 90) << 23, (next() & 0x807fffff) | ((next() % 80) + 90) << 23];
    else if (mode === 2) [a[i], b[i]] = next() & 1 ? [specials[next() % specials.length]!, next()] : [next(), specials[next() % specials.length]!];
    else {
      // a = x * y rounded, moved a few ulp: x / y lands next to a midpoint
      const x = Math.fround(1 + (next() % 4096) / 4096), y = Math.fround(1 + (next() % 4096) / 4096);
      f[0] = x * y;
      a[i] = w[0]! + (next() % 5) - 2;
      f[0] = y;
      b[i] = w[0]!;
    }
  }
  return [new Float32Array(a.buffer), new Float32Array(b.buffer)];
}

/** Elements whose bits differ (NaN matches any NaN). */
function differing(got: Float32Array, want: Float32Array): number[] {
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length), w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  const bad: number[] = [];
  for (let i = 0; i < g.length; i++) if (g[i] !== w[i] && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) bad.push(i);
  return bad;
}

const shaders: string[] = [];
let restore: (() => void) | undefined;
beforeAll(() => {
  if (!webgpu) return;
  const device = (getBackend("webgpu") as WebGpuBackend).ctx.device;
  const create = device.createShaderModule.bind(device);
  device.createShaderModule = (d: GPUShaderModuleDescriptor) => {
    shaders.push(d.code);
    return create(d);
  };
  restore = () => (device.createShaderModule = create);
});
afterAll(() => restore?.());

describe.skipIf(!webgpu)("division on webgpu", () => {
  const [fa, fb] = operands(1 << 18);

  it("divide and reciprocal give the reference's bits", async () => {
    const run = async (o: { stream: mx.Device }) => {
      const a = mx.array(fa, mx.float32, o), b = mx.array(fb, mx.float32, o);
      const outs = [mx.divide(a, b, o), mx.reciprocal(b, o)];
      return Promise.all(outs.map(async (x) => (await x.data()) as Float32Array));
    };
    const [gpu, cpu] = [await run(onGpu), await run(onCpu)];
    expect(differing(gpu[0]!, cpu[0]!).slice(0, 5), "divide").toEqual([]);
    expect(differing(gpu[1]!, cpu[1]!).slice(0, 5), "reciprocal").toEqual([]);
    // (floorDivide: test/floor-divide.test.ts)
    // the quotients the H200's driver flushed: 3e38 / 3e38, 1 / 2^127, a subnormal quotient
    const big = await mx.divide(mx.array([3e38, 1, 1e-30], mx.float32, onGpu), mx.array([3e38, 2 ** 127, 1e10], mx.float32, onGpu), onGpu).tolist();
    expect(big).toEqual([1, 2 ** -127, Math.fround(Math.fround(1e-30) / 1e10)]);
  });

  it("the divide and reciprocal kernels call div_f, not the driver's division", async () => {
    const x = mx.array([1.5, 3], mx.float32, onGpu);
    await mx.eval(mx.divide(x, mx.array([7, 9], mx.float32, onGpu), onGpu), mx.reciprocal(mx.add(x, 1, onGpu), onGpu));
    // the element's expression (shaders compiled earlier in this file count: pipelines are cached)
    expect(shaders.some((c) => c.includes("let v = div_f(a, b);"))).toBe(true);
    expect(shaders.some((c) => c.includes("let v = div_f(1.0, a);"))).toBe(true);
  });

  it("stays correctly rounded when the driver's reciprocal is hundreds of ulp off", async () => {
    const quotient = readFileSync(new URL("../wgsl/quotient.wgsl", import.meta.url), "utf8");
    expect(quotient).toContain("let r0 = 1.0 / sb;");
    const n = 1 << 16;
    const a = mx.array(fa.subarray(0, n), mx.float32, onGpu), b = mx.array(fb.subarray(0, n), mx.float32, onGpu);
    const want = (await mx.divide(mx.array(fa.subarray(0, n), mx.float32, onCpu), mx.array(fb.subarray(0, n), mx.float32, onCpu), onCpu).data()) as Float32Array;
    expect(quotient).toContain("let decided = ");
    // the reciprocal off by `off` ulp; "long": every quotient by the long division (the near-ties' and subnormal results' path)
    for (const off of [-3, 3, -300, 3000, "long"] as const) {
      const header = off === "long"
        ? quotient.replace("let decided = ", "let decided = false && ")
        : quotient.replace("let r0 = 1.0 / sb;", `let r0 = bitcast<f32>(u32(i32(bitcast<u32>(1.0 / sb)) + (${off})));`);
      const kernel = mx.fast.wgslKernel({
        name: `quotient_${String(off).replace("-", "m")}`,
        inputNames: ["x", "y"],
        outputNames: ["q"],
        header,
        source: `
  let i = thread_position_in_grid.x;
  q[i] = div_f(x[i], y[i]);`,
      });
      const [q] = kernel({ inputs: [a, b], grid: [n, 1, 1], threadgroup: [256, 1, 1], outputShapes: [[n]], outputDtypes: [mx.float32] });
      expect(differing((await q!.data()) as Float32Array, want).slice(0, 5), off === "long" ? "long division" : `reciprocal ${off} ulp off`).toEqual([]);
    }
  });
});
