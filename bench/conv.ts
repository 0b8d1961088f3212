// conv2d on webgpu beside TensorFlow.js's WebGPU conv2d on the same Dawn
// device, with the matmul of the same GEMM shape (the implicit GEMM's ceiling):
// ResNet layers (batch 32, 3x3, padding 1) and a strided one; the stride-1
// layers both through the implicit GEMM and through Winograd F(2x2, 3x3)
// (MLX_TS_CONV_WINOGRAD=0 / =1 around each timing; the Winograd GEMM's matmul
// class tuned first). Rows time REPS back-to-back ops per device wait; TFLOP/s
// counts 2 N H W O K K C for both paths.
// Run: npx tsx bench/conv.ts [--small]   (--small: sizes for lavapipe)

import * as tf from "@tensorflow/tfjs-core";
import * as mx from "../index.js";
import { winogradPlan } from "../backends/conv-geometry.js";
import { matmulTuningSettled, tuneMatmulClass } from "../backends/webgpu/matmul-tuning.js";
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

/** `ours(f)` with the convolution path forced by MLX_TS_CONV_WINOGRAD = `mode`. */
async function oursWith(mode: "0" | "1", f: () => mx.MxArray): Promise<number> {
  const saved = process.env.MLX_TS_CONV_WINOGRAD;
  process.env.MLX_TS_CONV_WINOGRAD = mode;
  try {
    return await ours(f);
  } finally {
    if (saved === undefined) delete process.env.MLX_TS_CONV_WINOGRAD;
    else process.env.MLX_TS_CONV_WINOGRAD = saved;
  }
}

/** Tunes the matmul class of the Winograd path's 16 GEMMs of a stride-1 layer (as the tuner would in the background). */
async function tuneWinogradGemm(N: number, H: number, C: number, O: number): Promise<void> {
  const p = { strides: [1, 1], paddingLo: [1, 1], paddingHi: [1, 1], kernelDilation: [1, 1], inputDilation: [1, 1], groups: 1, flip: false };
  const limits = device.limits;
  const saved = process.env.MLX_TS_CONV_WINOGRAD;
  process.env.MLX_TS_CONV_WINOGRAD = "1";
  const plan = winogradPlan(p, { shape: [N, H, H, C], dtype: mx.float32 }, { shape: [O, 3, 3, C] }, [N, H, H, O], Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize));
  if (saved === undefined) delete process.env.MLX_TS_CONV_WINOGRAD;
  else process.env.MLX_TS_CONV_WINOGRAD = saved;
  if (plan) await tuneMatmulClass(gpu, { aDtype: mx.float32, bDtype: mx.float32, M: plan.chunk, N: O, K: C, batches: 16, aKFast: true, bKFast: false });
}

async function peer(f: () => tf.Tensor): Promise<number> {
  return (await timeMs(async () => {
    const rs = Array.from({ length: REPS }, f);
    await tfSync();
    for (const r of rs) r.dispose();
  }, 5, 1, WARMUP_MS)) / REPS;
}

for (const [N, H, C, O, stride] of small ? [[2, 14, 16, 16, 1]] : [[32, 56, 64, 64, 1], [32, 56, 64, 128, 2], [32, 28, 128, 128, 1], [32, 14, 256, 256, 1]]) {
  const x = mx.reshape(mx.array(random(N! * H! * H! * C!), mx.float32, o), [N!, H!, H!, C!], o);
  const w = mx.reshape(mx.array(random(O! * 9 * C!), mx.float32, o), [O!, 3, 3, C!], o);
  const tx = tf.tensor4d(random(N! * H! * H! * C!), [N!, H!, H!, C!]);
  // tfjs's filter layout is [KH, KW, C, O]
  const tw = tf.tensor4d(random(9 * C! * O!), [3, 3, C!, O!]);
  await mx.eval(x, w);
  const Ho = Math.floor((H! + 2 - 3) / stride!) + 1;
  const flop = 2 * N! * Ho * Ho * O! * 9 * C!;
  const tflops = (ms: number) => flop / (ms / 1000) / 1e12;
  const f = () => mx.conv2d(x, w, { stride, padding: 1, ...o });
  const conv = await oursWith("0", f);
  const tfConv = await peer(() => tf.conv2d(tx as tf.Tensor4D, tw as tf.Tensor4D, stride!, [[0, 0], [1, 1], [1, 1], [0, 0]], "NHWC"));
  const name = `conv2d ${N}x${H}x${H}x${C} -> ${O}, 3x3, stride ${stride} f32`;
  rows.push({ name: `${name} (implicit GEMM)`, unit: "TFLOP/s", ours: tflops(conv), peer: tflops(tfConv), higherIsBetter: true });
  if (stride === 1) {
    await tuneWinogradGemm(N!, H!, C!, O!);
    rows.push({ name: `${name} (Winograd)`, unit: "TFLOP/s", ours: tflops(await oursWith("1", f)), peer: tflops(tfConv), higherIsBetter: true });
  }
  // the same GEMM (M = N Ho Wo, K = 9 C, N = O) as a plain matmul
  const a = mx.reshape(mx.array(random(N! * Ho * Ho * 9 * C!), mx.float32, o), [N! * Ho * Ho, 9 * C!], o);
  const b = mx.reshape(mx.array(random(9 * C! * O!), mx.float32, o), [9 * C!, O!], o);
  const ta = tf.tensor2d(random(N! * Ho * Ho * 9 * C!), [N! * Ho * Ho, 9 * C!]), tb = tf.tensor2d(random(9 * C! * O!), [9 * C!, O!]);
  await mx.eval(a, b);
  // timed on its tuned tile shape (the first product starts the tuner in the background)
  mx.matmul(a, b, o).dispose();
  await matmulTuningSettled();
  const mm = await ours(() => mx.matmul(a, b, o));
  const tfMm = await peer(() => tf.matMul(ta, tb));
  rows.push({ name: `matmul ${N! * Ho * Ho}x${9 * C!} @ ${9 * C!}x${O} f32 (its GEMM)`, unit: "TFLOP/s", ours: tflops(mm), peer: tflops(tfMm), higherIsBetter: true });
  for (const t of [x, w, a, b]) t.dispose();
  for (const t of [tx, tw, ta, tb]) t.dispose();
}

printTable(`conv2d on webgpu (${gpu.displayName}) beside TensorFlow.js WebGPU`, "tfjs-webgpu", rows);
