// The WebGPU backend in Node, on Dawn: started (awaited once, at import of the
// package entry) unless MLX_TS_WEBGPU=0; where Dawn cannot start, the backend
// is marked unavailable with Dawn's reason. The browser entry is browser.ts.

import { markUnavailable } from "../backend.js";
import { requestDawnAdapter } from "./dawn.js";
import { registerOnAdapter } from "./register.js";

/** Starts Dawn and registers the backend; MLX_TS_WEBGPU=0 skips it. */
export async function registerWebGpu(): Promise<void> {
  if (process.env.MLX_TS_WEBGPU === "0") {
    markUnavailable("webgpu", "disabled by MLX_TS_WEBGPU=0");
    return;
  }
  await registerOnAdapter(await requestDawnAdapter());
}
