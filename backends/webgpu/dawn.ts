// The WebGPU adapter in Node: Dawn (npm `webgpu`) on its Vulkan backend, with
// the WebGPU enums (GPUBufferUsage, GPUMapMode, ...) installed as globals as
// in a browser. Node only; the browser entry uses navigator-gpu.ts instead.

import { createRequire } from "node:module";
import type { FoundAdapter } from "./device.js";
import { withoutDawnNotices } from "./dawn-notices.js";

/** Dawn's adapter, or the reason there is none. */
export async function requestDawnAdapter(): Promise<FoundAdapter> {
  let gpu: GPU;
  try {
    const { create, globals } = createRequire(import.meta.url)("webgpu") as { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
    process.env.XDG_RUNTIME_DIR ??= "/tmp";
    // allow_unsafe_apis lets the adapter list its experimental features (the subgroup matrices of
    // matmul-int8.ts, chromium-experimental-subgroup-matrix); bounds-checked buffer access stays on.
    // Timestamps keep their full precision (a browser rounds them against timing attacks; on the H200
    // Dawn's rounding made every pass time a multiple of 65.5 us, too coarse for the matmul tuner)
    gpu = create(["backend=vulkan", "enable-dawn-features=allow_unsafe_apis", "disable-dawn-features=timestamp_quantization"]);
    for (const [k, v] of Object.entries(globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  } catch (e) {
    return `the npm package 'webgpu' (Dawn) could not be loaded: ${(e as Error).message}`;
  }
  // Dawn finds the Vulkan devices (and prints its notices) inside this call, before it returns the promise
  const adapter = await withoutDawnNotices(() => gpu.requestAdapter({ powerPreference: "high-performance" }));
  if (!adapter) {
    return "Dawn found no Vulkan adapter (on Linux without a GPU install Mesa's lavapipe from bookworm-backports: bash scripts/setup.sh as root)";
  }
  return { gpu, adapter };
}
