// mx.checkKernel: property-tests a user kernel against its reference.
// fast-check draws inputs (shapes, and values mixing a domain with special
// values), the kernel runs on its backend and the reference on the cpu in
// float64, the outputs are compared under the kernel's contract, and a
// failure is shrunk to a small input and reported with a reproduction.

import { checkInt } from "../argument-checks.js";
import type { Arbitrary } from "fast-check";
import { MxArray } from "../array.js";
import { cpu } from "../device.js";
import { float64, isDType, type DType } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import * as ops from "../ops/index.js";
import { checkOptions, noExtraArguments } from "../ops/strict-options.js";
import { evaluate } from "../eval.js";
import { checkContract, type KernelCallOptions, type KernelContract, type UserKernel } from "./custom-kernel.js";

/** fast-check, loaded by the first checkKernel call (not at the package's import). */
let fc: typeof import("fast-check").default;

const OP = "checkKernel";

/** An input drawn by the checker: a fixed `shape` (else one shape shared by all inputs without one) and values of `dtype`. */
export interface CheckInputSpec {
  shape?: readonly number[] | undefined;
  dtype: DType;
  /** The range of ordinary values (default [-100, 100], clipped to the dtype). */
  min?: number | undefined;
  max?: number | undefined;
  /** Mix in special values: NaN, infinities, signed zeros, the smallest and largest finite values (default true for floats). */
  specials?: boolean | undefined;
}

export interface CheckKernelOptions {
  /** One entry per input: a spec to draw from, or a fast-check arbitrary of arrays. */
  inputs: readonly (CheckInputSpec | Arbitrary<MxArray>)[];
  /** The launch arguments for drawn inputs; default: one thread per element of the reference's first output, in threadgroups of up to 256. */
  launch?: ((inputs: MxArray[]) => Omit<KernelCallOptions, "inputs" | "stream">) | undefined;
  /** Cases to draw (default 50). */
  runs?: number | undefined;
  seed?: number | undefined;
  /** Overrides the kernel's contract; default the kernel's, else 4 ulp for float outputs and exact for others. */
  contract?: KernelContract | undefined;
}

/** A mismatch: which output and element, the values, and code that reproduces it. */
export interface KernelMismatch {
  output: number;
  index: number;
  got: number | string;
  want: number | string;
  inputs: { shape: number[]; dtype: string; values: unknown[] }[];
  reproduction: string;
}

export interface KernelCheckReport {
  kernel: string;
  ok: boolean;
  /** Cases run (including the shrinking runs). */
  runs: number;
  /** The largest error seen in ulps of the output dtype (float outputs of passing cases). */
  maxUlp: number;
  failure?: KernelMismatch;
  /** The report as text (what to print). */
  text: string;
}

const FORMATS: Record<string, { mant: number; minExp: number; max: number }> = {
  float16: { mant: 10, minExp: -14, max: 65504 },
  bfloat16: { mant: 7, minExp: -126, max: 3.3895313892515355e38 },
  float32: { mant: 23, minExp: -126, max: 3.4028234663852886e38 },
};

function ulpOf(v: number, d: DType): number {
  const f = FORMATS[d.name] ?? { mant: 52, minExp: -1022 };
  const e = Math.max(v === 0 || !Number.isFinite(v) ? f.minExp : Math.floor(Math.log2(Math.abs(v))), f.minExp);
  return 2 ** (e - f.mant);
}

const INT_RANGE: Record<string, [number, number]> = {
  int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647],
  uint8: [0, 255], uint16: [0, 65535], uint32: [0, 4294967295],
};

