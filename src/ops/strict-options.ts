// Guards against silently dropped arguments (issue 13 item 5): an options
// object may hold only the keys its op documents, MLX's positional axis or
// dtype may come before it, and no argument may follow the last parameter;
// anything else is an error naming the op.

import { MxArray } from "../array.js";
import { isDType, type DType } from "../dtype.js";
import { describeValue, duringOp, opError } from "../errors.js";

/**
 * Throws when `o` is not a plain options object or holds a key outside
 * `allowed` and, for an op (`takesStream`, the default), `stream`.
 */
export function checkOptions(op: string, o: unknown, allowed: readonly string[] = [], takesStream = true): void {
  if (o === undefined) return;
  const valid = takesStream ? [...allowed, "stream"] : allowed;
  if (o === null || typeof o !== "object" || Array.isArray(o) || o instanceof MxArray) {
    throw opError(op, `options must be an object such as { ${valid.join(", ")} }, got ${describeValue(o)}`, [], "type");
  }
  // a plain object (or one without a prototype): a Map, a Date or a class instance holds no options its keys could name
  const proto: unknown = Object.getPrototypeOf(o);
  if (proto !== Object.prototype && proto !== null) {
    throw opError(op, `options must be a plain object such as { ${valid.join(", ")} }, got ${describeValue(o)}`, [], "type");
  }
  for (const k of Object.keys(o)) {
    if (!valid.includes(k)) throw opError(op, `unknown option '${k}'; valid options: ${valid.join(", ") || "none"}`, [], "type");
  }
}

/**
 * MLX's `op(x, axis, ..., stream=...)` in TypeScript: the options of an op
 * that takes an axis (a number, a list, or null) positionally, followed by
 * an options object, or the options object alone (also after an undefined
 * axis). An axis given both ways must agree; the keys are checked as by
 * checkOptions (`axis` among them).
 */
export function axisThenOptions<T extends { axis?: unknown }>(op: string, axisOrOptions: unknown, options: unknown, allowed: readonly string[]): T {
  const isAxis = (v: unknown) => v === null || typeof v === "number" || Array.isArray(v);
  // neither an axis nor an object that could hold options (a string, a function, an array): a wrong axis, named as such
  if (axisOrOptions !== undefined && !isAxis(axisOrOptions) && (typeof axisOrOptions !== "object" || axisOrOptions instanceof MxArray)) {
    throw opError(op, `axis must be an integer, a list of integers or null (or the options object), got ${describeValue(axisOrOptions)}`, [], "type");
  }
  if (!isAxis(axisOrOptions)) {
    if (options !== undefined && axisOrOptions !== undefined) throw opError(op, "got an options object and a further argument; pass the options once", [], "type");
    const o = axisOrOptions ?? options; // op(x, undefined, { ... }): the axis left out
    checkOptions(op, o, allowed);
    return (o ?? {}) as T;
  }
  checkOptions(op, options, allowed);
  const o = (options ?? {}) as T;
  if (o.axis !== undefined && JSON.stringify(o.axis) !== JSON.stringify(axisOrOptions)) {
    throw opError(op, `axis given twice: ${describeValue(axisOrOptions)} and { axis: ${describeValue(o.axis)} }`, [], "value");
  }
  return { ...o, axis: axisOrOptions };
}

/**
 * MLX's `op(..., dtype, stream=...)` in TypeScript: the options of an op that
 * takes a dtype positionally (or null for the default), followed by an
 * options object, or the options object alone. A dtype given both ways must
 * agree; the keys are checked as by checkOptions (`dtype` among them).
 */
export function dtypeThenOptions<T extends { dtype?: DType | undefined }>(op: string, dtypeOrOptions: unknown, options: unknown, allowed: readonly string[]): T {
  if (dtypeOrOptions !== null && dtypeOrOptions !== undefined && !isDType(dtypeOrOptions)) {
    if (options !== undefined) throw opError(op, `got ${describeValue(dtypeOrOptions)} where the dtype goes, then a further argument; pass a dtype, then the options`, [], "type");
    checkOptions(op, dtypeOrOptions, allowed);
    return dtypeOrOptions as T;
  }
  checkOptions(op, options, allowed);
  const o = (options ?? {}) as T;
  if (dtypeOrOptions === null || dtypeOrOptions === undefined) return o;
  if (o.dtype !== undefined && o.dtype !== dtypeOrOptions) throw opError(op, `dtype given twice: ${dtypeOrOptions.name} and { dtype: ${isDType(o.dtype) ? o.dtype.name : describeValue(o.dtype)} }`, [], "value");
  return { ...o, dtype: dtypeOrOptions };
}

/**
 * The trailing arguments `rest` of an op whose positional numbers may stop
 * early for its dtype (MLX's `eye(n, dtype)`, `tri(n, m, dtype)`): the values
 * before the first dtype or options object, and the options read from there
 * by dtypeThenOptions. An argument after the options is an error.
 */
export function valuesThenDtype<T extends { dtype?: DType | undefined }>(op: string, rest: readonly unknown[], allowed: readonly string[]): { values: unknown[]; o: T } {
  const at = rest.findIndex((v) => isDType(v) || (v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof MxArray)));
  if (at < 0) return { values: [...rest], o: {} as T };
  const late = rest.findIndex((v, i) => i > at + 1 && v !== undefined);
  if (late >= 0) throw opError(op, `got ${describeValue(rest[late])} after the options; the options come last`, [], "type");
  return { values: rest.slice(0, at), o: dtypeThenOptions<T>(op, rest[at], rest[at + 1], allowed) };
}

/**
 * Runs the body of composite op `op`: an error raised by an op it is built
 * from is re-labelled with `op`, so the user sees the function they called;
 * the nodes it builds remember `op` (the outermost one), so an error while
 * they are evaluated names it too (see duringOp in src/errors.ts).
 */
export function asOp<T>(op: string, body: () => T): T {
  return duringOp(op, body);
}

const ordinal = (n: number) => `${n}${n % 100 >= 11 && n % 100 <= 13 ? "th" : ["th", "st", "nd", "rd"][n % 10] ?? "th"}`;

/**
 * Throws when public function `op` (which takes at most `max` parameters) got
 * an argument past its last one, which would otherwise be silently dropped.
 * Called first thing with the function's `arguments`.
 */
export function noExtraArguments(op: string, args: IArguments, max: number): void {
  if (args.length <= max) return;
  throw opError(op, `takes at most ${max} argument${max === 1 ? "" : "s"}; got ${args.length} (the ${ordinal(max + 1)} is ${describeValue(args[max])})`, [], "type");
}
