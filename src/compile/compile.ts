// mx.compile: traces a function once per input signature (shapes, dtypes,
// streams, tree structure and constant arguments), simplifies and fuses the
// traced graph, and replays it on later calls as a fresh lazy graph.
// Transforms tracing a compiled function, and the trace of another compiled
// function, see the original function.

import { NestedFlag } from "../nested-flag.js";
import { MxArray } from "../array.js";
import { toStream } from "../device.js";
import { isTracingTransform } from "../eval.js";
import { describeValue, opError } from "../errors.js";
import { outsideTidy } from "../memory.js";
import { checkOptions } from "../ops/strict-options.js";
import { treeFlatten, treeUnflatten, type TreeDef } from "../transforms/tree.js";
import { graphOf } from "./graph.js";
import { fuse, type FusionStats } from "./fusion.js";
import { placeholderOf } from "./placeholder.js";
import { checkShapeless } from "./shapeless.js";
import { runTraced } from "./shapeless-tracing.js";
import { fillPlaces, readPlaces, statePlaces, type StatePlace } from "./captured-state.js";
import { simplify, type SimplifyStats } from "./simplify.js";
import { Tape } from "./tape.js";

export interface CompileOptions {
  /**
   * Keep one trace across input shapes (same ranks and dtypes). Only for
   * functions built from primitives without shapes in their parameters (see
   * docs/compile.md); values the function computes from shapes in JS (a mean's
   * 1/n, say) stay those of the first trace.
   */
  shapeless?: boolean | undefined;
  /**
   * State the function reads through closures (MLX's `inputs`): a tree of
   * lists, plain objects and modules, e.g. `[model.state, optimizer.state,
   * mx.random.state]`. Its arrays, found afresh at each call, are inputs of
   * the trace, not constants; the function sees them in place.
   */
  inputs?: unknown;
  /**
   * State the function updates in place (MLX's `outputs`), often the same
   * tree as `inputs`: the arrays it holds after the traced call are outputs
   * of the trace, and every call puts their new values in their places.
   */
  outputs?: unknown;
}

/** What compile did for one input signature. */
export interface CompileTrace extends SimplifyStats, FusionStats {
  /** Nodes the traced graph had (reachable from the outputs). */
  traced: number;
  /** Nodes one call builds now (a fused group counts one). */
  nodes: number;
}

export interface CompileStats {
  /** Calls that traced the function (a new signature). */
  misses: number;
  /** Calls that replayed a cached trace. */
  hits: number;
  /** Calls that ran the function as it is (compile disabled, or under a transform's or another compiled function's trace). */
  bypassed: number;
  /** One per cached signature, in the order they were traced. */
  traces: CompileTrace[];
}

interface Entry {
  readonly tape: Tape;
  readonly outDef: TreeDef;
  /** How many of the tape's outputs, after the function's own, go to the places of option `outputs`. */
  readonly stateOutputs: number;
  readonly info: CompileTrace;
}

interface State {
  readonly cache: Map<string, Entry>;
  readonly stats: CompileStats;
}

const states = new WeakMap<object, State>();

/** MLX_TS_DISABLE_COMPILE set to 1, true, yes or on, or MLX's MLX_DISABLE_COMPILE set at all (MLX reads only whether it is set). */
function disabledByEnvironment(): boolean {
  const env = typeof process !== "undefined" ? process.env : {};
  return env.MLX_DISABLE_COMPILE !== undefined || ["1", "true", "yes", "on"].includes(env.MLX_TS_DISABLE_COMPILE?.toLowerCase() ?? "");
}

let disabled = disabledByEnvironment();

/**
 * Turns compile off everywhere: compiled functions run as they are (MLX's
 * `mx.disable_compile`; the environment variable MLX_TS_DISABLE_COMPILE=1, or
 * MLX's MLX_DISABLE_COMPILE set to any value, does it at start).
 * @example
 * ```ts
 * const f = mx.compile((x: mx.MxArray) => mx.exp(x));
 * mx.disableCompile();
 * await f(mx.array([0])).tolist(); // [1]
 * mx.compileStats(f).bypassed; // 1
 * mx.enableCompile();
 * ```
 */
export function disableCompile(): void {
  disabled = true;
}

/**
 * Turns compile back on after `disableCompile` (MLX's `mx.enable_compile`).
 * @example
 * ```ts
 * mx.enableCompile();
 * const f = mx.compile((x: mx.MxArray) => mx.exp(x));
 * await f(mx.array([0])).tolist(); // [1]
 * mx.compileStats(f).misses; // 1
 * ```
 */
export function enableCompile(): void {
  disabled = false;
}

/** Open traces of mx.exportFunction: compiled functions inside run as they are, so the file gets their primitives (not fused kernels). */
const exportTrace = new NestedFlag();

/**
 * Open traces of compiled functions: a compiled function called inside one
 * runs as it is (MLX's tracer inputs), so the outer trace holds its
 * primitives, reads its closures as they are now and fuses across it.
 */
const compileTrace = new NestedFlag();

/** `fn()` with compiled functions running uncompiled (what an exported trace records). */
export function withCompileBypassed<T>(fn: () => T): T {
  return exportTrace.during(fn);
}