function elementArb(s: CheckInputSpec): Arbitrary<number | boolean> {
  const d = s.dtype;
  if (d.kind === "bool") return fc.boolean();
  const range = INT_RANGE[d.name];
  if (range) {
    const lo = Math.max(range[0], s.min ?? range[0]);
    const hi = Math.min(range[1], s.max ?? range[1]);
    return fc.oneof({ weight: 3, arbitrary: fc.integer({ min: Math.max(lo, Math.min(hi, -100)), max: Math.min(hi, Math.max(lo, 100)) }) }, { weight: 1, arbitrary: fc.integer({ min: lo, max: hi }) });
  }
  const f = FORMATS[d.name];
  if (!f) throw opError(OP, `input dtype ${d.name} cannot be drawn for a GPU kernel (float32, float16, bfloat16, bool and integers up to 32 bits)`, [], "type");
  const [lo, hi] = [s.min ?? -100, s.max ?? 100];
  // uniform over the range, plus fast-check's doubles (biased to the ends and to small magnitudes)
  const uniform = fc.integer({ min: 0, max: 2 ** 24 }).map((k) => lo + ((hi - lo) * k) / 2 ** 24);
  const ordinary = fc.oneof({ weight: 3, arbitrary: uniform }, { weight: 1, arbitrary: fc.double({ min: lo, max: hi, noNaN: true }) });
  if (s.specials === false) return ordinary;
  const tiny = 2 ** (f.minExp - f.mant);
  return fc.oneof({ weight: 8, arbitrary: ordinary }, { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, tiny, -tiny, f.max, -f.max, 1, -1) });
}

function isArbitrary(x: unknown): x is Arbitrary<MxArray> {
  return x instanceof fc.Arbitrary;
}

/** The arbitrary of one case: a list of input arrays on the cpu. */
function casesArb(specs: CheckKernelOptions["inputs"]): Arbitrary<MxArray[]> {
  const shared = fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 2 });
  return shared.chain((common) =>
    fc.tuple(
      ...specs.map((s) => {
        if (isArbitrary(s)) return s;
        const shape = s.shape ? [...s.shape] : common;
        const n = shape.reduce((a, b) => a * b, 1);
        return fc.array(elementArb(s), { minLength: n, maxLength: n }).map((values) => ops.reshape(ops.array(values, s.dtype, { stream: cpu }), shape, { stream: cpu }));
      }),
    ),
  );
}

function literal(v: unknown): string {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : Number.isNaN(v) ? "NaN" : String(v);
  return String(v);
}

function defaultLaunch(kernel: UserKernel, inputs: MxArray[]): Omit<KernelCallOptions, "inputs" | "stream"> {
  const ref = kernel.reference!(...inputs);
  const outs = ref instanceof MxArray ? [ref] : [...ref];
  const n = outs[0]!.size;
  return { grid: [n, 1, 1], threadgroup: [Math.max(1, Math.min(256, n)), 1, 1], outputShapes: outs.map((o) => [...o.shape]), outputDtypes: outs.map((o) => o.dtype) };
}

interface Outcome {
  mismatch?: Omit<KernelMismatch, "inputs" | "reproduction">;
  error?: string;
  maxUlp: number;
  launch?: Omit<KernelCallOptions, "inputs" | "stream">;
}

/** Runs the kernel and its reference on one case and compares every element under the contract. */
async function compare(kernel: UserKernel, o: CheckKernelOptions, contract: KernelContract | undefined, inputs: MxArray[]): Promise<Outcome> {
  let launch: Outcome["launch"];
  let got: MxArray[];
  try {
    launch = o.launch ? o.launch(inputs) : defaultLaunch(kernel, inputs);
    got = kernel({ ...launch, inputs });
    await evaluate(got);
  } catch (e) {
    return { error: (e as Error).message, maxUlp: 0, ...(launch ? { launch } : {}) };
  }
  const wide = inputs.map((x) => (x.dtype.kind === "float" ? ops.astype(x, float64, { stream: cpu }) : x));
  const r = kernel.reference!(...wide);
  const want = r instanceof MxArray ? [r] : [...r];
  if (want.length !== got.length) return { error: `the reference returned ${want.length} outputs, the kernel ${got.length}`, maxUlp: 0, launch };
  let maxUlp = 0;
  for (let k = 0; k < got.length; k++) {
    const d = got[k]!.dtype;
    // read on the kernel's own device (a cpu op on it would be a cross-device read, and warn)
    const g = ([await got[k]!.tolist()] as unknown[]).flat(Infinity as 1).map(Number);
    const flat = (x: MxArray) => ops.reshape(ops.astype(x, float64, { stream: cpu }), [-1], { stream: cpu });
    const w = (await flat(want[k]!).tolist()) as number[];
    // the reference rounded once to the output dtype: a kernel that gives it is exact (an overflow to inf included)
    const rounded = (await flat(ops.astype(want[k]!, d, { stream: cpu })).tolist()) as number[];
    if (g.length !== w.length) return { error: `output ${k} has ${g.length} elements, the reference's ${w.length}`, maxUlp, launch };
    const isFloat = d.kind === "float";
    const c = contract ?? (isFloat ? { ulp: 4 } : {});
    for (let i = 0; i < g.length; i++) {
      const a = g[i]!;
      const b = w[i]!;
      const br = rounded[i]!;
      if (Object.is(a, br) || (Number.isNaN(a) && Number.isNaN(b))) continue;
      const err = Math.abs(a - b);
      const ulps = isFloat && Number.isFinite(a) && Number.isFinite(br) ? err / ulpOf(br, d) : Infinity;
      const ok = Number.isFinite(err) && (err <= (c.atol ?? 0) || err <= (c.rtol ?? 0) * Math.abs(b) || ulps <= (c.ulp ?? 0) || a === b);
      if (!ok) return { mismatch: { output: k, index: i, got: literal(a), want: literal(b) }, maxUlp, launch };
      if (Number.isFinite(ulps)) maxUlp = Math.max(maxUlp, ulps);
    }
  }
  return { maxUlp, launch };
}

