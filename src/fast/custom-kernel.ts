// User-written kernels (mx.fast.metalKernel, mx.fast.wgslKernel): the
// CustomKernel primitive, whose params carry the generated source, and the
// call both languages share: argument checks, stream choice, source
// generation (per language) and the nodes. A kernel's optional reference (an
// mlx-ts function of the inputs) gives it vjp and jvp; vmap runs the kernel on
// each batch entry.

import { checkInt } from "../argument-checks.js";
import { MxArray } from "../array.js";
import { defaultStream, deviceFor, Stream, type StreamOrDevice } from "../device.js";
import { ALL_DTYPES, dtypeFromName, isDType, type DType } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import { Primitive, type Spec } from "../primitive.js";
import { nodes, opStream } from "../ops/base.js";
import { checkOptions } from "../ops/strict-options.js";
import { ops } from "../primitives/ops-ref.js";
import { jvp, vjp } from "../transforms/autodiff.js";
import type { ArrayFn } from "../transforms/types.js";

/** The most threads along one grid dimension (both languages count them in 32 bits). */
const MAX_GRID = 2 ** 32 - 1;

/** The most threads in one threadgroup, in either language. */
export const MAX_THREADGROUP = 1024;

/** A template value: a dtype (becomes a type name), an integer or a boolean (become constants). */
export type TemplateValue = DType | number | boolean;

/** What a kernel claims about its accuracy against its reference (the checker's tolerance): ulps of the output dtype, absolute, relative. */
export interface KernelContract {
  ulp?: number | undefined;
  atol?: number | undefined;
  rtol?: number | undefined;
}

/** The definition of a user kernel (MLX's `metal_kernel` arguments, plus `reference` and `contract`). */
export interface KernelConfig {
  /** The kernel's name: an identifier, used in the entry point, the source file name of errors and messages. */
  name: string;
  inputNames: readonly string[];
  outputNames: readonly string[];
  /** The body of the kernel function (the signature is generated). */
  source: string;
  /** Code placed before the kernel function (helper functions, structs). */
  header?: string | undefined;
  /** Copy inputs that are not row-contiguous before the kernel (default true); false passes their strides. */
  ensureRowContiguous?: boolean | undefined;
  /** Declare the outputs as atomics (default false). */
  atomicOutputs?: boolean | undefined;
  /** The function the kernel computes, written with mlx-ts ops: gives it vjp and jvp, and is what checkKernel compares with. */
  reference?: ((...inputs: MxArray[]) => MxArray | readonly MxArray[]) | undefined;
  /** The tolerance the kernel claims against its reference. */
  contract?: KernelContract | undefined;
}

/** The arguments of one launch (MLX's call arguments). */
export interface KernelCallOptions {
  /** One array (or JS number/boolean) per input name. */
  inputs: readonly (MxArray | number | boolean)[];
  /** Values named in the body: a list of [name, value] pairs or an object. */
  template?: readonly (readonly [string, TemplateValue])[] | Readonly<Record<string, TemplateValue>> | undefined;
  /** Threads in each dimension (Metal's dispatchThreads: partial threadgroups at the edges). */
  grid: readonly number[];
  /** Threads of one threadgroup in each dimension. */
  threadgroup: readonly number[];
  outputShapes: readonly (readonly number[])[];
  outputDtypes: readonly DType[];
  /** A value every output is filled with before the kernel runs (else their contents are undefined). */
  initValue?: number | undefined;
  /** Print the generated source. */
  verbose?: boolean | undefined;
  /** Where it runs (default: the kernel's backend); a stream of another backend is an error. */
  stream?: StreamOrDevice | undefined;
}

/** A user kernel: call it with the launch arguments to get its outputs. */
export interface UserKernel {
  (options: KernelCallOptions): MxArray[];
  readonly kernelName: string;
  /** The backend it runs on. */
  readonly backend: "metal" | "webgpu";
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly reference: KernelConfig["reference"];
  readonly contract: KernelContract | undefined;
}

