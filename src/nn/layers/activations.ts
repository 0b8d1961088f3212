// The activation layers of mx.nn (MLX's ReLU, GELU, PReLU, ...): Modules
// whose forward applies the function of the same name in activations.ts;
// PReLU holds its slopes as a parameter.

import type { MxArray } from "../../array.js";
import * as ops from "../../ops/index.js";
import * as A from "../activations.js";
import { checkChoice, checkInt, checkNumber, keywords, options, checkSize } from "../checks.js";
import { Module } from "../module.js";

/** The value of MLX's keyword argument `arg` of layer `nn.<name>`, given positionally or as `{ arg }`; `fallback` where left out. */
function kw(name: string, arg: string, v: unknown, fallback: unknown): unknown {
  return keywords(`nn.${name}`, [v], [arg])[arg] ?? fallback;
}

/** The layer form of `nn.relu`. */
export class ReLU extends Module {
  /**
   * `nn.relu(x)`.
   * @example
   * ```ts
   * await new mx.nn.ReLU().forward(mx.array([-1, 2], mx.float32)).tolist(); // [0, 2]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.relu(x);
  }
}

/** The layer form of `nn.relu6`. */
export class ReLU6 extends Module {
  /**
   * `nn.relu6(x)`.
   * @example
   * ```ts
   * await new mx.nn.ReLU6().forward(mx.array([-1, 7], mx.float32)).tolist(); // [0, 6]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.relu6(x);
  }
}

/** The layer form of `nn.relu2`. */
export class ReLU2 extends Module {
  /**
   * `nn.relu2(x)`.
   * @example
   * ```ts
   * await new mx.nn.ReLU2().forward(mx.array([-1, 3], mx.float32)).tolist(); // [0, 9]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.relu2(x);
  }
}

/** The layer form of `nn.selu`. */
export class SELU extends Module {
  /**
   * `nn.selu(x)`.
   * @example
   * ```ts
   * await new mx.nn.SELU().forward(mx.array([0, -0], mx.float32)).tolist(); // [0, -0]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.selu(x);
  }
}

/** The layer form of `nn.silu`. */
export class SiLU extends Module {
  /**
   * `nn.silu(x)`.
   * @example
   * ```ts
   * await new mx.nn.SiLU().forward(mx.array([0], mx.float32)).tolist(); // [0]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.silu(x);
  }
}

/** The layer form of `nn.mish`. */
export class Mish extends Module {
  /**
   * `nn.mish(x)`.
   * @example
   * ```ts
   * await new mx.nn.Mish().forward(mx.array([0], mx.float32)).tolist(); // [0]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.mish(x);
  }
}

/** The layer form of `nn.softplus`. */
export class Softplus extends Module {
  /**
   * `nn.softplus(x)`.
   * @example
   * ```ts
   * await new mx.nn.Softplus().forward(mx.array([0], mx.float32)).tolist(); // [0.6931471824645996]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.softplus(x);
  }
}

/** The layer form of `nn.softsign`. */
export class Softsign extends Module {
  /**
   * `nn.softsign(x)`.
   * @example
   * ```ts
   * await new mx.nn.Softsign().forward(mx.array([3], mx.float32)).tolist(); // [0.75]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.softsign(x);
  }
}

/** The layer form of `nn.hardswish`. */
export class Hardswish extends Module {
  /**
   * `nn.hardswish(x)`.
   * @example
   * ```ts
   * await new mx.nn.Hardswish().forward(mx.array([3], mx.float32)).tolist(); // [3]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.hardswish(x);
  }
}

/** The layer form of `nn.logSigmoid`. */
export class LogSigmoid extends Module {
  /**
   * `nn.logSigmoid(x)`.
   * @example
   * ```ts
   * await new mx.nn.LogSigmoid().forward(mx.array([0], mx.float32)).tolist(); // [-0.6931471824645996]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.logSigmoid(x);
  }
}

/** The layer form of `nn.sigmoid`. */
export class Sigmoid extends Module {
  /**
   * `nn.sigmoid(x)`.
   * @example
   * ```ts
   * await new mx.nn.Sigmoid().forward(mx.array([0], mx.float32)).tolist(); // [0.5]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.sigmoid(x);
  }
}

/** The layer form of `nn.tanh`. */
export class Tanh extends Module {
  /**
   * `nn.tanh(x)`.
   * @example
   * ```ts
   * await new mx.nn.Tanh().forward(mx.array([0], mx.float32)).tolist(); // [0]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.tanh(x);
  }
}

/** The layer form of `nn.leakyRelu`, with its slope (default 0.01). */
export class LeakyReLU extends Module {
  readonly _negativeSlope: number;
  constructor(negativeSlope: number | { negativeSlope?: number | undefined } = 0.01) {
    super();
    this._negativeSlope = checkNumber("nn.LeakyReLU", "negativeSlope", kw("LeakyReLU", "negativeSlope", negativeSlope, 0.01));
  }
  /**
   * `nn.leakyRelu(x, negativeSlope)`.
   * @example
   * ```ts
   * await new mx.nn.LeakyReLU(0.5).forward(mx.array([-2, 2], mx.float32)).tolist(); // [-1, 2]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.leakyRelu(x, this._negativeSlope);
  }
}

/** The layer form of `nn.elu` (default alpha 1). */
export class ELU extends Module {
  readonly _alpha: number;
  constructor(alpha: number | { alpha?: number | undefined } = 1) {
    super();
    this._alpha = checkNumber("nn.ELU", "alpha", kw("ELU", "alpha", alpha, 1));
  }
  /**
   * `nn.elu(x, alpha)`.
   * @example
   * ```ts
   * await new mx.nn.ELU().forward(mx.array([2], mx.float32)).tolist(); // [2]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.elu(x, this._alpha);
  }
}

/** The layer form of `nn.celu` (default alpha 1). */
export class CELU extends Module {
  readonly _alpha: number;
  constructor(alpha: number | { alpha?: number | undefined } = 1) {
    super();
    this._alpha = checkNumber("nn.CELU", "alpha", kw("CELU", "alpha", alpha, 1));
  }
  /**
   * `nn.celu(x, alpha)`.
   * @example
   * ```ts
   * await new mx.nn.CELU().forward(mx.array([2], mx.float32)).tolist(); // [2]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.celu(x, this._alpha);
  }
}

/** How GELU is computed: exactly ("none"), with tanh ("precise" or "tanh"), or with a sigmoid ("fast"), as MLX's `approx`. */
export type GeluApprox = "none" | "precise" | "tanh" | "fast";

/** The layer form of `nn.gelu` and its approximations. */
export class GELU extends Module {
  readonly _approx: GeluApprox;
  constructor(approx: GeluApprox | { approx?: GeluApprox | undefined } = "none") {
    super();
    this._approx = checkChoice("nn.GELU", "approx", kw("GELU", "approx", approx, "none"), ["none", "precise", "tanh", "fast"]);
  }
  /**
   * `nn.gelu(x)`, `nn.geluApprox(x)` or `nn.geluFastApprox(x)` by `approx`.
   * @example
   * ```ts
   * await new mx.nn.GELU("tanh").forward(mx.array([0], mx.float32)).tolist(); // [0]
   * ```
   */
  forward(x: MxArray): MxArray {
    return this._approx === "none" ? A.gelu(x) : this._approx === "fast" ? A.geluFastApprox(x) : A.geluApprox(x);
  }
}

/** The layer form of `nn.softshrink` (default lambd 0.5). */
export class Softshrink extends Module {
  /** The threshold below which values shrink to 0 (MLX's `lambd`). */
  readonly lambd: number;
  constructor(lambd: number | { lambd?: number | undefined } = 0.5) {
    super();
    this.lambd = checkNumber("nn.Softshrink", "lambd", kw("Softshrink", "lambd", lambd, 0.5), 0);
  }
  /**
   * `nn.softshrink(x, lambd)`.
   * @example
   * ```ts
   * await new mx.nn.Softshrink().forward(mx.array([-2, 0.25], mx.float32)).tolist(); // [-1.5, 0]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.softshrink(x, this.lambd);
  }
}

/** The layer form of `nn.hardShrink` (default lambd 0.5). */
export class HardShrink extends Module {
  /** The threshold below which values become 0 (MLX's `lambd`). */
  readonly lambd: number;
  constructor(lambd: number | { lambd?: number | undefined } = 0.5) {
    super();
    this.lambd = checkNumber("nn.HardShrink", "lambd", kw("HardShrink", "lambd", lambd, 0.5), 0);
  }
  /**
   * `nn.hardShrink(x, lambd)`.
   * @example
   * ```ts
   * await new mx.nn.HardShrink().forward(mx.array([-2, 0.25], mx.float32)).tolist(); // [-2, 0]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.hardShrink(x, this.lambd);
  }
}

export interface HardTanhOptions {
  minVal?: number | undefined;
  maxVal?: number | undefined;
}

/** The layer form of `nn.hardTanh` (default range [-1, 1]). */
export class HardTanh extends Module {
  readonly _min: number;
  readonly _max: number;
  constructor(o: HardTanhOptions = {}) {
    super();
    const opts = options("nn.HardTanh", o, ["minVal", "maxVal"]);
    this._min = checkNumber("nn.HardTanh", "minVal", opts.minVal ?? -1);
    this._max = checkNumber("nn.HardTanh", "maxVal", opts.maxVal ?? 1, this._min);
  }
  /**
   * `nn.hardTanh(x, minVal, maxVal)`.
   * @example
   * ```ts
   * await new mx.nn.HardTanh().forward(mx.array([-2, 3], mx.float32)).tolist(); // [-1, 1]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.hardTanh(x, this._min, this._max);
  }
}

/** The layer form of `nn.step` (default threshold 0). */
export class Step extends Module {
  /** Values at or above it map to 1, the rest to 0 (MLX's `threshold`). */
  readonly threshold: number;
  constructor(threshold: number | { threshold?: number | undefined } = 0) {
    super();
    this.threshold = checkNumber("nn.Step", "threshold", kw("Step", "threshold", threshold, 0));
  }
  /**
   * `nn.step(x, threshold)`.
   * @example
   * ```ts
   * await new mx.nn.Step().forward(mx.array([-1, 2], mx.float32)).tolist(); // [0, 1]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.step(x, this.threshold);
  }
}

/** The layer form of `nn.logSoftmax` along `axis` (default -1). */
export class LogSoftmax extends Module {
  readonly _axis: number;
  constructor(axis: number | { axis?: number | undefined } = -1) {
    super();
    this._axis = checkInt("nn.LogSoftmax", "axis", kw("LogSoftmax", "axis", axis, -1), -64, 63);
  }
  /**
   * `nn.logSoftmax(x, axis)`.
   * @example
   * ```ts
   * await new mx.nn.LogSoftmax().forward(mx.array([0, 0], mx.float32)).tolist(); // [-0.6931471824645996, -0.6931471824645996]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.logSoftmax(x, this._axis);
  }
}

/** The layer form of `nn.softmax` along `axis` (default -1). */
export class Softmax extends Module {
  readonly _axis: number;
  constructor(axis: number | { axis?: number | undefined } = -1) {
    super();
    this._axis = checkInt("nn.Softmax", "axis", kw("Softmax", "axis", axis, -1), -64, 63);
  }
  /**
   * `nn.softmax(x, axis)`.
   * @example
   * ```ts
   * await new mx.nn.Softmax().forward(mx.array([0, 0], mx.float32)).tolist(); // [0.5, 0.5]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.softmax(x, this._axis);
  }
}

/** The layer form of `nn.softmin` along `axis` (default -1). */
export class Softmin extends Module {
  readonly _axis: number;
  constructor(axis: number | { axis?: number | undefined } = -1) {
    super();
    this._axis = checkInt("nn.Softmin", "axis", kw("Softmin", "axis", axis, -1), -64, 63);
  }
  /**
   * `nn.softmin(x, axis)`.
   * @example
   * ```ts
   * await new mx.nn.Softmin().forward(mx.array([1, 1], mx.float32)).tolist(); // [0.5, 0.5]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.softmin(x, this._axis);
  }
}

/** The layer form of `nn.glu` along `axis` (default -1). */
export class GLU extends Module {
  /** The axis split in two halves (MLX's `axis`). */
  readonly axis: number;
  constructor(axis: number | { axis?: number | undefined } = -1) {
    super();
    this.axis = checkInt("nn.GLU", "axis", kw("GLU", "axis", axis, -1), -64, 63);
  }
  /**
   * `nn.glu(x, axis)`.
   * @example
   * ```ts
   * await new mx.nn.GLU().forward(mx.array([2, 0], mx.float32)).tolist(); // [1]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.glu(x, this.axis);
  }
}

/** The parametric ReLU (MLX's PReLU): `numParameters` learned slopes (default 1), initialised to `init` (default 0.25). */
export class PReLU extends Module {
  weight: MxArray;
  constructor(numParameters: number | { numParameters?: number | undefined; init?: number | undefined } = 1, init?: number) {
    super();
    const k = keywords("nn.PReLU", [numParameters, init], ["numParameters", "init"]);
    const n = checkSize("nn.PReLU", "numParameters", k.numParameters ?? 1, 1);
    this.weight = ops.full([n], checkNumber("nn.PReLU", "init", k.init ?? 0.25));
  }
  /**
   * `nn.prelu(x, weight)`: the slopes broadcast against the last axis.
   * @example
   * ```ts
   * await new mx.nn.PReLU().forward(mx.array([-4, 4], mx.float32)).tolist(); // [-1, 4]
   * ```
   */
  forward(x: MxArray): MxArray {
    return A.prelu(x, this.weight);
  }
}