async function describeInputs(inputs: MxArray[]): Promise<KernelMismatch["inputs"]> {
  return Promise.all(inputs.map(async (x) => ({ shape: [...x.shape], dtype: x.dtype.name, values: (await ops.reshape(x, [-1], { stream: cpu }).tolist()) as unknown[] })));
}

function reproduction(kernel: UserKernel, inputs: KernelMismatch["inputs"], launch: Outcome["launch"]): string {
  const arrays = inputs.map((x) => `mx.reshape(mx.array([${x.values.map(literal).join(", ")}], mx.${x.dtype}), [${x.shape.join(", ")}])`);
  const list = (v: unknown, item: (x: unknown) => string = String) => (Array.isArray(v) ? `[${v.map(item).join(", ")}]` : describeValue(v));
  const l = launch !== null && typeof launch === "object"
    ? `grid: ${list(launch.grid)}, threadgroup: ${list(launch.threadgroup)}, outputShapes: ${list(launch.outputShapes, (s) => list(s))}, outputDtypes: ${list(launch.outputDtypes, (d) => (isDType(d) ? `mx.${d.name}` : describeValue(d)))}`
    : `/* launch returned ${describeValue(launch)} */`;
  return `const inputs = [${arrays.join(", ")}];\nconst outputs = ${kernel.kernelName}({ inputs, ${l} });`;
}

/**
 * Property-tests `kernel` against its `reference`: fast-check draws inputs
 * (a shape shared by the inputs without a fixed one; values mixing a range
 * with NaN, infinities, signed zeros and extreme magnitudes), the kernel runs
 * on its backend, the reference on the cpu in float64, and every output
 * element must be within the contract (`ulp` of the output dtype, `atol`,
 * `rtol`: any one suffices; NaN must meet NaN). A failure is shrunk to a
 * small case; the report carries it with code that reproduces it.
 * @example
 * ```ts no-run: needs the metal backend
 * const kernel = mx.fast.metalKernel({
 *   name: "myexp", inputNames: ["inp"], outputNames: ["out"],
 *   source: "uint i = thread_position_in_grid.x; out[i] = metal::exp(inp[i]);",
 *   reference: (x) => mx.exp(x),
 *   contract: { ulp: 2 },
 * });
 * const report = await mx.checkKernel(kernel, { inputs: [{ dtype: mx.float32 }], runs: 20, seed: 1 });
 * console.log(report.text);
 * report.ok; // true
 * ```
 */
