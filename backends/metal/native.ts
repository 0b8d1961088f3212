// Loads the Metal backend's native addon (native/, built by `npx mlx-ts
// build-metal`) and describes it in TypeScript; where the addon is missing or
// cannot start a device, says why and which command fixes it.

import { constants as bufferConstants } from "node:buffer";
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Opaque handles made by the addon. */
export type NativeLibrary = { readonly __library: unique symbol };
export type NativePipeline = { readonly __pipeline: unique symbol };

export interface NativeBinding {
  index: number;
  buffer?: ArrayBuffer;
  offset?: number;
  /** The bytes the kernel may touch from `offset` (the array's, in whole words; not the pool block holding it): sanitizer replays hold kernels to it. */
  length?: number;
  bytes?: ArrayBufferView;
}

export interface NativeDevice {
  readonly name: string;
  readonly emulated: boolean;
  /** Host memory bound to a dispatch that the device had to copy (0 on the emulator and for page-aligned memory on a Mac). */
  readonly copiedBindings: number;
  /** The largest buffer newBuffer makes: the device's maxBufferLength, and no more than Node wraps in one ArrayBuffer. */
  readonly maxBufferLength: number;
  /** Device memory as an ArrayBuffer over the same bytes (shared storage, no copy); throws above maxBufferLength. */
  newBuffer(nbytes: number): ArrayBuffer;
  /** Detaches a buffer newBuffer made and frees its device memory now (else it is freed when collected). */
  freeBuffer(buffer: ArrayBuffer): void;
  /** `checked` (user kernels): on the emulator every access through the kernels' device pointers is held to its binding's `length`, and array indices are checked. */
  newLibrary(label: string, source: string, options?: { checked?: boolean }): NativeLibrary;
  newPipeline(library: NativeLibrary, kernel: string): NativePipeline;
  encode(pipeline: NativePipeline, bindings: NativeBinding[], grid: readonly number[], group: readonly number[]): void;
  /** Runs the encoded dispatches and waits; throws what failed. */
  commit(): void;
  /** The emulator stops a dispatch running longer than `ms` (0: never). */
  setKernelTimeout(ms: number): void;
}

interface Addon {
  Device: new (options: { shimDir: string; cacheDir: string; emulate: boolean; maxArrayBufferLength: number }) => NativeDevice;
  platform: "macos" | "linux";
}

/** The package root (this file is backends/metal/native.ts, or dist/backends/metal/native.js). */
export function packageRoot(): string {
  let dir = fileURLToPath(new URL(".", import.meta.url));
  for (let i = 0; i < 4 && !existsSync(join(dir, "package.json")); i++) dir = join(dir, "..");
  return dir;
}

const FIX = "npx mlx-ts build-metal (it names any system package it needs)";

/** Where compiled MSL libraries are cached (MLX_TS_METAL_CACHE, else the user's cache directory). */
function cacheDir(): string {
  if (process.env.MLX_TS_METAL_CACHE) return process.env.MLX_TS_METAL_CACHE;
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "mlx-ts", "msl");
}

/** The start of the reason given when the addon was never built (the one-time notice looks for it). */
export const NOT_BUILT = "the native addon is not built";

/** The device, or why there is none. */
export function openNativeDevice(): NativeDevice | string {
  const root = packageRoot();
  const addonPath = join(root, "native", "build", "Release", "mlx_ts_metal.node");
  if (!existsSync(addonPath)) return `${NOT_BUILT}; run: ${FIX}`;
  let addon: Addon;
  try {
    addon = createRequire(import.meta.url)(addonPath) as Addon;
  } catch (e) {
    return `the native addon did not load (${(e as Error).message}); run: ${FIX}`;
  }
  const emulate = addon.platform !== "macos" || process.env.MLX_TS_METAL_EMULATE === "1";
  try {
    // Node wraps external memory in an ArrayBuffer of at most buffer.constants.MAX_LENGTH bytes (4 GiB on Node 20)
    return new addon.Device({ shimDir: join(root, "native", "src", "emu", "shim"), cacheDir: cacheDir(), emulate, maxArrayBufferLength: bufferConstants.MAX_LENGTH });
  } catch (e) {
    return `no Metal device: ${(e as Error).message}`;
  }
}

/** The directory of the MSL kernel sources. */
export function mslDir(): string {
  return join(packageRoot(), "msl");
}
