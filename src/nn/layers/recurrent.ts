// The recurrent layers of mx.nn (MLX's RNN, GRU, LSTM): inputs [..., L, D],
// the input projection done once for every step, then a loop over L; weights
// U(-k, k) with k = 1 / sqrt(hiddenSize), as MLX's.

import type { MxArray } from "../../array.js";
import { describeValue, opError } from "../../errors.js";
import * as ops from "../../ops/index.js";
import { asOp, noExtraArguments } from "../../ops/strict-options.js";
import * as random from "../../random.js";
import { checkArray, checkBool, checkSize, keywords } from "../checks.js";
import { Module } from "../module.js";
import type { Layer } from "./containers.js";

function sizes(op: string, inputSize: number, hiddenSize: number, gates: number): [number, number, number] {
  const i = checkSize(op, "inputSize", inputSize, 1);
  const h = checkSize(op, "hiddenSize", hiddenSize, 1);
  if (gates * h * (i + h) > 2 ** 28) throw new RangeError(`[${op}] inputSize and hiddenSize give more than 2^28 weights`);
  return [i, h, 1 / Math.sqrt(h)];
}

/** MLX's `hidden` (and `cell`) of a forward call, positionally or in an options object, checked. */
function states(op: string, rest: readonly unknown[], names: readonly string[]): (MxArray | undefined)[] {
  const given = keywords(op, rest, names);
  return names.map((n) => (given[n] === undefined || given[n] === null ? undefined : checkArray(op, given[n], n)));
}

/** The input checked ([..., L, inputSize]) and the step count. */
function sequence(op: string, x: unknown, inputSize: number): MxArray {
  const a = checkArray(op, x, "x");
  if (a.ndim < 2 || a.shape[a.ndim - 1] !== inputSize) throw opError(op, `x must have shape [..., length, ${inputSize}]`, [a], "value");
  return a;
}

const stepOf = (x: MxArray, t: number) => ops.squeeze(ops.slice(x, [...x.shape.slice(0, -2).map(() => 0), t, 0], [...x.shape.slice(0, -2), t + 1, x.shape[x.ndim - 1]!]), -2);
const project = (x: MxArray, w: MxArray, b: MxArray | undefined) => (b ? ops.addmm(b, x, ops.transpose(w)) : ops.matmul(x, ops.transpose(w)));

/**
 * The Elman RNN: h_t = nonlinearity(x_t Wxh^T + h_{t-1} Whh^T + bias). The
 * nonlinearity (default mx.tanh) is a function, or a module with a forward
 * (`new nn.ReLU()`), which the layer holds as a child, as MLX's.
 */
