// The error-input table (PyTorch's error_inputs idea): for every public
// function of mx, a valid call (arguments built fresh), the words an error may
// use to name each argument, and the bad calls it must refuse; the generic bad
// values every argument is probed with are here too. error-inputs-driver.ts
// runs them (test/error-inputs.test.ts, in a child process) and checks each
// error names the function called and the argument.

import * as mx from "../index.js";
import { VIEW_ERROR_ENTRIES } from "./error-inputs-view.js";
import { FAST_KERNEL_ERROR_ENTRIES } from "./error-inputs-fast-kernels.js";
import { LINALG_ERROR_ENTRIES } from "./error-inputs-linalg.js";
import { FAST_OPS_ERROR_ENTRIES } from "./error-inputs-fast-ops.js";
import { FAST_ATTENTION_ERROR_ENTRIES } from "./error-inputs-fast-attention.js";
import { QUANTIZED_ERROR_ENTRIES } from "./error-inputs-quantized.js";
import { MATH_MODE_ERROR_ENTRIES } from "./error-inputs-math-mode.js";
import { MATMUL_ERROR_ENTRIES } from "./error-inputs-matmul.js";
import { CONV_ERROR_ENTRIES } from "./error-inputs-conv.js";
import { FFT_ERROR_ENTRIES } from "./error-inputs-fft.js";
import { COMPLEX_ERROR_ENTRIES } from "./error-inputs-complex.js";
import { OPTIMIZERS_ERROR_ENTRIES } from "./error-inputs-optimizers.js";
import { IO_ERROR_ENTRIES } from "./error-inputs-io.js";
import { COMPILE_ERROR_ENTRIES } from "./error-inputs-compile.js";
import { NN_ERROR_ENTRIES } from "./error-inputs-nn.js";
import { DISTRIBUTED_ERROR_ENTRIES } from "./error-inputs-distributed.js";
import { NN_DISTRIBUTED_ERROR_ENTRIES } from "./error-inputs-nn-distributed.js";

/** What an argument is; picks the probes beyond the generic ones. */
export type ArgKind =
  | "array" | "arrays" | "shape" | "axis" | "axes" | "int" | "number" | "dtype" | "options" | "stream"
  | "fn" | "device" | "key" | "tree" | "bool" | "any";

export interface ArgSpec {
  kind: ArgKind;
  /**
   * Words an error may use to name the argument (matched whole, ignoring case).
   * Arrays (kinds array and arrays) are also named by an error that lists the
   * inputs or their shapes (`(inputs: float32(2,))`, `shapes (2,) and (3,)`):
   * how errors about their relation (broadcasting, ranks, dtypes) name them.
   */
  names: readonly string[];
  /** An object the caller implements (a backend), so keys beyond `fields` are its own: not probed with an unknown key. */
  open?: boolean;
  /** An options object's fields, each probed inside an otherwise valid object. */
  fields?: Readonly<Record<string, ArgSpec>>;
}

/** A call the function must refuse, with the words its error must contain one of. */
export interface BadCall {
  label: string;
  args: () => unknown[];
  names: readonly string[];
}

export interface ErrorEntry {
  /** The function as a user writes it after `mx.`: `add`, `random.normal`, `utils.treeMap`. */
  name: string;
  /** The name errors carry when it differs (an alias: `variance` is exported as `var`). */
  reportedAs?: string;
  args: readonly ArgSpec[];
  /** Arguments of a valid call, built fresh each time. */
  valid(): unknown[];
  /** How the arguments are applied (default: the function called with them); transforms call what they return. */
  call?(f: (...a: unknown[]) => unknown, args: unknown[]): unknown;
  bad?: readonly BadCall[];
  /** Undoes the global state a probe may have changed (cache bounds, validation, the default device, ...). */
  restore?(): void;
}

/** Exported classes: constructors, not functions a user calls; each is listed so a new export is a decision. */
export const CLASSES: readonly string[] = ["Array", "MxArray", "DType", "Dtype", "Device", "Stream", "Primitive", "IndexSlice", "ArrayAt", "StreamContext", "distributed.Group"];

// ---- generic bad values ----

export interface Probe {
  label: string;
  value: () => unknown;
  /** Ways a message may quote the value (an alternative to naming the argument). */
  quotes: readonly string[];
}

const probe = (label: string, value: () => unknown, ...quotes: string[]): Probe => ({ label, value, quotes });

const GENERIC: readonly Probe[] = [
  probe("undefined", () => undefined, "undefined"),
  probe("null", () => null, "null"),
  probe("a string", () => "bogus", "bogus"),
  probe("a plain object", () => ({}), "{}", "object"),
  probe("NaN", () => NaN, "NaN"),
  probe("-1", () => -1, "-1"),
  probe("2**31", () => 2 ** 31, "2147483648", "2^31"),
  probe("1.5", () => 1.5, "1.5"),
  probe("a JS array", () => [1, 2], "[1,2]", "1,2", "JS array"),
  probe("a function", () => () => 0, "a function", "() => 0"),
  probe("an mx array", () => mx.array([1, 2], mx.float32), "MxArray", "got an mx array", "got an array", "float32(2,)"),
];

const BY_KIND: Partial<Record<ArgKind, readonly Probe[]>> = {
  array: [
    probe("a rank-3 array", () => mx.zeros([2, 3, 4])),
    probe("a disposed array", () => {
      const x = mx.array([1, 2], mx.float32);
      x.dispose();
      return x;
    }, "disposed"),
    probe("a JS scalar bigint", () => 3n, "3"),
  ],
  arrays: [
    probe("an empty list", () => [], "[]", "empty"),
    probe("a list with a string", () => [mx.array([1], mx.float32), "bogus"], "bogus"),
    probe("a list with a JS array", () => [mx.array([1], mx.float32), [1]], "JS array"),
    probe("a list with undefined", () => [mx.array([1], mx.float32), undefined], "undefined"),
  ],
  shape: [
    probe("a negative dimension", () => [2, -3], "-3"),
    probe("a fractional dimension", () => [2.5], "2.5"),
    probe("a dimension of 2^31", () => [2 ** 31], "2147483648", "2^31"),
    probe("a string dimension", () => ["a"], "\"a\"", "a"),
    probe("a NaN dimension", () => [NaN], "NaN", "null"),
    probe("a shape with a hole", () => [1, , 2], "null", "hole"), // eslint-disable-line no-sparse-arrays
  ],
  axis: [
    probe("an axis out of range", () => 7, "7"),
    probe("a negative axis out of range", () => -7, "-7"),
    probe("a repeated axis", () => [0, 0], "[0,0]"),
  ],
  axes: [
    probe("an axis out of range", () => [7], "7"),
    probe("a repeated axis", () => [0, 0], "[0,0]"),
  ],
  int: [probe("Infinity", () => Infinity, "Infinity")],
  number: [probe("Infinity", () => Infinity, "Infinity")],
  dtype: [probe("a dtype name", () => "float32", "float32")],
  stream: [
    probe("a device name", () => "cpu", "cpu"),
    probe("a device of an unknown backend", () => new mx.Device("gpu", "no-such-backend"), "no-such-backend"),
  ],
  fn: [
    probe("a function returning a string", () => () => "bogus", "string"),
    probe("a function returning a Promise", () => async () => mx.array(1, mx.float32), "Promise"),
  ],
  device: [probe("a device name", () => "cpu", "cpu")],
  key: [
    probe("an int32 key", () => mx.array([1, 2]), "int32"),
    probe("a key of shape (3,)", () => mx.zeros([3], mx.uint32), "(3,)"),
  ],
};

