// Starting Dawn (npm `webgpu`): the Vulkan backend, the adapter and a device
// with the limits raised to the adapter's and the optional features it offers
// (shader-f16, subgroups, timestamp-query). Returns the reason when no
// adapter or device starts, for the skip report.

import { createRequire } from "node:module";

export interface GpuContext {
  /** Dawn's instance and adapter, held so the collector never tears them down under the device. */
  gpu: GPU;
  adapter: GPUAdapter;
  device: GPUDevice;
  features: ReadonlySet<string>;
  description: string;
}

const OPTIONAL_FEATURES = ["shader-f16", "subgroups", "timestamp-query"] as const;

/** Dawn's GPU entry point, or the reason it cannot be loaded. */
function loadDawn(): { gpu: GPU; globals: Record<string, unknown> } | string {
  try {
    const { create, globals } = createRequire(import.meta.url)("webgpu") as { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
    process.env.XDG_RUNTIME_DIR ??= "/tmp";
    return { gpu: create(["backend=vulkan"]), globals };
  } catch (e) {
    return `the npm package 'webgpu' (Dawn) could not be loaded: ${(e as Error).message}`;
  }
}

export async function startGpu(): Promise<GpuContext | string> {
  const dawn = loadDawn();
  if (typeof dawn === "string") return dawn;
  // the WebGPU enums (GPUBufferUsage, GPUMapMode, ...) as globals, as in a browser
  for (const [k, v] of Object.entries(dawn.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  const adapter = await dawn.gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) {
    return "Dawn found no Vulkan adapter (on Linux without a GPU install Mesa's lavapipe from bookworm-backports: bash scripts/setup.sh as root)";
  }
  const features = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));
  const limits: Record<string, number> = {};
  for (const name of ["maxStorageBufferBindingSize", "maxBufferSize", "maxComputeWorkgroupStorageSize", "maxComputeInvocationsPerWorkgroup", "maxStorageBuffersPerShaderStage", "maxComputeWorkgroupSizeX"]) {
    limits[name] = (adapter.limits as unknown as Record<string, number>)[name]!;
  }
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures: features as GPUFeatureName[], requiredLimits: limits });
  } catch (e) {
    return `Dawn could not create a device: ${(e as Error).message}`;
  }
  const info = (adapter as unknown as { info: Record<string, string> }).info ?? {};
  const description = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(" ") || "unknown adapter";
  return { gpu: dawn.gpu, adapter, device, features: new Set(features), description };
}