export class RNN extends Module {
  /** The size of the hidden state. */
  readonly hiddenSize: number;
  /** The nonlinearity applied at each step: a function, or a module (then a child of the layer, as MLX's). */
  readonly nonlinearity: Layer;
  Wxh: MxArray;
  Whh: MxArray;
  declare bias?: MxArray;
  constructor(
    inputSize: number,
    hiddenSize: number,
    bias: boolean | { bias?: boolean | undefined; nonlinearity?: Layer | undefined } = true,
    nonlinearity: Layer = ops.tanh,
  ) {
    super();
    const op = "nn.RNN";
    const [i, h, k] = sizes(op, inputSize, hiddenSize, 1);
    // the default nonlinearity is left out, so that it may come in the options object
    const given = keywords(op, [bias, nonlinearity === ops.tanh ? undefined : nonlinearity], ["bias", "nonlinearity"]);
    const f = given.nonlinearity ?? ops.tanh;
    if (typeof f !== "function" && !(f instanceof Module && typeof (f as { forward?: unknown }).forward === "function")) {
      throw new TypeError(`[${op}] nonlinearity must be a function or an nn.Module with a forward method, got ${describeValue(f)}`);
    }
    this.hiddenSize = h;
    this.nonlinearity = f as Layer;
    this.Wxh = random.uniform(-k, k, [h, i]);
    this.Whh = random.uniform(-k, k, [h, h]);
    if (checkBool(op, "bias", given.bias ?? true)) this.bias = random.uniform(-k, k, [h]);
  }
  protected override extraRepr(): string {
    const f = this.nonlinearity;
    const name = f === ops.tanh ? "tanh" : typeof f === "function" ? f.name || "<function>" : String(f);
    return `inputDims=${this.Wxh.shape[1]}, hiddenSize=${this.hiddenSize}, nonlinearity=${name}, bias=${"bias" in this}`;
  }
  /**
   * The hidden states [..., L, hiddenSize] of the sequence `x` [..., L, inputSize], from `hidden` (default none: zeros;
   * positionally or as MLX's keyword, `{ hidden }`).
   * @example
   * ```ts
   * new mx.nn.RNN(3, 2).forward(mx.ones([4, 5, 3])).shape; // [4, 5, 2]
   * ```
   */
  forward(x: MxArray, hidden?: MxArray | { hidden?: MxArray | null | undefined } | null): MxArray {
    const op = "nn.RNN";
    noExtraArguments(op, arguments, 2);
    const a = sequence(op, x, this.Wxh.shape[1]!);
    const [h0] = states(op, [hidden], ["hidden"]);
    return asOp(op, () => {
      const xs = project(a, this.Wxh, this.bias);
      let h = h0;
      const all: MxArray[] = [];
      for (let t = 0; t < a.shape[a.ndim - 2]!; t++) {
        const xt = stepOf(xs, t);
        const pre = h ? ops.addmm(xt, h, ops.transpose(this.Whh)) : xt;
        h = typeof this.nonlinearity === "function" ? this.nonlinearity(pre) : this.nonlinearity.forward(pre);
        all.push(h);
      }
      return ops.stack(all, -2);
    });
  }
}

/** The gated recurrent unit, with MLX's gate layout (r, z, n) and the separate bias `bhn` of n's hidden term. */
export class GRU extends Module {
  /** The size of the hidden state. */
  readonly hiddenSize: number;
  Wx: MxArray;
  Wh: MxArray;
  declare b?: MxArray;
  declare bhn?: MxArray;
  constructor(inputSize: number, hiddenSize: number, bias: boolean | { bias?: boolean | undefined } = true) {
    super();
    const op = "nn.GRU";
    const [i, h, k] = sizes(op, inputSize, hiddenSize, 3);
    this.hiddenSize = h;
    this.Wx = random.uniform(-k, k, [3 * h, i]);
    this.Wh = random.uniform(-k, k, [3 * h, h]);
    if (checkBool(op, "bias", keywords(op, [bias], ["bias"]).bias ?? true)) {
      this.b = random.uniform(-k, k, [3 * h]);
      this.bhn = random.uniform(-k, k, [h]);
    }
  }
  protected override extraRepr(): string {
    return `inputDims=${this.Wx.shape[1]}, hiddenSize=${this.hiddenSize}, bias=${"b" in this}`;
  }
  /**
   * The hidden states [..., L, hiddenSize] of `x` [..., L, inputSize], from `hidden` (default none; positionally or `{ hidden }`).
   * @example
   * ```ts
   * new mx.nn.GRU(3, 2).forward(mx.ones([5, 3])).shape; // [5, 2]
   * ```
   */
  forward(x: MxArray, hidden?: MxArray | { hidden?: MxArray | null | undefined } | null): MxArray {
    const op = "nn.GRU";
    noExtraArguments(op, arguments, 2);
    const a = sequence(op, x, this.Wx.shape[1]!);
    const [h0] = states(op, [hidden], ["hidden"]);
    return asOp(op, () => {
      const H = this.Wh.shape[1]!;
      const xs = project(a, this.Wx, this.b);
      const [xrz, xn] = ops.split(xs, [2 * H], -1) as [MxArray, MxArray];
      let h = h0;
      const all: MxArray[] = [];
      for (let t = 0; t < a.shape[a.ndim - 2]!; t++) {
        let rz = stepOf(xrz, t);
        let n = stepOf(xn, t);
        // the hidden state's candidate term Wh_n h + bhn: just bhn at a first step with no hidden state, as MLX's
        let hn: MxArray | undefined = this.bhn;
        if (h) {
          const [hrz, hnRaw] = ops.split(ops.matmul(h, ops.transpose(this.Wh)), [2 * H], -1) as [MxArray, MxArray];
          hn = this.bhn ? ops.add(hnRaw, this.bhn) : hnRaw;
          rz = ops.add(rz, hrz);
        }
        const [r, z] = ops.split(ops.sigmoid(rz), 2, -1) as [MxArray, MxArray];
        if (hn) n = ops.add(n, ops.multiply(r, hn));
        n = ops.tanh(n);
        const keep = ops.multiply(ops.subtract(1, z), n);
        h = h ? ops.add(keep, ops.multiply(z, h)) : keep;
        all.push(h);
      }
      return ops.stack(all, -2);
    });
  }
}

