// Reverse and forward mode: vjp walks the traced graph from the outputs back
// to the tracers, each primitive turning its output's cotangent into its
// inputs'; jvp walks forward, each primitive turning its inputs' tangents
// into its output's. Float and complex64 arrays carry cotangents and
// tangents (complex64 as MLX defines it: src/transforms/complex-rules.ts).
// grad and valueAndGrad differentiate a scalar function of trees of arrays.

import { MxArray } from "../array.js";
import { checkOptions } from "../ops/strict-options.js";
import { float32, isInexact } from "../dtype.js";
import { currentOp, describe, describeValue, duringOp, opError, relabel } from "../errors.js";
import * as ops from "../ops/index.js";
import { addOptional } from "../primitives/autodiff.js";
import { sameShape } from "../shape.js";
import { callTraced, dependents, runRule, tracerOf } from "./trace.js";
import { complexJvp, complexVjp, refuseComplexSiblings, touchesComplex } from "./complex-rules.js";
import { argumentSlots, withSlotValues, writable, type ArgumentSlots, type Slot } from "./argument-slots.js";
import { describeTree, treeUnflatten, type TreeDef } from "./tree.js";
import type { ArrayFn, ArrayPerArgument, Argnums, CheckedArgnums, GradOptions, Gradients, LossFn, OutputList } from "./types.js";

/** `list` as a list of arrays (argument `what` of `transform`: primals, cotangents, tangents). */
function checkArrays(transform: string, list: unknown, what: string): readonly MxArray[] {
  if (!Array.isArray(list)) throw opError(transform, `${what} must be a list of mx arrays, got ${describeValue(list)}`, [], "type");
  list.forEach((p: unknown, i) => {
    if (!(p instanceof MxArray)) throw opError(transform, `${what}[${i}] must be an mx array, got ${describeValue(p)}`, [], "type");
    if (p.isDisposed) throw opError(transform, `${what}[${i}] was disposed and can no longer be used`, [p], "value");
  });
  return list;
}

/**
 * How many derivative passes (backward, forward) are running their
 * primitives' rules. A vjp or jvp called from a rule (the derived rule of a
 * custom function, a checkpoint or a custom kernel's reference) differentiates
 * the inputs it is handed, integer ones (indices) getting no derivative; only
 * a call the user makes has its primals' dtypes checked.
 */
let rulesRunning = 0;

/** `body` as the rules of a derivative pass (see rulesRunning). */
function runningRules<T>(body: () => T): T {
  rulesRunning++;
  try {
    return body();
  } finally {
    rulesRunning--;
  }
}

/** The JS pitfall behind most integer arrays handed to a derivative (MLX's 1.0 is a float; here it is the number 1). */
const FLOAT_HINT = "in JS 1.0 === 1, so mx.array(1.0) is int32: pass a float dtype, e.g. mx.array(1.0, mx.float32)";

/** The primals of a vjp or jvp the user called: each float or complex64 (as grad requires), else an error naming `transform` and the primal. */
function checkInexactPrimals(transform: string, primals: readonly MxArray[]): void {
  if (rulesRunning > 0) return;
  primals.forEach((p, i) => {
    if (!isInexact(p.dtype)) throw opError(transform, `primals[${i}] has dtype ${p.dtype.name}; derivatives need float arrays (float16, bfloat16, float32, float64) or complex64 ones; ${FLOAT_HINT}`, [], "type");
  });
}

function checkFn(transform: string, fn: unknown): void {
  if (typeof fn !== "function") throw opError(transform, `fn must be a function, got ${describeValue(fn)}`, [], "type");
}

function checkPairs(transform: string, arrays: readonly MxArray[], against: readonly MxArray[], what: string, of: string): void {
  if (arrays.length !== against.length) throw new Error(`[${transform}] got ${arrays.length} ${what} for ${against.length} ${of}`);
  arrays.forEach((a, i) => {
    if (!sameShape(a.shape, against[i]!.shape)) throw new Error(`[${transform}] ${what} ${i} has shape (${a.shape.join(", ")}), but ${of} ${i} has shape (${against[i]!.shape.join(", ")})`);
  });
}

