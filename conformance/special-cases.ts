// Special-value rules, one conformance cell per op and backend. Two kinds:
// the array API standard's "Special cases" of each elementwise function
// (https://data-apis.org/array-api/latest/API_specification/elementwise_functions.html,
// IEEE 754 / C99 Annex F), binding on the cpu reference in every float dtype
// and shown elsewhere as "outside spec, allowed" where a spec leaves special
// values open (WGSL); and the README's semantics (NumPy's floor division and
// remainder, C's pow, MLX's integer powers and creation ops, finite results
// where float32 holds them, integer division by zero, shifts past the width,
// NaN in max/min/argmax/argmin, float to integer casts), binding on every
// backend, so a backend that breaks one fails the run.

import * as mx from "../src/index.js";
import { deviceFor } from "../src/device.js";
import { deviceSource } from "./check.js";
import { sameValue } from "./numerics.js";
import { contractFor } from "./contracts.js";
import { newCell, type CellResult } from "./property.js";

const N = NaN, I = Infinity;
const f = Math.fround;

/** A rule every backend must obey: where it comes from, the dtypes it is checked in, the relative error allowed (0: exact), and for astype the target dtype. */
interface Everywhere {
  why: string;
  dtypes: readonly string[];
  rtol?: number;
  to?: string;
}
type Rule = [inputs: number[], result: number] | [inputs: number[], result: number, everywhere: Everywhere];

const MLX_FLOOR = { why: "MLX's float floor division: floor of a / b rounded to the dtype (NumPy's floors the exact quotient: 1 // 0.1 is 9 there)", dtypes: ["float32", "bfloat16", "float64"] };
const NUMPY_FMOD = { why: "NumPy's remainder on the exact fmod", dtypes: ["float32"] };
const C_POW = { why: "C99 pow (F.9.4.4): pow(-1, +-inf) = 1; pow(-inf, y) is +inf or +0 unless y is an odd integer", dtypes: ["float32", "float16", "bfloat16", "float64"] };
const C_LOG1P = { why: "C99 log1p (F.9.3.9): NaN below -1, -inf included", dtypes: ["float32", "float16", "bfloat16", "float64"] };
const MLX_INT_POW = { why: "MLX: an integer raised to a negative integer power is 0", dtypes: ["int32", "int16", "int8", "int64"] };
const FINITE = { why: "finite where float32 holds the result (no overflow inside the computation)", dtypes: ["float32"], rtol: 1e-4 };
const INT_DIV_ZERO = { why: "integer division or remainder by zero gives 0", dtypes: ["int8", "int32", "uint8", "uint32", "int64"] };
const shifts = (bits: number, dtypes: string[]) => ({ why: `shifts by a negative count or by at least the bit width (${bits}) give 0 or the sign fill`, dtypes });
const SHIFT8 = shifts(8, ["int8", "uint8"]), SHIFT32 = shifts(32, ["int32", "uint32"]), SIGNED8 = shifts(8, ["int8"]), UNSIGNED8 = shifts(8, ["uint8"]);
const NAN_REDUCE = { why: "max and min return NaN if any input is NaN, argmax and argmin the index of the first NaN", dtypes: ["float32", "float16", "bfloat16", "float64"] };
/** Float to integer casts: truncation toward zero, saturation to the target's range, NaN to 0. */
const castTo = (to: string) => ({ why: `float to ${to} truncates toward zero and saturates; NaN becomes 0`, dtypes: ["float32", "float16", "bfloat16", "float64"], to });
const ENDS = { why: "MLX: linspace ends exactly on its stop; an integer arange steps in its dtype", dtypes: ["float32"] };

