// The one-time notice that the metal backend is not built: printed to stderr
// the first time this installation of mlx-ts is imported without its addon
// (remembered by a stamp file in the user's cache folder), never again.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { NOT_BUILT, packageRoot } from "./native.js";

/** Prints the notice once per installation when `reason` says the addon was never built. */
export function noticeMetalNotBuilt(reason: string): void {
  if (!reason.startsWith(NOT_BUILT) || process.env.MLX_TS_METAL === "0") return;
  try {
    const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "mlx-ts", "notices");
    const stamp = join(dir, `metal-not-built-${createHash("sha256").update(packageRoot()).digest("hex").slice(0, 16)}`);
    if (existsSync(stamp)) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(stamp, `${new Date().toISOString()}\n`);
  } catch {
    return; // no writable cache folder: stay quiet rather than repeat the notice on every import
  }
  console.error("mlx-ts: the metal backend is not built (cpu and webgpu work); to enable it run: npx mlx-ts build-metal (shown once)");
}
