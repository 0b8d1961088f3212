// A primitive as plain JSON for a function file, and back: its class (the
// module and export name of one of mlx-ts's primitive classes) and its own
// fields, with dtypes, streams and the numbers JSON lacks (NaN, infinities,
// -0, bigints) tagged. Classes outside the table cannot be written.

import { Primitive } from "../primitive.js";
import { DType, dtypeFromName } from "../dtype.js";
import { Stream, deviceFor, toStream } from "../device.js";
import type { BackendName } from "../../backends/backend.js";
import { describeValue, opError } from "../errors.js";
import { CustomKernel } from "../fast/custom-kernel.js";
import { customFunctionOf } from "../transforms/custom.js";
import * as conv from "../primitives/conv.js";
import * as depends from "../primitives/depends.js";
import * as divmod from "../primitives/divmod.js";
import * as elementCount from "../primitives/element-count.js";
import * as elementwise from "../primitives/elementwise.js";
import * as fastAttention from "../primitives/fast-attention.js";
import * as fastNorms from "../primitives/fast-norms.js";
import * as fastRope from "../primitives/fast-rope.js";
import * as fft from "../primitives/fft.js";
import * as fp8 from "../primitives/fp8.js";
import * as indexing from "../primitives/indexing.js";
import * as layout from "../primitives/layout.js";
import * as linalgCholesky from "../primitives/linalg-cholesky.js";
import * as linalgDet from "../primitives/linalg-det.js";
import * as linalgEig from "../primitives/linalg-eig.js";
import * as linalgEigh from "../primitives/linalg-eigh.js";
import * as linalgLu from "../primitives/linalg-lu.js";
import * as linalgPinv from "../primitives/linalg-pinv.js";
import * as linalgQr from "../primitives/linalg-qr.js";
import * as linalgSolve from "../primitives/linalg-solve.js";
import * as linalgSvd from "../primitives/linalg-svd.js";
import * as misc from "../primitives/misc.js";
import * as quantized from "../primitives/quantized.js";
import * as reduce from "../primitives/reduce.js";
import * as scan from "../primitives/scan.js";
import * as sort from "../primitives/sort.js";
import * as strided from "../primitives/strided.js";
import * as view from "../primitives/view.js";

type PrimitiveClass = abstract new (...args: never[]) => Primitive;

const MODULES: Record<string, Record<string, unknown>> = {
  conv, depends, divmod, elementCount, elementwise, fastAttention, fastNorms, fastRope, fft, fp8, indexing, layout,
  linalgCholesky, linalgDet, linalgEig, linalgEigh, linalgLu, linalgPinv, linalgQr, linalgSolve, linalgSvd,
  misc, quantized, reduce, scan, sort, strided, view, customKernel: { CustomKernel },
};

/** Every primitive class a file may name, by "module.Export", and the key of each class. */
export const CLASSES = new Map<string, PrimitiveClass>();
const KEYS = new Map<unknown, string>();
for (const [m, exports] of Object.entries(MODULES)) {
  for (const [name, value] of Object.entries(exports)) {
    if (typeof value === "function" && value.prototype instanceof Primitive) {
      CLASSES.set(`${m}.${name}`, value as PrimitiveClass);
      KEYS.set(value, `${m}.${name}`);
    }
  }
}

/** Fields a file leaves out: a custom kernel's reference is a JS function (so an imported kernel has no vjp, jvp or check, as MLX's). */
const LEFT_OUT: ReadonlyMap<PrimitiveClass, ReadonlySet<string>> = new Map([[CustomKernel, new Set(["reference"])]]);

/** A primitive in a file: its class and its fields (tagged JSON values). */
export interface EncodedPrimitive {
  readonly class: string;
  readonly fields: Record<string, unknown>;
}

const TAGS = ["$number", "$bigint", "$dtype", "$stream", "$undefined"] as const;

function encodeValue(op: string, v: unknown, where: () => string): unknown {
  switch (typeof v) {
    case "number":
      if (Number.isNaN(v) || !Number.isFinite(v) || Object.is(v, -0)) return { $number: Object.is(v, -0) ? "-0" : String(v) };
      return v;
    case "bigint":
      return { $bigint: v.toString() };
    case "string":
    case "boolean":
      return v;
    case "undefined":
      return { $undefined: true };
  }
  if (v === null) return null;
  if (v instanceof DType) return { $dtype: v.name };
  if (v instanceof Stream) return { $stream: v.device.backend };
  if (Array.isArray(v)) return v.map((x) => encodeValue(op, x, where));
  const proto = Object.getPrototypeOf(v) as unknown;
  if (typeof v === "object" && (proto === Object.prototype || proto === null)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeValue(op, x, where)]));
  }
  throw opError(op, `cannot write ${where()}: it holds ${describeValue(v)}, which a file cannot hold`, [], "value");
}

/** `p` as JSON data, or an error naming it when it is not one of mlx-ts's primitives or holds what a file cannot. */
export function encodePrimitive(op: string, p: Primitive): EncodedPrimitive {
  const ctor = p.constructor as PrimitiveClass;
  const key = KEYS.get(ctor);
  if (!key) {
    if (customFunctionOf(p)) {
      throw opError(op, "the function uses a custom function (mx.customFunction, or an op made with one: qqmm, gatherQqmm), whose rules are JS functions, which a file cannot hold (MLX cannot export custom functions either)", [], "value");
    }
    throw opError(op, `the function uses '${p.name}', a primitive defined outside mlx-ts, which a file cannot hold`, [], "value");
  }
  const leftOut = LEFT_OUT.get(ctor);
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) {
    if (leftOut?.has(k)) continue;
    fields[k] = encodeValue(op, v, () => `primitive '${p.name}' (its field '${k}')`);
  }
  return { class: key, fields };
}

