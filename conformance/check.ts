// One conformance case: the same inputs (same layouts) built on the CPU
// reference and on the backend under test, the op run on both, and every
// output element judged by the op's contract on that backend. Elements that
// read an input outside the contract (NaN, infinities, subnormals, values
// outside the domain where the spec promises nothing) are "outside spec":
// a difference there is allowed and counted, never a failure. Every compared
// element also gets what its contract allowed there, so the report can say how
// near the worst element came to its bound.

import * as mx from "../index.js";
import { deviceFor } from "../src/device.js";
import { rowMajorStrides } from "../src/shape.js";
import type { InputCase } from "./arbitraries.js";
import { bitExactContract } from "./bit-exact.js";
import { contractFor, covered, type Contract } from "./contracts.js";
import { flushable, roundTo, sameValue, ulpDistance, ulpOf } from "./numerics.js";
import type { Case, OpEntry } from "./opdb.js";
import { nearerBound, type Bound, type ElementError, type RunOutcome } from "./property.js";

const cpu = { stream: mx.cpu };
const dtypeOf = (name: string) => (mx as unknown as Record<string, mx.DType>)[name]!;

/** JS source of a value list (NaN, infinities and -0 spelled out). */
function literal(values: readonly (number | boolean)[]): string {
  return `[${values.map((v) => (typeof v === "boolean" ? String(v) : Object.is(v, -0) ? "-0" : String(v))).join(", ")}]`;
}

/** How an input is stored (values, shape) and the view that reads it back in the case's layout. */
interface Stored {
  values: readonly (number | boolean)[];
  shape: readonly number[];
  view: "none" | "transpose" | { start: number[]; stop: number[]; step: number[] };
}

function storedForm(ic: InputCase): Stored {
  const nd = ic.shape.length;
  if (ic.layout === "contiguous" || nd === 0) return { values: ic.values, shape: ic.shape, view: "none" };
  if (ic.layout === "transposed") {
    // stored with the axes reversed, read back through a transpose
    const rev = [...ic.shape].reverse();
    const strides = rowMajorStrides(ic.shape), revStrides = rowMajorStrides(rev);
    const values = Array.from({ length: ic.values.length }, (_, flat) => {
      let src = 0;
      for (let k = 0; k < nd; k++) src += (Math.floor(flat / revStrides[k]!) % rev[k]!) * strides[nd - 1 - k]!;
      return ic.values[src]!;
    });
    return { values, shape: rev, view: "transpose" };
  }
  // every other element of an array twice as wide in the last dim
  const filler = dtypeOf(ic.dtype).kind === "bool" ? false : 0;
  const shape = [...ic.shape.slice(0, -1), 2 * ic.shape[nd - 1]!];
  return { values: ic.values.flatMap((v) => [v, filler]), shape, view: { start: shape.map(() => 0), stop: shape, step: shape.map((_, i) => (i === nd - 1 ? 2 : 1)) } };
}

/** How a reproduction spells backend `name`'s device: `mx.webgpu`, or for an outside backend `new mx.Device("gpu", name)`. */
export function deviceSource(name: string): string {
  return name === "cpu" || name === "webgpu" || name === "metal" ? `mx.${name}` : `new mx.Device("gpu", ${JSON.stringify(name)})`;
}

/** The input with the logical values of `ic`, in its layout, on `stream`. */
export function materialize(ic: InputCase, stream: mx.Device): mx.MxArray {
  const o = { stream };
  const st = storedForm(ic);
  const base = mx.reshape(mx.array(st.values as number[], dtypeOf(ic.dtype), o), st.shape, o);
  if (st.view === "none") return base;
  if (st.view === "transpose") return mx.transpose(base, undefined, o);
  return mx.slice(base, st.view.start, st.view.stop, st.view.step, o);
}

/** The TS source that builds the same input as materialize, on the stream spelled `streamSrc` (e.g. "mx.webgpu"). */
export function inputSource(ic: InputCase, streamSrc: string): string {
  const o = `{ stream: ${streamSrc} }`;
  const st = storedForm(ic);
  const base = `mx.reshape(mx.array(${literal(st.values)}, mx.${ic.dtype}, ${o}), ${JSON.stringify(st.shape)}, ${o})`;
  if (st.view === "none") return base;
  if (st.view === "transpose") return `mx.transpose(${base}, undefined, ${o})`;
  return `mx.slice(${base}, ${JSON.stringify(st.view.start)}, ${JSON.stringify(st.view.stop)}, ${JSON.stringify(st.view.step)}, ${o})`;
}