const CONSTANT_KINDS = new Set(["number", "string", "boolean", "bigint", "undefined"]);

/** The signature key of a call: constants, tree structure, and per array its dtype, shape (rank when shapeless) and stream. */
function signature(def: TreeDef, leaves: readonly MxArray[], shapeless: boolean): string {
  const parts: string[] = [String(toStream(undefined, []))];
  const walk = (d: TreeDef, path: string): void => {
    if (d.kind === "leaf") return void parts.push("a");
    if (d.kind === "static") {
      const v = d.value;
      if (v !== null && !CONSTANT_KINDS.has(typeof v)) {
        throw opError("compile", `argument ${path} must be an array, a tree of arrays (lists, plain objects) or a constant (number, string, boolean, null), got ${describeValue(v)}`, [], "type");
      }
      return void parts.push(`${typeof v}:${typeof v === "string" ? JSON.stringify(v) : Object.is(v, -0) ? "-0" : String(v)}`);
    }
    if (d.kind === "list") {
      parts.push(`[${d.items.length}`);
      d.items.forEach((x, i) => walk(x, `${path}[${i}]`));
      return void parts.push("]");
    }
    parts.push(`{${d.keys.map((k) => JSON.stringify(k)).join(",")}`);
    d.items.forEach((x, i) => walk(x, `${path}.${d.keys[i]}`));
    parts.push("}");
  };
  if (def.kind !== "list") throw new Error("[compile] internal: arguments are a list");
  def.items.forEach((d, i) => walk(d, String(i)));
  leaves.forEach((x, i) => {
    if (x.isDisposed) throw opError("compile", `input array ${i} was disposed and can no longer be used`, [], "value");
    parts.push(`${x.dtype.name}(${shapeless ? x.ndim : x.shape.join(",")})@${String(x.stream)}`);
  });
  return parts.join(";");
}

/** The captured state of a compiled function (options inputs and outputs). */
interface Capture {
  readonly inputs: unknown;
  readonly outputs: unknown;
}

/**
 * Runs `fn` on the trace's inputs: its arguments' placeholders (the first
 * `argCount`) and, in the places of the captured `inputs`, theirs. Returns the
 * function's result and the arrays left in the places of `outputs`. The
 * captured inputs get their arrays back where the function did not replace
 * them; when it throws, the places of `outputs` get theirs back too.
 */
function runOnPlaceholders(fn: (...args: unknown[]) => unknown, def: TreeDef, placeholders: readonly MxArray[], argCount: number, inPlaces: readonly StatePlace[], capture: Capture, shapeless: boolean): { raw: unknown; state: MxArray[] } {
  const outBefore = capture.outputs === undefined ? [] : statePlaces("outputs", capture.outputs);
  const outValues = readPlaces(outBefore);
  const inValues = readPlaces(inPlaces);
  const inPlaceholders = placeholders.slice(argCount);
  fillPlaces(inPlaces, inPlaceholders);
  try {
    const raw = compileTrace.during(() => runTraced(shapeless, () => fn(...(treeUnflatten(def, placeholders.slice(0, argCount)) as unknown[]))));
    return { raw, state: capture.outputs === undefined ? [] : readPlaces(statePlaces("outputs", capture.outputs)) };
  } catch (e) {
    fillPlaces(outBefore, outValues);
    throw e;
  } finally {
    inPlaces.forEach((p, i) => {
      if (p.holder[p.key] === inPlaceholders[i]) p.holder[p.key] = inValues[i];
    });
  }
}

/** Throws unless every value of the returned tree that is not an array is a constant, which each call returns as it is (an object holding the trace's arrays would be stale). */
function checkReturnedConstants(def: TreeDef, path = "the result"): void {
  if (def.kind === "static") {
    const v = def.value;
    if (v !== null && !CONSTANT_KINDS.has(typeof v)) {
      throw opError("compile", `the function must return arrays, trees of them (lists, plain objects) and constants (number, string, boolean, null, undefined); ${path} is ${describeValue(v)}`, [], "type");
    }
  } else if (def.kind === "list") def.items.forEach((d, i) => checkReturnedConstants(d, `${path}[${i}]`));
  else if (def.kind === "dict") def.items.forEach((d, i) => checkReturnedConstants(d, `${path}.${def.keys[i]}`));
}

function trace(fn: (...args: unknown[]) => unknown, def: TreeDef, leaves: readonly MxArray[], argCount: number, inPlaces: readonly StatePlace[], capture: Capture, shapeless: boolean): Entry {
  return outsideTidy(() => {
    const placeholders = leaves.map((x) => placeholderOf(x));
    const { raw, state } = runOnPlaceholders(fn, def, placeholders, argCount, inPlaces, capture, shapeless);
    if (raw instanceof Promise) throw opError("compile", "the function must be synchronous (it returned a Promise)", [], "type");
    const out = treeFlatten(raw);
    checkReturnedConstants(out.def);
    const g = graphOf(placeholders, [...out.leaves, ...state], new Set(leaves));
    const traced = g.nodes.length;
    if (shapeless) checkShapeless(g);
    const simplified = simplify(g);
    const fused = fuse(g);
    const tape = new Tape(g, shapeless);
    return { tape, outDef: out.def, stateOutputs: state.length, info: { traced, nodes: tape.length, ...simplified, ...fused } };
  });
}

