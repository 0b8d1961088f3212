// The TensorFlow.js peer of the webgpu benchmarks: tfjs-backend-webgpu given
// mlx-ts's own Dawn device (so both libraries run on one device), its CPU
// forwarding of small tensors off, and a wait for its submitted work.

import * as tf from "@tensorflow/tfjs-core";
import * as tfwebgpu from "@tensorflow/tfjs-backend-webgpu";
import { getBackend } from "../../backends/backend.js";
import type { WebGpuBackend } from "../../backends/webgpu/backend.js";

/** mlx-ts's webgpu backend, its device, and `tfSync`, which ends tfjs's open pass, submits its encoder and waits for the device (what tfjs's own reads do). */
export async function tfjsOnMlxDevice(): Promise<{ gpu: WebGpuBackend; device: GPUDevice; tfSync: () => Promise<void> }> {
  const gpu = getBackend("webgpu") as WebGpuBackend;
  const device = gpu.ctx.device;
  // tfjs checks navigator.gpu before it accepts a device; give it Dawn's; its kernels are registered under "webgpu"
  Object.defineProperty(globalThis, "navigator", { value: { gpu: gpu.ctx.gpu }, configurable: true });
  tf.registerBackend("webgpu", () => new tfwebgpu.WebGPUBackend(device));
  // tfjs runs ops on small CPU-resident tensors on its CPU backend; the benchmarks measure GPU work
  tf.env().set("WEBGPU_CPU_FORWARD", false);
  await tf.setBackend("webgpu");
  const tfSync = async () => {
    const b = tf.backend() as unknown as { endComputePassEncoder(): void; submitQueue(): void; commandEncoder: unknown };
    if (b.commandEncoder) {
      b.endComputePassEncoder();
      b.submitQueue();
    }
    await device.queue.onSubmittedWorkDone();
  };
  return { gpu, device, tfSync };
}
