// Errors Dawn reports after the fact (issue 12): the wait that finds one
// throws it, every result written since the previous wait is marked lost (a
// read throws instead of returning stale memory, and so does a read of what
// was computed from it), and an allocation the driver refused (injected here:
// the software adapters this runs on fault instead of refusing) throws a clear
// error at the next wait, becomes the memory limit and never returns to the
// cache, so the backend is usable again after dispose.

import { afterEach, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import { deviceFor } from "../src/device.js";

const gpu = findBackend("webgpu") as WebGpuBackend | undefined;
const o = { stream: gpu ? deviceFor("webgpu") : mx.cpu };

/** Makes the next out-of-memory error scope popped on the device report a refusal. */
function refuseNextAllocation(device: GPUDevice): void {
  const pop = device.popErrorScope.bind(device);
  device.popErrorScope = async () => {
    await pop();
    device.popErrorScope = pop;
    return { message: "injected: the driver is out of memory" } as GPUError;
  };
}

describe.skipIf(!gpu)("webgpu results lost to an error", () => {
  const limit = gpu?.getMemoryLimit() ?? Infinity;
  afterEach(() => {
    gpu!.setMemoryLimit(limit);
  });

  it("a failed wait marks what it computed lost, and what is computed from it; earlier results stay", async () => {
    const a = mx.array([1, 2, 3], mx.float32, o);
    await mx.eval(a);
    const y = mx.exp(a, o);
    gpu!.reportError("injected failure");
    await expect(mx.eval(y)).rejects.toThrow(/injected failure/);
    await expect(y.tolist()).rejects.toThrow(/\[webgpu\] this array's value was lost: the work that computed it failed \(\[webgpu\] injected failure/);
    await expect(mx.add(y, 1, o).tolist()).rejects.toThrow(/value was lost/);
    expect(await a.tolist()).toEqual([1, 2, 3]);
    expect(await mx.multiply(a, 2, o).tolist()).toEqual([2, 4, 6]);
    // a buffer the pool hands out again holds a new array
    y.dispose();
    expect(await mx.exp(mx.zeros([3], mx.float32, o), o).tolist()).toEqual([1, 1, 1]);
  });

  it("an allocation the driver refuses is reported at the next wait, sets the memory limit and is not reused", async () => {
    // the kernels' scalars and params are made before the block this refuses
    await mx.eval(mx.exp(mx.zeros([8], mx.float32, o), o));
    await mx.synchronize(o.stream);
    const before = gpu!.memory();
    const odd = 12_345 * 64; // a size nothing cached has
    refuseNextAllocation(gpu!.ctx.device);
    const x = mx.exp(mx.zeros([odd / 4], mx.float32, o), o);
    await expect(mx.eval(x)).rejects.toThrow(/\[webgpu\] out of device memory: the driver could not allocate 790080 bytes .*injected: the driver is out of memory.*the memory limit is now/);
    const learned = gpu!.getMemoryLimit();
    // what the backend held then, or the most the device granted before, if more
    expect(learned).toBeGreaterThanOrEqual(before.active + before.cache);
    expect(learned).toBeLessThan(limit);
    expect(gpu!.memory().cache).toBe(0);
    await expect(x.tolist()).rejects.toThrow(/\[webgpu\] this array has no value: the driver could not allocate its buffer/);
    x.dispose();
    expect(gpu!.memory().cache).toBe(0); // the refused block was destroyed, not cached
    // past the learned limit: a clear error before the driver is asked
    await expect(mx.exp(mx.zeros([Math.ceil(learned / 4) + 1024], mx.float32, o), o).tolist()).rejects.toThrow(/out of memory: allocating .* exceeds the memory limit/);
    gpu!.setMemoryLimit(limit);
    expect(await mx.sum(mx.ones([odd / 4], mx.float32, o), o).item()).toBe(odd / 4);
  });
});