/**
 * Reverse mode: the outputs of `fn(...primals)` and the cotangents of the
 * primals given the outputs' `cotangents` (one per output, same shapes), i.e.
 * the cotangents times the Jacobian. Only float and complex64 arrays carry
 * cotangents; for complex64 the vjp is MLX's conjugate-linear one,
 * `ct * conj(f'(z))` for a holomorphic f (docs/arrays.md, complex numbers).
 * @example
 * ```ts
 * const square = (x: mx.MxArray) => mx.multiply(x, x);
 * const [outputs, cotangents] = mx.vjp(square, [mx.array([3], mx.float32)], [mx.array([1], mx.float32)]);
 * await outputs[0].tolist(); // [9]
 * await cotangents[0].tolist(); // [6]
 * ```
 */
export function vjp<F extends ArrayFn>(fn: F, primals: Readonly<Parameters<F>>, cotangents: Readonly<OutputList<ReturnType<F>>>): [OutputList<ReturnType<F>>, ArrayPerArgument<Parameters<F>>] {
  return vjpAs("vjp", fn, primals, cotangents) as [OutputList<ReturnType<F>>, ArrayPerArgument<Parameters<F>>];
}

/** vjp as `transform` (jacrev, hessian): its checks, and the names its derivative's steps carry. */
export function vjpAs(transform: string, fn: ArrayFn, primals: readonly unknown[], cotangents: readonly unknown[]): [MxArray[], MxArray[]] {
  checkFn(transform, fn);
  if (!checkArrays(transform, primals, "primals").length) throw opError(transform, "primals must hold at least one array", [], "value");
  checkInexactPrimals(transform, primals as MxArray[]);
  const cts = checkArrays(transform, cotangents, "cotangents");
  return reverseMode(transform, fn, primals as MxArray[], (outputs) => {
    checkPairs(transform, cts, outputs, "cotangents", "output");
    return cts;
  });
}

/**
 * Runs `body` (building a derivative's steps) as `transform`, the function the
 * user called: the nodes it builds (a rule's broadcastTo, the seed's onesLike)
 * remember it (MxArray.builtBy), so an error while they are evaluated reads
 * "[grad] its broadcast step, ...". An error raised while a rule builds them
 * keeps its own words: it names the op whose derivative failed ("[view] has
 * no vjp") or, in a custom function's rule, the user's own op. Inside an op
 * or another transform, the outer one names them.
 */
function asTransform<T>(transform: string, body: () => T): T {
  if (currentOp() !== undefined) return body();
  let thrown: { e: Error; message: string } | undefined;
  try {
    return duringOp(transform, () => {
      try {
        return body();
      } catch (e) {
        if (e instanceof Error) thrown = { e, message: e.message };
        throw e;
      }
    });
  } catch (e) {
    if (thrown && thrown.e === e) thrown.e.message = thrown.message; // as it left the rule (duringOp relabels)
    throw e;
  }
}

/** `step()`, a step the transform itself takes (the seed's onesLike, a cast of the cotangents): an error names the transform. */
function ownStep<T>(transform: string, step: () => T): T {
  try {
    return step();
  } catch (e) {
    throw relabel(e, transform);
  }
}

/** Where each multi-output node sits in `order` (to find the first sibling of a group). */
function siblingPositions(order: readonly MxArray[]): Map<MxArray, number> {
  const at = new Map<MxArray, number>();
  order.forEach((n, k) => {
    if (n.siblings) at.set(n, k);
  });
  return at;
}

/** The position of the earliest of `n`'s siblings present in the order. */
function firstSiblingAt(n: MxArray, position: ReadonlyMap<MxArray, number>): number {
  let first = Infinity;
  for (const s of n.siblings!) {
    const k = position.get(s);
    if (k !== undefined && k < first) first = k;
  }
  return first;
}