/** The probes for an argument of `kind`: the generic bad values, then those of its kind. */
export function probesFor(kind: ArgKind): readonly Probe[] {
  return [...GENERIC, ...(BY_KIND[kind] ?? [])];
}

// ---- argument specs ----

const arg = (kind: ArgKind, ...names: string[]): ArgSpec => ({ kind, names });
const STREAM = arg("stream", "stream");
const opts = (fields: Record<string, ArgSpec> = {}): ArgSpec => ({ kind: "options", names: ["options"], fields: { stream: STREAM, ...fields } });
const INPUT = arg("array", "input");
const FIRST = arg("array", "first input");
const SECOND = arg("array", "second input");
const AXIS_FIELDS = { axis: arg("axis", "axis"), keepdims: arg("bool", "keepdims") };
const DTYPE = arg("dtype", "dtype");

const f32 = (v: mx.NestedList) => mx.array(v, mx.float32);
const complexArray = () => mx.array([{ re: 1, im: 2 }]);
const cpuBackend = () => mx.registeredBackends().find((b) => b.name === "cpu")!;

/** A backend object of its own (plain fields, so a probe can replace one) that runs on the cpu backend. */
function probeBackend(): mx.Backend {
  const cpu = cpuBackend();
  return {
    name: "error-inputs-probe",
    displayName: "error-inputs probe (cpu)",
    capabilities: cpu.capabilities,
    kernels: cpu.kernels,
    allocate: (n) => cpu.allocate(n),
    release: (b) => cpu.release(b),
    write: (b, src) => cpu.write(b, src),
    read: (t) => cpu.read(t),
    synchronize: () => cpu.synchronize(),
    memory: () => cpu.memory(),
    resetPeakMemory: () => cpu.resetPeakMemory(),
    setCacheLimit: (n) => cpu.setCacheLimit(n),
    clearCache: () => cpu.clearCache(),
  };
}

function dtypeCall(label: string, args: () => unknown[], dtype: string): BadCall {
  return { label, args, names: [dtype] };
}

// ---- elementwise ----

interface ElementwiseRules {
  complex?: boolean;
  bool?: boolean;
  float?: boolean;
}

/** Unary ops and what they refuse: complex64 (by default), bool (negative, sign), floats (bitwiseInvert). */
const UNARY: Record<string, ElementwiseRules> = {
  abs: { complex: true }, negative: { complex: true, bool: false }, sign: { complex: true, bool: false }, floor: {}, ceil: {}, round: { complex: true },
  square: { complex: true }, sqrt: { complex: true }, rsqrt: { complex: true }, reciprocal: { complex: true }, exp: { complex: true },
  expm1: {}, log: { complex: true }, log2: { complex: true }, log10: { complex: true }, log1p: {}, sin: { complex: true }, cos: { complex: true },
  tan: { complex: true }, arcsin: { complex: true }, arccos: { complex: true }, arctan: { complex: true }, sinh: { complex: true }, cosh: { complex: true }, tanh: { complex: true }, arcsinh: {}, arccosh: {}, arctanh: {},
  sigmoid: {}, erf: {}, erfinv: {}, isnan: { complex: true }, isinf: { complex: true }, isfinite: { complex: true },
  logicalNot: {}, bitwiseInvert: { float: false }, stopGradient: { complex: true },
};

const BINARY: Record<string, ElementwiseRules> = {
  add: { complex: true }, subtract: { complex: true, bool: false }, multiply: { complex: true }, divide: { complex: true },
  floorDivide: {}, remainder: {}, power: { complex: true }, maximum: { complex: true }, minimum: { complex: true }, logaddexp: {}, arctan2: {},
  bitwiseAnd: { float: false }, bitwiseOr: { float: false }, bitwiseXor: { float: false }, leftShift: { float: false }, rightShift: { float: false },
  equal: { complex: true }, notEqual: { complex: true }, less: { complex: true }, lessEqual: { complex: true }, greater: { complex: true }, greaterEqual: { complex: true },
  logicalAnd: {}, logicalOr: {},
};

function dtypeCases(rules: ElementwiseRules, withOther: (x: mx.MxArray) => unknown[]): BadCall[] {
  const out: BadCall[] = [];
  if (!rules.complex) out.push(dtypeCall("complex64 input", () => withOther(complexArray()), "complex64"));
  if (rules.bool === false) out.push(dtypeCall("bool input", () => withOther(mx.array([true, false])), "bool"));
  if (rules.float === false) out.push(dtypeCall("float32 input", () => withOther(f32([1.5, 2])), "float32"));
  return out;
}

const unaryEntries: ErrorEntry[] = Object.entries(UNARY).map(([name, rules]) => ({
  name,
  args: [INPUT, opts()],
  valid: () => [name === "bitwiseInvert" ? mx.array([1, 2]) : f32([0.5, 0.25]), {}],
  bad: dtypeCases(rules, (x) => [x]),
}));

const binaryEntries: ErrorEntry[] = Object.entries(BINARY).map(([name, rules]) => {
  const valid = () => (rules.float === false ? [mx.array([1, 2]), mx.array([3, 1])] : [f32([0.5, 2]), f32([1, 3])]);
  return {
    name,
    args: [FIRST, SECOND, opts()],
    valid: () => [...valid(), {}],
    bad: [
      { label: "shapes that do not broadcast", args: () => [mx.zeros([2], mx.int32), mx.zeros([3], mx.int32)], names: ["shapes", "broadcast"] },
      ...dtypeCases(rules, (x) => [x, x]),
    ],
  };
});

const closeFields = { rtol: arg("number", "rtol"), atol: arg("number", "atol"), equalNan: arg("bool", "equalNan") };

const elementwiseEntries: ErrorEntry[] = [
  ...unaryEntries,
  ...binaryEntries,
  {
    name: "astype",
    args: [INPUT, DTYPE, opts()],
    valid: () => [f32([1, 2]), mx.int32, {}],
  },
  {
    name: "where",
    args: [arg("array", "condition"), arg("array", "x"), arg("array", "y"), opts()],
    valid: () => [mx.array([true, false]), f32([1, 2]), f32([3, 4]), {}],
    bad: [{ label: "shapes that do not broadcast", args: () => [mx.array([true, false]), f32([1, 2, 3]), 0], names: ["shapes", "broadcast"] }],
  },
  {
    name: "clip",
    args: [INPUT, arg("array", "min"), arg("array", "max"), opts()],
    valid: () => [f32([-1, 0.5, 2]), 0, 1, {}],
    bad: [
      { label: "no bounds", args: () => [f32([1]), null, null], names: ["min", "max"] },
      { label: "bounds that do not broadcast", args: () => [f32([1, 2]), f32([0, 0, 0]), 1], names: ["min", "shapes", "broadcast"] },
      dtypeCall("complex64 input", () => [complexArray(), 0, 1], "complex64"),
    ],
  },
  {
    name: "isclose",
    args: [arg("array", "a", "first input"), arg("array", "b", "second input"), opts(closeFields)],
    valid: () => [f32([1, 2]), f32([1, 2.5]), { rtol: 1e-5, atol: 1e-8, equalNan: false }],
    bad: [{ label: "shapes that do not broadcast", args: () => [f32([1, 2]), f32([1, 2, 3])], names: ["shapes", "broadcast"] }],
  },
  {
    name: "allclose",
    args: [arg("array", "a", "first input"), arg("array", "b", "second input"), opts(closeFields)],
    valid: () => [f32([1, 2]), f32([1, 2.5]), { rtol: 1e-5, atol: 1e-8, equalNan: false }],
    bad: [{ label: "shapes that do not broadcast", args: () => [f32([1, 2]), f32([1, 2, 3])], names: ["shapes", "broadcast"] }],
  },
  {
    name: "arrayEqual",
    args: [arg("array", "a", "first input"), arg("array", "b", "second input"), opts({ equalNan: arg("bool", "equalNan") })],
    valid: () => [f32([1, 2]), f32([1, 2]), { equalNan: true }],
  },
];

