// Graph evaluation: an iterative post-order walk from the requested arrays
// (no recursion, so 100 000-node chains are fine), one kernel call per node on
// its stream's backend, transfers where an input lives on another backend.

import { NestedFlag } from "./nested-flag.js";
import { getBackend, retain, type Backend, type Kernel, type MultiKernel, type Tensor } from "../backends/backend.js";
import { dependsKernel } from "../backends/views.js";
import type { MxArray } from "./array.js";
import type { Primitive } from "./primitive.js";
import { relieveMemoryPressure } from "./collector.js";
import { describe } from "./errors.js";
import { watchArray } from "./memory.js";
import { rowMajorStrides } from "./shape.js";
import { enqueueOrdered, isTurnOf, leaveQueue, maySyncRun, turnOf } from "./eval-order.js";

/**
 * Nodes that an asynchronous eval in progress has taken on, each mapped to the
 * promise that settles when that eval ends: a concurrent eval waits for them
 * instead of running them twice (evals may overlap, as `Promise.all` of reads does).
 */
const inFlight = new Map<MxArray, Promise<void>>();

/**
 * Unevaluated nodes reachable from `outputs`, inputs before users. With
 * `waits`, nodes another eval has taken on are left to it (their promises are
 * collected), else they are scheduled too (a synchronous read cannot wait).
 */
function schedule(outputs: readonly MxArray[], waits?: Set<Promise<void>>): MxArray[] {
  const order: MxArray[] = [];
  const seen = new Set<MxArray>();
  let early = false;
  for (const o of outputs) if (o.isDisposed) throw new Error(`cannot evaluate: array ${describe(o)} was disposed`);
  // parallel stacks: the node, and whether its inputs were already pushed
  const stack: MxArray[] = [...outputs];
  const expanded: boolean[] = outputs.map(() => false);
  while (stack.length) {
    const a = stack.pop()!;
    if (expanded.pop()) {
      order.push(a);
      early ||= a.primitive?.runsEarly === true;
      continue;
    }
    if (seen.has(a)) continue;
    // (an input the program disposed stays live while a released array's recipe reads it)
    if (!a.isLive) throw new Error(`cannot evaluate: array ${describe(a)} was disposed`);
    if (a.isEvaluated) continue;
    seen.add(a);
    const claim = waits && inFlight.get(a);
    if (claim) {
      waits.add(claim);
      continue;
    }
    stack.push(a);
    expanded.push(true);
    for (const inp of a.inputs) {
      if (!inp.isEvaluated && !seen.has(inp)) {
        stack.push(inp);
        expanded.push(false);
      }
    }
  }
  return early ? earlyFirst(order) : order;
}

/**
 * `order` (inputs before users) with each node whose primitive `runsEarly`
 * (a send) moved, with the nodes it reads, ahead of the others, in their
 * order: the sends of an eval go out before its receives wait, whatever
 * order the program named them in, so processes that each send and receive
 * in one eval never wait on each other.
 */
function earlyFirst(order: readonly MxArray[]): MxArray[] {
  const position = new Map(order.map((a, i) => [a, i]));
  const placed = new Set<MxArray>();
  const out: MxArray[] = [];
  for (const a of order) {
    if (!a.primitive?.runsEarly || placed.has(a)) continue;
    // a and its unplaced scheduled ancestors, in their order
    const group: MxArray[] = [];
    const stack = [a];
    while (stack.length) {
      const x = stack.pop()!;
      if (placed.has(x) || !position.has(x)) continue;
      placed.add(x);
      group.push(x);
      stack.push(...x.inputs);
    }
    group.sort((x, y) => position.get(x)! - position.get(y)!);
    out.push(...group);
  }
  for (const a of order) if (!placed.has(a)) out.push(a);
  return out;
}

