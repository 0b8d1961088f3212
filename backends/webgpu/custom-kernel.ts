// The webgpu kernel of user kernels (mx.fast.wgslKernel): each generated
// source is compiled once (with wgsl/dtypes.wgsl appended) on its own bind
// group layout (inputs, outputs, the grid/shape block); a launch submits the
// queued work, then its own command buffer, so WebGPU's in-order queue keeps
// it between the work before and after. Compile errors come from Dawn with
// the label `<name>.wgsl` and the body's line numbers. Every loop of the
// user's source is guarded (loop-guard.ts): an endless one stops the dispatch
// and fails the next wait with an error naming the kernel.

import type { MultiKernel, Tensor } from "../backend.js";
import { numberToStorage } from "../../src/convert.js";
import type { CustomKernel } from "../../src/fast/custom-kernel.js";
import { wgslMetaLayout } from "../../src/fast/wgsl-kernel.js";
import { sizeOf } from "../../src/shape.js";
import { storageCtor } from "../../src/storage.js";
import { isRowMajor } from "../strides.js";
import type { GpuBuffer, WebGpuBackend } from "./backend.js";
import { contiguousCopy } from "./elementwise.js";
import { kernelFile } from "./kernel-files.js";
import { barrierLoopWeight, guardDeclarations, instrumentLoops, LoopGuard, loopLimit } from "./loop-guard.js";

interface Compiled {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  /** Its loops are guarded: the stop word is bound after the other buffers. */
  guarded: boolean;
}

/** The grid, then each input's shape and strides where the body names them (i32 words). */
function metaWords(prim: CustomKernel, inputs: readonly Tensor[]): Int32Array {
  const { slots, words } = wgslMetaLayout(prim.spec.companions, inputs.map((t) => t.shape.length));
  const meta = new Int32Array(words);
  meta.set(prim.spec.grid, 0);
  slots.forEach((s, i) => {
    const t = inputs[i]!;
    if (t.strides.some((st) => st !== (st | 0))) throw new RangeError(`kernel '${prim.spec.kernel}': input ${i}'s strides ${t.strides.join(", ")} do not fit the i32 words of WGSL`);
    if (s.shape !== undefined) meta.set(t.shape, s.shape);
    if (s.strides !== undefined) meta.set(t.strides, s.strides);
  });
  return meta;
}

