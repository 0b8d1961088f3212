// Error-input entries of mx.compile and its switches: compile names its `fn`
// and `shapeless` arguments; compileStats takes only compiled functions;
// disableCompile and enableCompile take nothing.

import * as mx from "../index.js";
import type { ArgKind, ArgSpec, ErrorEntry } from "./error-inputs.js";

const arg = (kind: ArgKind, ...names: string[]): ArgSpec => ({ kind, names });
const sumSquares = (x: mx.MxArray) => mx.sum(mx.square(x));

type Fn = (...a: unknown[]) => unknown;

export const COMPILE_ERROR_ENTRIES: readonly ErrorEntry[] = [
  {
    name: "compile",
    args: [arg("fn", "fn", "function"), { kind: "options", names: ["options"], fields: { shapeless: arg("bool", "shapeless") } }],
    valid: () => [sumSquares, { shapeless: false }, mx.array([1, 2], mx.float32)],
    call: (f: Fn, [fn, o, ...rest]: unknown[]) => (f(fn, o) as Fn)(...rest),
    bad: [
      { label: "a shapeless trace with a reshape to a given shape", args: () => [(x: mx.MxArray) => mx.reshape(x, [4]), { shapeless: true }, mx.ones([2, 2])], names: ["shapeless"] },
      { label: "a function returning a Map", args: () => [() => new Map(), {}, mx.ones([2])], names: ["function"] },
      { label: "an argument that is a function", args: () => [sumSquares, {}, () => 0], names: ["argument"] },
    ],
  },
  {
    name: "compileStats",
    args: [arg("fn", "fn")],
    valid: () => [mx.compile(sumSquares)],
  },
  { name: "disableCompile", args: [], valid: () => [], restore: () => mx.enableCompile() },
  { name: "enableCompile", args: [], valid: () => [] },
];
