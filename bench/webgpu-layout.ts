// The webgpu backend's layout copies (a materialised transpose, 3-D
// permutations, concatenate, pad) against the plain WGSL copy kernel of the
// same run, the bandwidth ceiling (issue 17, item 3): GB/s counts the bytes
// read and written; the copy is timed again just before each row and the
// row's share is of that copy (a shared machine's load drifts within a run),
// beside the share of its kernels alone where the device has timestamps (the
// copy's device time measured in the same pairs of runs: bench/gpu-timer.ts,
// pairedDeviceRuns); and
// beside PyTorch (CUDA) on the same card, run after ours in one subprocess
// (bench/peers/torch_ops.py): its GB/s (same bytes) and its share of its own
// copy_ of the same count; n/a where torch or CUDA is absent.
// Run: npx tsx bench/webgpu-layout.ts [--small] [--only REGEX]
//   (--small: 1M elements for lavapipe, else 64M; --only: the rows whose name matches)

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
/** Elements of every row's output (about): a square side, and a 3-D shape of the same count. */
const SIDE = small ? 1024 : 8192;
const CUBE = small ? [64, 128, 128] : [256, 512, 512];
const N = SIDE * SIDE;

const gpu = getBackend("webgpu") as WebGpuBackend;
const o = { stream: mx.webgpu };

/** One benchmark: the shapes of its inputs, the op over them, the elements it reads and writes, torch's case (less its dtype), and its dtypes (default float32 and float16). */
interface Bench {
  key: string;
  inputs: number[][];
  run: (xs: mx.MxArray[]) => mx.MxArray;
  elementsMoved: number;
  torch: [name: string, args: Record<string, unknown>];
  dtypes?: mx.DType[];
}

/** A dtype's short name in a row's key. */
const SHORT: Record<string, string> = { float32: "f32", float16: "f16", int8: "i8" };

const materialised = (x: mx.MxArray, axes: number[]) => mx.contiguous(mx.transpose(x, axes, o), false, o);

const benches: Bench[] = [
  { key: `transpose [${SIDE}, ${SIDE}]`, inputs: [[SIDE, SIDE]], run: ([x]) => materialised(x!, [1, 0]), elementsMoved: 2 * N, torch: ["permute", { shape: [SIDE, SIDE], axes: [1, 0] }] },
  { key: `transpose [${CUBE.join(", ")}] (0, 2, 1)`, inputs: [CUBE], run: ([x]) => materialised(x!, [0, 2, 1]), elementsMoved: 2 * N, torch: ["permute", { shape: CUBE, axes: [0, 2, 1] }] },
  { key: `transpose [${CUBE.join(", ")}] (2, 1, 0)`, inputs: [CUBE], run: ([x]) => materialised(x!, [2, 1, 0]), elementsMoved: 2 * N, torch: ["permute", { shape: CUBE, axes: [2, 1, 0] }] },
];
for (const parts of [2, 4]) {
  for (const [axis, shape] of [[0, [SIDE / parts, SIDE]], [1, [SIDE, SIDE / parts]]] as const) {
    const inputs: number[][] = Array(parts).fill(shape);
    benches.push({ key: `concatenate ${parts} x [${shape.join(", ")}] axis ${axis}`, inputs, run: (xs) => mx.concatenate(xs, { axis, ...o }), elementsMoved: 2 * N, torch: ["cat", { shapes: inputs, axis }] });
  }
}
// runs that start inside a word (float16, int8): the second input's rows follow an odd number of elements
benches.push({ key: `concatenate [${SIDE}, ${SIDE / 2 - 1}], [${SIDE}, ${SIDE / 2 + 1}] axis 1`, inputs: [[SIDE, SIDE / 2 - 1], [SIDE, SIDE / 2 + 1]], run: (xs) => mx.concatenate(xs, { axis: 1, ...o }), elementsMoved: 2 * N, torch: ["cat", { shapes: [[SIDE, SIDE / 2 - 1], [SIDE, SIDE / 2 + 1]], axis: 1 }], dtypes: [mx.float16, mx.int8] });
// shorter shifted runs (float16: 1023.5 words, four words an invocation of a run-major chunk)
benches.push({ key: `concatenate [${SIDE}, ${SIDE / 4 - 1}], [${SIDE}, ${(3 * SIDE) / 4 + 1}] axis 1`, inputs: [[SIDE, SIDE / 4 - 1], [SIDE, (3 * SIDE) / 4 + 1]], run: (xs) => mx.concatenate(xs, { axis: 1, ...o }), elementsMoved: 2 * N, torch: ["cat", { shapes: [[SIDE, SIDE / 4 - 1], [SIDE, (3 * SIDE) / 4 + 1]], axis: 1 }], dtypes: [mx.float16, mx.int8] });
// float16 output rows of an odd length (SIDE - 1): the second input's runs shifted and words split across rows
benches.push({ key: `concatenate [${SIDE}, ${SIDE / 2 - 1}], [${SIDE}, ${SIDE / 2}] axis 1`, inputs: [[SIDE, SIDE / 2 - 1], [SIDE, SIDE / 2]], run: (xs) => mx.concatenate(xs, { axis: 1, ...o }), elementsMoved: 2 * (N - SIDE), torch: ["cat", { shapes: [[SIDE, SIDE / 2 - 1], [SIDE, SIDE / 2]], axis: 1 }], dtypes: [mx.float16] });
for (const by of [1, 8]) {
  const out = (SIDE + 2 * by) ** 2;
  // int8 by 1: output rows of SIDE + 2 bytes, words split across rows
  const dtypes = by === 1 ? [mx.float32, mx.float16, mx.int8] : undefined;
  benches.push({ key: `pad [${SIDE}, ${SIDE}] by ${by}`, inputs: [[SIDE, SIDE]], run: ([x]) => mx.pad(x!, by, o), elementsMoved: N + out, torch: ["pad", { shape: [SIDE, SIDE], by }], dtypes });
}
// float16 output rows of an odd length (SIDE + 1): words split across rows
const odd = SIDE - 1;
benches.push({ key: `pad [${odd}, ${odd}] by 1`, inputs: [[odd, odd]], run: ([x]) => mx.pad(x!, 1, o), elementsMoved: odd * odd + (odd + 2) ** 2, torch: ["pad", { shape: [odd, odd], by: 1 }], dtypes: [mx.float16] });