// ---- creation ----

const dtypeOpts = opts({ dtype: DTYPE });

const creationEntries: ErrorEntry[] = [
  {
    name: "array",
    args: [arg("any", "value", "element"), DTYPE, opts()],
    valid: () => [[[1, 2], [3, 4]], mx.float32, {}],
    bad: [
      { label: "a list with a hole", args: () => [[1, , 3]], names: ["hole", "element"] }, // eslint-disable-line no-sparse-arrays
      { label: "a ragged list", args: () => [[[1], [2, 3]]], names: ["ragged", "element"] },
      { label: "a list with a string", args: () => [[1, "a"]], names: ["element"] },
      { label: "a complex value as float32", args: () => [[{ re: 1, im: 1 }], mx.float32], names: ["complex", "complex64"] },
    ],
  },
  ...(["zeros", "ones"] as const).map((name): ErrorEntry => ({
    name,
    args: [arg("shape", "shape"), DTYPE, opts()],
    valid: () => [[2, 3], mx.float32, {}],
    bad: [
      { label: "a dimension of 2^31", args: () => [[2 ** 31]], names: ["dimension"] },
      { label: "a negative size", args: () => [-1], names: ["shape"] },
      { label: "options in place of the dtype and after it", args: () => [[2], { dtype: mx.int32 }, {}], names: ["options", "dtype"] },
    ],
  })),
  {
    name: "full",
    args: [arg("shape", "shape"), arg("array", "value"), DTYPE, opts()],
    valid: () => [[2, 2], 7, mx.float32, {}],
    bad: [
      { label: "a string value", args: () => [[2], "a"], names: ["value"] },
      { label: "a value that does not broadcast", args: () => [[2], f32([1, 2, 3])], names: ["shape", "broadcast"] },
    ],
  },
  ...(["zerosLike", "onesLike"] as const).map((name): ErrorEntry => ({
    name,
    args: [arg("array", "input", "x"), opts()],
    valid: () => [f32([1, 2]), {}],
  })),
  {
    name: "fullLike",
    args: [arg("array", "input", "x"), arg("number", "value"), opts()],
    valid: () => [f32([1, 2]), 3, {}],
    bad: [{ label: "a string value", args: () => [f32([1]), "a"], names: ["value"] }],
  },
  {
    name: "arange",
    args: [arg("number", "start"), arg("number", "stop"), arg("number", "step"), dtypeOpts],
    valid: () => [0, 5, 1, { dtype: mx.int32 }],
    bad: [
      { label: "a zero step", args: () => [0, 5, 0], names: ["step"] },
      { label: "an infinite stop", args: () => [0, Infinity], names: ["stop"] },
      { label: "2^31 elements", args: () => [0, 2 ** 31], names: ["elements", "stop"] },
      { label: "a bool dtype", args: () => [0, 5, { dtype: mx.bool }], names: ["dtype", "bool"] },
      { label: "no bounds", args: () => [], names: ["stop"] },
    ],
  },
  {
    name: "linspace",
    args: [arg("number", "start"), arg("number", "stop"), arg("int", "num"), dtypeOpts],
    valid: () => [0, 1, 5, { dtype: mx.float32 }],
    bad: [
      { label: "a negative num", args: () => [0, 1, -1], names: ["num"] },
      { label: "2^31 points", args: () => [0, 1, 2 ** 31], names: ["num"] },
      { label: "a complex dtype", args: () => [0, 1, 3, { dtype: mx.complex64 }], names: ["dtype"] },
    ],
  },
  {
    name: "eye",
    args: [arg("int", "n"), arg("int", "m"), arg("int", "k"), dtypeOpts],
    valid: () => [2, 3, 1, { dtype: mx.float32 }],
    bad: [
      { label: "2^31 rows", args: () => [2 ** 31], names: ["n"] },
      { label: "a fractional n", args: () => [2.5], names: ["n"] },
    ],
  },
  {
    name: "identity",
    args: [arg("int", "n"), dtypeOpts],
    valid: () => [2, { dtype: mx.int32 }],
  },
];

// ---- layout and matmul ----

const m23 = () => mx.reshape(mx.arange(6, { dtype: mx.float32 }), [2, 3]);
const arraysArg = arg("arrays", "arrays");

