// The webgpu device as a kernel's planner sees it, changed for the tests of
// one describe block or one call: without subgroups, or with a subgroup size
// the device does not have (so every kernel's subgroup layout check fails);
// and the kernel files the backend runs.

import { afterAll, beforeAll } from "vitest";
import * as mx from "../../index.js";
import { getBackend } from "../../backends/backend.js";
import type { KernelCall, WebGpuBackend } from "../../backends/webgpu/backend.js";
import { fixedSubgroupSize, type GpuContext } from "../../backends/webgpu/device.js";

/** The device context the kernels see while a describe block's tests run. */
export type DeviceView = (ctx: GpuContext) => GpuContext;

export const asIs: DeviceView = (ctx) => ctx;
export const withoutSubgroups: DeviceView = (ctx) => ({ ...ctx, features: new Set([...ctx.features].filter((f) => f !== "subgroups")) });
/** The device claiming subgroups of twice their size: every subgroup fails a kernel's layout check. */
export const misfitSubgroups: DeviceView = (ctx) => {
  const size = 2 * fixedSubgroupSize(ctx)!;
  return { ...ctx, adapter: { info: { subgroupMinSize: size, subgroupMaxSize: size } } as unknown as GPUAdapter };
};

export const webgpuBackend = () => getBackend("webgpu") as WebGpuBackend;
/** Whether the webgpu device has subgroups of one size, below 64 (so the misfit view can double it). */
export const fixedSubgroups = mx.registeredBackends().some((b) => b.name === "webgpu") && webgpuBackend().ctx.features.has("subgroups") && (fixedSubgroupSize(webgpuBackend().ctx) ?? 64) < 64;

/** Runs a describe block's tests with the device seen through `view`, restoring it after. */
export function seenAs(view: DeviceView): void {
  let real: GpuContext | undefined;
  beforeAll(() => {
    real = webgpuBackend().ctx;
    (webgpuBackend() as { ctx: GpuContext }).ctx = view(real);
  });
  afterAll(() => {
    (webgpuBackend() as { ctx: GpuContext }).ctx = real!;
  });
}

/** `fn()` with the device seen through `view`, restored after. */
export async function whileSeenAs<T>(view: DeviceView, fn: () => Promise<T>): Promise<T> {
  const real = webgpuBackend().ctx;
  (webgpuBackend() as { ctx: GpuContext }).ctx = view(real);
  try {
    return await fn();
  } finally {
    (webgpuBackend() as { ctx: GpuContext }).ctx = real;
  }
}

/** The WGSL kernel files the webgpu backend runs while `fn` runs. */
export async function webgpuFilesRun(fn: () => Promise<unknown>): Promise<string[]> {
  const b = webgpuBackend();
  const run = b.run;
  const files: string[] = [];
  b.run = (call: KernelCall, ...rest) => (files.push(call.file), run.call(b, call, ...rest));
  try {
    await fn();
  } finally {
    b.run = run;
  }
  return files;
}