/** Each row: a benchmark at a dtype, by the name the table and --only give it. */
const selected = [mx.float32, mx.float16, mx.int8]
  .flatMap((dtype) => benches.filter((bench) => (bench.dtypes ?? [mx.float32, mx.float16]).includes(dtype)).map((bench) => ({ bench, dtype, key: `${bench.key} ${SHORT[dtype.name]!}` })))
  .filter(({ key }) => !only || only.test(key));
const first = await copyBandwidth(gpu.ctx.device, N, REPS, WARMUP_MS);
/** The copy kernel on the device, timed beside each row's kernels in pairs (bench/gpu-timer.ts, pairedDeviceRuns); undefined without timestamps. */
const copyTimer = copyDeviceTimer(gpu.ctx.device, N, REPS);
/** The copy kernel's device GB/s at the start, printed in the table (the shares take the pairs'). */
const copyDevice = copyTimer && (await copyDeviceBandwidth(copyTimer));
/** Our side of each selected row: the bytes it moves, wall-clock GB/s, the shares' label, and the copy timed just before it. */
const measured: CopyRow[] = [];
for (const { bench, dtype, key } of selected) {
  // the ceiling: a copy of N 32-bit words
  const copy = await copyBandwidth(gpu.ctx.device, N, REPS, WARMUP_MS);
  mx.clearCache();
  const xs = bench.inputs.map((s, i) => mx.astype(mx.random.normal(s, { key: mx.random.key(i + 1), stream: mx.webgpu }), dtype, o));
  await mx.eval(xs);
  const bytes = bench.elementsMoved * dtype.size;
  const { gbps, label } = await shareOfCopy(gpu, async () => {
    const rs = Array.from({ length: REPS }, () => bench.run(xs));
    await mx.eval(rs);
    for (const r of rs) r.dispose();
  }, REPS, bytes, { wall: copy, device: copyTimer }, WARMUP_MS);
  measured.push({ key, bytes, gbps, label, copy });
  for (const x of xs) x.dispose();
}
copyTimer?.destroy();

// torch after all of ours (its subprocess holds the GPU while it runs): the same ops, and its copy_ of N floats
const torch = torchTimes([
  torchCopyCase(N, WARMUP_MS),
  ...selected.map(({ bench, dtype, key }): TorchCase => [bench.torch[0], { ...bench.torch[1], dtype: dtype.name, key, warmup_ms: WARMUP_MS }]),
]);
const copyName = `copy kernel ${N / 2 ** 20}M f32${copyDevice === undefined ? "" : ` (device time: ${copyDevice.toFixed(0)} GB/s)`}`;
const rows = copyAndTorchRows(copyName, first, N, measured, torch);

printPeersTable(`mlx-ts webgpu layout copies vs the WGSL copy kernel of the same run and PyTorch (CUDA) on the same card (${gpu.ctx.description}); the copy column and its ratio: the copy timed just before the row; torch's share: of its own copy_ of ${N / 2 ** 20}M f32`, ["copy kernel", "torch"], rows);