const layoutEntries: ErrorEntry[] = [
  {
    name: "reshape",
    args: [INPUT, arg("shape", "shape"), opts()],
    valid: () => [m23(), [3, 2], {}],
    bad: [
      { label: "a size mismatch", args: () => [m23(), [4]], names: ["shape"] },
      { label: "two inferred dimensions", args: () => [m23(), [-1, -1]], names: ["shape", "-1"] },
    ],
  },
  {
    name: "flatten",
    args: [INPUT, opts({ startAxis: arg("axis", "startAxis"), endAxis: arg("axis", "endAxis") })],
    valid: () => [mx.zeros([2, 3, 4]), { startAxis: 0, endAxis: 1 }],
    bad: [{ label: "startAxis after endAxis", args: () => [mx.zeros([2, 3, 4]), { startAxis: 2, endAxis: 0 }], names: ["startAxis", "endAxis"] }],
  },
  {
    name: "squeeze",
    args: [INPUT, arg("axis", "axis"), opts()],
    valid: () => [mx.zeros([1, 3, 1]), 0, {}],
    bad: [{ label: "an axis of size 3", args: () => [mx.zeros([1, 3, 1]), 1], names: ["axis"] }],
  },
  {
    name: "expandDims",
    args: [INPUT, arg("axis", "axis"), opts()],
    valid: () => [f32([1, 2]), 0, {}],
  },
  {
    name: "transpose",
    args: [INPUT, arg("axes", "axes"), opts()],
    valid: () => [m23(), [1, 0], {}],
    bad: [{ label: "too few axes", args: () => [m23(), [0]], names: ["axes"] }],
  },
  {
    name: "swapaxes",
    args: [INPUT, arg("axis", "axis1"), arg("axis", "axis2"), opts()],
    valid: () => [m23(), 0, 1, {}],
  },
  {
    name: "moveaxis",
    args: [INPUT, arg("axis", "source"), arg("axis", "destination"), opts()],
    valid: () => [mx.zeros([2, 3, 4]), 0, -1, {}],
  },
  {
    name: "broadcastTo",
    args: [INPUT, arg("shape", "shape"), opts()],
    valid: () => [f32([1, 2]), [3, 2], {}],
    bad: [{ label: "an incompatible shape", args: () => [f32([1, 2]), [3]], names: ["shape", "broadcast"] }],
  },
  {
    name: "broadcastArrays",
    args: [arraysArg, opts()],
    valid: () => [[f32([[1], [2]]), f32([3, 4])], {}],
    bad: [{ label: "shapes that do not broadcast", args: () => [[f32([1, 2]), f32([1, 2, 3])]], names: ["shapes", "broadcast"] }],
  },
  {
    name: "slice",
    args: [INPUT, arg("axes", "start"), arg("axes", "stop"), arg("axes", "step"), opts()],
    valid: () => [m23(), [0, 1], [2, 3], [1, 1], {}],
    bad: [
      { label: "more starts than axes", args: () => [f32([1, 2]), [0, 0], [1, 1]], names: ["start", "starts"] },
      { label: "a zero step", args: () => [f32([1, 2]), [0], [2], [0]], names: ["step"] },
      { label: "a string bound", args: () => [f32([1, 2]), ["a"], [2]], names: ["start"] },
    ],
  },
  {
    name: "split",
    args: [INPUT, arg("axes", "indicesOrSections", "sections", "indices"), opts({ axis: arg("axis", "axis") })],
    valid: () => [mx.arange(6), 3, { axis: 0 }],
    bad: [
      { label: "sections that do not divide", args: () => [mx.arange(6), 4], names: ["sections"] },
      { label: "a string index", args: () => [mx.arange(6), ["a"]], names: ["indices", "indicesOrSections"] },
    ],
  },
  {
    name: "concatenate",
    args: [arraysArg, opts({ axis: arg("axis", "axis") })],
    valid: () => [[m23(), m23()], { axis: 1 }],
    bad: [
      { label: "mismatched shapes", args: () => [[m23(), f32([1, 2])]], names: ["shapes", "axis"] },
      { label: "0-d arrays", args: () => [[f32(1), f32(2)]], names: ["zero-dimensional", "stack"] },
    ],
  },
  {
    name: "stack",
    args: [arraysArg, opts({ axis: arg("axis", "axis") })],
    valid: () => [[f32([1, 2]), f32([3, 4])], { axis: 1 }],
    bad: [{ label: "mismatched shapes", args: () => [[f32([1, 2]), f32([1, 2, 3])]], names: ["shape"] }],
  },
  {
    name: "pad",
    args: [INPUT, arg("axes", "padWidth"), opts({ constantValue: arg("number", "constantValue") })],
    valid: () => [m23(), [[0, 1], [1, 0]], { constantValue: 9 }],
    bad: [
      { label: "a negative width", args: () => [f32([1, 2]), -1], names: ["padWidth"] },
      { label: "a width of 2^31", args: () => [f32([1, 2]), 2 ** 31], names: ["padWidth", "dimension"] },
      { label: "three pairs for two axes", args: () => [m23(), [[0, 1], [1, 0], [1, 1]]], names: ["padWidth"] },
    ],
  },
  {
    name: "matmul",
    args: [FIRST, SECOND, opts()],
    valid: () => [m23(), mx.transpose(m23()), {}],
    bad: [
      { label: "inner dimensions that differ", args: () => [m23(), m23()], names: ["inner dimensions"] },
      { label: "a 0-d operand", args: () => [f32(1), m23()], names: ["inputs", "dimension"] },
      { label: "batch shapes that do not broadcast", args: () => [mx.zeros([2, 2, 2]), mx.zeros([3, 2, 2])], names: ["shapes", "broadcast"] },
    ],
  },
];

// ---- reductions ----

/** The bad calls of reduction `name`; `refusesComplex`: it takes no complex64 (logsumexp, softmax). */
const reductionBad = (name: string, refusesComplex: boolean): BadCall[] => [
  { label: "an axis out of range", args: () => [m23(), 2], names: ["axis"] },
  { label: "a repeated axis", args: () => [m23(), [0, 0]], names: ["axes", "axis"] },
  { label: "a fractional axis", args: () => [m23(), { axis: 0.5 }], names: ["axis"] },
  ...(refusesComplex ? [dtypeCall(`complex64 ${name}`, () => [complexArray()], "complex64")] : []),
];

const reductionEntries: ErrorEntry[] = [
  ...["sum", "prod", "all", "any"].map((name): ErrorEntry => ({
    name,
    args: [INPUT, { ...opts(AXIS_FIELDS), names: ["axis", "options"] }],
    valid: () => [m23(), { axis: 1, keepdims: true }],
    bad: reductionBad(name, false),
  })),
  ...["max", "min"].map((name): ErrorEntry => ({
    name,
    args: [INPUT, { ...opts(AXIS_FIELDS), names: ["axis", "options"] }],
    valid: () => [m23(), { axis: 1, keepdims: true }],
    bad: [...reductionBad(name, false), { label: "an empty axis", args: () => [mx.zeros([0, 2]), 0], names: ["empty"] }],
  })),
  ...["argmax", "argmin"].map((name): ErrorEntry => ({
    name,
    args: [INPUT, { ...opts(AXIS_FIELDS), names: ["axis", "options"] }],
    valid: () => [m23(), { axis: 1, keepdims: true }],
    bad: [
      { label: "an axis out of range", args: () => [m23(), 2], names: ["axis"] },
      { label: "an axis list", args: () => [m23(), { axis: [0, 1] }], names: ["axis"] },
      { label: "an empty array", args: () => [mx.zeros([0])], names: ["empty"] },
    ],
  })),
  ...["logsumexp", "softmax", "mean"].map((name): ErrorEntry => ({
    name,
    args: [INPUT, { ...opts(name === "softmax" ? { axis: AXIS_FIELDS.axis } : AXIS_FIELDS), names: ["axis", "options"] }],
    valid: () => [m23(), name === "softmax" ? { axis: 1 } : { axis: 1, keepdims: true }],
    bad: reductionBad(name, name !== "mean"),
  })),
  ...[["var", "var"], ["variance", "var"], ["std", "std"]].map(([name, reported]): ErrorEntry => ({
    name: name!,
    reportedAs: reported!,
    args: [INPUT, { ...opts({ ...AXIS_FIELDS, ddof: arg("int", "ddof") }), names: ["axis", "options"] }],
    valid: () => [m23(), { axis: 1, keepdims: true, ddof: 1 }],
    bad: reductionBad(name!, false),
  })),
];

// ---- random ----

const keyOpts = (fields: Record<string, ArgSpec> = {}) => opts({ key: arg("key", "key"), ...fields });
const SHAPE = arg("shape", "shape");
const seedArg = arg("int", "seed");

