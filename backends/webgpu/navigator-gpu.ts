// The WebGPU adapter in a browser (or a worker): `navigator.gpu`. No Node
// APIs here; the Node entry uses Dawn (dawn.ts) instead.

import type { FoundAdapter } from "./device.js";

/** The browser's adapter, or the reason there is none. */
export async function requestBrowserAdapter(): Promise<FoundAdapter> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) {
    const secure = (globalThis as { isSecureContext?: boolean }).isSecureContext;
    return `this browser has no navigator.gpu${secure === false ? " (WebGPU needs a secure context: https:// or http://localhost)" : " (WebGPU is off or unsupported here; Chromium on Linux needs --enable-unsafe-webgpu)"}`;
  }
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) return "navigator.gpu.requestAdapter() found no adapter (none the browser allows here; Chromium on Linux without a GPU offers its software one, SwiftShader, with --enable-unsafe-webgpu)";
  return { gpu, adapter };
}
