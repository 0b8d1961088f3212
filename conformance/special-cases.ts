// Special-value rules of the array API standard ("Special cases" of each
// elementwise function, https://data-apis.org/array-api/latest/API_specification/elementwise_functions.html),
// which follow IEEE 754 / C99 Annex F: the cpu reference must obey them in
// every float dtype; a backend whose spec leaves special values open (WGSL)
// shows each rule it does not obey as "outside spec, allowed".

import * as mx from "../src/index.js";
import { deviceFor } from "../src/device.js";
import { sameValue } from "./numerics.js";
import { contractFor } from "./contracts.js";
import type { CellResult } from "./property.js";

const N = NaN, I = Infinity;
type Rule = [inputs: number[], result: number];

/** Rules per op: each [inputs, result]; only results the standard fixes exactly (no "approximation to pi/2"). */
export const SPECIAL_CASES: Readonly<Record<string, readonly Rule[]>> = {
  exp: [[[N], N], [[0], 1], [[-0], 1], [[I], I], [[-I], 0]],
  expm1: [[[N], N], [[0], 0], [[-0], -0], [[I], I], [[-I], -1]],
  log: [[[N], N], [[-1], N], [[0], -I], [[-0], -I], [[1], 0], [[I], I]],
  log1p: [[[N], N], [[-2], N], [[-1], -I], [[0], 0], [[-0], -0], [[I], I]],
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
  maximum: [[[N, 1], N], [[1, N], N]],
  minimum: [[[N, 1], N], [[1, N], N]],
  power: [[[N, 0], 1], [[1, N], 1], [[2, I], I], [[0.5, I], 0], [[0, -1], I], [[-0, 1], -0]],
  logaddexp: [[[N, 1], N], [[I, 1], I], [[-I, -I], -I]],
};

const fn = (name: string) => (mx as unknown as Record<string, (...a: unknown[]) => mx.MxArray>)[name]!;
const FLOATS = [mx.float32, mx.float16, mx.bfloat16, mx.float64];

/** One cell per op and backend: how many of the op's rules hold in each float dtype the backend holds. */
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
    const cell: CellResult = { op: `${op} special cases`, dtype: "float", backend, status: "pass", runs: 0, skipped: 0, elements: 0, outsideDiffer: 0, histogram: new Array(25).fill(0), contract: special ? `array API special cases, exact: https://data-apis.org/array-api/latest/API_specification/generated/array_api.${op}.html` : "WGSL leaves NaN and infinities open (§15.7.4): rules not obeyed are outside spec" };
    for (const d of FLOATS.filter((t) => b.capabilities.dtypes.has(t))) {
      const arity = rules[0]![0].length;
      const args = Array.from({ length: arity }, (_, k) => mx.array(rules.map((r) => r[0][k]!), d, o));
      const got = (await fn(op)(...args, o).tolist()) as number[];
      rules.forEach(([ins, want], i) => {
        cell.runs++;
        if (sameValue(got[i], want)) return;
        if (!special) {
          cell.outsideDiffer++;
          return;
        }
        cell.status = "fail";
        const message = `${op}(${ins.map(String).join(", ")}) in ${d.name} is ${String(got[i])}; the array API standard says ${String(want)}`;
        cell.failure ??= { message, repro: `import * as mx from "mlx-ts";\nconsole.log(await mx.${op}(${ins.map((v) => `mx.array([${Object.is(v, -0) ? "-0" : String(v)}], mx.${d.name}, { stream: mx.${backend} })`).join(", ")}, { stream: mx.${backend} }).tolist()); // ${String(want)}`, seed: 0, path: "" };
      });
    }
    cells.push(cell);
  }
  return cells;
}