/** Which of an input's companions the body names: `<name>_shape`, `<name>_strides`, `<name>_ndim`. */
export interface Companions {
  shape: boolean;
  strides: boolean;
  ndim: boolean;
}

/** The plain-data params of a launch: everything a backend needs to compile and run it. */
export interface CustomKernelParams {
  backend: "metal" | "webgpu";
  kernel: string;
  /** The entry point of `source`. */
  entry: string;
  source: string;
  grid: [number, number, number];
  threadgroup: [number, number, number];
  outputs: { shape: number[]; dtype: string }[];
  initValue: number | null;
  ensureRowContiguous: boolean;
  companions: Companions[];
}

/** What a language contributes: its backend, its limits and its source generator. */
export interface KernelLanguage {
  op: string;
  backend: "metal" | "webgpu";
  /** The most threads in one threadgroup. */
  maxThreadgroup: number;
  /** The generated source, or throws naming what cannot be generated (a dtype the language lacks). */
  generate(k: { name: string; inputNames: readonly string[]; outputNames: readonly string[]; source: string; header: string; atomicOutputs: boolean },
    inputs: readonly { dtype: DType; ndim: number }[], outputDtypes: readonly DType[], template: readonly (readonly [string, TemplateValue])[],
    launch: { grid: readonly number[]; threadgroup: readonly number[] }): { source: string; entry: string; companions: Companions[] };
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether `word` occurs in `text` as a whole identifier. */
export function mentions(text: string, word: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9_])${word}($|[^A-Za-z0-9_])`).test(text);
}

/** The companions of each input that `body` names. */
export function companionsOf(body: string, inputNames: readonly string[]): Companions[] {
  return inputNames.map((n) => ({ shape: mentions(body, `${n}_shape`), strides: mentions(body, `${n}_strides`), ndim: mentions(body, `${n}_ndim`) }));
}

/** The CustomKernel primitive: one launch of a user kernel, with one output per output name. */
export class CustomKernel extends Primitive {
  readonly name = "customKernel";
  constructor(
    readonly spec: CustomKernelParams,
    readonly op: string,
    readonly reference: KernelConfig["reference"],
    /** Where the launch runs (vmap launches each batch entry there). */
    readonly stream: Stream,
  ) {
    super();
  }
  override params(): Readonly<Record<string, unknown>> {
    return this.spec as unknown as Record<string, unknown>;
  }
  /** Errors of the launch name the function that made the kernel (fast.metalKernel or fast.wgslKernel). */
  override get errorName(): string {
    return this.op;
  }
  /** The same launch (source and params) of the same reference. */
  override isEquivalent(other: Primitive): boolean {
    return other instanceof CustomKernel && other.reference === this.reference && super.isEquivalent(other);
  }
  /**
   * The launch as `launch` checks it (grid, threadgroup, output shapes and
   * dtypes) and one companion entry per input. The source itself is code:
   * what it reads is the kernel author's (a kernel from a file is trusted code).
   */
  override validate(inputs: readonly Spec[]): void {
    const op = this.name;
    const s: unknown = this.spec;
    if (s === null || typeof s !== "object") throw opError(op, `spec must be a kernel launch, got ${describeValue(s)}`, [], "type");
    const spec = s as Record<string, unknown>;
    if (spec.backend !== "metal" && spec.backend !== "webgpu") throw opError(op, `spec.backend must be "metal" or "webgpu", got ${describeValue(spec.backend)}`);
    for (const k of ["kernel", "entry"]) if (typeof spec[k] !== "string" || !IDENT.test(spec[k])) throw opError(op, `spec.${k} must be an identifier, got ${describeValue(spec[k])}`, [], "type");
    if (typeof spec.source !== "string") throw opError(op, `spec.source must be a string, got ${describeValue(spec.source)}`, [], "type");
    checkLaunch(op, "spec", spec.grid, spec.threadgroup, MAX_THREADGROUP, spec.backend);
    if (!Array.isArray(spec.outputs) || spec.outputs.length === 0) throw opError(op, `spec.outputs must list the outputs, got ${describeValue(spec.outputs)}`, [], "type");
    spec.outputs.forEach((o: unknown, i) => {
      const { shape, dtype } = (o ?? {}) as Record<string, unknown>;
      checkOutputShape(op, "spec", shape, i);
      if (!ALL_DTYPES.some((d) => d.name === dtype)) throw opError(op, `spec.outputs[${i}].dtype must name a dtype, got ${describeValue(dtype)}`, [], "type");
    });
    if (spec.initValue !== null && typeof spec.initValue !== "number") throw opError(op, `spec.initValue must be a number or null, got ${describeValue(spec.initValue)}`, [], "type");
    if (typeof spec.ensureRowContiguous !== "boolean") throw opError(op, `spec.ensureRowContiguous must be a boolean, got ${describeValue(spec.ensureRowContiguous)}`, [], "type");
    const c = spec.companions;
    if (!Array.isArray(c) || c.length !== inputs.length || !c.every((x: unknown) => x !== null && typeof x === "object" && ["shape", "strides", "ndim"].every((k) => typeof (x as Record<string, unknown>)[k] === "boolean"))) {
      throw opError(op, `spec.companions must hold { shape, strides, ndim } booleans for each of the ${inputs.length} inputs, got ${describeValue(c)}`, [], "type");
    }
  }
  output(): Spec {
    return this.outputs()[0]!;
  }
  override outputs(): readonly Spec[] {
    return this.spec.outputs.map((o) => ({ shape: o.shape, dtype: dtypeFromName(o.dtype) }));
  }
  private ref(rule: string): ArrayFn {
    if (!this.reference) {
      throw opError(this.op, `kernel '${this.spec.kernel}' has no reference, so it has no ${rule}: pass reference (an mlx-ts function of the inputs) when defining it`);
    }
    return this.reference as ArrayFn;
  }
  override vjpOutputs(inputs: readonly MxArray[], cotangents: readonly (MxArray | null)[], outputs: readonly MxArray[]): (MxArray | null)[] {
    const fn = this.ref("vjp");
    const cts = outputs.map((o, i) => cotangents[i] ?? ops.zerosLike(o, { stream: o.stream }));
    return vjp(fn, inputs, cts)[1];
  }
  override jvpOutputs(inputs: readonly MxArray[], tangents: readonly (MxArray | null)[]): (MxArray | null)[] {
    const fn = this.ref("jvp");
    const ts = inputs.map((x, i) => tangents[i] ?? ops.zerosLike(x, { stream: x.stream }));
    return jvp(fn, inputs, ts)[1];
  }
  /** The kernel run on each entry of the batch, the outputs stacked along axis 0. */
  override vmapOutputs(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray[], number[]] {
    const b = inputs.findIndex((_, i) => axes[i] !== null);
    const n = inputs[b]!.shape[axes[b]!]!;
    const stream = this.stream;
    const per: MxArray[][] = this.spec.outputs.map(() => []);
    for (let j = 0; j < n; j++) {
      const slices = inputs.map((x, i) => (axes[i] === null ? x : ops.take(x, j, axes[i]!, { stream })));
      nodes(this, slices, stream).forEach((o, k) => per[k]!.push(o));
    }
    return [per.map((os) => ops.stack(os, { axis: 0, stream })), per.map(() => 0)];
  }
}

/** `v` as a list of 3 integers in [lo, hi] (missing trailing dimensions are 1), or an error naming `what`. */
function dims3(op: string, what: string, v: unknown, lo: number): [number, number, number] {
  if (!Array.isArray(v) || v.length < 1 || v.length > 3) throw opError(op, `${what} must be a list of 1 to 3 integers, got ${describeValue(v)}`, [], "type");
  const out = [1, 1, 1] as [number, number, number];
  v.forEach((x: unknown, i) => (out[i] = checkInt(op, `${what}[${i}]`, x, lo, MAX_GRID)));
  return out;
}

/** Throws (naming `op`; `who` the launch) unless `grid` and `threadgroup` are 1 to 3 dimensions whose threadgroups hold at most `maxThreadgroup` threads (on `backend`); both padded to 3. */
function checkLaunch(op: string, who: string, grid: unknown, threadgroup: unknown, maxThreadgroup: number, backend: string): { grid: [number, number, number]; threadgroup: [number, number, number] } {
  const g = dims3(op, "grid", grid, 0);
  const t = dims3(op, "threadgroup", threadgroup, 1);
  const threads = t[0] * t[1] * t[2];
  if (threads > maxThreadgroup) throw opError(op, `${who}: threadgroup ${describeValue(threadgroup)} has ${threads} threads, more than the ${maxThreadgroup} one holds on ${backend}`, [], "range");
  return { grid: g, threadgroup: t };
}

/** Throws (naming `op`; `who` the launch) unless output `i`'s shape `s` is a list of integers from 0 to 2^31 - 1. */
function checkOutputShape(op: string, who: string, s: unknown, i: number): number[] {
  if (!Array.isArray(s) || s.some((d: unknown) => typeof d !== "number" || !Number.isInteger(d) || d < 0 || d >= 2 ** 31)) {
    throw opError(op, `${who}: outputShapes[${i}] must be a list of integers from 0 to 2^31 - 1, got ${describeValue(s)}`, [], "type");
  }
  return [...(s as number[])];
}

function stringList(op: string, what: string, v: unknown, min: number): string[] {
  if (!Array.isArray(v) || v.length < min) throw opError(op, `${what} must be a list of ${min ? "at least one " : ""}identifier${min ? "" : "s"}, got ${describeValue(v)}`, [], "type");
  v.forEach((s: unknown) => {
    if (typeof s !== "string" || !IDENT.test(s)) throw opError(op, `${what} must hold identifiers, got ${describeValue(s)}`, [], "value");
  });
  if (new Set(v).size !== v.length) throw opError(op, `${what} has a repeated name: ${describeValue(v)}`);
  return v as string[];
}

/** The template values as [name, value] pairs, checked. */
function templatePairs(op: string, t: unknown): (readonly [string, TemplateValue])[] {
  if (t === undefined) return [];
  const pairs: unknown[] = Array.isArray(t) ? t : t !== null && typeof t === "object" && !isDType(t) ? Object.entries(t) : [null];
  if (!Array.isArray(t) && pairs[0] === null) throw opError(op, `template must be a list of [name, value] pairs or an object, got ${describeValue(t)}`, [], "type");
  return pairs.map((p) => {
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== "string" || !IDENT.test(p[0])) {
      throw opError(op, `template entries must be [name, value] with an identifier name, got ${describeValue(p)}`, [], "type");
    }
    const v: unknown = p[1];
    if (!isDType(v) && typeof v !== "boolean" && !(typeof v === "number" && Number.isInteger(v) && Math.abs(v) < 2 ** 31)) {
      throw opError(op, `template value '${p[0]}' must be a dtype, a 32-bit integer or a boolean, got ${describeValue(v)}`, [], "type");
    }
    return [p[0], v] as const;
  });
}

/** Checks the definition and returns the kernel: a function of the launch arguments. */
export function defineKernel(lang: KernelLanguage, config: unknown): UserKernel {
  const op = lang.op;
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw opError(op, `takes one options object { name, inputNames, outputNames, source, ... }, got ${describeValue(config)}`, [], "type");
  }
  const c = config as KernelConfig;
  checkOptions(op, c, ["name", "inputNames", "outputNames", "source", "header", "ensureRowContiguous", "atomicOutputs", "reference", "contract"]);
  if ("stream" in c) throw opError(op, "stream is an argument of the kernel call, not of its definition", [], "type");
  requireFields(op, "", c, ["name", "inputNames", "outputNames", "source"]);
  if (typeof c.name !== "string" || !IDENT.test(c.name)) throw opError(op, `name must be an identifier, got ${describeValue(c.name)}`, [], "type");
  const inputNames = stringList(op, "inputNames", c.inputNames, 0);
  const outputNames = stringList(op, "outputNames", c.outputNames, 1);
  const clash = inputNames.find((n) => outputNames.includes(n));
  if (clash) throw opError(op, `inputNames and outputNames both hold '${clash}'`);
  if (typeof c.source !== "string" || !c.source.trim()) throw opError(op, `source must be the kernel body as a non-empty string, got ${describeValue(c.source)}`, [], "type");
  if (c.header !== undefined && typeof c.header !== "string") throw opError(op, `header must be a string, got ${describeValue(c.header)}`, [], "type");
  for (const k of ["ensureRowContiguous", "atomicOutputs"] as const) {
    if (c[k] !== undefined && typeof c[k] !== "boolean") throw opError(op, `${k} must be a boolean, got ${describeValue(c[k])}`, [], "type");
  }
  if (c.reference !== undefined && typeof c.reference !== "function") throw opError(op, `reference must be a function of the input arrays, got ${describeValue(c.reference)}`, [], "type");
  const contract = checkContract(op, c.contract);
  const def = { name: c.name, inputNames, outputNames, source: c.source, header: c.header ?? "", atomicOutputs: c.atomicOutputs ?? false };
  const ensureRowContiguous = c.ensureRowContiguous ?? true;
  const reference = c.reference;
  const kernel = (o: KernelCallOptions): MxArray[] => launch(lang, def, ensureRowContiguous, reference, o);
  return Object.assign(kernel, { kernelName: c.name, backend: lang.backend, inputNames, outputNames, reference, contract });
}

/** Throws naming the first of `fields` that the options object `o` lacks. */
function requireFields(op: string, prefix: string, o: object, fields: readonly string[]): void {
  const missing = fields.find((f) => (o as Record<string, unknown>)[f] === undefined);
  if (missing) throw opError(op, `${prefix}the options object lacks ${missing} (required: ${fields.join(", ")})`, [], "type");
}

/** `c` checked as a contract { ulp, atol, rtol } of non-negative numbers. */
export function checkContract(op: string, c: unknown): KernelContract | undefined {
  if (c === undefined) return undefined;
  if (c === null || typeof c !== "object" || (Object.getPrototypeOf(c) !== Object.prototype && Object.getPrototypeOf(c) !== null)) throw opError(op, `contract must be an object { ulp, atol, rtol }, got ${describeValue(c)}`, [], "type");
  checkOptions(op, c, ["ulp", "atol", "rtol"]);
  for (const [k, v] of Object.entries(c)) {
    if (v !== undefined && (typeof v !== "number" || !(v >= 0) || !Number.isFinite(v))) throw opError(op, `contract.${k} must be a finite number >= 0, got ${describeValue(v)}`, [], "range");
  }
  return c as KernelContract;
}

/** The stream of a launch: the one given (of the kernel's backend), else the kernel backend's default stream. */
function launchStream(op: string, kernel: string, backend: string, o: KernelCallOptions): Stream {
  let s: Stream;
  try {
    s = o.stream === undefined ? defaultStream(deviceFor(backend)) : opStream(op, { stream: o.stream });
    if (o.stream === undefined) opStream(op, { stream: s });
  } catch (e) {
    throw opError(op, `kernel '${kernel}' runs on the ${backend} backend: ${(e as Error).message.replace(/^\[[^\]]+\] /, "")}`);
  }
  if (s.device.backend !== backend) {
    throw opError(op, `kernel '${kernel}' runs on the ${backend} backend, but stream ${String(s)} is on the ${s.device.backend} backend (pass stream: mx.${backend}, or leave it out)`);
  }
  return s;
}

function launch(lang: KernelLanguage, def: Parameters<KernelLanguage["generate"]>[0], ensureRowContiguous: boolean, reference: KernelConfig["reference"], o: KernelCallOptions): MxArray[] {
  const op = lang.op;
  const who = `kernel '${def.name}'`;
  if (o === null || typeof o !== "object" || Array.isArray(o)) throw opError(op, `${who} takes one options object { inputs, grid, threadgroup, outputShapes, outputDtypes, ... }, got ${describeValue(o)}`, [], "type");
  checkOptions(op, o, ["inputs", "template", "grid", "threadgroup", "outputShapes", "outputDtypes", "initValue", "verbose"]);
  requireFields(op, `${who}: `, o, ["inputs", "grid", "threadgroup", "outputShapes", "outputDtypes"]);
  const stream = launchStream(op, def.name, lang.backend, o);
  if (!Array.isArray(o.inputs) || o.inputs.length !== def.inputNames.length) {
    throw opError(op, `${who}: inputs must be a list of ${def.inputNames.length} arrays (${def.inputNames.join(", ")}), got ${describeValue(o.inputs)}`, [], "type");
  }
  const inputs = o.inputs.map((x: unknown, i) => {
    if (x instanceof MxArray) {
      if (x.isDisposed) throw opError(op, `${who}: input '${def.inputNames[i]}' was disposed and can no longer be used`);
      return x;
    }
    if (typeof x === "number" || typeof x === "boolean") return ops.array(x, undefined, { stream });
    throw opError(op, `${who}: input '${def.inputNames[i]}' must be an mx array or a JS number, got ${describeValue(x)}`, [], "type");
  });
  const { grid, threadgroup } = checkLaunch(op, who, o.grid, o.threadgroup, lang.maxThreadgroup, lang.backend);
  const n = def.outputNames.length;
  if (!Array.isArray(o.outputShapes) || o.outputShapes.length !== n) throw opError(op, `${who}: outputShapes must be a list of ${n} shapes (${def.outputNames.join(", ")}), got ${describeValue(o.outputShapes)}`, [], "type");
  const shapes = o.outputShapes.map((s: unknown, i) => checkOutputShape(op, who, s, i));
  if (!Array.isArray(o.outputDtypes) || o.outputDtypes.length !== n || !o.outputDtypes.every(isDType)) {
    throw opError(op, `${who}: outputDtypes must be a list of ${n} dtypes (${def.outputNames.join(", ")}), got ${describeValue(o.outputDtypes)}`, [], "type");
  }
  if (o.initValue !== undefined && typeof o.initValue !== "number") throw opError(op, `${who}: initValue must be a number, got ${describeValue(o.initValue)}`, [], "type");
  if (o.verbose !== undefined && typeof o.verbose !== "boolean") throw opError(op, `${who}: verbose must be a boolean, got ${describeValue(o.verbose)}`, [], "type");
  const template = templatePairs(op, o.template);
  const dupe = template.find(([name]) => def.inputNames.includes(name) || def.outputNames.includes(name));
  if (dupe) throw opError(op, `${who}: template name '${dupe[0]}' is also an input or output name`);
  let gen: ReturnType<KernelLanguage["generate"]>;
  try {
    gen = lang.generate(def, inputs, o.outputDtypes, template, { grid, threadgroup });
  } catch (e) {
    throw opError(op, `${who}: ${(e as Error).message}`, inputs);
  }
  if (o.verbose) console.log(gen.source);
  const spec: CustomKernelParams = {
    backend: lang.backend, kernel: def.name, entry: gen.entry, source: gen.source, grid, threadgroup,
    outputs: shapes.map((shape, i) => ({ shape, dtype: o.outputDtypes[i]!.name })),
    initValue: o.initValue ?? null, ensureRowContiguous, companions: gen.companions,
  };
  return nodes(new CustomKernel(spec, op, reference, stream), inputs, stream);
}
