// The webgpu backend's layout copies (a materialised transpose, 3-D
// permutations, concatenate, pad) against the plain WGSL copy kernel of the
// same run, the bandwidth ceiling (issue 17, item 3): GB/s counts the bytes
// read and written; the copy is timed again just before each row and the
// row's share is of that copy (a shared machine's load drifts within a run),
// beside the share of its kernels alone where the device has timestamps.
// Run: npx tsx bench/webgpu-layout.ts [--small] [--only REGEX]
//   (--small: 1M elements for lavapipe, else 64M; --only: the rows whose name matches)

import * as mx from "../index.js";
import { getBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import { printTable, type Row } from "./harness.js";
import { copyBandwidth, copyDeviceBandwidth } from "./webgpu-copy.js";
import { shareOfCopy } from "./gpu-timer.js";

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

/** One benchmark: the shapes of its inputs, the op over them, and the elements it reads and writes. */
interface Bench {
  key: string;
  inputs: number[][];
  run: (xs: mx.MxArray[]) => mx.MxArray;
  elementsMoved: number;
}

const materialised = (x: mx.MxArray, axes: number[]) => mx.contiguous(mx.transpose(x, axes, o), false, o);

const benches: Bench[] = [
  { key: `transpose [${SIDE}, ${SIDE}]`, inputs: [[SIDE, SIDE]], run: ([x]) => materialised(x!, [1, 0]), elementsMoved: 2 * N },
  { key: `transpose [${CUBE.join(", ")}] (0, 2, 1)`, inputs: [CUBE], run: ([x]) => materialised(x!, [0, 2, 1]), elementsMoved: 2 * N },
  { key: `transpose [${CUBE.join(", ")}] (2, 1, 0)`, inputs: [CUBE], run: ([x]) => materialised(x!, [2, 1, 0]), elementsMoved: 2 * N },
];
for (const parts of [2, 4]) {
  benches.push({ key: `concatenate ${parts} x [${SIDE / parts}, ${SIDE}] axis 0`, inputs: Array(parts).fill([SIDE / parts, SIDE]), run: (xs) => mx.concatenate(xs, { axis: 0, ...o }), elementsMoved: 2 * N });
  benches.push({ key: `concatenate ${parts} x [${SIDE}, ${SIDE / parts}] axis 1`, inputs: Array(parts).fill([SIDE, SIDE / parts]), run: (xs) => mx.concatenate(xs, { axis: 1, ...o }), elementsMoved: 2 * N });
}
for (const by of [1, 8]) {
  const out = (SIDE + 2 * by) ** 2;
  benches.push({ key: `pad [${SIDE}, ${SIDE}] by ${by}`, inputs: [[SIDE, SIDE]], run: ([x]) => mx.pad(x!, by, o), elementsMoved: N + out });
}

const rows: Row[] = [];
const first = await copyBandwidth(gpu.ctx.device, N, REPS, WARMUP_MS);
/** The copy kernel by device time: the ceiling of the rows\' kernels-alone shares (undefined without timestamps). */
const copyDevice = await copyDeviceBandwidth(gpu.ctx.device, N, REPS);
rows.push({ name: `copy kernel ${N / 2 ** 20}M f32${copyDevice === undefined ? "" : ` (device time: ${copyDevice.toFixed(0)} GB/s)`}`, unit: "GB/s", ours: first, peer: first, higherIsBetter: true });
for (const dtype of [mx.float32, mx.float16]) {
  const name = dtype === mx.float32 ? "f32" : "f16";
  for (const b of benches) {
    const key = `${b.key} ${name}`;
    if (only && !only.test(key)) continue;
    // the ceiling: a copy of N 32-bit words
    const copy = await copyBandwidth(gpu.ctx.device, N, REPS, WARMUP_MS);
    mx.clearCache();
    const xs = b.inputs.map((s, i) => mx.astype(mx.random.normal(s, { key: mx.random.key(i + 1), stream: mx.webgpu }), dtype, o));
    await mx.eval(xs);
    const { gbps, label } = await shareOfCopy(gpu, async () => {
      const rs = Array.from({ length: REPS }, () => b.run(xs));
      await mx.eval(rs);
      for (const r of rs) r.dispose();
    }, REPS, b.elementsMoved * dtype.size, { wall: copy, device: copyDevice }, WARMUP_MS);
    rows.push({ name: `${key} (${label})`, unit: "GB/s", ours: gbps, peer: copy, higherIsBetter: true });
    for (const x of xs) x.dispose();
  }
}

printTable(`mlx-ts webgpu layout copies vs the WGSL copy kernel of the same run (${gpu.ctx.description}); the copy column and the speedup: the copy timed just before the row`, "copy kernel", rows);
