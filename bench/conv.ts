// conv2d on webgpu beside TensorFlow.js's WebGPU conv2d on the same Dawn
// device, with the matmul of the same GEMM shape (the implicit GEMM's ceiling):
// a ResNet layer (batch 32, 56x56x64 -> 64, 3x3, padding 1) and a strided one.
// Rows time REPS back-to-back ops per device wait; TFLOP/s counts 2 N H W O K K C.
// Run: npx tsx bench/conv.ts [--small]   (--small: sizes for lavapipe)

import * as tf from "@tensorflow/tfjs-core";
import * as mx from "../index.js";
import { printTable, timeMs, type Row } from "./harness.js";
import { tfjsOnMlxDevice } from "./peers/tfjs-webgpu.js";

const small = process.argv.includes("--small");
const REPS = small ? 2 : 10;
const WARMUP_MS = small ? 0 : 1000;

const { gpu, device, tfSync } = await tfjsOnMlxDevice();
const o = { stream: mx.webgpu };
const rows: Row[] = [];
const random = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37));

/** Median ms per op of REPS ops of `f` per device wait, freed after. */
async function ours(f: () => mx.MxArray): Promise<number> {
  return (await timeMs(async () => {
    const rs = Array.from({ length: REPS }, f);
    await mx.eval(rs);
    for (const r of rs) r.dispose();
  }, 5, 1, WARMUP_MS)) / REPS;
}

async function peer(f: () => tf.Tensor): Promise<number> {
  return (await timeMs(async () => {
    const rs = Array.from({ length: REPS }, f);
    await tfSync();
    for (const r of rs) r.dispose();
  }, 5, 1, WARMUP_MS)) / REPS;
}

for (const [N, H, C, O, stride] of small ? [[2, 14, 16, 16, 1]] : [[32, 56, 64, 64, 1], [32, 56, 64, 128, 2]]) {
  const x = mx.reshape(mx.array(random(N! * H! * H! * C!), mx.float32, o), [N!, H!, H!, C!], o);
  const w = mx.reshape(mx.array(random(O! * 9 * C!), mx.float32, o), [O!, 3, 3, C!], o);
  const tx = tf.tensor4d(random(N! * H! * H! * C!), [N!, H!, H!, C!]);
  // tfjs's filter layout is [KH, KW, C, O]
  const tw = tf.tensor4d(random(9 * C! * O!), [3, 3, C!, O!]);
  await mx.eval(x, w);
  const Ho = Math.floor((H! + 2 - 3) / stride!) + 1;
  const flop = 2 * N! * Ho * Ho * O! * 9 * C!;
  const tflops = (ms: number) => flop / (ms / 1000) / 1e12;
  const conv = await ours(() => mx.conv2d(x, w, { stride, padding: 1, ...o }));
  const tfConv = await peer(() => tf.conv2d(tx as tf.Tensor4D, tw as tf.Tensor4D, stride!, [[0, 0], [1, 1], [1, 1], [0, 0]], "NHWC"));
  rows.push({ name: `conv2d ${N}x${H}x${H}x${C} -> ${O}, 3x3, stride ${stride} f32`, unit: "TFLOP/s", ours: tflops(conv), peer: tflops(tfConv), higherIsBetter: true });
  // the same GEMM (M = N Ho Wo, K = 9 C, N = O) as a plain matmul
  const a = mx.reshape(mx.array(random(N! * Ho * Ho * 9 * C!), mx.float32, o), [N! * Ho * Ho, 9 * C!], o);
  const b = mx.reshape(mx.array(random(9 * C! * O!), mx.float32, o), [9 * C!, O!], o);
  const ta = tf.tensor2d(random(N! * Ho * Ho * 9 * C!), [N! * Ho * Ho, 9 * C!]), tb = tf.tensor2d(random(9 * C! * O!), [9 * C!, O!]);
  await mx.eval(a, b);
  const mm = await ours(() => mx.matmul(a, b, o));
  const tfMm = await peer(() => tf.matMul(ta, tb));
  rows.push({ name: `matmul ${N! * Ho * Ho}x${9 * C!} @ ${9 * C!}x${O} f32 (its GEMM)`, unit: "TFLOP/s", ours: tflops(mm), peer: tflops(tfMm), higherIsBetter: true });
  for (const t of [x, w, a, b]) t.dispose();
  for (const t of [tx, tw, ta, tb]) t.dispose();
}

printTable(`conv2d on webgpu (${gpu.displayName}) beside TensorFlow.js WebGPU`, "tfjs-webgpu", rows);