/** Copies a tensor to `target` when it lives elsewhere, reading the source synchronously. */
function onBackend(t: Tensor, target: Backend, node: MxArray): Tensor {
  const source = t.buffer.backend;
  if (!source.readSync) {
    throw new Error(`${opLabel(node)}an input lives on backend '${source.name}', which reads asynchronously; use 'await mx.eval(...)' or 'await x.data()' instead of a synchronous read`);
  }
  return uploadTensor(target, t.dtype, t.shape, source.readSync(t));
}

/** Inputs of `node` that live on a backend without synchronous reads, copied to the node's backend. */
async function stageInputs(node: MxArray): Promise<Map<number, Tensor> | undefined> {
  const target = getBackend(node.stream.device.backend);
  let staged: Map<number, Tensor> | undefined;
  for (let i = 0; i < node.inputs.length; i++) {
    const t = node.inputs[i]!.inputTensor();
    const source = t.buffer.backend;
    if (source === target || source.readSync) continue;
    warnReadBack(node, source, target);
    (staged ??= new Map()).set(i, uploadTensor(target, t.dtype, t.shape, await source.read(t)));
  }
  return staged;
}

const warnedReadBacks = new Set<string>();

/** Says once per pair of backends that an op reads its input back from a device whose memory is not shared (a silent round trip otherwise). */
function warnReadBack(node: MxArray, source: Backend, target: Backend): void {
  const pair = `${source.name}>${target.name}`;
  if (warnedReadBacks.has(pair)) return;
  warnedReadBacks.add(pair);
  const message =
    `${opLabel(node)}reads an input back from ${source.displayName} to run on ${target.displayName}, a copy through host memory; ` +
    `pass { stream } to run the op where its inputs are, or move them once with an op on ${target.name} (shown once per pair of backends)`;
  if (typeof process !== "undefined" && typeof process.emitWarning === "function") process.emitWarning(message, "MlxTsTransferWarning");
  else console.warn(message);
}

function unsupportedDType(node: MxArray, backend: Backend, d: MxArray["dtype"]): Error {
  return new Error(`${opLabel(node)}dtype ${d.name} is not supported on backend '${backend.displayName}' (inputs: ${node.inputs.map(describe).join(", ")}); supported: ${[...backend.capabilities.dtypes].join(", ")}`);
}

/**
 * Intermediates of one eval: its nodes except the arrays it was asked for.
 * Once the last array reading one of them has run, its buffer goes back to
 * the pool at once instead of waiting for the garbage collector; it keeps
 * its recipe (primitive and inputs), so a program that still holds it gets
 * it recomputed when it reads it. A long chain thus runs in a few buffers.
 * The recipe's inputs stay computable: disposing one keeps what the recipe
 * reads (see MxArray.releaseRecomputable).
 */
type Intermediates = ReadonlySet<MxArray>;

function releaseConsumed(node: MxArray, intermediates: Intermediates | undefined): void {
  if (!intermediates) return;
  for (const x of node.inputs) if (x.unused && intermediates.has(x)) x.releaseRecomputable();
}

function intermediatesOf(order: readonly MxArray[], outputs: readonly MxArray[]): Intermediates | undefined {
  if (retainingGraph.raised) return undefined;
  // released intermediates computed again read their inputs once more
  for (const node of order) node.rearmInputs();
  const set = new Set(order);
  for (const o of outputs) set.delete(o);
  return set;
}

/**
 * Nodes of `order` that hold a buffer once the eval ends, watched by the
 * finalizer now (multi-output nodes were, as their kernel filled them).
 */
function watchFilled(order: readonly MxArray[]): void {
  for (const node of order) if (node.siblings === null && node.isEvaluated) watchArray(node, node.slot);
}

/** Drops the edges of the nodes that ran and kept their buffers (released ones keep theirs as recipes). */
function detachEvaluated(order: readonly MxArray[]): void {
  if (retainingGraph.raised) return;
  for (const node of order) if (node.isEvaluated && node.primitive) node.detachInputs();
}