const randomEntries: ErrorEntry[] = [
  { name: "random.seed", args: [seedArg], valid: () => [42] },
  {
    name: "random.key",
    args: [seedArg, opts()],
    valid: () => [7, {}],
    bad: [{ label: "a negative seed", args: () => [-3], names: ["seed"] }],
  },
  {
    name: "random.bits",
    args: [SHAPE, keyOpts({ width: arg("int", "width") })],
    valid: () => [[3], { key: mx.random.key(0), width: 2 }],
    bad: [{ label: "a width of 3", args: () => [[2], { width: 3 }], names: ["width"] }],
  },
  {
    name: "random.split",
    args: [arg("key", "key"), arg("int", "num"), opts()],
    valid: () => [mx.random.key(0), 3, {}],
    bad: [
      { label: "num 0", args: () => [mx.random.key(0), 0], names: ["num"] },
      { label: "num 2^31", args: () => [mx.random.key(0), 2 ** 31], names: ["num"] },
    ],
  },
  {
    name: "random.uniform",
    args: [arg("array", "low"), arg("array", "high"), SHAPE, keyOpts({ dtype: DTYPE })],
    valid: () => [0, 1, [3], { key: mx.random.key(0), dtype: mx.float32 }],
    bad: [
      dtypeCall("an int8 dtype", () => [0, 1, [2], { dtype: mx.int8 }], "int8"),
      { label: "bounds that do not broadcast to shape", args: () => [f32([0, 0, 0]), 1, [2]], names: ["shape", "shapes"] },
    ],
  },
  {
    name: "random.normal",
    args: [SHAPE, keyOpts({ dtype: DTYPE, loc: arg("array", "loc"), scale: arg("array", "scale") })],
    valid: () => [[3], { key: mx.random.key(0), dtype: mx.float32, loc: 1, scale: 2 }],
    bad: [
      dtypeCall("an int32 dtype", () => [[2], { dtype: mx.int32 }], "int32"),
      { label: "a dimension of 2^31", args: () => [[2 ** 31]], names: ["shape", "dimension"] },
      { label: "a loc that does not broadcast", args: () => [[2], { loc: f32([1, 2, 3]) }], names: ["loc", "shapes", "broadcast"] },
    ],
  },
  {
    name: "random.randint",
    args: [arg("array", "low"), arg("array", "high"), SHAPE, keyOpts({ dtype: DTYPE })],
    valid: () => [0, 10, [3], { key: mx.random.key(0), dtype: mx.int32 }],
    bad: [
      dtypeCall("a float32 dtype", () => [0, 10, [2], { dtype: mx.float32 }], "float32"),
      { label: "bounds that do not broadcast to shape", args: () => [mx.array([0, 0, 0]), 10, [2]], names: ["shape", "shapes"] },
    ],
  },
  {
    name: "random.bernoulli",
    args: [arg("array", "p", "probability"), SHAPE, keyOpts()],
    valid: () => [0.5, [3], { key: mx.random.key(0) }],
    bad: [
      dtypeCall("an int32 p", () => [mx.array([0, 1]), [2]], "int32"),
      { label: "a p that does not broadcast to shape", args: () => [f32([0.5, 0.5, 0.5]), [2]], names: ["p", "shape", "shapes"] },
    ],
  },
];

// ---- transforms and tree utilities ----

const FN = arg("fn", "fn", "function");
const ARGUMENT = arg("array", "argument");
const sumSquares = (x: mx.MxArray) => mx.sum(mx.square(x));
const square = (x: mx.MxArray) => mx.square(x);
const x2 = () => f32([1, 2]);

type Fn = (...a: unknown[]) => unknown;
const applied = (f: Fn, [fn, o, ...rest]: unknown[]) => (f(fn, o) as Fn)(...rest);
const appliedOne = (f: Fn, [fn, ...rest]: unknown[]) => (f(fn) as Fn)(...rest);

/** A custom function with `rules`, differentiated (the vjp rule), pushed forward (jvp) and mapped (vmap). */
function customCall(f: Fn, [fn, rules, x]: unknown[]): unknown {
  const g = f(fn, rules) as (x: unknown) => mx.MxArray;
  g(x); // the call itself first: a bad argument is the custom function's error
  return [
    mx.grad((v: mx.MxArray) => mx.sum(g(v)))(x as mx.MxArray),
    mx.jvp((v) => g(v), [x as mx.MxArray], [mx.onesLike(x as mx.MxArray)]),
    mx.vmap((v: mx.MxArray) => g(v))(mx.reshape(x as mx.MxArray, [-1, 1])),
  ];
}

const RULE_GARBAGE: [string, () => unknown][] = [
  ["a string", () => "bogus"],
  ["a number", () => 5],
  ["a list with a string", () => ["bogus"]],
  ["a list with a JS array", () => [[1, 2]]],
  ["an array of the wrong shape", () => [f32([1, 2, 3])]],
  ["two cotangents for one argument", () => [f32([1, 2]), f32([1, 2])]],
];