/** The TS reproduction of case `c` of `entry`: the op on `backend` beside the cpu reference, both printed. */
export function caseRepro(entry: OpEntry, backend: string, c: Case): string {
  const xs = c.inputs.map((_, k) => `x${k}`), rs = c.inputs.map((_, k) => `r${k}`);
  return [
    ...c.inputs.map((ic, k) => `const ${xs[k]} = ${inputSource(ic, deviceSource(backend))};`),
    `const out = ${entry.source(xs, c.params, `{ stream: ${deviceSource(backend)} }`)};`,
    ...c.inputs.map((ic, k) => `const ${rs[k]} = ${inputSource(ic, "mx.cpu")};`),
    `const ref = ${entry.source(rs, c.params, "{ stream: mx.cpu }")};`,
    `console.log(await out.tolist(), await ref.tolist());`,
  ].join("\n");
}

/** The contract an entry is held to on a backend: data movement is exact, special values included. */
export function entryContract(entry: OpEntry, backend: string): Contract {
  const bits = bitExactContract(backend, entry.contractAs ?? entry.name);
  if (bits) return bits;
  if (entry.contractAs) return contractFor(backend, entry.contractAs);
  if (entry.group === "layout" || (entry.group === "creation" && !entry.conditionBound) || entry.name === "where") {
    return { ulps: 0, abs: 0, domain: [-Infinity, Infinity], special: true, source: "data movement: exact" };
  }
  if (entry.group === "cast" || ["isnan", "isinf", "isfinite", "max", "min", "argmax", "argmin", "all", "any", "logicalNot", "bitwiseInvert", "floorDivide", "remainder", "divmod", "bitwiseAnd", "bitwiseOr", "bitwiseXor", "leftShift", "rightShift"].includes(entry.name)) {
    // exact, as add is (subnormals may flush on a GPU: casts and float floorDivide/remainder; the bit-exact ops returned above)
    return { ...contractFor(backend, "add"), source: backend === "cpu" ? "the reference" : "exact (integer, comparison, selection and cast results)" };
  }
  return contractFor(backend, entry.contractAs ?? entry.name);
}

/** One case's outcome (property.ts RunOutcome), its worst element located by its row-major index. */
export interface CaseOutcome extends RunOutcome {
  worst?: NonNullable<RunOutcome["worst"]> & { index: number };
}

const flat = (x: unknown): unknown[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);

/** Whether `shape` broadcasts to `target` (NumPy's rule, trailing dims aligned). */
function broadcastsTo(shape: readonly number[], target: readonly number[]): boolean {
  return shape.length <= target.length && shape.every((d, i) => d === 1 || d === target[target.length - shape.length + i]);
}

/** Output elements that read an input element outside the contract. */
async function outsideMask(entry: OpEntry, c: Case, contract: Contract, outShape: readonly number[]): Promise<boolean[]> {
  const n = outShape.reduce((a, b) => a * b, 1);
  const masks = c.inputs.map((ic) => {
    const d = dtypeOf(ic.dtype);
    // judged on the values as the dtype holds them (1e-38 is 0 in float16)
    const held = d.kind === "float" ? roundTo(ic.values as number[], d) : ic.values;
    const bad = held.map((v) => d.kind === "float" && typeof v === "number" && !covered(contract, v));
    return mx.reshape(mx.array(bad, mx.bool, cpu), ic.shape, cpu);
  });
  if (!masks.some((m) => m.size > 0) || c.inputs.every((ic) => dtypeOf(ic.dtype).kind !== "float")) return new Array(n).fill(false);
  let out: mx.MxArray;
  switch (entry.spread) {
    case "elementwise":
      out = masks.map((m) => mx.broadcastTo(m, outShape, cpu)).reduce((a, b) => mx.logicalOr(a, b, cpu));
      break;
    case "reduce":
      // a reduction of several inputs over every axis (allclose, arrayEqual) reads each of them
      out = c.params.axes === null && masks.length > 1
        ? mx.reshape(masks.map((m) => mx.any(m, cpu)).reduce((x, y) => mx.logicalOr(x, y, cpu)), outShape, cpu)
        : mx.any(masks[0]!, { axis: c.params.axes as number[] | null, keepdims: c.params.keepdims as boolean, ...cpu });
      break;
    case "segment":
      // the first input spreads over its segment; the others (a norm's weight and bias along the row) by broadcasting, where their shapes broadcast to the output's
      out = mx.broadcastTo(mx.any(masks[0]!, { axis: c.params.axes as number[] | null, keepdims: true, ...cpu }), outShape, cpu);
      for (const m of masks.slice(1)) if (broadcastsTo(m.shape, outShape)) out = mx.logicalOr(out, mx.broadcastTo(m, outShape, cpu), cpu);
      break;
    case "layout":
      out = entry.call(masks, c.params, cpu);
      break;
    case "matmul":
      // a factorization or solve mixes every input element into every output one
      if (entry.group === "linalg") {
        out = mx.broadcastTo(masks.map((m) => mx.any(m, cpu)).reduce((x, y) => mx.logicalOr(x, y, cpu)), outShape, cpu);
        break;
      }
      out = mx.logicalOr(mx.any(masks[0]!, { axis: -1, keepdims: true, ...cpu }), mx.any(masks[1]!, { axis: -2, keepdims: true, ...cpu }), cpu);
      out = mx.broadcastTo(out, outShape, cpu);
      break;
  }
  return flat(await out.tolist()) as boolean[];
}

