// The language model of examples/lm-model.ts written with TensorFlow.js ops,
// for bench/lm.ts: the same layers and sizes, started from the mlx-ts model's
// weights, trained with the same clipped AdamW (MLX's update rule, by hand).
// tfjs has no rotary embedding or fused attention: RoPE is written with
// slices, products and a concat, attention with a materialized masked softmax.

import * as tf from "@tensorflow/tfjs-core";
import "./tfjs-gradients.js";
import type { LMConfig } from "../examples/lm-model.js";

export interface TfjsTrainOptions {
  learningRate: number;
  weightDecay: number;
  maxGradNorm: number;
}

/** TinyLM in tfjs: variables named by the mlx-ts model's dotted parameter keys. */
export class TfjsTinyLM {
  readonly vars = new Map<string, tf.Variable>();
  private readonly moments = new Map<string, [tf.Variable, tf.Variable]>();
  private readonly cos: tf.Tensor2D;
  private readonly sin: tf.Tensor2D;
  private readonly causalMask: tf.Tensor2D;

  /** `weights`: each dotted key of the mlx-ts model with its float32 values and shape. */
  constructor(readonly config: LMConfig, weights: ReadonlyMap<string, { values: Float32Array; shape: number[] }>) {
    for (const [key, w] of weights) {
      this.vars.set(key, tf.variable(tf.tensor(w.values, w.shape, "float32"), true, `lm/${key}`));
      this.moments.set(key, [tf.variable(tf.zeros(w.shape), false), tf.variable(tf.zeros(w.shape), false)]);
    }
    // RoPE (rotating halves, base 10000) over positions 0..context-1 of a head's dims
    const half = config.dims / config.heads / 2, L = config.context;
    const angles = Float32Array.from({ length: L * half }, (_, i) => Math.floor(i / half) * 10000 ** (-(i % half) / half));
    this.cos = tf.tensor2d(angles.map(Math.cos), [L, half]);
    this.sin = tf.tensor2d(angles.map(Math.sin), [L, half]);
    this.causalMask = tf.tensor2d(Float32Array.from({ length: L * L }, (_, i) => (i % L > Math.floor(i / L) ? -1e9 : 0)), [L, L]);
  }

  private v(key: string): tf.Variable {
    const v = this.vars.get(key);
    if (v === undefined) throw new Error(`TfjsTinyLM: the weights have no '${key}'`);
    return v;
  }

  private linear(x: tf.Tensor, key: string): tf.Tensor {
    const [B, L, D] = x.shape as [number, number, number];
    const y = tf.matMul(tf.reshape(x, [B * L, D]), this.v(`${key}.weight`), false, true);
    const withBias = this.vars.has(`${key}.bias`) ? tf.add(y, this.v(`${key}.bias`)) : y;
    return tf.reshape(withBias, [B, L, -1]);
  }

  private rmsNorm(x: tf.Tensor, key: string): tf.Tensor {
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-5))), this.v(`${key}.weight`));
  }

  /** [B, H, L, d] rotated by position: halves (x1, x2) -> (x1 cos - x2 sin, x1 sin + x2 cos). */
  private rope(x: tf.Tensor4D, L: number): tf.Tensor {
    const half = x.shape[3] / 2;
    const [x1, x2] = tf.split(x, [half, half], 3) as [tf.Tensor, tf.Tensor];
    const cos = tf.slice(this.cos, [0, 0], [L, half]), sin = tf.slice(this.sin, [0, 0], [L, half]);
    return tf.concat([tf.sub(tf.mul(x1, cos), tf.mul(x2, sin)), tf.add(tf.mul(x1, sin), tf.mul(x2, cos))], 3);
  }

  private attention(x: tf.Tensor, key: string): tf.Tensor {
    const [B, L] = x.shape as [number, number];
    const H = this.config.heads, d = this.config.dims / H;
    const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, L, H, d]), [0, 2, 1, 3]) as tf.Tensor4D;
    const q = this.rope(heads(this.linear(x, `${key}.query_proj`)), L);
    const k = this.rope(heads(this.linear(x, `${key}.key_proj`)), L);
    const v = heads(this.linear(x, `${key}.value_proj`));
    const mask = tf.slice(this.causalMask, [0, 0], [L, L]);
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(d)), mask);
    const out = tf.matMul(tf.softmax(scores), v);
    return this.linear(tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [B, L, this.config.dims]), `${key}.out_proj`);
  }

  /** Next-character logits [B, L, vocabSize] of int32 token ids [B, L]. */
  logits(tokens: tf.Tensor2D): tf.Tensor {
    let x: tf.Tensor = tf.gather(this.v("embedding.weight"), tokens);
    for (let i = 0; i < this.config.layers; i++) {
      const b = `blocks.${i}`;
      x = tf.add(x, this.attention(this.rmsNorm(x, `${b}.attentionNorm`), `${b}.attention`));
      const h = this.linear(this.rmsNorm(x, `${b}.mlpNorm`), `${b}.mlpIn`);
      const gelu = tf.mul(tf.mul(h, 0.5), tf.add(tf.erf(tf.mul(h, Math.SQRT1_2)), 1));
      x = tf.add(x, this.linear(gelu, `${b}.mlpOut`));
    }
    return this.linear(this.rmsNorm(x, "norm"), "head");
  }

  /** The mean next-character cross-entropy. */
  loss(inputs: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
    const V = this.config.vocabSize;
    const logp = tf.logSoftmax(tf.reshape(this.logits(inputs), [-1, V]));
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(tf.reshape(targets, [-1]), V), logp), -1))) as tf.Scalar;
  }

  /**
   * One step: the loss and its gradients, clipped to a global norm, then
   * MLX's AdamW (p ← p(1 − lr·wd); m, v moments; p ← p − lr·m / (√v + eps),
   * no bias correction). Returns the loss read back (as mlx-ts's trainer does).
   */
  async step(inputs: tf.Tensor2D, targets: tf.Tensor2D, o: TfjsTrainOptions): Promise<number> {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => this.loss(inputs, targets), [...this.vars.values()]);
      // summed pairwise: tf.addN binds every input at once, past the device's storage-buffer limit
      const norm = tf.sqrt(Object.values(grads).map((g) => tf.sum(tf.square(g))).reduce((a, b) => tf.add(a, b)));
      const scale = tf.minimum(tf.div(o.maxGradNorm, tf.add(norm, 1e-6)), 1);
      for (const [key, p] of this.vars) {
        const g = tf.mul(grads[`lm/${key}`]!, scale);
        const [m, v] = this.moments.get(key)!;
        m.assign(tf.add(tf.mul(m, 0.9), tf.mul(g, 0.1)));
        v.assign(tf.add(tf.mul(v, 0.999), tf.mul(tf.square(g), 0.001)));
        const decayed = tf.mul(p, 1 - o.learningRate * o.weightDecay);
        p.assign(tf.sub(decayed, tf.mul(tf.div(m, tf.add(tf.sqrt(v), 1e-8)), o.learningRate)));
      }
      return value;
    });
    const value = (await loss.data())[0]!;
    loss.dispose();
    return value;
  }
}
