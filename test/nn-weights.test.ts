// Module.saveWeights / loadWeights: MLX's checkpoints (dotted keys in .npz or
// .safetensors), round trips, strict key and shape checks, NumPy reading the
// .npz keys MLX would write.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { itWithNumpy, runPython } from "./helpers/numpy.js";

class Mlp extends mx.nn.Module {
  layers: mx.nn.Linear[];
  constructor() {
    super();
    this.layers = [new mx.nn.Linear(3, 4), new mx.nn.Linear(4, 2)];
  }
  forward(x: mx.MxArray): mx.MxArray {
    return this.layers[1]!.forward(mx.nn.relu(this.layers[0]!.forward(x)));
  }
}

const dir = mkdtempSync(join(tmpdir(), "mx-weights-"));
const x = mx.array([[1, -2, 0.5]], mx.float32);

describe("Module.saveWeights and loadWeights", () => {
  it.each(["model.npz", "model.safetensors"])("round-trips %s", async (name) => {
    const a = new Mlp(), b = new Mlp();
    const file = join(dir, name);
    await a.saveWeights(file);
    expect(await b.forward(x).tolist()).not.toEqual(await a.forward(x).tolist());
    b.loadWeights(file);
    expect(await b.forward(x).tolist()).toEqual(await a.forward(x).tolist());
    const keys = Object.keys(mx.load(file) as Record<string, mx.MxArray>).sort();
    expect(keys).toEqual(["layers.0.bias", "layers.0.weight", "layers.1.bias", "layers.1.weight"]);
  });

  itWithNumpy("writes the keys NumPy (and MLX) read from an .npz", async () => {
    const file = join(dir, "numpy.npz");
    await new Mlp().saveWeights(file);
    const keys = runPython(`import json, numpy as np; d = np.load(${JSON.stringify(file)}); print(json.dumps(sorted([k, list(d[k].shape)] for k in d.files)))`);
    expect(keys).toEqual([["layers.0.bias", [4]], ["layers.0.weight", [4, 3]], ["layers.1.bias", [2]], ["layers.1.weight", [2, 4]]]);
  });

  it("checks keys and shapes when strict, updates the given ones when not", () => {
    const m = new Mlp();
    const w = m.parameters();
    const flat = mx.utils.treeFlatten(w) as [string, mx.MxArray][];
    expect(() => m.loadWeights(flat.slice(1))).toThrow(/^\[Module.loadWeights\] missing parameters: layers.0.weight/);
    expect(() => m.loadWeights([...flat, ["extra", mx.zeros([1])]])).toThrow(/^\[Module.loadWeights\] received parameters not in the model: extra/);
    expect(() => m.loadWeights([["layers.0.weight", mx.zeros([3, 4])], ...flat.slice(1)])).toThrow(/expected shape \[4, 3\] but received shape \[3, 4\] for parameter 'layers.0.weight'/);
    const bias = mx.full([2], 7, mx.float32);
    m.loadWeights([["layers.1.bias", bias]], { strict: false });
    expect(m.layers[1]!.bias).toBe(bias);
    expect(() => m.loadWeights(join(dir, "none.npz"))).toThrow(/^\[load\]/);
    expect(() => m.loadWeights(42 as never)).toThrow(/^\[Module.loadWeights\] weights must be a file path/);
  });

  it("refuses a file extension it cannot write", async () => {
    await expect(new Mlp().saveWeights(join(dir, "model.bin"))).rejects.toThrow(/^\[Module.saveWeights\] unsupported file extension/);
  });
});