/**
 * `fn` compiled (MLX's `mx.compile`): the first call with a new input
 * signature (shapes, dtypes, streams, the structure of the argument trees and
 * their constants) traces `fn` on value-less inputs, removes common
 * subexpressions and dead nodes, folds scalar constants and fuses chains of
 * elementwise ops, and reductions (sum, prod, max, min) with the elementwise
 * ops before and after them, into one kernel on backends with a `fuse`
 * capability; later calls replay the trace. Results are bit-identical to `fn`'s on
 * the cpu. `fn` must be pure: it may not read values (eval, item, tolist) of
 * arrays computed from its inputs, and arrays it captures are constants of the
 * trace, except the state named by `inputs` (read afresh at each call) and
 * `outputs` (updated in place after each call), as MLX's compiled training
 * steps do. Under grad, vjp, jvp or vmap, while exportFunction traces, and while
 * another compiled function traces (nested compile), the original `fn` runs.
 * A result with no arrays (null, say) is returned as it is, as MLX's None.
 * @example
 * ```ts
 * const gelu = mx.compile((x: mx.MxArray) => mx.multiply(x, mx.sigmoid(mx.multiply(x, 1.702))));
 * await gelu(mx.array([0, 1], mx.float32)).tolist(); // [0, 0.845795750617981]
 * await gelu(mx.array([2], mx.float32)).tolist(); // [1.935658574104309]
 * mx.compileStats(gelu).misses; // 2
 * ```
 */
export function compile<F extends (...args: never[]) => unknown>(fn: F, options?: CompileOptions): F;
export function compile(fn: (...args: unknown[]) => unknown, options?: CompileOptions): (...args: unknown[]) => unknown {
  if (typeof fn !== "function") throw opError("compile", `fn must be a function, got ${describeValue(fn)}`, [], "type");
  checkOptions("compile", options, ["shapeless", "inputs", "outputs"], false);
  const shapeless = options?.shapeless ?? false;
  if (typeof shapeless !== "boolean") throw opError("compile", `shapeless must be a boolean, got ${describeValue(shapeless)}`, [], "type");
  const capture: Capture = { inputs: options?.inputs, outputs: options?.outputs };
  for (const name of ["inputs", "outputs"] as const) if (capture[name] !== undefined) statePlaces(name, capture[name]);
  const state: State = { cache: new Map(), stats: { misses: 0, hits: 0, bypassed: 0, traces: [] } };
  const compiled = (...args: unknown[]): unknown => {
    if (disabled || exportTrace.raised || compileTrace.raised || isTracingTransform()) {
      state.stats.bypassed++;
      return fn(...args);
    }
    const { leaves: argLeaves, def } = treeFlatten(args);
    const inPlaces = capture.inputs === undefined ? [] : statePlaces("inputs", capture.inputs);
    const leaves = [...argLeaves, ...readPlaces(inPlaces)];
    const key = `${signature(def, leaves, shapeless)};captured ${inPlaces.length}`;
    let entry = state.cache.get(key);
    if (entry) state.stats.hits++;
    else {
      entry = trace(fn, def, leaves, argLeaves.length, inPlaces, capture, shapeless);
      state.cache.set(key, entry);
      state.stats.misses++;
      state.stats.traces.push(entry.info);
    }
    const results = entry.tape.replay(leaves);
    const own = results.length - entry.stateOutputs;
    if (capture.outputs !== undefined) {
      const outPlaces = statePlaces("outputs", capture.outputs);
      if (outPlaces.length !== entry.stateOutputs) {
        throw opError("compile", `outputs holds ${outPlaces.length} arrays where the trace left ${entry.stateOutputs}: its structure changed without a change in the inputs' (give the same state as inputs, or keep its structure)`, [], "value");
      }
      fillPlaces(outPlaces, results.slice(own));
    }
    return treeUnflatten(entry.outDef, results.slice(0, own));
  };
  Object.defineProperty(compiled, "name", { value: fn.name });
  states.set(compiled, state);
  return compiled;
}

/**
 * The cache counters of a compiled function: traces (misses), replays
 * (hits), calls run uncompiled, and per traced signature what simplification
 * and fusion did.
 * @example
 * ```ts
 * const f = mx.compile((x: mx.MxArray) => mx.add(mx.exp(x), mx.exp(x)));
 * f(mx.array([1, 2], mx.float32));
 * f(mx.array([3, 4], mx.float32));
 * const s = mx.compileStats(f);
 * [s.misses, s.hits, s.traces[0]!.cse]; // [1, 1, 1]
 * ```
 */
export function compileStats(fn: unknown): CompileStats {
  const s = typeof fn === "function" ? states.get(fn) : undefined;
  if (!s) throw opError("compileStats", `fn must be a function returned by mx.compile, got ${describeValue(fn)}`, [], "type");
  return { ...s.stats, traces: [...s.stats.traces] };
}