/** Rules per op: each [inputs, result]; only results the standard or the README fixes exactly (no "approximation to pi/2"). */
export const SPECIAL_CASES: Readonly<Record<string, readonly Rule[]>> = {
  exp: [[[N], N], [[0], 1], [[-0], 1], [[I], I], [[-I], 0]],
  expm1: [[[N], N], [[0], 0], [[-0], -0], [[I], I], [[-I], -1], [[80], 5.54062238439351e34, FINITE], [[87], 6.076030225056872e37, FINITE], [[88], 1.6516362549940018e38, FINITE]],
  log: [[[N], N], [[-1], N], [[0], -I], [[-0], -I], [[1], 0], [[I], I]],
  log1p: [[[N], N], [[-2], N, C_LOG1P], [[-I], N, C_LOG1P], [[-1], -I], [[0], 0], [[-0], -0], [[I], I], [[1e37], 85.19564843416127, FINITE], [[3e38], 88.59684582427442, FINITE]],
  log2: [[[N], N], [[-1], N], [[0], -I], [[1], 0], [[I], I]],
  log10: [[[N], N], [[-1], N], [[0], -I], [[1], 0], [[I], I]],
  sqrt: [[[N], N], [[-1], N], [[0], 0], [[-0], -0], [[I], I]],
  sin: [[[N], N], [[0], 0], [[-0], -0], [[I], N], [[-I], N]],
  cos: [[[N], N], [[0], 1], [[-0], 1], [[I], N], [[-I], N]],
  tan: [[[N], N], [[0], 0], [[-0], -0], [[I], N], [[-I], N]],
  arcsin: [[[N], N], [[2], N], [[-2], N], [[0], 0], [[-0], -0]],
  arccos: [[[N], N], [[2], N], [[-2], N], [[1], 0]],
  arctan: [[[N], N], [[0], 0], [[-0], -0]],
  sinh: [[[N], N], [[0], 0], [[-0], -0], [[I], I], [[-I], -I]],
  cosh: [[[N], N], [[0], 1], [[-0], 1], [[I], I], [[-I], I]],
  tanh: [[[N], N], [[0], 0], [[-0], -0], [[I], 1], [[-I], -1]],
  arcsinh: [[[N], N], [[0], 0], [[-0], -0], [[I], I], [[-I], -I]],
  arccosh: [[[N], N], [[0.5], N], [[1], 0], [[I], I]],
  arctanh: [[[N], N], [[2], N], [[1], I], [[-1], -I], [[0], 0], [[-0], -0]],
  abs: [[[N], N], [[-0], 0], [[-I], I]],
  floor: [[[N], N], [[-0], -0], [[I], I], [[-I], -I]],
  ceil: [[[N], N], [[-0], -0], [[I], I], [[-I], -I]],
  round: [[[N], N], [[-0], -0], [[I], I], [[-I], -I]],
  square: [[[N], N], [[-I], I]],
  negative: [[[0], -0], [[I], -I]],
  add: [[[N, 1], N], [[I, -I], N], [[-0, -0], -0], [[-0, 0], 0], [[I, 1], I]],
  subtract: [[[I, I], N], [[-0, 0], -0], [[N, 1], N]],
  multiply: [[[0, I], N], [[-0, 1], -0], [[N, 0], N], [[-I, -2], I]],
  divide: [[[0, 0], N], [[I, I], N], [[1, 0], I], [[1, -0], -I], [[-1, 0], -I], [[1, I], 0], [[-1, I], -0]],
  floorDivide: [[[7, 0], 0, INT_DIV_ZERO], [[-7, 0], 0, INT_DIV_ZERO], [[0, 0], 0, INT_DIV_ZERO], [[N, 1], N], [[1, N], N], [[0, 0], N], [[1, 0], I], [[-1, 0], -I], [[1, 0.1], 10, MLX_FLOOR], [[-1, 0.1], -10, MLX_FLOOR], [[0.5, 0.1], 5, MLX_FLOOR]],
  remainder: [[[7, 0], 0, INT_DIV_ZERO], [[-7, 0], 0, INT_DIV_ZERO], [[N, 1], N], [[1, N], N], [[1, 0.1], 1 - 9 * f(0.1), NUMPY_FMOD], [[-1, 0.1], f(0.1) - (1 - 9 * f(0.1)), NUMPY_FMOD]],
  maximum: [[[N, 1], N], [[1, N], N]],
  minimum: [[[N, 1], N], [[1, N], N]],
  power: [
    [[N, 0], 1], [[1, N], 1], [[2, I], I], [[0.5, I], 0], [[0, -1], I], [[-0, 1], -0], [[-1, I], 1, C_POW], [[-1, -I], 1, C_POW],
    [[-I, 0.5], I, C_POW], [[-I, -0.5], 0, C_POW], [[-I, 3], -I, C_POW], [[-I, -3], -0, C_POW], [[-I, 2], I, C_POW],
    [[2, -1], 0, MLX_INT_POW], [[-2, -3], 0, MLX_INT_POW], [[1, -9], 0, MLX_INT_POW], [[-1, -1], 0, MLX_INT_POW], [[3, 2], 9, MLX_INT_POW],
  ],
  logaddexp: [[[N, 1], N], [[I, 1], I], [[-I, -I], -I]],
  leftShift: [[[1, 8], 0, SHIFT8], [[3, 9], 0, SHIFT8], [[1, 100], 0, SHIFT8], [[1, 32], 0, SHIFT32], [[5, 40], 0, SHIFT32], [[5, -1], 0, SIGNED8]],
  rightShift: [[[200, 8], 0, UNSIGNED8], [[255, 100], 0, UNSIGNED8], [[-100, 8], -1, SIGNED8], [[100, 8], 0, SIGNED8], [[-100, -1], -1, SIGNED8], [[100, -1], 0, SIGNED8], [[7, 32], 0, SHIFT32]],
  // reductions: the inputs are one array, the result the op over all of it
  max: [[[1, N, 3], N, NAN_REDUCE], [[N, -I], N, NAN_REDUCE], [[I, N], N, NAN_REDUCE]],
  min: [[[1, N, 3], N, NAN_REDUCE], [[N, I], N, NAN_REDUCE], [[-I, N], N, NAN_REDUCE]],
  argmax: [[[1, N, 3, N], 1, NAN_REDUCE], [[I, 2, N], 2, NAN_REDUCE], [[N, I], 0, NAN_REDUCE]],
  argmin: [[[1, N, 3, N], 1, NAN_REDUCE], [[-I, 2, N], 2, NAN_REDUCE], [[N, -I], 0, NAN_REDUCE]],
  // casts: the input in each float dtype, to the rule's integer dtype
  astype: [
    ...["int8", "uint8", "int32", "uint32"].flatMap((to): Rule[] => [[[N], 0, castTo(to)], [[-0], 0, castTo(to)], [[2.9], 2, castTo(to)]]),
    [[-2.9], -2, castTo("int8")], [[I], 127, castTo("int8")], [[-I], -128, castTo("int8")], [[300], 127, castTo("int8")], [[-300], -128, castTo("int8")],
    [[I], 255, castTo("uint8")], [[-I], 0, castTo("uint8")], [[300], 255, castTo("uint8")], [[-5.5], 0, castTo("uint8")],
    [[I], 2147483647, castTo("int32")], [[-I], -2147483648, castTo("int32")], [[1e10], 2147483647, castTo("int32")], [[-1e10], -2147483648, castTo("int32")],
    [[I], 4294967295, castTo("uint32")], [[-I], 0, castTo("uint32")], [[1e10], 4294967295, castTo("uint32")], [[-1e10], 0, castTo("uint32")],
  ],
  // creation ops: the inputs are the op's arguments, the result its last element
  linspace: [[[0.1, 0.7, 10], f(0.7), ENDS], [[-3.3, 7.7, 10], f(7.7), ENDS], [[1, 100, 7], 100, ENDS]],
  arange: [[[0, 3, 0.2], 0, { ...ENDS, dtypes: ["int32"] }], [[0.5, 10, 1.5], 12, { ...ENDS, dtypes: ["int32"] }]],
};