function run(node: MxArray, staged?: Map<number, Tensor>, intermediates?: Intermediates): void {
  const prim = node.primitive!;
  const backend = getBackend(node.stream.device.backend);
  const dtypes = backend.capabilities.dtypes;
  if (node.siblings) {
    for (const out of node.siblings) if (!dtypes.has(out.dtype)) throw unsupportedDType(node, backend, out.dtype);
  } else if (!dtypes.has(node.dtype)) throw unsupportedDType(node, backend, node.dtype);
  for (const x of node.inputs) if (!dtypes.has(x.dtype)) throw unsupportedDType(node, backend, x.dtype);
  const own = ownKernel(prim, backend);
  const kernel: Kernel | undefined = node.siblings ? siblingsKernel(backend, node.siblings, prim.name, own) : own ? (p, ins, out) => own(p, ins, [out])[0]! : backend.kernels[prim.name];
  if (!kernel) {
    throw new Error(`${opLabel(node, " ")}is not implemented on backend '${backend.displayName}' (inputs: ${node.inputs.map(describe).join(", ")})`);
  }
  const inputs: Tensor[] = [];
  let moved: Tensor[] | undefined;
  try {
    for (let i = 0; i < node.inputs.length; i++) {
      const t = node.inputs[i]!.inputTensor();
      // unified memory: another backend's tensor is used in place; else it is copied over
      const m = t.buffer.backend === backend ? t : (staged?.get(i) ?? backend.share?.(t) ?? onBackend(t, backend, node));
      if (m !== t) (moved ??= []).push(m);
      inputs.push(m);
    }
  } catch (e) {
    // (a copy the target could not hold, say)
    if (moved) for (const m of moved) backend.release(m.buffer);
    throw namingOp(e, node);
  }
  try {
    node.slot.data = kernel(prim, inputs, node);
    if (prim.keepsEvalOrder) leaveQueue([node]);
    if (node.siblings) watchArray(node, node.slot);
  } catch (e) {
    throw namingOp(e, node);
  } finally {
    if (moved) for (const m of moved) backend.release(m.buffer);
  }
  if (!retainingGraph.raised) {
    node.consumeInputs();
    releaseConsumed(node, intermediates);
    // the siblings this call filled: their edges go now (they are not in the eval's order)
    if (node.siblings) for (const s of node.siblings) if (s !== node && s.isEvaluated) s.detachInputs();
  }
}

/**
 * A primitive that brings its own kernel for a backend instead of an entry in
 * the backend's table: compile's fused groups (the kernel the backend's `fuse`
 * made) and its trace placeholders (a kernel that refuses to run).
 */
export interface CarriesKernel {
  kernelOn(backend: Backend): MultiKernel | undefined;
}

function ownKernel(prim: Primitive, backend: Backend): MultiKernel | undefined {
  return (prim as Partial<CarriesKernel>).kernelOn?.(backend);
}

/** Multi-output kernels that only rearrange the graph, the same on every backend (outside ones included). */
const GRAPH_KERNELS: Readonly<Record<string, MultiKernel>> = { depends: dependsKernel };

/**
 * A kernel that runs a multi-output primitive once and gives `first` its
 * output: the other siblings that are still unevaluated take theirs, the
 * outputs nobody needs (already evaluated, or disposed) go back to the pool.
 */
function siblingsKernel(backend: Backend, siblings: readonly MxArray[], name: string, own?: MultiKernel): Kernel | undefined {
  // (by the primitive's name: an evaluated sibling has let go of its primitive)
  const multi = own ?? backend.multiKernels?.[name] ?? GRAPH_KERNELS[name];
  if (!multi) return undefined;
  return (prim, inputs, first) => {
    const outs = multi(prim, inputs, siblings);
    let mine: Tensor | undefined;
    siblings.forEach((s, i) => {
      const t = outs[i]!;
      if (s === first) mine = t;
      else if (!s.isEvaluated && s.isLive) {
        s.slot.data = t;
        watchArray(s, s.slot);
      } else backend.release(t.buffer);
    });
    return mine!;
  };
}