/** The long short-term memory, with MLX's gate layout (i, f, g, o). */
export class LSTM extends Module {
  /** The size of the hidden state. */
  readonly hiddenSize: number;
  Wx: MxArray;
  Wh: MxArray;
  declare bias?: MxArray;
  constructor(inputSize: number, hiddenSize: number, bias: boolean | { bias?: boolean | undefined } = true) {
    super();
    const op = "nn.LSTM";
    const [i, h, k] = sizes(op, inputSize, hiddenSize, 4);
    this.hiddenSize = h;
    this.Wx = random.uniform(-k, k, [4 * h, i]);
    this.Wh = random.uniform(-k, k, [4 * h, h]);
    if (checkBool(op, "bias", keywords(op, [bias], ["bias"]).bias ?? true)) this.bias = random.uniform(-k, k, [4 * h]);
  }
  protected override extraRepr(): string {
    return `inputDims=${this.Wx.shape[1]}, hiddenSize=${this.hiddenSize}, bias=${"bias" in this}`;
  }
  /**
   * The hidden states and cell states, each [..., L, hiddenSize], of `x` [..., L, inputSize], from `hidden` and `cell`
   * (default none; positionally or as MLX's keywords, `{ hidden, cell }`).
   * @example
   * ```ts
   * const [h, c] = new mx.nn.LSTM(3, 2).forward(mx.ones([1, 5, 3]));
   * [h.shape, c.shape]; // [[1, 5, 2], [1, 5, 2]]
   * ```
   */
  forward(x: MxArray, hidden?: MxArray | { hidden?: MxArray | null | undefined; cell?: MxArray | null | undefined } | null, cell?: MxArray | null): [MxArray, MxArray] {
    const op = "nn.LSTM";
    noExtraArguments(op, arguments, 3);
    const a = sequence(op, x, this.Wx.shape[1]!);
    const [h0, c0] = states(op, [hidden, cell], ["hidden", "cell"]);
    return asOp(op, () => {
      const xs = project(a, this.Wx, this.bias);
      let h = h0;
      let c = c0;
      const hs: MxArray[] = [];
      const cs: MxArray[] = [];
      for (let t = 0; t < a.shape[a.ndim - 2]!; t++) {
        let ifgo = stepOf(xs, t);
        if (h) ifgo = ops.addmm(ifgo, h, ops.transpose(this.Wh));
        const [i, f, g, o] = ops.split(ifgo, 4, -1) as [MxArray, MxArray, MxArray, MxArray];
        const ig = ops.multiply(ops.sigmoid(i), ops.tanh(g));
        c = c ? ops.add(ops.multiply(ops.sigmoid(f), c), ig) : ig;
        h = ops.multiply(ops.sigmoid(o), ops.tanh(c));
        hs.push(h);
        cs.push(c);
      }
      return [ops.stack(hs, -2), ops.stack(cs, -2)];
    });
  }
}