/** Reverse mode with the outputs' cotangents made once the outputs are known. */
function reverseMode(transform: string, fn: ArrayFn, primals: readonly MxArray[], cotangentsFor: (outputs: MxArray[]) => readonly MxArray[]): [MxArray[], MxArray[]] {
  const tracers = asTransform(transform, () => primals.map(tracerOf));
  // the function's own ops run as themselves; the backward pass as the transform
  const { outputs } = callTraced(transform, fn, tracers);
  return asTransform(transform, () => backward(transform, outputs, tracers, primals, cotangentsFor(outputs)));
}

/** reverseMode's backward pass: the cotangents of `tracers` (of `primals`) from the outputs' `cotangents`. */
function backward(transform: string, outputs: MxArray[], tracers: readonly MxArray[], primals: readonly MxArray[], cotangents: readonly MxArray[]): [MxArray[], MxArray[]] {
  const tracerSet = new Set(tracers);
  const { order, depends } = dependents(outputs, tracerSet);
  const cts = new Map<MxArray, MxArray>();
  const accumulate = (x: MxArray, ct: MxArray) => cts.set(x, addOptional(cts.get(x) ?? null, ct)!);
  // (loops, not closures, read the primals and cotangents, so that this pass's context holds none of the caller's arrays: see the end)
  for (let i = 0; i < outputs.length; i++) {
    const out = outputs[i]!, ct = cotangents[i]!;
    if (depends.has(out) && isInexact(out.dtype)) accumulate(out, ownStep(transform, () => ops.astype(ct, out.dtype, { stream: out.stream })));
  }
  const position = siblingPositions(order);
  runningRules(() => {
    for (let k = order.length - 1; k >= 0; k--) {
      const n = order[k]!;
      if (tracerSet.has(n) || !n.primitive) continue;
      let grads: (MxArray | null)[];
      if (n.siblings) {
        // a multi-output primitive runs its rule once, at its first sibling in the order: by then every sibling's readers are done
        if (firstSiblingAt(n, position) !== k) continue;
        const siblingCts = n.siblings.map((s) => cts.get(s) ?? null);
        if (siblingCts.every((c) => !c)) continue;
        refuseComplexSiblings(transform, n);
        const [prim, siblings] = [n.primitive, n.siblings];
        grads = runRule(transform, n, () => prim.vjpOutputs(n.inputs, siblingCts, siblings));
      } else {
        const ct = cts.get(n);
        if (!ct) continue;
        const prim = n.primitive;
        grads = runRule(transform, n, () => (touchesComplex(n) ? complexVjp(transform, n, ct) : prim.vjp(n.inputs, ct, n)));
      }
      n.inputs.forEach((x, i) => {
        const g = grads[i];
        if (!g || !depends.has(x) || !isInexact(x.dtype)) return;
        if (!sameShape(g.shape, x.shape)) throw new Error(`[${transform}] the rule of ${n.primitive!.name} gave input ${i} a cotangent of shape (${g.shape.join(", ")}) for shape (${x.shape.join(", ")})`);
        accumulate(x, g);
      });
    }
  });
  const grads: MxArray[] = [];
  for (let i = 0; i < tracers.length; i++) {
    const primal = primals[i]!;
    grads.push(cts.get(tracers[i]!) ?? ownStep(transform, () => ops.zerosLike(primal, { stream: primal.stream })));
  }
  // A closure's context can stay reachable after the pass (a compiler's handle to a hot closure; seen on the
  // H100 in heap snapshots of a training loop, as for eval's lists: src/eval.ts, forget): it keeps no arrays.
  cts.clear();
  position.clear();
  depends.clear();
  tracerSet.clear();
  order.length = 0;
  return [outputs, grads];
}

