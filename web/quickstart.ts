// The README's tour, then examples/quickstart.ts, in a browser on the library
// bundle (dist/browser/mlx-ts.js): run on webgpu (navigator.gpu) when the
// browser gives an adapter, and on the cpu reference to compare; every line
// printed on the page, the values published as JSON.

import * as mx from "../browser.js";
import { print, publish, publishError } from "./page.js";

/** What one run computed, for the test to check. */
interface QuickstartValues {
  device: string;
  y: unknown;
  h: string;
  grad: unknown;
  gpuWithinUlp: boolean;
  probs: unknown;
  rowSums: unknown;
  f16: unknown;
  argmax: unknown;
}

/** What `mx.print` prints for an array (values read from its device), on the page instead of the console. */
async function shown(x: mx.MxArray): Promise<string> {
  await x.data();
  return x.toString();
}

async function quickstart(device: mx.Device, log: (line: string) => void): Promise<QuickstartValues> {
  mx.setDefaultDevice(device);
  log(`device: ${mx.defaultDevice()}`);

  // README, the tour: lazy arrays, dtypes, a transform, a GPU checked against the cpu reference
  const x = mx.array([[1, 2, 3], [4, 5, 6]], mx.float32);
  const y = x.multiply(2).add(1).sum({ axis: 1 }); // lazy: nothing computed yet
  await mx.eval(y);
  log(await shown(y));
  const h = mx.add(mx.array([1.5], mx.float16), 1);
  log(h.dtype.name);
  const loss = (w: mx.MxArray) => mx.sum(mx.square(w));
  const grad = await mx.grad(loss)(mx.array([1, 2, 3], mx.float32)).tolist();
  log(JSON.stringify(grad));
  const gpu = mx.isAvailable(mx.gpu) ? mx.gpu : mx.cpu;
  const z = mx.softmax(mx.random.normal([64, 64], { key: mx.random.key(0), stream: gpu }), { axis: -1 });
  const [check] = await mx.checkNumerics((a) => mx.exp(a), [z]);
  const gpuWithinUlp = check!.backends.every((b) => b.maxUlp < 8);
  log(String(gpuWithinUlp));

  // examples/quickstart.ts
  const w = mx.random.normal([3, 2], { key: mx.random.key(0) });
  const probs = mx.softmax(mx.matmul(x, w), { axis: -1 });
  const rowSums = probs.sum({ axis: 1 });
  await mx.eval(probs, rowSums);
  const f16 = mx.add(mx.array([1.5, 2.25], mx.float16), 1);
  log(`x = ${await shown(x)}`);
  log(`w = ${await shown(w)}`);
  log(`softmax(x @ w) = ${await shown(probs)}`);
  log(`row sums = ${await shown(rowSums)}`);
  log(`f16 arithmetic stays f16: ${await shown(f16)}`);
  const argmax = await mx.argmax(probs, { axis: 1 }).tolist();
  log(`argmax per row: ${JSON.stringify(argmax)}`);
  return {
    device: String(mx.defaultDevice()),
    y: await y.tolist(),
    h: h.dtype.name,
    grad,
    gpuWithinUlp,
    probs: await probs.tolist(),
    rowSums: await rowSums.tolist(),
    f16: await f16.tolist(),
    argmax,
  };
}

/** The adapter the browser offers, as it describes itself (for the page and the report of what ran). */
async function adapterInfo(): Promise<Record<string, unknown> | string> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) return "no navigator.gpu";
  const adapter = await gpu.requestAdapter();
  if (!adapter) return "navigator.gpu.requestAdapter() gave no adapter";
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo & { isFallbackAdapter?: boolean } }).info;
  return { vendor: info?.vendor, architecture: info?.architecture, device: info?.device, description: info?.description, fallback: info?.isFallbackAdapter };
}

try {
  const unavailable = Object.fromEntries(mx.unavailableBackends());
  const adapter = await adapterInfo();
  print("quickstart", `backends: ${mx.registeredBackends().map((b) => b.name).join(", ")}${Object.entries(unavailable).map(([b, why]) => `; ${b} unavailable: ${why}`).join("")}`);
  print("quickstart", `WebGPU adapter: ${JSON.stringify(adapter)}`);
  const runs: Record<string, QuickstartValues> = {};
  for (const device of mx.isAvailable(mx.webgpu) ? [mx.webgpu, mx.cpu] : [mx.cpu]) {
    print("quickstart", `\n--- on ${device.backend} ---`);
    runs[device.backend] = await quickstart(device, (line) => print("quickstart", line));
  }
  publish("quickstart", { backends: mx.registeredBackends().map((b) => b.name), unavailable, adapter, runs });
} catch (e) {
  publishError("quickstart", e);
}
