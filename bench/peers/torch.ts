// The PyTorch (CUDA) peer of the webgpu benchmarks: runs bench/peers/torch_ops.py
// in a Python subprocess on the same machine and returns its milliseconds per
// op by case key; empty where python3 has no torch or torch has no CUDA device.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** One case for torch_ops.py: its case name and arguments; `key` names the result. */
export type TorchCase = [name: string, args: Record<string, unknown> & { key: string }];

/** Torch's milliseconds per op for each case key, or {} where torch or CUDA is absent (the reason goes to stderr). */
export function torchTimes(cases: readonly TorchCase[]): Record<string, number> {
  const script = fileURLToPath(new URL("./torch_ops.py", import.meta.url));
  const r = spawnSync("python3", [script, JSON.stringify(cases)], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    console.error(`no torch peer: ${(r.stderr || r.error?.message || "").trim().split("\n").pop()}`);
    return {};
  }
  // cases torch could not run are reported on stderr and missing from the result
  if (r.stderr.trim()) console.error(r.stderr.trim());
  return JSON.parse(r.stdout) as Record<string, number>;
}
