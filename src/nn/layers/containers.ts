// nn.Sequential (MLX's): calls its layers in order, each on the output of
// the one before. Layers are Modules with a forward, or plain functions.

import type { MxArray } from "../../array.js";
import { describeValue } from "../../errors.js";
import { Module } from "../module.js";

/** A step of a Sequential: a module with a one-input forward, or a function. */
export type Layer = (Module & { forward(x: MxArray): MxArray }) | ((x: MxArray) => MxArray);

/** Its layers, called in order (`layers`, a list, so parameters are `layers.0.weight`, ...). */
export class Sequential extends Module {
  layers: Layer[];
  constructor(...modules: Layer[]) {
    super();
    modules.forEach((m, i) => {
      const ok = typeof m === "function" || (m instanceof Module && typeof (m as { forward?: unknown }).forward === "function");
      if (!ok) throw new TypeError(`[nn.Sequential] modules[${i}] must be a Module with a forward method or a function, got ${describeValue(m)}`);
    });
    this.layers = modules;
  }

  /**
   * Each layer applied to the previous one's output.
   * @example
   * ```ts
   * const model = new mx.nn.Sequential(new mx.nn.ReLU(), (x) => mx.multiply(x, 2));
   * await model.forward(mx.array([-1, 3])).tolist(); // [0, 6]
   * ```
   */
  forward(x: MxArray): MxArray {
    return this.layers.reduce((h, layer) => (typeof layer === "function" ? layer(h) : layer.forward(h)), x);
  }
}
