// The PyTorch (CUDA) peer of the webgpu benchmarks: runs bench/peers/torch_ops.py
// in a Python subprocess on the same machine and returns its milliseconds per
// op by case key; empty where python3 has no torch or torch has no CUDA device.
// Also the table rows of benches held against the copy kernel and torch.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { MultiRow } from "../harness.js";

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

/** Torch's copy_ of `n` floats (key "copy"), the ceiling copyAndTorchRows holds torch's rows against. */
export const torchCopyCase = (n: number, warmupMs: number): TorchCase => ["copy", { n, key: "copy", warmup_ms: warmupMs }];

/** One of our rows timed against the copy kernel just before it: its key, bytes moved, wall-clock GB/s, the shares' label, that copy's GB/s. */
export interface CopyRow {
  key: string;
  bytes: number;
  gbps: number;
  label: string;
  copy: number;
}

/**
 * The rows of a table against the copy kernel and torch: the copy kernel
 * (`copyName`, `copyGBs`) beside torch's copy_ of `n` floats (torchCopyCase),
 * then each of `rows` beside torch's GB/s for its key (same bytes) and, in
 * its name, torch's share of its own copy; NaN (n/a) where torch has no time.
 */
export function copyAndTorchRows(copyName: string, copyGBs: number, n: number, rows: readonly CopyRow[], torch: Record<string, number>): MultiRow[] {
  const gbps = (bytes: number, ms: number | undefined) => (ms === undefined ? NaN : bytes / (ms / 1000) / 1e9);
  const torchCopy = gbps(2 * n * 4, torch.copy);
  return [
    { name: copyName, unit: "GB/s", ours: copyGBs, peers: [copyGBs, torchCopy], higherIsBetter: true },
    ...rows.map(({ key, bytes, gbps: ours, label, copy }) => {
      const theirs = gbps(bytes, torch[key]);
      const share = (100 * theirs) / torchCopy;
      return { name: `${key} (${label}${Number.isNaN(share) ? "" : `; torch ${share.toFixed(0)}% of its copy`})`, unit: "GB/s", ours, peers: [copy, theirs], higherIsBetter: true };
    }),
  ];
}
