// Argument handling shared by the convolution ops: MLX's positional
// parameters or an options object, integer-or-tuple parameters per spatial
// axis, and the operand checks (layout, channels, groups, dtype).

import { MxArray } from "../array.js";
import { isFloating, promoteTypes } from "../dtype.js";
import { describeValue, opError, shapeStr } from "../errors.js";
import { checkConvOperands, Convolution, type ConvParams } from "../primitives/conv.js";
import type { Stream } from "../device.js";
import { node, opStream, toArray, type OpOptions } from "./base.js";
import { astype } from "./elementwise.js";
import { checkOptions } from "./strict-options.js";

/** Parameters past int32 cannot be meant (and MLX stores them as int). */
const INT_LIMIT = 2 ** 31 - 1;

/**
 * The options of `op` from its positional parameters `names` (as MLX lists
 * them after the weight) and an optional trailing options object; a
 * parameter given both ways is an error.
 */
export function convOptions<T extends OpOptions>(op: string, names: readonly string[], given: readonly unknown[]): T {
  const args = [...given];
  while (args.length && args[args.length - 1] === undefined) args.pop();
  const last = args[args.length - 1];
  const hasOptions = last !== undefined && last !== null && typeof last === "object" && !Array.isArray(last) && !(last instanceof MxArray);
  const positional = hasOptions ? args.slice(0, -1) : args;
  if (positional.length > names.length) {
    throw opError(op, `takes at most ${names.length} parameters after the weight (${names.join(", ")}) and an options object, got ${args.length} arguments`, [], "type");
  }
  checkOptions(op, hasOptions ? last : undefined, names);
  const o: Record<string, unknown> = { ...(hasOptions ? (last as object) : {}) };
  positional.forEach((v, i) => {
    if (v === undefined) return;
    const name = names[i]!;
    if (o[name] !== undefined) throw opError(op, `${name} given twice: positionally (${describeValue(v)}) and in the options (${describeValue(o[name])})`, [], "value");
    o[name] = v;
  });
  return o as T;
}

/**
 * `v` as one integer per spatial axis (`n` of them): a number applies to all,
 * a list must have `n` entries (or one, when `broadcastOne`); each at least `min`.
 */
export function intPerAxis(op: string, name: string, v: unknown, n: number, fallback: number, min: number, broadcastOne = false): number[] {
  if (v === undefined) return Array<number>(n).fill(fallback);
  const bad = (why: string) => opError(op, `${name} must be ${why}, got ${describeValue(v)}`, [], Array.isArray(v) || typeof v === "number" ? "value" : "type");
  const what = `an integer or a list of ${n} integer${n > 1 ? "s" : ""} (one per spatial axis)${min > -INT_LIMIT ? ` of at least ${min}` : ""}`;
  const list = typeof v === "number" ? [v] : Array.isArray(v) ? (v as unknown[]) : null;
  if (!list) throw bad(what);
  if (list.some((x) => typeof x !== "number" || !Number.isInteger(x) || Math.abs(x) > INT_LIMIT)) throw bad(what);
  if (list.some((x) => (x as number) < min)) throw bad(what);
  if (typeof v === "number" || (broadcastOne && list.length === 1)) return Array<number>(n).fill(list[0] as number);
  if (list.length !== n) throw bad(what);
  return list as number[];
}

/** `groups`: a positive integer (default 1). */
export function groupsOf(op: string, v: unknown): number {
  if (v === undefined) return 1;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > INT_LIMIT) {
    throw opError(op, `groups must be a positive integer, got ${describeValue(v)}`, [], typeof v === "number" ? "value" : "type");
  }
  return v;
}

/** The operands of a convolution with `nsp` spatial axes (null: the input's rank says), on their stream, promoted to one float dtype. */
export function convOperands(op: string, input: unknown, weight: unknown, o: OpOptions, nsp: number | null): { x: MxArray; w: MxArray; s: Stream; nsp: number } {
  if (!(input instanceof MxArray)) throw opError(op, `input must be an mx array of shape [N, ...spatial, C_in], got ${describeValue(input)}`, [], "type");
  if (!(weight instanceof MxArray)) throw opError(op, `weight must be an mx array of shape [C_out, ...kernel, C_in / groups], got ${describeValue(weight)}`, [], "type");
  const s = opStream(op, o, input, weight);
  let x = toArray(op, input, s, undefined, "input");
  let w = toArray(op, weight, s, undefined, "weight");
  const n = nsp ?? x.ndim - 2;
  if (n < 1 || n > 3 || x.ndim !== n + 2) {
    const want = nsp === null ? "3 to 5 dimensions [N, ...spatial (1 to 3), C_in]" : `${n + 2} dimensions [N, ${["L", "H, W", "D, H, W"][n - 1]}, C_in]`;
    throw opError(op, `input must have ${want}, got shape ${shapeStr(x.shape)}`, [x, w], "value");
  }
  if (w.ndim !== n + 2) throw opError(op, `weight must have ${n + 2} dimensions [C_out, ...kernel (${n}), C_in / groups], got shape ${shapeStr(w.shape)}`, [x, w], "value");
  const d = promoteTypes(x.dtype, w.dtype);
  if (!isFloating(x.dtype) || !isFloating(d)) {
    throw opError(op, `input and weight must be floating point (float16, bfloat16, float32, float64), got ${x.dtype.name} and ${w.dtype.name}`, [x, w], "type");
  }
  if (x.dtype !== d) x = astype(x, d, { stream: s });
  if (w.dtype !== d) w = astype(w, d, { stream: s });
  return { x, w, s, nsp: n };
}

/** Checks channels, groups, extents and the output size against the operands, and builds the node. */
export function convNode(op: string, x: MxArray, w: MxArray, p: ConvParams, s: Stream): MxArray {
  checkConvOperands(op, x, w, p);
  return node(new Convolution(p), [x, w], s);
}
