// Shadow validation (mx.setValidation("cpu") or MLX_TS_VALIDATE=cpu): every
// kernel run on a backend other than the cpu is rerun by the cpu reference on
// the same input values, and an output element outside the primitive's
// contract on that backend throws an error naming the primitive, the input
// shapes and dtypes and the worst element. Elements that read an input the
// spec does not cover (NaN, infinities, subnormals, outside the domain) are
// not judged; for a non-elementwise primitive such an input skips the node.

import * as mx from "../src/index.js";
import { MxArray } from "../src/array.js";
import { describe, describeValue } from "../src/errors.js";
import { setNodeValidator, uploadTensor } from "../src/eval.js";
import type { Primitive } from "../src/primitive.js";
import { Binary, Unary } from "../src/primitives/elementwise.js";
import { Scan } from "../src/primitives/scan.js";
import { getBackend, type Tensor } from "../backends/backend.js";
import { bitExactContract } from "./bit-exact.js";
import { contractFor, covered, type Contract } from "./contracts.js";
import { flushable, ulpDistance, ulpOf } from "./numerics.js";

const cpu = { stream: mx.cpu };
const flat = (x: unknown): unknown[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);
/** Primitives whose output element reads the broadcast input elements at its position. */
const ELEMENTWISE = new Set(["where", "astype"]);
const CONDITIONED = new Set(["sum", "prod", "matmul", "logsumexp", "softmax"]);
const DATA_MOVEMENT = new Set(["reshape", "transpose", "broadcast", "slice", "concatenate", "pad", "where", "randomBits"]);

/** A tensor of any backend as a cpu array (its values read back, row-major). */
async function onCpu(t: Tensor): Promise<MxArray> {
  const words = await t.buffer.backend.read(t);
  return new MxArray(t.shape, t.dtype, mx.defaultStream(mx.cpu), null, [], uploadTensor(getBackend("cpu"), t.dtype, t.shape, words));
}

/** The op-level contract of each scan: cumsum, cumprod and logcumsumexp condition-bounded, cummax and cummin exact. */
const SCAN_CONTRACT = { sum: "cumsum", prod: "cumprod", max: "cummax", min: "cummin", logaddexp: "logcumsumexp" } as const;

function contractOf(prim: Primitive, backend: string): Contract {
  if (DATA_MOVEMENT.has(prim.name)) return { ulps: 0, abs: 0, domain: [-Infinity, Infinity], special: true, source: "data movement: exact" };
  const op = prim instanceof Scan ? SCAN_CONTRACT[prim.op] : prim.name;
  const bits = bitExactContract(backend, op);
  if (bits) return bits;
  if (prim instanceof Scan) return contractFor(backend, op);
  try {
    return contractFor(backend, prim.name);
  } catch {
    return { ...contractFor(backend, "add"), source: "exact (integer, comparison, selection and cast results)" };
  }
}

function isElementwise(prim: Primitive): boolean {
  return ELEMENTWISE.has(prim.name) || prim instanceof Unary || prim instanceof Binary;
}