/**
 * Forward mode: the outputs of `fn(...primals)` and their tangents given the
 * primals' `tangents` (one per primal, same shapes), i.e. the Jacobian times
 * the tangents. Only float and complex64 arrays carry tangents.
 * @example
 * ```ts
 * const [outputs, tangents] = mx.jvp(mx.sin, [mx.array([0], mx.float32)], [mx.array([2], mx.float32)]);
 * await outputs[0].tolist(); // [0]
 * await tangents[0].tolist(); // [2]
 * ```
 */
export function jvp<F extends ArrayFn>(fn: F, primals: Readonly<Parameters<F>>, tangents: Readonly<ArrayPerArgument<Parameters<F>>>): [OutputList<ReturnType<F>>, OutputList<ReturnType<F>>] {
  return jvpAs("jvp", fn, primals, tangents) as [OutputList<ReturnType<F>>, OutputList<ReturnType<F>>];
}

/** jvp as `transform` (jacfwd, hessian): its checks, and the names its tangents' steps carry. */
export function jvpAs(transform: string, fn: ArrayFn, primals: readonly unknown[], tangents: readonly unknown[]): [MxArray[], MxArray[]] {
  checkFn(transform, fn);
  if (!checkArrays(transform, primals, "primals").length) throw opError(transform, "primals must hold at least one array", [], "value");
  checkInexactPrimals(transform, primals as MxArray[]);
  const ins = checkArrays(transform, tangents, "tangents");
  checkPairs(transform, ins, primals as MxArray[], "tangents", "primal");
  const tracers = asTransform(transform, () => (primals as MxArray[]).map(tracerOf));
  const { outputs } = callTraced(transform, fn, tracers);
  // the tangents are built as the transform (see asTransform): "[jvp] its multiply step ..."
  return asTransform(transform, () => forward(transform, outputs, tracers, ins));
}

/** jvp's forward pass: the outputs' tangents from the tangents `ins` of `tracers`. */
function forward(transform: string, outputs: MxArray[], tracers: readonly MxArray[], ins: readonly MxArray[]): [MxArray[], MxArray[]] {
  const { order } = dependents(outputs, new Set(tracers));
  const ts = new Map<MxArray, MxArray>();
  tracers.forEach((t, i) => {
    if (isInexact(t.dtype)) ts.set(t, ownStep(transform, () => ops.astype(ins[i]!, t.dtype, { stream: t.stream })));
  });
  const done = new Set<MxArray>();
  runningRules(() => {
    for (const n of order) {
      if (ts.has(n) || done.has(n) || !n.primitive) continue;
      if (!n.siblings && !isInexact(n.dtype)) continue;
      const inTangents = n.inputs.map((x) => ts.get(x) ?? null);
      if (inTangents.every((t) => !t)) continue;
      if (n.siblings) {
        refuseComplexSiblings(transform, n);
        // one rule call gives every sibling's tangent
        const [prim, siblings] = [n.primitive, n.siblings];
        const outs = runRule(transform, n, () => prim.jvpOutputs(n.inputs, inTangents, siblings));
        n.siblings.forEach((s, i) => {
          done.add(s);
          const t = outs[i];
          if (t && isInexact(s.dtype)) ts.set(s, t);
        });
        continue;
      }
      const prim = n.primitive;
      const t = runRule(transform, n, () => (touchesComplex(n) ? complexJvp(transform, n, inTangents) : prim.jvp(n.inputs, inTangents, n)));
      if (t) ts.set(n, t);
    }
  });
  // outputs that carry no tangent (integer, bool, or independent of the primals) get zeros, in float32 where not float (as MLX)
  const out = outputs.map((o) => ts.get(o) ?? ownStep(transform, () => ops.zeros(o.shape, isInexact(o.dtype) ? o.dtype : float32, { stream: o.stream })));
  return [outputs, out];
}

