// nn's quantization as MLX's: QuantizedLinear and QuantizedEmbedding in every
// mode mx.quantize has (affine, mxfp4, nvfp4, mxfp8) with MLX's defaults per
// mode and public groupSize/bits/mode, and nn.quantize's rule (a leaf module
// with a toQuantized method that the class predicate selects). cpu only.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { withDefaultDevice } from "./helpers/backends.js";

const { nn } = mx;

withDefaultDevice(mx.cpu);

const keys = (m: mx.nn.Module) => mx.utils.treeFlatten(m.parameters()).map(([k]) => k);
const close = async (a: mx.MxArray, b: mx.MxArray, atol: number) => (await mx.allclose(mx.astype(a, mx.float32), mx.astype(b, mx.float32), { atol, rtol: 0 }).item()) as boolean;

/** Each mode with MLX's default group size and bits (MLX's _defaults_for_mode). */
const MODES: [mx.QuantizationMode, number, number][] = [["affine", 64, 4], ["mxfp4", 32, 4], ["nvfp4", 16, 4], ["mxfp8", 32, 8]];

describe("quantized layers in every mode", () => {
  it.each(MODES)("%s: MLX's defaults, keys, and the dequantized weight's product", async (mode, groupSize, bits) => {
    mx.random.seed(3);
    const lin = new nn.Linear(64, 8);
    const q = nn.QuantizedLinear.fromLinear(lin, { mode });
    expect([q.mode, q.groupSize, q.bits]).toEqual([mode, groupSize, bits]);
    const affine = mode === "affine";
    expect(keys(q)).toEqual(affine ? ["weight", "scales", "biases", "bias"] : ["weight", "scales", "bias"]);
    expect("biases" in q).toBe(affine);
    expect(Object.keys(q.trainableParameters())).toEqual(["bias"]);
    const x = mx.sin(mx.reshape(mx.arange(3 * 64, mx.float32), [3, 64]));
    const w = mx.dequantize(q.weight, q.scales, q.biases ?? null, groupSize, bits, { mode, dtype: mx.float32 });
    expect(await close(q.forward(x), mx.add(mx.matmul(x, mx.transpose(w)), lin.bias!), 1e-3)).toBe(true);
    // and the quantized layer approximates the float one
    expect(await close(q.forward(x), lin.forward(x), bits === 8 ? 0.1 : 0.5)).toBe(true);

    const built = new nn.QuantizedLinear(64, 8, true, { mode });
    expect(keys(built)).toEqual(keys(q));
    expect(Object.keys(built.trainableParameters())).toEqual([]); // all frozen, as MLX's constructor does
    // unfreeze reaches the quantized parameters too (MLX's test_quantize_freeze; MLX dropped its override in 0.25.2)
    expect(Object.keys(nn.QuantizedLinear.fromLinear(lin, { mode }).unfreeze({ keys: ["scales"] }).trainableParameters())).toEqual(["scales", "bias"]);
    expect(Object.keys(new nn.QuantizedLinear(64, 8, true, { mode }).unfreeze().trainableParameters())).toEqual(keys(q));
    expect(Object.keys(new nn.QuantizedEmbedding(6, 64, { mode }).unfreeze().trainableParameters())).toEqual(affine ? ["weight", "scales", "biases"] : ["weight", "scales"]);

    const emb = new nn.Embedding(6, 64);
    const qe = nn.QuantizedEmbedding.fromEmbedding(emb, { mode });
    expect([qe.mode, qe.groupSize, qe.bits]).toEqual([mode, groupSize, bits]);
    expect(keys(qe)).toEqual(affine ? ["weight", "scales", "biases"] : ["weight", "scales"]);
    const table = mx.dequantize(qe.weight, qe.scales, qe.biases ?? null, groupSize, bits, { mode, dtype: mx.float32 });
    const idx = mx.array([[5, 0], [2, 2]]);
    const rows = qe.forward(idx);
    expect(rows.shape).toEqual([2, 2, 64]);
    expect(await close(rows, mx.take(table, idx, 0), 1e-2)).toBe(true);
    expect(await close(qe.asLinear(x), mx.matmul(x, mx.transpose(table)), 1e-3)).toBe(true);
  });

  it("refuses a mode mx.quantize lacks and a group size or bits the mode does not allow, naming the layer", () => {
    expect(() => new nn.QuantizedLinear(64, 8, true, { mode: "int4" as never })).toThrow(/^\[nn\.QuantizedLinear\] mode must be 'affine', 'mxfp4', 'mxfp8' or 'nvfp4'/);
    expect(() => new nn.QuantizedEmbedding(4, 64, { mode: "mxfp4", groupSize: 64 })).toThrow(/^\[nn\.QuantizedEmbedding\] mode 'mxfp4' requires groupSize 32/);
    expect(() => new nn.QuantizedLinear(64, 8, true, { bits: 7 })).toThrow(/^\[nn\.QuantizedLinear\] bits 7 is not supported/);
    expect(() => new nn.QuantizedLinear(64, 8, true, { groupsize: 32 } as never)).toThrow(/^\[nn\.QuantizedLinear\] unknown option 'groupsize'/);
    expect(() => nn.quantize(new nn.Linear(64, 8), { mode: "fp4" as never })).toThrow(/^\[nn\.quantize\] mode/);
  });
});