export async function checkKernel(kernel: UserKernel, options: CheckKernelOptions): Promise<KernelCheckReport> {
  noExtraArguments("checkKernel", arguments, 2);
  fc ??= (await import("fast-check")).default;
  if (typeof kernel !== "function" || typeof (kernel as Partial<UserKernel>).kernelName !== "string") {
    throw opError(OP, `kernel must be a kernel made by mx.fast.metalKernel or mx.fast.wgslKernel, got ${describeValue(kernel)}`, [], "type");
  }
  if (!kernel.reference) throw opError(OP, `kernel '${kernel.kernelName}' has no reference to be checked against: pass reference when defining it`);
  if (options === null || typeof options !== "object" || Array.isArray(options)) throw opError(OP, `options must be an object { inputs, launch, runs, seed, contract }, got ${describeValue(options)}`, [], "type");
  checkOptions(OP, options, ["inputs", "launch", "runs", "seed", "contract"]);
  const o = options;
  if (o.inputs === undefined) throw opError(OP, "the options object lacks inputs (required: one spec or arbitrary per input)", [], "type");
  if (!Array.isArray(o.inputs) || o.inputs.length !== kernel.inputNames.length) {
    throw opError(OP, `inputs must be a list of ${kernel.inputNames.length} input specs or arbitraries (${kernel.inputNames.join(", ")}), got ${describeValue(o.inputs)}`, [], "type");
  }
  o.inputs.forEach((s: unknown, i) => {
    if (isArbitrary(s)) return;
    const spec = s as Partial<CheckInputSpec> | null;
    if (spec === null || typeof spec !== "object" || !isDType(spec.dtype)) throw opError(OP, `inputs[${i}] must be { shape?, dtype, min?, max?, specials? } or a fast-check arbitrary, got ${describeValue(s)}`, [], "type");
    if (spec.shape !== undefined && (!Array.isArray(spec.shape) || spec.shape.some((d) => !Number.isInteger(d) || d < 0 || d > 4096))) {
      throw opError(OP, `inputs[${i}].shape must be a list of integers from 0 to 4096, got ${describeValue(spec.shape)}`, [], "type");
    }
    for (const k of ["min", "max"] as const) if (spec[k] !== undefined && (typeof spec[k] !== "number" || !Number.isFinite(spec[k]))) throw opError(OP, `inputs[${i}].${k} must be a finite number, got ${describeValue(spec[k])}`, [], "type");
    elementArb(spec as CheckInputSpec);
  });
  if (o.launch !== undefined && typeof o.launch !== "function") throw opError(OP, `launch must be a function of the input arrays, got ${describeValue(o.launch)}`, [], "type");
  const runs = checkInt(OP, "runs", o.runs ?? 50, 1, 1e5);
  if (o.seed !== undefined) checkInt(OP, "seed", o.seed);
  const contract = checkContract(OP, o.contract) ?? kernel.contract;
  let maxUlp = 0;
  const property = fc.asyncProperty(casesArb(o.inputs), async (inputs) => {
    const r = await compare(kernel, o, contract, inputs);
    maxUlp = Math.max(maxUlp, r.maxUlp);
    return !r.mismatch && !r.error;
  });
  const details = await fc.check(property, { numRuns: runs, ...(o.seed !== undefined ? { seed: o.seed } : {}) });
  const name = kernel.kernelName;
  if (!details.failed || !details.counterexample) {
    return { kernel: name, ok: true, runs: details.numRuns, maxUlp, text: `kernel '${name}': ${details.numRuns} cases within the contract (largest error ${maxUlp.toPrecision(3)} ulp)` };
  }
  const inputs = details.counterexample[0];
  const r = await compare(kernel, o, contract, inputs);
  const described = await describeInputs(inputs);
  const repro = reproduction(kernel, described, r.launch);
  const what = r.error ? `failed: ${r.error}` : `output ${r.mismatch!.output} element ${r.mismatch!.index}: got ${r.mismatch!.got}, the reference gives ${r.mismatch!.want}`;
  const failure: KernelMismatch = { output: r.mismatch?.output ?? -1, index: r.mismatch?.index ?? -1, got: r.mismatch?.got ?? "error", want: r.mismatch?.want ?? "", inputs: described, reproduction: repro };
  const text = `kernel '${name}' fails after ${details.numRuns} cases (shrunk ${details.numShrinks} times; seed ${details.seed}): ${what}\nreproduction:\n${repro}`;
  return { kernel: name, ok: false, runs: details.numRuns, maxUlp, failure, text };
}
