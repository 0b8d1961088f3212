// The WebGPU backend in a browser, on `navigator.gpu`: started once (awaited
// by the browser entry, browser.ts at the root); where the browser has no
// WebGPU adapter, the backend is marked unavailable with the reason.

import { requestBrowserAdapter } from "./navigator-gpu.js";
import { registerOnAdapter } from "./register.js";

/** Asks the browser for a WebGPU adapter and registers the backend on it. */
export async function registerBrowserWebGpu(): Promise<void> {
  await registerOnAdapter(await requestBrowserAdapter());
}
