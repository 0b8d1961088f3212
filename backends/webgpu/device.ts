// The WebGPU device on an adapter found by an entry (Dawn in Node:
// dawn.ts; `navigator.gpu` in a browser: navigator-gpu.ts): the limits raised
// to the adapter's and the optional features it offers (shader-f16,
// subgroups, timestamp-query, and the subgroup matrices of matmul-int8.ts).
// Returns the reason when no device starts; says whether its subgroups have
// one size and whether the adapter is a software one.

export interface GpuContext {
  /** The GPU entry point and adapter, held so the collector never tears them down under the device. */
  gpu: GPU;
  adapter: GPUAdapter;
  device: GPUDevice;
  features: ReadonlySet<string>;
  description: string;
}

/** What an entry found: the GPU entry point and its adapter, or the reason there is none. */
export type FoundAdapter = { gpu: GPU; adapter: GPUAdapter } | string;

const OPTIONAL_FEATURES = ["shader-f16", "subgroups", "timestamp-query", "chromium-experimental-subgroup-matrix"] as const;

const RAISED_LIMITS = [
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxStorageBuffersPerShaderStage",
  "maxComputeWorkgroupSizeX",
] as const;

export async function openDevice(gpu: GPU, adapter: GPUAdapter): Promise<GpuContext | string> {
  const features = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));
  const limits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) limits[name] = adapter.limits[name];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures: features as GPUFeatureName[], requiredLimits: limits });
  } catch (e) {
    return `the WebGPU adapter could not create a device: ${(e as Error).message}`;
  }
  const info = (adapter as { info?: GPUAdapterInfo }).info;
  const description = [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(" ") || "unknown adapter";
  return { gpu, adapter, device, features: new Set(features), description };
}

/** The one size every subgroup of a compute dispatch has, where the adapter fixes it (its minimum and maximum agree). */
export function fixedSubgroupSize(ctx: GpuContext): number | undefined {
  const info = (ctx.adapter as { info?: { subgroupMinSize?: number; subgroupMaxSize?: number } }).info;
  return info?.subgroupMinSize !== undefined && info.subgroupMinSize === info.subgroupMaxSize ? info.subgroupMinSize : undefined;
}

/** Whether the adapter runs on the CPU (lavapipe, SwiftShader: architecture "software", or the fallback adapter). */
export function isSoftwareAdapter(ctx: GpuContext): boolean {
  const info = (ctx.adapter as { info?: { architecture?: string; isFallbackAdapter?: boolean } }).info;
  return info?.architecture === "software" || info?.isFallbackAdapter === true;
}