export function customKernelWebGpu(gpu: WebGpuBackend): MultiKernel {
  const device = gpu.ctx.device;
  const compiled = new Map<string, Compiled>();
  const guard = new LoopGuard(device);
  gpu.queue.lost.addCheck(() => guard.check());
  const compile = (prim: CustomKernel, buffers: number, outputs: number): Compiled => {
    const limit = loopLimit();
    const key = `${limit}|${prim.spec.kernel}|${prim.spec.source}`;
    let c = compiled.get(key);
    if (c) return c;
    const weight = barrierLoopWeight(prim.spec.threadgroup.reduce((a, b) => a * b, 1));
    const instrumented = limit ? instrumentLoops(prim.spec.source, weight) : undefined;
    const guarded = instrumented !== undefined && instrumented.loops > 0;
    const most = device.limits.maxStorageBuffersPerShaderStage;
    if (guarded && buffers + 1 > most) {
      throw new RangeError(`kernel '${prim.spec.kernel}': binds ${buffers + 1} storage buffers (inputs, outputs, one for shapes and one for its loops' guard), more than this device's ${most} (MLX_TS_WGSL_LOOP_LIMIT=0 leaves the guard out, and an endless loop then hangs)`);
    }
    let code = prim.spec.source;
    if (guarded) code = `${instrumented.code}\n${guardDeclarations(buffers, limit, guard.register(prim.op, prim.spec.kernel, limit, instrumented.uniform ? weight : 0), instrumented.uniform)}`;
    const entries: GPUBindGroupLayoutEntry[] = [];
    for (let k = 0; k < buffers; k++) {
      const writable = k >= buffers - 1 - outputs && k < buffers - 1;
      entries.push({ binding: k, visibility: GPUShaderStage.COMPUTE, buffer: { type: writable ? "storage" : "read-only-storage" } });
    }
    if (guarded) entries.push({ binding: buffers, visibility: GPUShaderStage.COMPUTE, buffer: { type: "storage" } });
    const layout = device.createBindGroupLayout({ entries });
    const label = `${prim.spec.kernel}.wgsl`;
    device.pushErrorScope("validation");
    const module = device.createShaderModule({ label, code: `${code}\n${kernelFile("dtypes") ?? ""}` });
    const pipeline = device.createComputePipeline({ label, layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module, entryPoint: prim.spec.entry } });
    // WebGPU compiles asynchronously: the error (at the line of the user's source) is thrown at the next wait
    void device.popErrorScope().then((err) => {
      if (err) gpu.reportError(`${prim.op}: kernel '${prim.spec.kernel}' did not compile: ${err.message}`);
    });
    compiled.set(key, (c = { pipeline, layout, guarded }));
    return c;
  };
  return (primitive, inputs, outs) => {
    const prim = primitive as CustomKernel;
    const { spec } = prim;
    const who = `kernel '${spec.kernel}'`;
    if (spec.backend !== "webgpu") throw new Error(`${who} is a ${spec.backend} kernel; it cannot run on the webgpu backend`);
    const lim = device.limits;
    const [tx, ty, tz] = spec.threadgroup;
    if (tx > lim.maxComputeWorkgroupSizeX || ty > lim.maxComputeWorkgroupSizeY || tz > lim.maxComputeWorkgroupSizeZ || tx * ty * tz > lim.maxComputeInvocationsPerWorkgroup) {
      throw new RangeError(`${who}: threadgroup [${spec.threadgroup.join(", ")}] exceeds this device's workgroup limits (sizes ${lim.maxComputeWorkgroupSizeX}, ${lim.maxComputeWorkgroupSizeY}, ${lim.maxComputeWorkgroupSizeZ}; ${lim.maxComputeInvocationsPerWorkgroup} invocations)`);
    }
    const groups = spec.grid.map((g, d) => Math.ceil(g / spec.threadgroup[d]!));
    if (groups.some((g) => g > lim.maxComputeWorkgroupsPerDimension)) {
      throw new RangeError(`${who}: grid [${spec.grid.join(", ")}] needs [${groups.join(", ")}] workgroups, more than this device's ${lim.maxComputeWorkgroupsPerDimension} per dimension`);
    }
    const buffers = inputs.length + outs.length + 1;
    if (buffers > lim.maxStorageBuffersPerShaderStage) {
      throw new RangeError(`${who}: binds ${buffers} storage buffers (inputs, outputs and one for shapes), more than this device's ${lim.maxStorageBuffersPerShaderStage}`);
    }
    const kernel = groups.every((g) => g > 0) ? compile(prim, buffers, outs.length) : undefined;
    const copies: Tensor[] = [];
    const bound = inputs.map((t) => {
      if (t.offset === 0 && (!spec.ensureRowContiguous || isRowMajor(t.shape, t.strides))) return t;
      const c = contiguousCopy(gpu, t);
      copies.push(c);
      return c;
    });
    const outputs = outs.map((o) => {
      const t = gpu.allocOutput(o);
      if (spec.initValue !== null) {
        const words = new (storageCtor(o.dtype))(sizeOf(o.shape));
        (words as { fill(v: number | bigint): unknown }).fill(numberToStorage(o.dtype)(spec.initValue));
        gpu.write(t.buffer, words);
      }
      return t;
    });
    const meta = metaWords(prim, bound);
    if (kernel) {
      const { pipeline, layout, guarded } = kernel;
      gpu.queue.submit();
      const metaBuffer = device.createBuffer({ size: meta.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(metaBuffer, 0, meta);
      const entries = [...bound, ...outputs].map((t, binding) => ({
        binding,
        resource: { buffer: (t.buffer as GpuBuffer).block.buffer, offset: 0, size: Math.ceil(Math.max(4, t.buffer.nbytes) / 4) * 4 },
      }));
      entries.push({ binding: entries.length, resource: { buffer: metaBuffer, offset: 0, size: meta.byteLength } });
      if (guarded) entries.push({ binding: entries.length, resource: { buffer: guard.launched(), offset: 0, size: 4 } });
      const encoder = device.createCommandEncoder({ label: `${prim.op} '${spec.kernel}'` });
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, device.createBindGroup({ layout, entries }));
      pass.dispatchWorkgroups(groups[0]!, groups[1]!, groups[2]!);
      pass.end();
      device.queue.submit([encoder.finish()]);
      const done = device.queue.onSubmittedWorkDone();
      done.catch(() => {});
      gpu.queue.inFlight.push(done);
      metaBuffer.destroy();
      const read = bound.map((t) => (t.buffer as GpuBuffer).block.buffer);
      for (const o of outputs) gpu.queue.lost.wrote((o.buffer as GpuBuffer).block.buffer, read);
    }
    for (const c of copies) gpu.release(c.buffer);
    return outputs;
  };
}
