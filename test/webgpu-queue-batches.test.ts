// When the webgpu backend's queue submits: a chain of small kernels goes to
// the GPU in whole batches (128 dispatches), while after an idle device the
// dispatches of heavy kernels (64 MiB or more bound per batch) are submitted
// as soon as a batch binds 64 MiB and holds 1, then 2, 4, ... dispatches, so
// the GPU starts while the host encodes.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import { deviceFor } from "../src/device.js";

const gpu = findBackend("webgpu") as WebGpuBackend | undefined;
const o = { stream: gpu ? deviceFor("webgpu") : mx.cpu };

/** The number of queue submits while `n` adds of `by` to `x` are evaluated, and the result. */
async function submitsOfChain(x: mx.MxArray, n: number, by: number): Promise<{ submits: number; result: mx.MxArray }> {
  await mx.eval(x);
  const queue = gpu!.ctx.device.queue;
  const submit = queue.submit.bind(queue);
  let submits = 0;
  queue.submit = (buffers) => {
    submits++;
    submit(buffers);
  };
  try {
    let r = x;
    for (let i = 0; i < n; i++) r = mx.add(r, by, o);
    await mx.eval(r);
    return { submits, result: r };
  } finally {
    queue.submit = submit;
  }
}

describe.skipIf(!gpu)("webgpu batches", () => {
  it("keeps a chain of small kernels in one batch", async () => {
    const { submits, result } = await submitsOfChain(mx.ones([16], mx.float32, o), 40, 1);
    expect(submits).toBe(1);
    expect(await mx.max(result, null, o).item()).toBe(41);
  });

  it("submits heavy kernels early after an idle device: 2 dispatches (64 MiB), 2, 4, 8, 16, then the rest at the wait", async () => {
    // each add binds 32 MiB (16 MiB in, 16 MiB out)
    const big = mx.ones([1 << 22], mx.float32, o);
    const first = await submitsOfChain(big, 40, 1);
    expect(first.submits).toBe(6);
    expect(await mx.max(first.result, null, o).item()).toBe(41);
    // the wait left the device idle: the next eval starts small again (2, 2, 4, then 4 at the wait)
    const second = await submitsOfChain(big, 12, 2);
    expect(second.submits).toBe(4);
    expect(await mx.min(second.result, null, o).item()).toBe(25);
  });
});