/**
 * `fn` and its gradient with respect to the arguments in `argnums` (default 0):
 * `fn` returns a scalar (one element), or a list whose first element is that
 * scalar (the rest is carried along, as MLX's auxiliary outputs). The result
 * takes `fn`'s arguments and returns `[fn's value, gradients]`.
 * @example
 * ```ts
 * const loss = (x: mx.MxArray) => mx.sum(mx.square(x));
 * const [value, grad] = mx.valueAndGrad(loss)(mx.array([1, 2], mx.float32));
 * await value.item(); // 5
 * await grad.tolist(); // [2, 4]
 * ```
 */
export function valueAndGrad<F extends LossFn, const I extends Argnums = undefined>(
  fn: F,
  options?: GradOptions<CheckedArgnums<Parameters<F>, I>>,
): (...args: Parameters<F>) => [ReturnType<F>, Gradients<Parameters<F>, I>];
export function valueAndGrad(fn: LossFn, options: GradOptions = {}): (...args: unknown[]) => [unknown, unknown] {
  return makeGrad("valueAndGrad", fn, options);
}

/**
 * The gradient of a scalar function with respect to the arguments in `argnums`
 * (default 0), each a tree of float or complex64 arrays: each gradient has its
 * argument's type, and a list of argnums gives a tuple of them. A complex64
 * argument z gets df/dRe(z) + i df/dIm(z) (MLX's convention).
 * @example
 * ```ts
 * const f = (x: mx.MxArray) => mx.sum(mx.square(x));
 * await mx.grad(f)(mx.array([1, 2], mx.float32)).tolist(); // [2, 4]
 *
 * const params = { w: mx.array([2], mx.float32), b: mx.array(1, mx.float32) };
 * const g = mx.grad((p: typeof params) => mx.sum(mx.add(mx.multiply(p.w, 3), p.b)))(params);
 * await g.w.tolist(); // [3]
 * await g.b.item(); // 1
 *
 * const z = mx.array([{ re: 3, im: 4 }], mx.complex64);
 * await mx.grad((v: mx.MxArray) => mx.sum(mx.abs(v)))(z).tolist(); // [{ re: 0.6000000238418579, im: 0.800000011920929 }]
 * ```
 */
export function grad<F extends LossFn, const I extends Argnums = undefined>(
  fn: F,
  options?: GradOptions<CheckedArgnums<Parameters<F>, I>>,
): (...args: Parameters<F>) => Gradients<Parameters<F>, I>;
export function grad(fn: LossFn, options: GradOptions = {}): (...args: unknown[]) => unknown {
  const vg = makeGrad("grad", fn, options);
  return (...args) => vg(...args)[1];
}

/** A description of the first leaf of `def` that is not an array (a number, a string, ...), if any. */
function staticLeaf(def: TreeDef): string | undefined {
  switch (def.kind) {
    case "leaf":
      return undefined;
    case "static":
      return def.value === null || def.value === undefined ? undefined : `a ${typeof def.value} (${String(def.value)})`;
    default:
      for (const d of def.items) {
        const s = staticLeaf(d);
        if (s) return s;
      }
      return undefined;
  }
}