function decodeValue(v: unknown, bad: (what: string) => Error): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => decodeValue(x, bad));
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 1 && (TAGS as readonly string[]).includes(entries[0]![0])) {
    const [tag, x] = entries[0]!;
    switch (tag) {
      case "$number":
        if (x === "NaN") return NaN;
        if (x === "Infinity") return Infinity;
        if (x === "-Infinity") return -Infinity;
        if (x === "-0") return -0;
        throw bad(`a number tagged ${describeValue(x)}`);
      case "$bigint":
        if (typeof x !== "string" || !/^-?\d+$/.test(x)) throw bad(`a bigint tagged ${describeValue(x)}`);
        return BigInt(x);
      case "$dtype":
        try {
          return dtypeFromName(String(x));
        } catch {
          throw bad(`an unknown dtype ${describeValue(x)}`);
        }
      case "$stream":
        if (typeof x !== "string") throw bad(`a stream tagged ${describeValue(x)}`);
        try {
          return toStream(deviceFor(x as BackendName));
        } catch (err) {
          throw bad(`a kernel for backend '${x}', which is not available here (${(err as Error).message})`);
        }
      default:
        return undefined;
    }
  }
  return Object.fromEntries(entries.map(([k, x]) => [k, decodeValue(x, bad)]));
}

/** The ops the classes standing for many ops may be (their name is the kernel they run). */
export const OP_NAMES: ReadonlyMap<PrimitiveClass, readonly string[]> = new Map<PrimitiveClass, readonly string[]>([
  [elementwise.Unary, Object.keys(elementwise.UNARY_OPS)],
  [elementwise.Binary, Object.keys(elementwise.BINARY_OPS)],
  [reduce.Reduce, ["sum", "prod", "max", "min", "all", "any"] satisfies reduce.ReduceOp[]],
  [reduce.ArgReduce, ["argmax", "argmin"]],
]);

/** An argument every property of which reads as an empty array: enough for a constructor to set its class's fields. */
const EMPTY_ARGUMENT = new Proxy({}, { get: () => [] });

/** An instance of each class built with empty arguments (undefined where its constructor throws on both), for the fields its class fixes. */
export const PROBES: ReadonlyMap<PrimitiveClass, Primitive | undefined> = new Map(
  [...CLASSES.values()].map((c) => {
    for (const args of [[], [EMPTY_ARGUMENT]]) {
      try {
        return [c, Reflect.construct(c, args) as Primitive];
      } catch {
        // a constructor that reads its arguments further: the next ones
      }
    }
    return [c, undefined];
  }),
);

/**
 * The name of each class outside OP_NAMES whose name is a field (learnt from
 * its probe): a file's node of that class must carry it (kernels are chosen
 * by name). A test checks that every class is in OP_NAMES, here, or named
 * by a getter of its fields (sort's), which a file cannot set.
 */
export const FIXED_NAMES: ReadonlyMap<PrimitiveClass, string> = new Map(
  [...CLASSES.values()].flatMap((c): [PrimitiveClass, string][] => {
    const name = "name" in (c.prototype as object) || OP_NAMES.has(c) ? undefined : PROBES.get(c)?.name;
    return typeof name === "string" ? [[c, name]] : [];
  }),
);

/**
 * The primitive `e` describes; `bad(what)` makes the error for a file that
 * does not describe one. Its fields are its own: none may stand in for a
 * method; the classes of many ops (unary, binary, reductions) must name one of theirs.
 */
export function decodePrimitive(e: unknown, bad: (what: string) => Error): Primitive {
  if (e === null || typeof e !== "object" || typeof (e as EncodedPrimitive).class !== "string") throw bad(`a primitive without a class: ${describeValue(e)}`);
  const { class: key, fields } = e as EncodedPrimitive;
  const ctor = CLASSES.get(key);
  if (!ctor) throw bad(`an unknown primitive class '${key}' (written by another version of mlx-ts?)`);
  if (fields === null || typeof fields !== "object" || Array.isArray(fields)) throw bad(`primitive '${key}' without fields`);
  const p = Object.create(ctor.prototype as object) as Primitive;
  for (const [k, v] of Object.entries(fields)) {
    if (k in (ctor.prototype as object)) throw bad(`primitive '${key}' has a field '${k}', which is a method or property of its class`);
    Object.defineProperty(p, k, { value: decodeValue(v, bad), enumerable: true, writable: true, configurable: true });
  }
  const fixed = FIXED_NAMES.get(ctor);
  const names = OP_NAMES.get(ctor) ?? (fixed === undefined ? undefined : [fixed]);
  if (typeof p.name !== "string" || (names && !names.includes(p.name))) {
    throw bad(`primitive '${key}' is named ${describeValue(p.name)}, which is not ${fixed === undefined ? "one of its ops" : `its class's name '${fixed}'`}`);
  }
  // the complex gradient rule a class declares (complex-rules.ts) is its own: a file may neither change nor add one
  const rule = (p as { complexRule?: unknown }).complexRule, own = (PROBES.get(ctor) as { complexRule?: unknown } | undefined)?.complexRule;
  if (rule !== own) throw bad(`primitive '${key}' declares the complex gradient rule ${describeValue(rule)}, where its class declares ${describeValue(own)}`);
  return p;
}