/**
 * The start of an error of `node`'s evaluation: `[op] ` for the op the user
 * called, which built the node (MxArray.builtBy), and the step when that op is
 * made of several (`[eye] its equal step: `; with `sep` " ", `[eye] its equal
 * step `); `[primitive] ` for a node built outside any op.
 */
function opLabel(node: MxArray, sep = ": "): string {
  const step = node.primitive?.errorName ?? "an evaluated";
  const op = node.builtBy;
  return op === undefined || op === step ? `[${step}] ` : `[${op}] its ${step} step${sep}`;
}

/**
 * A kernel's error (an allocation the device refused, say) made to start with
 * the op's name (see opLabel; a step's output is described: `[eye] its equal
 * step, bool(1048576, 1048576): [cpu] cannot allocate ...`); its class (RangeError, ...) stays.
 */
function namingOp(e: unknown, node: MxArray): unknown {
  if (!(e instanceof Error)) return e;
  const own = `[${node.primitive!.errorName}] `;
  const label = opLabel(node, `, ${describe(node)}: `);
  if (e.message.startsWith(`[${node.builtBy ?? node.primitive!.errorName}] `)) return e; // labelled already
  e.message = label + (e.message.startsWith(own) ? e.message.slice(own.length) : e.message);
  return e;
}

/** While raised (a transform is tracing a function), evaluated nodes keep their graph edges. */
const retainingGraph = new NestedFlag();

/** Runs `fn` with evaluated nodes keeping their primitive and inputs, so a transform can walk the graph it builds. */
export function retainingGraphDuring<T>(fn: () => T): T {
  return retainingGraph.during(fn);
}

/** Whether a transform (grad, vjp, jvp, vmap, ...) is tracing a function now: compile then runs the function as it is, as MLX does for tracers. */
export function isTracingTransform(): boolean {
  return retainingGraph.raised;
}

export function evaluateSync(outputs: readonly MxArray[]): void {
  const order = schedule(outputs);
  const intermediates = intermediatesOf(order, outputs);
  try {
    // (a sibling that an earlier node's multi-output kernel filled is already evaluated)
    for (const node of order) {
      if (node.isEvaluated) continue;
      if (!maySyncRun(node)) {
        throw new Error(
          `${opLabel(node)}a synchronous read would run this communication (${describe(node)}) before ones an earlier asynchronous eval has yet to run; ` +
            "every process must run its communications in one order: use 'await mx.eval(...)' (or 'await x.data()') instead",
        );
      }
      run(node, undefined, intermediates);
    }
  } finally {
    watchFilled(order);
    detachEvaluated(order);
  }
}

/**
 * Checks one node run on a backend other than the cpu (the shadow-validation
 * mode, installed by mx.setValidation): its primitive, its input tensors and
 * its output; throws when the output breaks the primitive's contract.
 */
export type NodeValidator = (prim: Primitive, inputs: readonly Tensor[], output: Tensor, node: MxArray) => Promise<void>;

let validator: NodeValidator | undefined;

export function setNodeValidator(v: NodeValidator | undefined): void {
  validator = v;
}

/**
 * Evaluates `outputs` and waits for every backend that ran work; concurrent
 * calls over shared graphs each run a node once. Nodes that need no wait run
 * before this returns (a cpu or metal graph: all of it), and so do the
 * graph's clean-up and the memory check, so that a loop calling it without
 * await still runs its steps in order and collects as it goes.
 */
