// mx.exportFunction and mx.exporter (MLX's export_function and exporter):
// trace a function on example inputs, simplify the graph as compile does,
// and write its primitives and captured constants to a file (one trace per
// input signature), or describe them to a callback.

import { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";
import { arrayBytes } from "../io/convert.js";
import { writePieces } from "../io/write.js";
import { outsideTidy } from "../memory.js";
import { checkOptions } from "../ops/strict-options.js";
import { graphOf, type Graph, type GraphNode, type Value } from "../compile/graph.js";
import { customFunctionOf } from "../transforms/custom.js";
import { placeholderOf } from "../compile/placeholder.js";
import { checkShapeless } from "../compile/shapeless.js";
import { runTraced } from "../compile/shapeless-tracing.js";
import { simplify } from "../compile/simplify.js";
import { withCompileBypassed } from "../compile/compile.js";
import { FORMAT_VERSION, functionFilePieces, type ConstantRecord, type TraceRecord } from "./function-file.js";
import { callInputs, flatInputs, inputsRecord, isPlainObject, takes, traceText, type CallInputs } from "./inputs.js";
import { recordGraph } from "./trace-record.js";
import { describeTrace, type ExportEvent } from "./export-events.js";

export interface ExportOptions {
  /** One trace serves every input shape of the same ranks and dtypes (as compile's shapeless). */
  shapeless?: boolean | undefined;
  /** A string stored in the file, returned by `importFunction(file, { returnMetadata: true })`. */
  metadata?: string | undefined;
}

/** What a function to export may be: it takes arrays (and an object of named arrays) and returns an array or a list of them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ExportableFn = (...args: any[]) => MxArray | readonly MxArray[];

const OPTION_KEYS = ["shapeless", "metadata"];

/** `args` without a last options object ({ shapeless, metadata }, which holds no arrays), and the options. */
function splitOptions(args: readonly unknown[]): [unknown[], ExportOptions | undefined] {
  const last = args[args.length - 1];
  if (!isPlainObject(last)) return [[...args], undefined];
  const entries = Object.entries(last);
  if (entries.length === 0 || !entries.every(([k, v]) => OPTION_KEYS.includes(k) && !(v instanceof MxArray))) return [[...args], undefined];
  return [args.slice(0, -1), last as ExportOptions];
}

function checkExportOptions(op: string, o: ExportOptions | undefined): { shapeless: boolean; metadata: string } {
  checkOptions(op, o, OPTION_KEYS, false);
  const shapeless = o?.shapeless ?? false;
  const metadata = o?.metadata ?? "";
  if (typeof shapeless !== "boolean") throw opError(op, `shapeless must be a boolean, got ${describeValue(shapeless)}`, [], "type");
  if (typeof metadata !== "string") throw opError(op, `metadata must be a string, got ${describeValue(metadata)}`, [], "type");
  return { shapeless, metadata };
}

/** `fn` traced on value-less stand-ins for the inputs (compiled functions inside it uncompiled): its graph, simplified as compile simplifies it (no fusion). */
function traceGraph(op: string, fn: ExportableFn, c: CallInputs, shapeless: boolean): Graph {
  return outsideTidy(() => withCompileBypassed(() => {
    const real = flatInputs(c);
    const stand = real.map((x) => placeholderOf(x, op));
    const keywords = Object.fromEntries(c.keywords.map(([k], i) => [k, stand[c.positional.length + i]]));
    const raw: unknown = runTraced(shapeless, () => fn(...stand.slice(0, c.positional.length), ...(c.hasKeywords ? [keywords] : [])));
    if (raw instanceof Promise) throw opError(op, "the function must be synchronous (it returned a Promise)", [], "type");
    const outputs = raw instanceof MxArray ? [raw] : Array.isArray(raw) && raw.length > 0 && raw.every((o) => o instanceof MxArray) ? (raw as MxArray[]) : undefined;
    if (!outputs) throw opError(op, `the function must return an array or a list of arrays, got ${describeValue(raw)}`, [], "type");
    const g = graphOf(stand, outputs, new Set(real), op);
    inlineCheckpoints(g);
    if (shapeless) checkShapeless(g, op);
    simplify(g);
    return g;
  }));
}

/**
 * `g` with the outputs of mx.checkpoint replaced by the values they pass on:
 * a checkpoint's rules are the derivatives of its own function, so the graph
 * without it computes and differentiates alike (it only saved memory).
 */
function inlineCheckpoints(g: Graph): void {
  // a checkpoint's output i is its input i (its first inputs are the function's outputs)
  const passed = new Map<GraphNode, Value[]>();
  const resolve = (v: Value): Value => (v.kind === "node" && passed.has(v.node) ? passed.get(v.node)![v.index]! : v);
  for (const n of g.nodes) {
    n.inputs = n.inputs.map(resolve);
    if (customFunctionOf(n.prim) === "checkpoint") passed.set(n, n.inputs.slice(0, n.specs.length));
  }
  g.outputs = g.outputs.map(resolve);
  g.nodes = g.nodes.filter((n) => !passed.has(n));
}

/** The traces and constants of one file (or one callback) as they grow. */
class FunctionWriter {
  readonly traces: TraceRecord[] = [];
  readonly constants: MxArray[] = [];
  private readonly index = new Map<MxArray, number>();
  /** Each constant's bytes, read once when the file is first written with it. */
  private readonly bytes: Promise<Uint8Array>[] = [];

  constructor(
    private readonly op: string,
    readonly shapeless: boolean,
    readonly metadata: string,
  ) {}

  /** Takes back `trace` (its file could not be written) and the last constants, when no other trace uses them. */
  drop(trace: TraceRecord): void {
    const at = this.traces.indexOf(trace);
    if (at < 0) return;
    this.traces.splice(at, 1);
    const used = new Set(this.traces.flatMap((t) => t.constants));
    while (this.constants.length && !used.has(this.constants.length - 1)) {
      this.index.delete(this.constants.pop()!);
      this.bytes.splice(this.constants.length);
    }
  }

  /** Traces `fn` on `args` and adds the trace. */
  add(fn: ExportableFn, args: readonly unknown[]): TraceRecord {
    const c = callInputs(this.op, args);
    const signature = inputsRecord(c);
    if (this.traces.some((t) => takes(t, signature, this.shapeless))) {
      throw opError(this.op, `the function was already exported for inputs ${traceText(signature, this.shapeless)}; each input signature is traced once`);
    }
    const g = traceGraph(this.op, fn, c, this.shapeless);
    const added: MxArray[] = [];
    const constantIndex = (a: MxArray): number => {
      const known = this.index.get(a);
      if (known !== undefined) return known;
      let j = added.indexOf(a);
      if (j < 0) j = added.push(a) - 1;
      return this.constants.length + j;
    };
    const trace: TraceRecord = { ...signature, ...recordGraph(this.op, g, flatInputs(c), constantIndex) };
    // kept only once the whole trace is recorded (a primitive a file cannot hold leaves nothing behind)
    for (const a of added) {
      this.index.set(a, this.constants.length);
      this.constants.push(a);
    }
    this.traces.push(trace);
    return trace;
  }

  /** The whole file as it stands: header and constants' bytes. */
  async pieces(): Promise<Uint8Array[]> {
    for (let i = this.bytes.length; i < this.constants.length; i++) this.bytes.push(arrayBytes(this.constants[i]!).then((b) => b.slice()));
    const data = await Promise.all(this.bytes);
    let offset = 0;
    const constants: ConstantRecord[] = this.constants.map((a, i) => {
      const rec = { dtype: a.dtype.name, shape: [...a.shape], device: a.stream.device.backend, offset, length: data[i]!.length };
      offset += data[i]!.length;
      return rec;
    });
    const header = { format: "mlx-ts function" as const, version: FORMAT_VERSION, shapeless: this.shapeless, metadata: this.metadata, constants, traces: this.traces };
    return functionFilePieces(header, data);
  }
}

function checkFn(op: string, fn: unknown): ExportableFn {
  if (typeof fn !== "function") throw opError(op, `fn must be a function, got ${describeValue(fn)}`, [], "type");
  return fn as ExportableFn;
}

function checkFile(op: string, file: unknown): string {
  if (typeof file !== "string" || file === "") throw opError(op, `file must be a path (a non-empty string), got ${describeValue(file)}`, [], "type");
  return file;
}

/**
 * Traces `fn` on example inputs and writes it to `file` (MLX's
 * `mx.export_function`): its primitives, and the arrays it captured
 * (weights) with their data, so `mx.importFunction(file)` can run it without
 * its source. Inputs are arrays, then optionally one object of named arrays
 * (MLX's keyword arguments; `fn` gets it as its last argument); a last
 * `{ shapeless, metadata }` gives the options. `fn` returns an array or a
 * list of arrays. Given a callback instead of a file, it calls it with the
 * graph's inputs, outputs, constants and each primitive in order. The file
 * is mlx-ts's own format, not MLX's `.mlxfn` (whose graphs are MLX's C++
 * primitives); see docs/io.md.
 * @example
 * ```ts
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const file = join(mkdtempSync(join(tmpdir(), "mx-")), "f.mlxfn");
 * const w = mx.array([2, 3], mx.float32);
 * await mx.exportFunction(file, (x: mx.MxArray) => mx.multiply(x, w), mx.zeros([2]));
 * const f = mx.importFunction(file);
 * await f(mx.array([1, 1], mx.float32))[0]!.tolist(); // [2, 3]
 * ```
 */
export async function exportFunction(file: string | ((event: ExportEvent) => void), fn: ExportableFn, ...args: unknown[]): Promise<void> {
  const op = "exportFunction";
  const [inputs, options] = splitOptions(args);
  const { shapeless, metadata } = checkExportOptions(op, options);
  const f = checkFn(op, fn);
  if (typeof file === "function") {
    if (metadata !== "") throw opError(op, "metadata is stored in a file; it cannot go to a callback", [], "value");
    const writer = new FunctionWriter(op, shapeless, metadata);
    const trace = writer.add(f, inputs);
    for (const event of describeTrace(trace, writer.constants)) file(event);
    return;
  }
  const path = checkFile(op, file);
  const writer = new FunctionWriter(op, shapeless, metadata);
  writer.add(f, inputs);
  writePieces(op, path, await writer.pieces());
}

/**
 * Exports one trace of the function per call (MLX's `FunctionExporter`);
 * `close()` ends it (its promise settles when the last write has), as does
 * leaving a `using` block.
 */
export interface FunctionExporter {
  (...inputs: unknown[]): Promise<void>;
  close(): Promise<void>;
  [Symbol.dispose](): void;
}

/**
 * An exporter of several traces of `fn` into one file (MLX's
 * `mx.exporter`): each call traces `fn` on its inputs (a new input
 * signature; the same one twice is an error) and rewrites the file with every
 * trace so far; arrays `fn` captures are stored once. The imported function
 * runs the trace whose inputs match the call's.
 * @example
 * ```ts
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const file = join(mkdtempSync(join(tmpdir(), "mx-")), "f.mlxfn");
 * const exporter = mx.exporter(file, (x: mx.MxArray) => mx.sum(x));
 * await exporter(mx.zeros([2]));
 * await exporter(mx.zeros([2, 2]));
 * exporter.close();
 * const f = mx.importFunction(file);
 * await f(mx.ones([2, 2]))[0]!.item(); // 4
 * ```
 */
export function exporter(file: string, fn: ExportableFn, options?: ExportOptions): FunctionExporter {
  const op = "exporter";
  const path = checkFile(op, file);
  const f = checkFn(op, fn);
  const { shapeless, metadata } = checkExportOptions(op, options);
  const writer = new FunctionWriter(op, shapeless, metadata);
  let closed = false;
  let written: Promise<void> = Promise.resolve();
  const call = (...inputs: unknown[]): Promise<void> => {
    if (closed) return Promise.reject(opError(op, `the exporter of '${path}' is closed; make a new one to write more traces`));
    let trace: TraceRecord;
    try {
      trace = writer.add(f, inputs);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    // writes run one after another, each with every trace added so far; a write that fails takes its trace back
    written = written.catch(() => undefined).then(async () => {
      try {
        writePieces(op, path, await writer.pieces());
      } catch (e) {
        writer.drop(trace);
        throw e;
      }
    });
    return written;
  };
  const close = (): Promise<void> => {
    closed = true;
    return written;
  };
  return Object.assign(call, { close, [Symbol.dispose]: () => void close().catch(() => undefined) });
}