/** Checks one node's output against the cpu reference rerun on its inputs. */
async function validateNode(prim: Primitive, inputs: readonly Tensor[], output: Tensor, node: MxArray): Promise<void> {
  const backend = node.stream.device.backend; // where it ran (an outside backend may hand out another backend's buffers)
  const xs = await Promise.all(inputs.map(onCpu));
  const cpuKernel = getBackend("cpu").kernels[prim.name];
  if (!cpuKernel) return;
  const refTensor = cpuKernel(prim, xs.map((x) => x.tensor()), { shape: output.shape, dtype: output.dtype });
  const ref = new MxArray(output.shape, output.dtype, mx.defaultStream(mx.cpu), null, [], refTensor);
  const got = await onCpu(output);
  const rv = flat(await ref.tolist()), gv = flat(await got.tolist());
  const contract = contractOf(prim, backend);
  const isFloat = output.dtype.kind === "float";
  // which elements read inputs outside the contract
  let outside: boolean[] = new Array(rv.length).fill(false);
  if (!contract.special) {
    const bad = await Promise.all(xs.map(async (x) => (x.dtype.kind === "float" ? (flat(await x.tolist()) as number[]).some((v) => !covered(contract, v)) : false)));
    if (bad.some(Boolean)) {
      if (!isElementwise(prim)) return;
      const masks = await Promise.all(
        xs.map(async (x) => {
          if (x.dtype.kind !== "float") return new Array(rv.length).fill(false) as boolean[];
          return (flat(await mx.broadcastTo(x, output.shape, cpu).tolist()) as number[]).map((v) => !covered(contract, v));
        }),
      );
      outside = outside.map((_, i) => masks.some((m) => m[i]));
    }
  }
  // condition-bounded primitives: the same primitive on |inputs| gives sum|terms| (sum, matmul); others relative
  let magnitude: number[] | undefined;
  if (isFloat && (CONDITIONED.has(prim.name) || prim instanceof Scan) && contract.condition) {
    if (prim.name === "sum" || prim.name === "matmul" || (prim instanceof Scan && prim.op === "sum")) {
      const absT = await Promise.all(
        xs.map(async (x) => {
          const a = mx.abs(mx.astype(x, mx.float64, cpu), cpu);
          await mx.eval(a);
          return a.tensor();
        }),
      );
      const m = new MxArray(output.shape, mx.float64, mx.defaultStream(mx.cpu), null, [], cpuKernel(prim, absT, { shape: output.shape, dtype: mx.float64 }));
      magnitude = flat(await m.tolist()) as number[];
    } else {
      magnitude = (rv as number[]).map((r) => Math.abs(r) + 1);
    }
  }
  const n = prim.name === "matmul" ? (inputs[0]!.shape.at(-1) ?? 1) : prim instanceof Scan ? Math.max(1, inputs[0]!.shape[prim.axis] ?? 1) : Math.max(1, inputs[0] ? inputs[0].shape.reduce((a, b) => a * b, 1) / Math.max(1, rv.length) : 1);
  let worst: { i: number; ulps: number } | undefined;
  for (let i = 0; i < rv.length; i++) {
    if (outside[i] || (isFloat && !contract.special && flushable(rv[i] as number))) continue;
    const g = gv[i], r = rv[i];
    let ok: boolean;
    if (!isFloat) ok = g === r;
    else {
      const gn = g as number, rn = r as number;
      if (Number.isNaN(rn) || !Number.isFinite(rn)) ok = Object.is(gn, rn) || (Number.isNaN(rn) && Number.isNaN(gn)) || (!contract.special && !Number.isFinite(rn));
      else if (magnitude) ok = Math.abs(gn - rn) <= 2 * (n + 8) * contract.condition!.u * magnitude[i]! + 2 * ulpOf(rn, output.dtype);
      else if (contract.ulps === 0 && contract.abs === 0) ok = Object.is(gn, rn) || (gn === rn && !contract.special);
      else ok = Math.abs(gn - rn) <= contract.ulps * ulpOf(rn, "float32") + contract.abs + 2 * ulpOf(rn, output.dtype);
    }
    if (!ok) {
      const ulps = isFloat ? ulpDistance(g as number, r as number, output.dtype) : Infinity;
      if (!worst || ulps > worst.ulps) worst = { i, ulps };
    }
  }
  if (worst) {
    throw new Error(
      `[validation] ${prim.name} on ${backend} breaks its contract (${contract.source}) at element ${worst.i}: got ${String(gv[worst.i])}, cpu reference ${String(rv[worst.i])}` +
        `${isFinite(worst.ulps) ? ` (${worst.ulps.toPrecision(3)} ulp)` : ""}; inputs: ${xs.map(describe).join(", ")}; output ${describe(node)}`,
    );
  }
}

let mode: "cpu" | null = null;

/**
 * Turns shadow validation on ("cpu": every kernel run on another backend is
 * rerun by the cpu reference, and a result outside its op's contract throws,
 * naming the op, its inputs and the worst element) or off (null). Slow: for
 * checking kernels, not for production. `MLX_TS_VALIDATE=cpu` turns it on.
 * @example
 * ```ts
 * mx.setValidation("cpu");
 * const o = { stream: mx.isAvailable(mx.gpu) ? mx.gpu : mx.cpu };
 * const y = mx.exp(mx.array([1, 2], mx.float32, o)); // checked against the cpu when it runs
 * await mx.allclose(y, mx.array([2.7182817, 7.3890561], mx.float32, o), o).item(); // true
 * mx.setValidation(null);
 * ```
 */
export function setValidation(reference: "cpu" | null): void {
  if (reference !== "cpu" && reference !== null) throw new TypeError(`[setValidation] reference must be "cpu" or null, got ${describeValue(reference)}`);
  mode = reference;
  setNodeValidator(reference ? validateNode : undefined);
}

/**
 * The shadow validation in force: "cpu" or null (off).
 * @example
 * ```ts
 * mx.getValidation(); // null
 * ```
 */
export function getValidation(): "cpu" | null {
  return mode;
}

// no environment in a browser
const fromEnv = typeof process !== "undefined" ? process.env.MLX_TS_VALIDATE : undefined;
if (fromEnv) {
  if (fromEnv !== "cpu") throw new Error(`MLX_TS_VALIDATE must be "cpu" (validate every non-cpu kernel against the cpu reference), got '${fromEnv}'`);
  setValidation("cpu");
}