function makeGrad(transform: string, fn: LossFn, options: GradOptions): (...args: unknown[]) => [unknown, unknown] {
  checkFn(transform, fn);
  if (options === null || typeof options !== "object") throw opError(transform, `options must be an object such as { argnums }, got ${describeValue(options)}`, [], "type");
  checkOptions(transform, options, ["argnums"], false);
  const { argnums = 0 } = options;
  const nums = typeof argnums === "number" ? [argnums] : argnums;
  if (!Array.isArray(nums) || nums.length === 0) throw new Error(`[${transform}] argnums must be an argument index or a non-empty list of them, got ${describeValue(argnums)}`);
  const repeated = nums.find((a, i) => nums.indexOf(a) !== i);
  if (repeated !== undefined) throw new Error(`[${transform}] argnums lists argument ${repeated} twice (${describeValue(argnums)}); each argument can be differentiated once`);
  return (...args: unknown[]) => {
    nums.forEach((a) => {
      if (!Number.isInteger(a)) throw new TypeError(`[${transform}] argnums ${describeValue(a)} is not an argument index: each must be an integer (0 for the first argument)`);
      if (a < 0 || a >= args.length) throw new Error(`[${transform}] argnums ${describeValue(a)} is out of range: the function was called with ${args.length} argument(s)`);
    });
    // the caller's containers (lists, objects, nn.Modules) receive the tracers for the call, as MLX's (see argument-slots.ts)
    const call = [...args];
    const flats = nums.map((a) => argumentSlots(call, a, () => new Error(`[${transform}] argument ${a} holds itself (a cyclic tree); differentiate a tree without cycles`)));
    flats.forEach((f, k) => {
      if (!f.leaves.length) throw new Error(`[${transform}] argument ${nums[k]} has no arrays to differentiate (it is ${describeTree(f.def)})`);
      const other = staticLeaf(f.def);
      if (other !== undefined) {
        throw new TypeError(`[${transform}] argument ${nums[k]} (${describeTree(f.def)}) holds ${other}; every leaf of a differentiated argument must be an mx array (pass constants as other arguments)`);
      }
      f.leaves.forEach((x, j) => {
        if (x.isDisposed) throw new Error(`[${transform}] argument ${nums[k]}${f.def.kind === "leaf" ? "" : ` (leaf ${j})`} was disposed and can no longer be used`);
        if (!isInexact(x.dtype)) throw new TypeError(`[${transform}] argument ${nums[k]}${f.def.kind === "leaf" ? "" : ` (leaf ${j})`} has dtype ${x.dtype.name}; gradients need float arrays (float16, bfloat16, float32, float64) or complex64 ones; ${FLOAT_HINT}`);
      });
    });
    /** Flat leaves (tracers or gradients) split by differentiated argument, each part given to `each` (default: as a new tree of its definition). */
    const trees = (flat: readonly MxArray[], each: (f: ArgumentSlots, mine: MxArray[], k: number) => unknown = (f, mine) => treeUnflatten(f.def, mine)) => {
      let at = 0;
      return flats.map((f, k) => each(f, flat.slice(at, (at += f.leaves.length)), k));
    };
    let value: unknown;
    // a frozen or read-only container cannot take the tracers: that argument is rebuilt as a new tree instead
    const inPlace = flats.map((f) => writable(f.slots));
    const inner = (...leaves: MxArray[]) => {
      const slots: Slot[] = [], originals: MxArray[] = [], tracers: MxArray[] = [];
      trees(leaves, (f, mine, k) => {
        if (!inPlace[k]) return (call[nums[k]!] = treeUnflatten(f.def, mine));
        slots.push(...f.slots);
        originals.push(...f.leaves);
        tracers.push(...mine);
      });
      try {
        value = withSlotValues(slots, originals, tracers, () => (fn as (...a: unknown[]) => unknown)(...call));
      } finally {
        nums.forEach((a, k) => inPlace[k] || (call[a] = args[a]));
      }
      if (value instanceof Promise) throw new Error(`[${transform}] the function must be synchronous (it returned a Promise)`);
      const loss = Array.isArray(value) ? value[0] : value;
      if (!(loss instanceof MxArray)) throw new TypeError(`[${transform}] the function must return a scalar array (or a list starting with one), got ${describeValue(loss)}`);
      if (loss.size !== 1) throw new Error(`[${transform}] the function must return a scalar (one element), got ${describe(loss)}`);
      return loss;
    };
    const leaves = flats.flatMap((f) => f.leaves);
    const [, grads] = reverseMode(transform, inner, leaves, ([loss]) => [ownStep(transform, () => ops.onesLike(loss!, { stream: loss!.stream }))]);
    const gradTrees = trees(grads);
    return [value, typeof argnums === "number" ? gradTrees[0] : gradTrees];
  };
}