/** Ops whose rules are not one elementwise call: reductions (one call per rule, over its inputs) and casts (one per target dtype). */
const PER_RULE = new Set(["max", "min", "argmax", "argmin", "astype"]);
const fn = (name: string) => (mx as unknown as Record<string, (...a: unknown[]) => mx.MxArray>)[name]!;
const FLOATS = ["float32", "float16", "bfloat16", "float64"];
const dtypeNamed = (name: string) => (mx as unknown as Record<string, mx.DType>)[name]!;

/** The results of `op`'s rules in dtype `d` on stream `o`: elementwise ops take one array per operand, casts one per target dtype; reductions and creation ops one call per rule. */
async function results(op: string, rules: readonly Rule[], d: mx.DType, o: mx.OpOptions): Promise<unknown[]> {
  if (op === "astype") {
    // one array per target dtype, each rule's result at its own position
    const targets = [...new Set(rules.map((r) => r[2]!.to!))];
    const lists = await Promise.all(targets.map((to) => mx.astype(mx.array(rules.filter((r) => r[2]!.to === to).map((r) => r[0][0]!), d, o), dtypeNamed(to), o).tolist() as Promise<unknown[]>));
    return rules.map((r) => lists[targets.indexOf(r[2]!.to!)]!.shift());
  }
  if (PER_RULE.has(op)) return Promise.all(rules.map(([ins]) => fn(op)(mx.array(ins, d, o), o).item()));
  if (op === "linspace" || op === "arange") {
    return Promise.all(rules.map(async ([ins]) => {
      const list = (await fn(op)(...ins, { dtype: d, ...o }).tolist()) as unknown[];
      return list[list.length - 1];
    }));
  }
  const arity = rules[0]![0].length;
  const args = Array.from({ length: arity }, (_, k) => mx.array(rules.map((r) => r[0][k]!), d, o));
  return (await fn(op)(...args, o).tolist()) as unknown[];
}