export function evaluate(outputs: readonly MxArray[], retrying = false): Promise<void> {
  const waits = new Set<Promise<void>>();
  let order: MxArray[];
  try {
    order = schedule(outputs, waits);
    if (retrying) refuseLostCommunications(order);
  } catch (e) {
    return Promise.reject(e);
  }
  const asked = [...outputs];
  let settle!: () => void;
  const done = new Promise<void>((resolve) => (settle = resolve));
  for (const node of order) inFlight.set(node, done);
  const ordered = enqueueOrdered(order);
  const finish = () => {
    if (ordered) leaveQueue(order);
    watchFilled(order);
    detachEvaluated(order);
    for (const node of order) if (inFlight.get(node) === done) inFlight.delete(node);
    settle();
  };
  const walk: Walk = { order, intermediates: intermediatesOf(order, asked), own: done, used: new Set() };
  let ran: Set<Backend> | Promise<Set<Backend>>;
  try {
    ran = runNodes(walk, 0);
  } catch (e) {
    finish();
    forget(order, walk, asked);
    return Promise.reject(e);
  }
  const ended = !(ran instanceof Promise)
    ? (finish(), afterNodes(ran, asked, order, waits))
    : ran.then(
        (used) => {
          finish();
          return afterNodes(used, asked, order, waits);
        },
        (e: unknown) => {
          finish();
          throw e;
        },
      );
  return ended.then(
    () => forget(order, walk, asked),
    (e: unknown) => {
      forget(order, walk, asked);
      throw e;
    },
  );
}

/**
 * Empties the lists an eval's closures hold once it has settled. A finished
 * eval's closure context can stay reachable a while longer: on the H100
 * (2026-12-06, heap snapshots of a training loop) a native frame's handle
 * scope held the previous step's eval context through a full collection now
 * and then, and with its node list the previous step's parameters, so that
 * step's garbage outlived the next one (a peak 2.12x the first step's, past
 * the test's bound of 2).
 */
function forget(order: MxArray[], walk: Walk, asked: MxArray[]): void {
  order.length = 0;
  (walk.intermediates as Set<MxArray> | undefined)?.clear();
  asked.length = 0;
}

/** The end of an eval whose nodes ran on `used`: the memory check, the backends' work waited for, then the nodes another eval had taken on. */
async function afterNodes(used: ReadonlySet<Backend>, outputs: readonly MxArray[], order: readonly MxArray[], waits: ReadonlySet<Promise<void>>): Promise<void> {
  const relief = relieveMemoryPressure();
  for (const b of used) await b.synchronize();
  if (relief) await relief;
  if (!waits.size) return;
  for (const w of waits) await w;
  // what another eval had taken on and did not finish (it failed): evaluated here, failing the same way
  const pending = outputs.filter((o) => !o.isEvaluated && !o.isDisposed);
  if (pending.length) {
    const ours = new Set(order);
    const left = pending.filter((o) => !ours.has(o));
    if (left.length) await evaluate(left, true);
  }
}

/**
 * Throws when a retry of what a failed eval had taken on (`order`) holds a
 * communication: every such node was that eval's (or an earlier failed
 * one's; graphs are immutable and communications never recomputed), and run
 * now it would take a place in the order of communications that depends on
 * when the failure came, pairing it with another message on the other
 * processes (or waiting forever behind a later eval's).
 */
function refuseLostCommunications(order: readonly MxArray[]): void {
  const lost = order.find((n) => n.primitive?.keepsEvalOrder);
  if (!lost) return;
  throw new Error(`${opLabel(lost)}the eval that was to run this communication failed before it ran; run in another eval it could pair with another message on the other processes`);
}

/** Inputs of `node` that another eval had taken on: waited for, or evaluated here when that eval failed (always awaits once). */
async function inputsReady(node: MxArray, own: Promise<void>): Promise<void> {
  await undefined;
  for (const x of node.inputs) {
    if (x.isEvaluated) continue;
    const claim = inFlight.get(x);
    if (claim === own) throw new Error(`${opLabel(node)}internal error: its input ${describe(x)} was released before it ran`);
    if (claim) await claim;
    if (!x.isEvaluated) await evaluate([x], true);
  }
}

function inputsEvaluated(node: MxArray): boolean {
  for (const x of node.inputs) if (!x.isEvaluated) return false;
  return true;
}