const transformEntries: ErrorEntry[] = [
  ...(["grad", "valueAndGrad"] as const).map((name): ErrorEntry => ({
    name,
    args: [FN, opts({ argnums: arg("axes", "argnums") }), ARGUMENT],
    valid: () => [sumSquares, { argnums: 0 }, x2()],
    call: applied,
    bad: [
      { label: "argnums listing 0 twice", args: () => [sumSquares, { argnums: [0, 0] }, x2()], names: ["argnums"] },
      { label: "an empty argnums", args: () => [sumSquares, { argnums: [] }, x2()], names: ["argnums"] },
      { label: "argnums past the arguments", args: () => [sumSquares, { argnums: 3 }, x2()], names: ["argnums"] },
      { label: "a non-scalar loss", args: () => [square, {}, x2()], names: ["scalar"] },
      { label: "an int32 argument", args: () => [sumSquares, {}, mx.array([1, 2])], names: ["argument", "int32"] },
      { label: "a number leaf", args: () => [(p: { a: mx.MxArray }) => mx.sum(p.a), {}, { a: x2(), b: 0.5 }], names: ["argument", "leaf"] },
    ],
  })),
  {
    name: "vjp",
    args: [FN, arg("arrays", "primals", "primal"), arg("arrays", "cotangents", "cotangent")],
    valid: () => [square, [x2()], [x2()]],
    bad: [
      { label: "a cotangent of the wrong shape", args: () => [square, [x2()], [f32([1])]], names: ["cotangents", "cotangent"] },
      { label: "two cotangents for one output", args: () => [square, [x2()], [x2(), x2()]], names: ["cotangents"] },
    ],
  },
  {
    name: "jvp",
    args: [FN, arg("arrays", "primals", "primal"), arg("arrays", "tangents", "tangent")],
    valid: () => [square, [x2()], [x2()]],
    bad: [
      { label: "a tangent of the wrong shape", args: () => [square, [x2()], [f32([1])]], names: ["tangents", "tangent"] },
      { label: "no tangents", args: () => [square, [x2()], []], names: ["tangents"] },
    ],
  },
  {
    name: "vmap",
    args: [FN, opts({ inAxes: arg("axes", "inAxes"), outAxes: arg("axes", "outAxes") }), ARGUMENT],
    valid: () => [square, { inAxes: 0, outAxes: 0 }, m23()],
    call: applied,
    bad: [
      { label: "an in-axis out of range", args: () => [square, { inAxes: 5 }, m23()], names: ["inAxes"] },
      { label: "an out-axis out of range", args: () => [square, { outAxes: 5 }, m23()], names: ["outAxes"] },
      { label: "no mapped argument", args: () => [square, { inAxes: null }, m23()], names: ["inAxes", "mapped"] },
    ],
  },
  {
    name: "checkpoint",
    args: [FN, ARGUMENT],
    valid: () => [square, x2()],
    call: appliedOne,
  },
  {
    name: "customFunction",
    args: [FN, { kind: "options", names: ["rules"], fields: { vjp: arg("fn", "vjp"), jvp: arg("fn", "jvp"), vmap: arg("fn", "vmap") } }, ARGUMENT],
    valid: () => [square, {
      vjp: ([x]: mx.MxArray[], [ct]: mx.MxArray[]) => [mx.multiply(mx.multiply(ct!, x!), 2)],
      jvp: ([x]: mx.MxArray[], [t]: mx.MxArray[]) => [mx.multiply(mx.multiply(t!, x!), 2)],
      vmap: ([x]: mx.MxArray[], [ax]: (number | null)[]) => [[mx.square(x!)], [ax ?? 0]],
    }, x2()],
    call: customCall,
    bad: RULE_GARBAGE.flatMap(([label, value]) => (["vjp", "jvp"] as const).map((rule): BadCall => ({
      label: `a ${rule} rule returning ${label}`,
      args: () => [square, { [rule]: () => value() }, x2()],
      names: [rule],
    }))),
  },
  ...(["jacrev", "jacfwd"] as const).map((name): ErrorEntry => ({
    name,
    args: [FN, ARGUMENT],
    valid: () => [square, x2()],
    call: appliedOne,
    bad: [
      { label: "an int32 argument", args: () => [square, mx.array([1, 2])], names: ["argument", "int32"] },
      { label: "a function returning a list", args: () => [(x: mx.MxArray) => [x, x], x2()], names: ["function", "list"] },
    ],
  })),
  {
    name: "hessian",
    args: [FN, ARGUMENT],
    valid: () => [sumSquares, x2()],
    call: appliedOne,
    bad: [{ label: "a non-scalar function", args: () => [square, x2()], names: ["scalar"] }],
  },
  { name: "utils.treeFlatten", args: [arg("tree", "tree"), opts()], valid: () => [{ w: x2(), b: [x2(), 3] }, {}] },
  {
    name: "utils.treeUnflatten",
    args: [arg("tree", "pairs")],
    valid: () => [[["w", x2()], ["b.0", x2()]]],
    bad: [{ label: "a pair that is not one", args: () => [[["w"]]], names: ["pairs"] }],
  },
  {
    name: "utils.treeMap",
    args: [FN, arg("tree", "tree"), arg("tree", "rest", "tree 1")],
    // fn takes any leaf (a value that is not a list or a plain object is one, as in MLX), so its own errors do not stand in for treeMap's
    valid: () => [(a: unknown) => a, { w: x2() }, { w: x2() }],
    bad: [
      { label: "trees of different structure", args: () => [(a: mx.MxArray) => a, { w: x2() }, [x2()]], names: ["structure", "tree 1"] },
    ],
  },
  { name: "utils.treeMapWithPath", args: [FN, arg("tree", "tree")], valid: () => [(_p: string, a: unknown) => a, { w: x2() }] },
  {
    name: "utils.treeReduce",
    args: [FN, arg("tree", "tree")],
    // an empty tree without initial gives undefined, MLX's None
    valid: () => [(acc: unknown) => acc, { w: x2(), b: x2() }],
  },
  {
    name: "utils.treeMerge",
    args: [arg("tree", "tree"), arg("tree", "tree")],
    valid: () => [{ a: x2() }, { b: x2() }],
    bad: [{ label: "two leaves at one place", args: () => [{ a: x2() }, { a: x2() }], names: ["merge"] }],
  },
];

// ---- eval, memory, devices, dtypes, backends, validation ----

const DEVICE = arg("device", "device");
const systemEntries: ErrorEntry[] = [
  { name: "eval", args: [arg("tree", "arrays"), arg("tree", "arrays")], valid: () => [x2(), { a: [x2()] }] },
  {
    name: "tidy",
    args: [FN],
    valid: () => [() => mx.exp(x2())],
    bad: [{ label: "an async function", args: () => [async () => x2()], names: ["synchronous", "Promise"] }],
  },
  { name: "print", args: [arg("any", "value"), arg("any", "value")], valid: () => ["x =", x2()] },
  {
    name: "setPrintoptions",
    args: [{ kind: "options", names: ["options"], fields: { precision: arg("int", "precision") } }],
    valid: () => [{ precision: 4 }],
    restore: () => mx.setPrintoptions({ precision: undefined }),
  },
  {
    name: "printoptions",
    args: [{ kind: "options", names: ["options"], fields: { precision: arg("int", "precision") } }, FN],
    valid: () => [{ precision: 4 }, () => 1],
  },
  ...["clearStreams", "getPrintoptions", "getActiveMemory", "getPeakMemory", "getCacheMemory", "resetPeakMemory", "clearCache", "defaultDevice", "registeredBackends", "unavailableBackends", "getValidation"].map(
    (name): ErrorEntry => ({ name, args: [], valid: () => [] }),
  ),
  {
    name: "setCacheLimit",
    args: [arg("number", "bytes", "limit")],
    valid: () => [2 ** 30],
    restore: () => void mx.setCacheLimit(2 ** 30),
  },
  {
    name: "setMemoryLimit",
    args: [arg("number", "bytes", "limit")],
    valid: () => [2 ** 40],
    restore: () => void mx.setMemoryLimit(Infinity),
  },
  { name: "isAvailable", args: [DEVICE], valid: () => [mx.cpu] },
  { name: "asyncEval", args: [arg("tree", "arrays"), arg("tree", "arrays")], valid: () => [x2(), { a: [x2()] }] },
  { name: "synchronize", args: [arg("stream", "stream")], valid: () => [mx.cpu] },
  { name: "setDefaultStream", args: [arg("stream", "stream")], valid: () => [mx.defaultStream(mx.cpu)] },
  { name: "stream", args: [arg("stream", "stream"), FN], valid: () => [mx.cpu, () => mx.exp(x2())] },
  { name: "deviceCount", args: [arg("device", "type", "device")], valid: () => ["gpu"] },
  { name: "deviceInfo", args: [DEVICE], valid: () => [mx.cpu] },
  { name: "setDefaultDevice", args: [DEVICE], valid: () => [mx.cpu], restore: () => mx.setDefaultDevice(mx.cpu) },
  { name: "defaultStream", args: [DEVICE], valid: () => [mx.cpu] },
  { name: "newStream", args: [DEVICE], valid: () => [mx.cpu] },
  ...["isFloating", "isInexact", "isInteger"].map((name): ErrorEntry => ({ name, args: [DTYPE], valid: () => [mx.float32] })),
  { name: "promoteTypes", args: [arg("dtype", "a", "dtype"), arg("dtype", "b", "dtype")], valid: () => [mx.int8, mx.uint8] },
  {
    name: "checkNumerics",
    args: [FN, arg("arrays", "inputs", "input"), { kind: "options", names: ["options"], fields: { backends: arg("any", "backends", "backend"), reference: arg("any", "reference", "backend"), worst: arg("int", "worst") } }],
    // a function of any number of inputs (none included), so every list of arrays is a valid call
    valid: () => [(...xs: mx.MxArray[]) => mx.exp(xs[0] ?? mx.arange(3)), [x2()], { backends: [], reference: "cpu", worst: 3 }],
  },
  {
    name: "setValidation",
    args: [arg("any", "reference")],
    valid: () => [null],
    restore: () => mx.setValidation(null),
  },
  // last: a backend it accepts stays registered
  {
    name: "registerBackend",
    args: [{ kind: "options", names: ["backend"], open: true, fields: { name: arg("any", "name"), kernels: arg("any", "kernels") } }],
    valid: () => [probeBackend()],
  },
];