function holdsWithin(result: unknown, want: number, rtol: number): boolean {
  const got = typeof result === "bigint" ? Number(result) : result;
  if (sameValue(got, want)) return true;
  return rtol > 0 && typeof got === "number" && Number.isFinite(want) && Math.abs(got - want) <= rtol * Math.abs(want);
}

/** One cell per op and backend: how many of the op's rules hold in each dtype the backend holds. */
export async function runSpecialCases(backend: mx.BackendName, ops?: readonly string[]): Promise<CellResult[]> {
  const b = mx.registeredBackends().find((r) => r.name === backend)!;
  const o = { stream: deviceFor(backend) };
  const cells: CellResult[] = [];
  for (const [op, rules] of Object.entries(SPECIAL_CASES)) {
    if (ops && !ops.includes(op)) continue;
    let special: boolean;
    try {
      special = contractFor(backend, op).special;
    } catch {
      special = false;
    }
    const dtypes = [...new Set(rules.flatMap((r) => (r[2] ? r[2].dtypes : FLOATS)))];
    const cell = newCell(`${op} special cases`, dtypes.every((t) => FLOATS.includes(t)) ? "float" : dtypes.some((t) => FLOATS.includes(t)) ? "float, integer" : "integer", backend);
    cell.contract = special
      ? `array API special cases, exact: https://data-apis.org/array-api/latest/API_specification/generated/array_api.${op}.html`
      : "the README's semantics, binding; array API special cases: WGSL leaves NaN and infinities open (§15.7.4), rules not obeyed are outside spec";
    for (const d of dtypes.map(dtypeNamed).filter((t) => b.capabilities.dtypes.has(t))) {
      const applying = rules.filter((r) => (r[2] ? r[2].dtypes : FLOATS).includes(d.name) && (!r[2]?.to || b.capabilities.dtypes.has(dtypeNamed(r[2].to))));
      const got = await results(op, applying, d, o);
      applying.forEach(([ins, want, everywhere], i) => {
        cell.runs++;
        if (holdsWithin(got[i], want, everywhere?.rtol ?? 0)) return;
        if (!special && !everywhere) {
          cell.outsideDiffer++;
          return;
        }
        cell.status = "fail";
        const source = everywhere ? `the README's semantics (${everywhere.why}) say` : "the array API standard says";
        const message = `${op}(${ins.map(String).join(", ")}${everywhere?.to ? ` to ${everywhere.to}` : ""}) in ${d.name} is ${String(got[i])}; ${source} ${String(want)}${everywhere?.rtol ? ` (relative error ${everywhere.rtol})` : ""}`;
        cell.failure ??= { message, repro: repro(op, ins, d, backend, want, everywhere?.to), seed: 0, path: "" };
      });
    }
    cells.push(cell);
  }
  return cells;
}

function repro(op: string, ins: number[], d: mx.DType, backend: string, want: number, to?: string): string {
  const lit = (v: number) => (Object.is(v, -0) ? "-0" : String(v));
  const call =
    PER_RULE.has(op)
      ? `mx.${op}(mx.array([${ins.map(lit).join(", ")}], mx.${d.name}, { stream: ${deviceSource(backend)} })${to ? `, mx.${to}` : ""}, { stream: ${deviceSource(backend)} })`
      : op === "linspace" || op === "arange"
      ? `mx.${op}(${ins.map(lit).join(", ")}, { dtype: mx.${d.name}, stream: ${deviceSource(backend)} })`
      : `mx.${op}(${ins.map((v) => `mx.array([${lit(v)}], mx.${d.name}, { stream: ${deviceSource(backend)} })`).join(", ")}, { stream: ${deviceSource(backend)} })`;
  return `import * as mx from "mlx-ts";\nconsole.log(await ${call}.tolist()); // ${op === "linspace" || op === "arange" ? "last element " : ""}${String(want)}`;
}
