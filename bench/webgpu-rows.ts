// The webgpu backend's row ops and reductions (softmax, logsumexp, sum, mean,
// max, argmax: over whole arrays and along the last axis) against the plain WGSL
// copy kernel of the same run, the bandwidth ceiling (issue 17, item 3), and
// beside PyTorch (CUDA) on the same card. The copy is timed again just before
// each row and the row's share is of that copy (a shared machine's load drifts
// within a run); where the device has timestamp-query, the share of the row's
// kernels alone (device time of its compute passes, without the host's
// encoding, against the copy's device time in the same pairs of runs:
// bench/gpu-timer.ts, pairedDeviceRuns) is shown beside it. Torch runs the
// same ops after ours, in one subprocess (bench/peers/torch_ops.py), with its
// copy_ of the same count as its ceiling: its GB/s (same bytes) and its share
// of that copy; n/a where torch or CUDA is absent.
// Run: npx tsx bench/webgpu-rows.ts [--small] [--only REGEX] [--elements N]
//   (--small: sizes for lavapipe; --only: the benchmarks whose name matches;
//   --elements: the whole arrays' and the copy's count, a power of two,
//   to see how a row's share moves with its bytes)

import * as mx from "../index.js";
import { getBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import { printPeersTable } from "./harness.js";
import { copyBandwidth, copyDeviceBandwidth, copyDeviceTimer } from "./webgpu-copy.js";
import { shareOfCopy } from "./gpu-timer.js";
import { copyAndTorchRows, torchCopyCase, torchTimes, type CopyRow, type TorchCase } from "./peers/torch.js";

const args = process.argv.slice(2);
const small = args.includes("--small");
const only = args.includes("--only") ? new RegExp(args[args.indexOf("--only") + 1] ?? "") : undefined;
const REPS = 10;
const WARMUP_MS = small ? 0 : 1000;
const elements = args.includes("--elements") ? Number(args[args.indexOf("--elements") + 1]) : undefined;
if (elements !== undefined && !(Number.isInteger(Math.log2(elements)) && elements >= 1 << 16)) throw new Error(`--elements takes a power of two of at least 65536, got ${args[args.indexOf("--elements") + 1]}`);
const N = elements ?? (small ? 1 << 20 : 1 << 26);
const [ROWS, COLS] = small ? [256, 4096] : [16384, 4096];

const gpu = getBackend("webgpu") as WebGpuBackend;
const o = { stream: mx.webgpu };

/** One benchmark: its input, the op and its axis (null: the whole array), and the bytes it must move (read + written). */
interface Bench {
  key: string;
  shape: number[];
  dtype: mx.DType;
  op: "softmax" | "logsumexp" | "sum" | "mean" | "max" | "argmax";
  axis: -1 | null;
  bytes: number;
}

const rowsKey = `${ROWS}x${COLS}`, fullKey = `${N / 2 ** 20}M`;
const benches: Bench[] = [];
for (const dtype of [mx.float32, mx.float16, mx.bfloat16]) {
  const size = dtype.size, name = dtype.name === "float32" ? "f32" : dtype.name === "float16" ? "f16" : "bf16";
  // rows of ROWS x COLS: softmax writes every element, logsumexp one per row
  benches.push({ key: `softmax ${rowsKey} ${name}`, shape: [ROWS, COLS], dtype, op: "softmax", axis: -1, bytes: 2 * ROWS * COLS * size });
  benches.push({ key: `logsumexp ${rowsKey} ${name}`, shape: [ROWS, COLS], dtype, op: "logsumexp", axis: -1, bytes: ROWS * COLS * size + ROWS * size });
  // mean: a float16/bfloat16 input summed into float32 as it is read (no widened copy)
  for (const op of ["sum", "mean", "max"] as const) {
    benches.push({ key: `${op} ${fullKey} ${name}`, shape: [N], dtype, op, axis: null, bytes: N * size });
    benches.push({ key: `${op} ${rowsKey} ${name} (last axis)`, shape: [ROWS, COLS], dtype, op, axis: -1, bytes: ROWS * COLS * size + ROWS * size });
  }
  // rows half as long (twice as many): a workgroup's row alone holds too few bytes to keep in flight
  for (const op of ["sum", "argmax"] as const) {
    const [rows, cols] = [2 * ROWS, COLS / 2];
    benches.push({ key: `${op} ${rows}x${cols} ${name} (last axis)`, shape: [rows, cols], dtype, op, axis: -1, bytes: rows * cols * size + rows * (op === "sum" ? size : 4) });
  }
  // short rows (an invocation a row) and medium rows of many outputs (a group of lanes a row)
  for (const cols of [32, 1024]) {
    const rows = N / cols;
    for (const op of ["sum", "max", "argmax"] as const) {
      benches.push({ key: `${op} ${rows}x${cols} ${name} (last axis)`, shape: [rows, cols], dtype, op, axis: -1, bytes: rows * cols * size + rows * (op === "argmax" ? 4 : size) });
    }
  }
  benches.push({ key: `argmax ${fullKey} ${name}`, shape: [N], dtype, op: "argmax", axis: null, bytes: N * size });
  benches.push({ key: `argmax ${rowsKey} ${name} (last axis)`, shape: [ROWS, COLS], dtype, op: "argmax", axis: -1, bytes: ROWS * COLS * size + ROWS * 4 });
}

const selected = only ? benches.filter((b) => only.test(b.key)) : benches;
const first = await copyBandwidth(gpu.ctx.device, N, REPS, WARMUP_MS);
/** The copy kernel on the device, timed beside each row's kernels in pairs (bench/gpu-timer.ts, pairedDeviceRuns); undefined without timestamps. */
const copyTimer = copyDeviceTimer(gpu.ctx.device, N, REPS);
/** The copy kernel's device GB/s at the start, printed in the table (the shares take the pairs'). */
const copyDevice = copyTimer && (await copyDeviceBandwidth(copyTimer));
/** Our side of each selected row, against the copy timed just before it. */
const measured: CopyRow[] = [];
for (const b of selected) {
  const copy = await copyBandwidth(gpu.ctx.device, N, REPS, WARMUP_MS);
  mx.clearCache();
  const x = mx.astype(mx.random.normal(b.shape, { key: mx.random.key(1), stream: mx.webgpu }), b.dtype, o);
  await mx.eval(x);
  const { gbps, label } = await shareOfCopy(gpu, async () => {
    const rs = Array.from({ length: REPS }, () => mx[b.op](x, b.axis, o));
    await mx.eval(rs);
    for (const r of rs) r.dispose();
  }, REPS, b.bytes, { wall: copy, device: copyTimer }, WARMUP_MS);
  measured.push({ key: b.key, bytes: b.bytes, gbps, label, copy });
  x.dispose();
}
copyTimer?.destroy();

// torch after all of ours (its subprocess holds the GPU while it runs): the same ops, and its copy_ of N floats
const torch = torchTimes([
  torchCopyCase(N, WARMUP_MS),
  ...selected.map((b): TorchCase => ["reduce", { op: b.op, shape: b.shape, dtype: b.dtype.name, axis: b.axis, key: b.key, warmup_ms: WARMUP_MS }]),
]);
const copyName = `copy kernel ${fullKey} f32${copyDevice === undefined ? "" : ` (device time: ${copyDevice.toFixed(0)} GB/s)`}`;
const rows = copyAndTorchRows(copyName, first, N, measured, torch);

printPeersTable(`mlx-ts webgpu row ops and reductions vs the WGSL copy kernel of the same run and PyTorch (CUDA) on the same card (${gpu.ctx.description}); the copy column and its ratio: the copy timed just before the row; torch's share: of its own copy_ of ${fullKey} f32`, ["copy kernel", "torch"], rows);