// ---- indexing, shape, scan, sort, math and dtype-introspection ops ----

const keyed = (fields: Record<string, unknown> = {}) => ({ key: mx.random.key(0), ...fields });
const AXIS = arg("axis", "axis");
const sortOpts = { ...opts({ axis: AXIS }), names: ["axis", "options"] };
const scanFields = { axis: AXIS, reverse: arg("bool", "reverse"), inclusive: arg("bool", "inclusive") };
const simpleUnary = (name: string): ErrorEntry => ({ name, args: [INPUT, opts()], valid: () => [f32([1.5, -2]), {}] });
const windowEntry = (name: string): ErrorEntry => ({
  name,
  args: [arg("int", "M"), opts()],
  valid: () => [5, {}],
  bad: [{ label: "M of 2^31", args: () => [2 ** 31], names: ["M"] }],
});

const moreOpEntries: ErrorEntry[] = [
  {
    name: "divmod",
    args: [FIRST, SECOND, opts()],
    valid: () => [f32([7, 8]), f32([2, 3]), {}],
    bad: [{ label: "shapes that do not broadcast", args: () => [f32([1, 2]), f32([1, 2, 3])], names: ["shapes", "broadcast"] }],
  },
  { name: "s", args: [arg("int", "start"), arg("int", "stop"), arg("int", "step")], valid: () => [0, 2, 1] },
  {
    name: "depends",
    args: [arg("arrays", "inputs"), arg("arrays", "dependencies")],
    valid: () => [[f32([1, 2]), f32([3])], [f32([4])]],
    bad: [{ label: "no inputs", args: () => [[], [f32([1])]], names: ["inputs"] }],
  },
  {
    name: "index",
    args: [INPUT, arg("any", "index", "indices", "idx")],
    valid: () => [m23(), 1],
    bad: [{ label: "an index out of range", args: () => [m23(), 5], names: ["index", "out of bounds"] }],
  },
  {
    name: "indexUpdate",
    args: [INPUT, arg("arrays", "idx", "index", "indices"), arg("array", "value"), arg("any", "mode")],
    valid: () => [m23(), [0], 5, "set"],
    bad: [{ label: "an unknown mode", args: () => [m23(), [0], 5, "xor"], names: ["mode"] }],
  },
  {
    name: "take",
    args: [arg("array", "a", "input"), arg("array", "indices"), AXIS, opts()],
    valid: () => [m23(), mx.array([0, 1]), 1, {}],
    bad: [{ label: "float indices", args: () => [m23(), f32([0.5]), 1], names: ["indices"] }],
  },
  {
    name: "takeAlongAxis",
    args: [arg("array", "a", "input"), arg("array", "indices"), AXIS, opts()],
    valid: () => [m23(), mx.array([[0], [1]]), 1, {}],
  },
  {
    name: "putAlongAxis",
    args: [arg("array", "a", "input"), arg("array", "indices"), arg("array", "values"), AXIS, opts()],
    valid: () => [m23(), mx.array([[0], [1]]), f32([[9], [9]]), 1, {}],
  },
  {
    name: "sliceUpdate",
    args: [arg("array", "a", "input"), arg("array", "update"), arg("axes", "start"), arg("axes", "axes"), opts()],
    valid: () => [m23(), f32([[9]]), [0, 1], [0, 1], {}],
  },
  {
    name: "asStrided",
    args: [INPUT, arg("shape", "shape"), arg("axes", "strides"), arg("int", "offset"), opts()],
    valid: () => [m23(), [3, 2], [1, 3], 0, {}],
    bad: [{ label: "strides that reach past the data", args: () => [m23(), [2, 3], [100, 1], 0], names: ["strides", "offset", "shape"] }],
  },
  { name: "contiguous", args: [INPUT, arg("bool", "allowColMajor"), opts()], valid: () => [mx.transpose(m23()), false, {}] },
  { name: "flip", args: [INPUT, AXIS, opts()], valid: () => [m23(), 0, {}] },
  { name: "roll", args: [INPUT, arg("axes", "shift"), AXIS, opts()], valid: () => [m23(), 1, 1, {}] },
  { name: "tile", args: [INPUT, arg("axes", "reps"), opts()], valid: () => [f32([1, 2]), [2], {}] },
  { name: "repeat", args: [INPUT, arg("int", "repeats"), AXIS, opts()], valid: () => [f32([1, 2]), 2, 0, {}] },
  {
    name: "unflatten",
    args: [INPUT, AXIS, arg("shape", "shape"), opts()],
    valid: () => [mx.arange(6), 0, [2, 3], {}],
    bad: [{ label: "a shape of another size", args: () => [mx.arange(6), 0, [4, 2]], names: ["shape"] }],
  },
  { name: "unstack", args: [INPUT, opts({ axis: AXIS })], valid: () => [m23(), { axis: 0 }] },
  { name: "permuteDims", args: [INPUT, arg("axes", "axes"), opts()], valid: () => [m23(), [1, 0], {}] },
  { name: "concat", args: [arraysArg, AXIS, opts()], valid: () => [[m23(), m23()], 0, {}] },
  {
    name: "broadcastShapes",
    args: [arg("shape", "shapes", "shape"), arg("shape", "shapes", "shape")],
    valid: () => [[2, 1], [3]],
    bad: [{ label: "shapes that do not broadcast", args: () => [[2], [3]], names: ["shapes", "broadcast"] }],
  },
  ...["atleast1d", "atleast2d", "atleast3d"].map((name): ErrorEntry => ({ name, args: [INPUT, opts()], valid: () => [f32(1), {}] })),
  {
    name: "meshgrid",
    args: [arraysArg, opts({ sparse: arg("bool", "sparse"), indexing: arg("any", "indexing") })],
    valid: () => [[f32([1, 2]), f32([3, 4, 5])], { sparse: false, indexing: "xy" }],
  },
  {
    name: "tri",
    args: [arg("int", "n"), arg("int", "m"), arg("int", "k"), dtypeOpts],
    valid: () => [3, 4, 0, { dtype: mx.float32 }],
    bad: [{ label: "2^31 rows", args: () => [2 ** 31], names: ["n"] }],
  },
  ...["tril", "triu"].map((name): ErrorEntry => ({ name, args: [INPUT, arg("int", "k"), opts()], valid: () => [m23(), 0, {}] })),
  {
    name: "diagonal",
    args: [INPUT, arg("int", "offset"), arg("axis", "axis1"), arg("axis", "axis2"), opts()],
    valid: () => [m23(), 0, 0, 1, {}],
    bad: [{ label: "one axis twice", args: () => [m23(), 0, { axis1: 0, axis2: 0 }], names: ["axis1", "axis2"] }],
  },
  { name: "diag", args: [INPUT, arg("int", "k"), opts()], valid: () => [f32([1, 2]), 0, {}] },
  {
    name: "trace",
    args: [INPUT, arg("int", "offset"), arg("axis", "axis1"), arg("axis", "axis2"), DTYPE, opts()],
    valid: () => [m23(), 0, 0, 1, mx.float32, {}],
  },
  ...["positive", "trunc", "degrees", "radians", "real", "imag", "conjugate", "isposinf", "isneginf"].map(simpleUnary),
  { ...simpleUnary("conj"), reportedAs: "conjugate" }, // the same function as conjugate
  {
    name: "nanToNum",
    args: [INPUT, arg("number", "nan"), arg("number", "posinf"), arg("number", "neginf"), opts()],
    valid: () => [f32([NaN, Infinity, 1]), 0, 1, -1, {}],
  },
  { name: "logicalXor", args: [FIRST, SECOND, opts()], valid: () => [mx.array([true, false]), mx.array([true, true]), {}] },
  ...["countNonzero", "median"].map((name): ErrorEntry => ({
    name,
    args: [INPUT, arg("axes", "axis"), arg("bool", "keepdims"), opts()],
    valid: () => [m23(), 1, true, {}],
    bad: [{ label: "an axis out of range", args: () => [m23(), 2], names: ["axis"] }],
  })),
  {
    name: "asarray",
    args: [arg("any", "value", "element", "input"), DTYPE, opts()],
    valid: () => [[[1, 2], [3, 4]], mx.float32, {}],
  },
  ...["bartlett", "hanning", "hamming", "blackman"].map(windowEntry),
  ...["cumsum", "cumprod"].map((name): ErrorEntry => ({
    name,
    args: [INPUT, AXIS, opts({ ...scanFields, dtype: DTYPE })],
    valid: () => [m23(), 1, { reverse: false, inclusive: true, dtype: mx.float32 }],
    bad: [{ label: "an axis out of range", args: () => [m23(), 2], names: ["axis"] }],
  })),
  ...["cummax", "cummin", "logcumsumexp"].map((name): ErrorEntry => ({
    name,
    args: [INPUT, AXIS, opts(scanFields)],
    valid: () => [m23(), 1, { reverse: false, inclusive: true }],
    bad: [{ label: "an axis out of range", args: () => [m23(), 2], names: ["axis"] }],
  })),
  { name: "diff", args: [INPUT, arg("int", "n"), AXIS, opts()], valid: () => [f32([1, 4, 9]), 1, 0, {}] },
  ...["sort", "argsort"].map((name): ErrorEntry => ({ name, args: [arg("array", "a", "input"), sortOpts], valid: () => [m23(), { axis: 1 }] })),
  ...["partition", "argpartition"].map((name): ErrorEntry => ({
    name,
    args: [arg("array", "a", "input"), arg("int", "kth"), sortOpts],
    valid: () => [m23(), 1, { axis: 1 }],
    bad: [{ label: "kth past the axis", args: () => [m23(), 3, { axis: 1 }], names: ["kth"] }],
  })),
  {
    name: "topk",
    args: [arg("array", "a", "input"), arg("int", "k"), sortOpts],
    valid: () => [m23(), 2, { axis: 1 }],
    bad: [{ label: "k past the axis", args: () => [m23(), 4, { axis: 1 }], names: ["k"] }],
  },
  {
    name: "searchsorted",
    args: [arg("array", "sortedSequence", "sorted sequence"), arg("array", "values"), { ...opts({ side: arg("any", "side") }), names: ["side", "options"] }],
    valid: () => [f32([1, 2, 3]), f32([2.5]), { side: "left" }],
  },
  {
    name: "issubdtype",
    args: [arg("dtype", "first argument", "a"), arg("dtype", "second argument", "b")],
    valid: () => [mx.float32, mx.DtypeCategory.floating],
  },
  { name: "isdtype", args: [DTYPE, arg("any", "kind")], valid: () => [mx.float32, "real floating"] },
  { name: "resultType", args: [arg("array", "arguments", "argument"), arg("array", "arguments", "argument")], valid: () => [f32([1]), 2] },
  { name: "canCast", args: [arg("dtype", "from"), arg("dtype", "to")], valid: () => [mx.int32, mx.float32] },
  { name: "finfo", args: [DTYPE], valid: () => [mx.float32], bad: [dtypeCall("an integer dtype", () => [mx.int32], "int32")] },
  { name: "iinfo", args: [DTYPE], valid: () => [mx.int32], bad: [dtypeCall("a float dtype", () => [mx.float32], "float32")] },
  { name: "random.gumbel", args: [SHAPE, keyOpts({ dtype: DTYPE })], valid: () => [[3], keyed({ dtype: mx.float32 })] },
  {
    name: "random.truncatedNormal",
    args: [arg("array", "lower"), arg("array", "upper"), SHAPE, keyOpts({ dtype: DTYPE })],
    valid: () => [-1, 1, [3], keyed({ dtype: mx.float32 })],
  },
  {
    name: "random.laplace",
    args: [SHAPE, keyOpts({ dtype: DTYPE, loc: arg("number", "loc"), scale: arg("number", "scale") })],
    valid: () => [[3], keyed({ loc: 0, scale: 1 })],
  },
  {
    name: "random.categorical",
    args: [arg("array", "logits"), keyOpts({ axis: AXIS, shape: SHAPE, numSamples: arg("int", "numSamples") })],
    valid: () => [f32([[0, 1, 2]]), keyed({ axis: -1 })],
  },
  {
    name: "random.permutation",
    args: [arg("array", "x", "input"), AXIS, keyOpts({ axis: AXIS })],
    valid: () => [m23(), 0, keyed()],
  },
];

export const ERROR_ENTRIES: readonly ErrorEntry[] = [
  ...elementwiseEntries,
  ...creationEntries,
  ...layoutEntries,
  ...reductionEntries,
  ...randomEntries,
  ...transformEntries,
  ...moreOpEntries,
  ...systemEntries,
  ...VIEW_ERROR_ENTRIES,
  ...FAST_KERNEL_ERROR_ENTRIES,
  ...LINALG_ERROR_ENTRIES,
  ...FAST_OPS_ERROR_ENTRIES,
  ...FAST_ATTENTION_ERROR_ENTRIES,
  ...QUANTIZED_ERROR_ENTRIES,
  ...MATH_MODE_ERROR_ENTRIES,
  ...MATMUL_ERROR_ENTRIES,
  ...CONV_ERROR_ENTRIES,
  ...FFT_ERROR_ENTRIES,
  ...COMPLEX_ERROR_ENTRIES,
  ...OPTIMIZERS_ERROR_ENTRIES,
  ...IO_ERROR_ENTRIES,
  ...COMPILE_ERROR_ENTRIES,
  ...NN_ERROR_ENTRIES,
  ...DISTRIBUTED_ERROR_ENTRIES,
  ...NN_DISTRIBUTED_ERROR_ENTRIES,
];