/** Runs case `c` of `entry` on `backend` and on the CPU reference and judges the outputs. */
export async function runCase(entry: OpEntry, backend: string, c: Case): Promise<CaseOutcome> {
  const device = deviceFor(backend);
  const outcome: CaseOutcome = { ulps: [], outsideDiffer: 0, repro: caseRepro(entry, backend, c) };
  const refInputs = c.inputs.map((ic) => materialize(ic, mx.cpu));
  const devInputs = c.inputs.map((ic) => materialize(ic, device));

  let ref: mx.MxArray;
  try {
    ref = entry.call(refInputs, c.params, cpu);
    await mx.eval(ref);
  } catch (e) {
    return { ...outcome, skipped: `the reference refused the case: ${(e as Error).message}` };
  }
  const caps = mx.registeredBackends().find((b) => b.name === backend)!.capabilities.dtypes;
  const unsupported = [ref.dtype, ...c.inputs.map((ic) => dtypeOf(ic.dtype))].find((d) => !caps.has(d));
  if (unsupported) return { ...outcome, skipped: `${unsupported.name} not supported on ${backend}` };

  let got: mx.MxArray;
  try {
    got = entry.call(devInputs, c.params, { stream: device });
    await mx.eval(got);
  } catch (e) {
    return { ...outcome, failure: `${backend} threw where the reference did not: ${(e as Error).message}` };
  }
  return judge(entry, backend, c, got, ref, refInputs, outcome);
}

/**
 * Judges the backend's evaluated output `got` of case `c` against the
 * reference's `ref` (computed from `refInputs` on the CPU) under the entry's
 * contract; fills and returns `outcome`.
 */
export async function judge(entry: OpEntry, backend: string, c: Case, got: mx.MxArray, ref: mx.MxArray, refInputs: mx.MxArray[], outcome: CaseOutcome): Promise<CaseOutcome> {
  if (got.dtype !== ref.dtype || got.shape.join() !== ref.shape.join()) {
    return { ...outcome, failure: `output ${got.dtype.name}[${got.shape}] differs from the reference's ${ref.dtype.name}[${ref.shape}]` };
  }
  const gv = flat(await got.tolist()), rv = flat(await ref.tolist());
  const contract = entryContract(entry, backend);
  const outside = contract.special ? new Array(rv.length).fill(false) : await outsideMask(entry, c, contract, ref.shape);
  const isFloat = ref.dtype.kind === "float";
  const bounds = isFloat && entry.conditionBound && !contract.dtypeUlps && contract.condition
    ? await entry.conditionBound(refInputs, c.params, rv as number[], contract.condition.u, contract.condition)
    : undefined;
  const rule = ruleOf(contract, bounds !== undefined);
  for (let i = 0; i < rv.length; i++) {
    const g = gv[i], r = rv[i];
    if (outside[i] || (isFloat && !contract.special && flushable(r as number))) {
      if (!sameValue(g, r)) outcome.outsideDiffer++;
      continue;
    }
    if (!isFloat) {
      if (!sameValue(g, r)) return { ...outcome, failure: `element ${i}: got ${String(g)}, reference ${String(r)} (exact)` };
      continue;
    }
    const gn = g as number, rn = r as number;
    const ulps = ulpDistance(gn, rn, ref.dtype);
    const allowed = allowance(contract, gn, rn, ref.dtype, bounds?.[i]);
    const element: ElementError & { bound: Bound } = { got: g, want: r, ulps, bound: { ulps: allowed / ulpOf(Math.max(Math.abs(gn), Math.abs(rn)), ref.dtype), rule } };
    if (!outcome.worst || nearerBound(element, outcome.worst)) {
      outcome.worst = { ...element, index: i, ...(entry.spread === "elementwise" ? { inputs: inputsAt(c, ref.shape, i) } : {}) };
    }
    outcome.ulps.push(ulps);
    if (!withinContract(contract, gn, rn, allowed)) {
      return { ...outcome, failure: `element ${i}: got ${gn}, reference ${rn} (${ulps.toPrecision(3)} ulp of ${ref.dtype.name}; contract: ${describeContract(contract, bounds?.[i])})` };
    }
  }
  return outcome;
}