/** Whether an input of `node` lives on a backend other than `target` that reads only asynchronously. */
function hasAsyncInput(node: MxArray, target: Backend): boolean {
  for (const x of node.inputs) {
    const source = x.inputTensor().buffer.backend;
    if (source !== target && !source.readSync) return true;
  }
  return false;
}

/** `run`, then `check` of the node's output; the validator reads the inputs after the node let go of them, so their buffers are held until then. */
async function runChecked(node: MxArray, check: NodeValidator, staged: Map<number, Tensor> | undefined, intermediates: Intermediates | undefined): Promise<void> {
  const prim = node.primitive!;
  const held = node.inputs.map((x) => x.inputTensor());
  for (const t of held) retain(t.buffer);
  try {
    run(node, staged, intermediates);
    await check(prim, held, node.slot.data!, node);
  } finally {
    for (const t of held) t.buffer.backend.release(t.buffer);
  }
}

/** One eval's walk: its nodes in order, their intermediates, its claim (see inFlight), the backends that ran a node. */
interface Walk {
  order: readonly MxArray[];
  intermediates: Intermediates | undefined;
  own: Promise<void>;
  used: Set<Backend>;
}

/**
 * Runs the walk's nodes from `from` on: synchronously while a node needs no
 * wait (its inputs evaluated, on its backend, its turn if it communicates (see
 * eval-order.ts), no memory to reclaim first, no validation, the device not
 * flooded), so cpu work runs before the eval
 * returns, as callers expect; from the first node that does, asynchronously.
 */
function runNodes(walk: Walk, from: number): Set<Backend> | Promise<Set<Backend>> {
  for (let i = from; i < walk.order.length; i++) {
    const node = walk.order[i]!;
    if (node.isEvaluated) continue; // a synchronous read (dataSync, toString) ran it meanwhile
    const target = getBackend(node.stream.device.backend);
    const waits = !inputsEvaluated(node) || !isTurnOf(node) || (!walk.used.has(target) && target.reclaim !== undefined) || hasAsyncInput(node, target) || (validator !== undefined && target.name !== "cpu");
    if (waits) return runNodeAsync(walk, i, target);
    if (!node.isLive) throw new Error(`cannot evaluate: array ${describe(node)} was disposed while it was being evaluated`);
    run(node, undefined, walk.intermediates);
    const backend = node.slot.data!.buffer.backend;
    walk.used.add(backend);
    const flooded = backend.throttle?.();
    if (flooded) return flooded.then(() => runNodes(walk, i + 1));
  }
  return walk.used;
}

/** Node `i` of the walk, which needs a wait, on `target`; then the rest (runNodes, from a fresh stack: an await always comes first). */
async function runNodeAsync(walk: Walk, i: number, target: Backend): Promise<Set<Backend>> {
  const node = walk.order[i]!;
  await inputsReady(node, walk.own);
  await turnOf(node);
  if (node.isEvaluated) return runNodes(walk, i + 1);
  if (!node.isLive) throw new Error(`cannot evaluate: array ${describe(node)} was disposed while it was being evaluated`);
  if (!walk.used.has(target)) await target.reclaim?.();
  const staged = hasAsyncInput(node, target) ? await stageInputs(node) : undefined;
  if (node.isEvaluated) {
    for (const t of staged?.values() ?? []) target.release(t.buffer);
    return runNodes(walk, i + 1);
  }
  if (validator && target.name !== "cpu") await runChecked(node, validator, staged, walk.intermediates);
  else run(node, staged, walk.intermediates);
  const backend = node.slot.data!.buffer.backend;
  walk.used.add(backend);
  await backend.throttle?.();
  return runNodes(walk, i + 1);
}

/** A contiguous tensor on `backend` holding host `words` (constants, and inputs moved between backends). */
export function uploadTensor(backend: Backend, dtype: MxArray["dtype"], shape: readonly number[], words: ArrayBufferView): Tensor {
  const buffer = backend.allocate(words.byteLength);
  backend.write(buffer, words);
  return { buffer, dtype, shape, strides: rowMajorStrides(shape), offset: 0 };
}