/** A user layer that quantizes itself (MLX's to_quantized protocol). */
class Scale extends nn.Module {
  weight = mx.ones([4]);
  seen: mx.nn.ToQuantizedOptions | undefined;
  forward(x: mx.MxArray) {
    return mx.multiply(x, this.weight);
  }
  toQuantized(o?: mx.nn.ToQuantizedOptions): mx.nn.Module {
    this.seen = o;
    return new nn.Identity();
  }
}

describe("nn.quantize: MLX's rule", () => {
  it("quantizes every leaf with a toQuantized method (Linear, Embedding, user layers), in any mode", () => {
    const scale = new Scale();
    const model = new nn.Sequential(new nn.Embedding(10, 64), new nn.Linear(64, 64), new nn.ReLU(), scale);
    nn.quantize(model, { mode: "mxfp4" });
    expect(model.layers.map((l) => l.constructor.name)).toEqual(["QuantizedEmbedding", "QuantizedLinear", "ReLU", "Identity"]);
    expect(scale.seen).toEqual({ groupSize: undefined, bits: undefined, mode: "mxfp4" });
    const [qe, ql] = model.layers as [mx.nn.QuantizedEmbedding, mx.nn.QuantizedLinear];
    expect([qe.mode, qe.groupSize, qe.bits, ql.mode, ql.groupSize, ql.bits]).toEqual(["mxfp4", 32, 4, "mxfp4", 32, 4]);
    expect(keys(model)).toEqual(["layers.0.weight", "layers.0.scales", "layers.1.weight", "layers.1.scales", "layers.1.bias"]);
  });

  it("passes the options a class predicate returns to that layer's toQuantized, and refuses a layer without one", () => {
    const scale = new Scale();
    const model = new nn.Sequential(new nn.Linear(64, 64), scale, new nn.ReLU());
    nn.quantize(model, { classPredicate: (path) => (path === "layers.1" ? { bits: 8, quantizeInput: false } : path === "layers.0") });
    expect(scale.seen).toEqual({ bits: 8 });
    expect(model.layers[0]!.constructor.name).toBe("QuantizedLinear");
    const relu = new nn.Sequential(new nn.ReLU());
    expect(() => nn.quantize(relu, { classPredicate: () => true })).toThrow(/^\[nn\.quantize\] cannot quantize 'layers\.0', a ReLU: it has no toQuantized method/);
    class Bad extends nn.Module {
      forward(x: mx.MxArray) {
        return x;
      }
      toQuantized() {
        return 42 as unknown as mx.nn.Module;
      }
    }
    expect(() => nn.quantize(new nn.Sequential(new Bad()))).toThrow(/^\[nn\.quantize\] the toQuantized method of 'layers\.0' \(a Bad\) must return an nn\.Module/);
    expect(() => nn.quantize(model, { classPredicate: () => "yes" as never })).toThrow(/^\[nn\.quantize\] classPredicate must return a boolean or an options object/);
  });

  it("quantizeInput turns Linear layers into QQLinear (nvfp4, mxfp8), as MLX's to_quantized", () => {
    const model = new nn.Sequential(new nn.Linear(32, 16, false), new nn.Embedding(4, 32));
    nn.quantize(model, { mode: "mxfp8", quantizeInput: true, classPredicate: (_p, m) => m instanceof nn.Linear });
    const qq = model.layers[0] as mx.nn.QQLinear;
    expect([qq.constructor.name, qq.mode, qq.groupSize, qq.bits]).toEqual(["QQLinear", "mxfp8", 32, 8]);
    expect(() => new nn.Linear(32, 16, false).toQuantized({ quantizeInput: true })).toThrow(/^\[nn\.Linear\.toQuantized\] quantizeInput needs mode "nvfp4" or "mxfp8"/);
    expect(() => new nn.Embedding(4, 32).toQuantized({ mode: "nvfp4", quantizeInput: true })).toThrow(/^\[nn\.Embedding\.toQuantized\] quantizeInput is not supported/);
    expect(() => nn.quantize(new nn.Sequential(new nn.Embedding(4, 32)), { mode: "nvfp4", quantizeInput: true })).toThrow(/^\[nn\.quantize\] quantizeInput is not supported/);
  });

  it("Linear and Embedding have toQuantized, with the mode's defaults", () => {
    const q = new nn.Linear(64, 8, false).toQuantized({ mode: "nvfp4" });
    expect([q.constructor.name, q.groupSize, q.bits, "bias" in q]).toEqual(["QuantizedLinear", 16, 4, false]);
    expect(new nn.Embedding(4, 64).toQuantized().groupSize).toBe(64);
    expect(() => new nn.Linear(64, 8).toQuantized({ bit: 8 } as never)).toThrow(/^\[nn\.Linear\.toQuantized\] unknown option 'bit'/);
  });
});