/**
 * The input values (as their dtypes hold them) an elementwise op read at
 * output element `index` of `outShape` (inputs broadcast: leading dims
 * dropped, size-1 dims fixed at 0).
 */
export function inputsAt(c: Case, outShape: readonly number[], index: number): (number | boolean)[] {
  const pos: number[] = [];
  let rem = index;
  for (let d = outShape.length - 1; d >= 0; d--) {
    pos[d] = rem % outShape[d]!;
    rem = Math.floor(rem / outShape[d]!);
  }
  return c.inputs.map((ic) => {
    const lead = outShape.length - ic.shape.length;
    let flatIndex = 0;
    ic.shape.forEach((n, d) => (flatIndex = flatIndex * n + (n === 1 ? 0 : pos[d + lead]!)));
    const v = ic.values[flatIndex]!;
    // the value as the input's dtype holds it
    return typeof v === "number" && dtypeOf(ic.dtype).kind === "float" ? roundTo([v], dtypeOf(ic.dtype))[0]! : v;
  });
}

/**
 * What contract `c` allows between `got` and the reference `ref` (itself within
 * 1 ulp of the truth, exact for correctly rounded ops) at one element, as an
 * absolute distance; `conditionBound` is the op's condition bound there.
 * Infinity: the reference overflowed and any value beyond 1e30 is allowed.
 */
function allowance(c: Contract, got: number, ref: number, dtype: mx.DType, conditionBound?: number): number {
  if (!Number.isFinite(ref)) return Number.isNaN(ref) || c.special ? 0 : Infinity;
  if (conditionBound !== undefined) return conditionBound + 2 * ulpOf(ref, dtype);
  if (c.dtypeUlps !== undefined) return c.dtypeUlps * ulpOf(Math.max(Math.abs(got), Math.abs(ref)), dtype);
  if (c.ulps === 0 && c.abs === 0) return 0;
  return c.ulps * ulpOf(ref, "float32") + c.abs + 2 * ulpOf(ref, dtype);
}

/** Whether `got` is within `allowed` (from allowance) of the reference `ref`; exact contracts compare bit for bit. */
function withinContract(c: Contract, got: number, ref: number, allowed: number): boolean {
  if (Number.isNaN(ref)) return Number.isNaN(got);
  if (!Number.isFinite(ref)) return got === ref || (allowed === Infinity && Math.abs(got) > 1e30);
  if (allowed === 0 && c.dtypeUlps === undefined) return Object.is(got, ref) || (got === 0 && ref === 0 && !c.special);
  return Math.abs(got - ref) <= allowed;
}

export function describeContract(c: Contract, bound?: number): string {
  if (bound !== undefined) return `|error| <= ${bound.toPrecision(3)} (condition-bounded) + 2 ulp; ${c.source}`;
  if (c.ulps === 0 && c.abs === 0) return `exact; ${c.source}`;
  return `${c.ulps} float32 ulp + ${c.abs} on [${c.domain.join(", ")}]; ${c.source}`;
}

/** Small powers of two as 2^k, other numbers in short form. */
const short = (v: number) => (Number.isInteger(Math.log2(v)) && Math.log2(v) < -6 ? `2^${Math.log2(v)}` : String(Number(v.toPrecision(3))));

/**
 * The contract in a few words, with where it comes from: "43 f32 ulp + 2 ulp
 * rounding; WGSL §15.7.4.1", "exact; data movement", "from the op's
 * condition, u = 2^-24, + 2 ulp rounding; float32 accumulation".
 */
export function ruleOf(c: Contract, conditioned: boolean): string {
  const from = c.source.split(/ \(|,|:|;/)[0]!;
  if (conditioned) return `from the op's condition, u = ${short(c.condition!.u)}, + 2 ulp rounding; ${from}`;
  if (c.dtypeUlps !== undefined) return `${c.dtypeUlps} ulp; ${from}`;
  if (c.ulps === 0 && c.abs === 0) return from === "exact" ? from : `exact; ${from}`;
  const terms = [...(c.ulps ? [`${short(c.ulps)} f32 ulp`] : []), ...(c.abs ? [`${short(c.abs)} absolute`] : []), "2 ulp rounding"];
  return `${terms.join(" + ")}; ${from}`;
}
