// The transformation rules of every primitive, driven by the op database:
// for each differentiable op, vjp against central finite differences in
// float64 on the cpu and jvp against vjp (<v, J u> = <J^T v, u>); for every
// op, vmap over axis 0, the last axis or a middle one (some arguments
// unmapped) against applying the op to each example and stacking.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { OPS, type Case, type OpEntry } from "../conformance/opdb.js";
import { materialize } from "../conformance/check.js";
import type { InputCase } from "../conformance/arbitraries.js";
import { BACKENDS } from "./helpers/backends.js";

const cpu = { stream: mx.cpu };
const DIFFERENTIABLE_GROUPS = new Set(["unary", "binary", "ternary", "reduction", "layout", "linalg", "cast"]);

/** Inputs drawn inside the op's domain, clipped to [-2, 2] and kept off its edges. */
/** Where each op with a restricted domain is differentiable (the contracts now cover every input, so they no longer say). */
const SMOOTH: Record<string, [number, number]> = {
  sqrt: [0, Infinity], rsqrt: [0, Infinity], log: [0, Infinity], log2: [0, Infinity], log10: [0, Infinity], log1p: [-1, Infinity],
  arcsin: [-1, 1], arccos: [-1, 1], arctanh: [-1, 1], erfinv: [-1, 1], arccosh: [1, Infinity], power: [2 ** -8, 64], tan: [-1.2, 1.2],
};

function domain(e: OpEntry): [number, number] {
  let [lo, hi] = [-2, 2];
  const d = SMOOTH[e.contractAs ?? e.name];
  if (d) [lo, hi] = [Math.max(lo, d[0]), Math.min(hi, d[1])];
  const w = hi - lo;
  return [lo + 0.1 * w, hi - 0.1 * w];
}

/** A small deterministic generator (the values of a case come from its fast-check seed). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** The case with float inputs redrawn as float64 values inside `range`. */
function withValues(c: Case, range: [number, number], next: () => number): Case {
  const inputs = c.inputs.map((ic): InputCase => (ic.dtype === "float64" ? { ...ic, values: ic.values.map(() => range[0] + (range[1] - range[0]) * next()) } : ic));
  return { ...c, inputs };
}

const floatIndices = (c: Case) => c.inputs.flatMap((ic, i) => (ic.dtype === "float64" ? [i] : []));

async function flat(x: mx.MxArray): Promise<number[]> {
  return Array.from((await x.data()) as Float64Array, Number);
}

function randomLike(shape: readonly number[], next: () => number): mx.MxArray {
  const n = shape.reduce((a, b) => a * b, 1);
  return mx.reshape(mx.array(Array.from({ length: n }, () => next() * 2 - 1), mx.float64, cpu), shape, cpu);
}

/** The error `call` throws, or undefined (a case the op rejects, such as max or min of an empty axis). */
function rejection(call: () => unknown): string | undefined {
  try {
    call();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Piecewise-constant ops: their derivative is 0 between steps, and a finite difference across a step measures the step. */
const STEP_FUNCTIONS = new Set(["floor", "ceil", "round", "sign"]);

const dot = async (a: mx.MxArray, b: mx.MxArray) => (await mx.sum(mx.multiply(a, b, cpu), cpu).item()) as number;

// stopGradient is the identity in value but passes no gradient by design (tested with the composites)
const differentiable = OPS.filter((e) => DIFFERENTIABLE_GROUPS.has(e.group) && e.dtypes.includes(mx.float64) && e.name !== "stopGradient");

describe.each(differentiable.map((e) => ({ name: e.name, e })))("vjp and jvp of $name (float64, cpu)", ({ e }) => {
  it("vjp matches central finite differences, and <v, J u> = <J^T v, u>", async () => {
    await fc.assert(
      fc.asyncProperty(e.cases(mx.float64), fc.integer(), async (raw, seed) => {
        const next = rng(seed);
        const c = withValues(raw, domain(e), next);
        const xs = c.inputs.map((ic) => materialize(ic, mx.cpu));
        const fi = floatIndices(c);
        if (!fi.length) return;
        const f = (...floats: mx.MxArray[]) => {
          const all = [...xs];
          fi.forEach((i, k) => (all[i] = floats[k]!));
          return e.call(all, c.params, cpu);
        };
        let y: mx.MxArray;
        try {
          y = f(...fi.map((i) => xs[i]!));
        } catch (err) {
          // a case the op rejects (max of an empty axis): vjp and jvp reject it with the op's own error
          const rejected = (err as Error).message;
          expect(() => mx.vjp(f, fi.map((i) => xs[i]!), [mx.zeros([], mx.float64, cpu)])).toThrow(rejected);
          expect(() => mx.jvp(f, fi.map((i) => xs[i]!), fi.map((i) => xs[i]!))).toThrow(rejected);
          return;
        }
        if (y.dtype !== mx.float64 || y.size === 0) return;
        // std of one element: sqrt at 0 has no derivative; undefined results (var with ddof 1 of one element) neither
        if (e.name === "std" && xs[0]!.size === y.size) return;
        if (!(await flat(y)).every(Number.isFinite)) return;
        const v = randomLike(y.shape, next);
        const [, grads] = mx.vjp(f, fi.map((i) => xs[i]!), [v]);
        let scale = 1;
        for (const [k, i] of fi.entries()) {
          const x = xs[i]!;
          const values = await flat(x);
          const analytic = await flat(grads[k]!);
          expect(grads[k]!.shape).toEqual(x.shape);
          for (let j = 0; j < values.length; j++) {
            const h = 1e-6 * Math.max(1, Math.abs(values[j]!));
            const at = async (delta: number) => {
              const p = [...values];
              p[j]! += delta;
              const moved = fi.map((ii) => (ii === i ? mx.reshape(mx.array(p, mx.float64, cpu), x.shape, cpu) : xs[ii]!));
              return dot(v, f(...moved));
            };
            const plus = await at(h), minus = await at(-h);
            scale = Math.max(scale, Math.abs(plus));
            const numeric = (plus - minus) / (2 * h);
            // undefined both ways (e.g. var with ddof 1 of one element): nothing to compare
            if (!Number.isFinite(numeric) && !Number.isFinite(analytic[j]!)) continue;
            // a step function (round to 5 places steps every 1e-5) whose difference crossed a step: no derivative there
            if (STEP_FUNCTIONS.has(e.name) && numeric !== 0) continue;
            const err = Math.abs(analytic[j]! - numeric);
            expect(err, `${e.name}: d/d input ${i} element ${j}: vjp ${analytic[j]}, finite differences ${numeric}`).toBeLessThanOrEqual(1e-5 * Math.abs(numeric) + 1e-7 * scale);
          }
        }
        // forward mode against reverse mode
        const us = fi.map((i) => randomLike(xs[i]!.shape, next));
        const [, [jvpOut]] = mx.jvp(f, fi.map((i) => xs[i]!), us);
        const lhs = await dot(v, jvpOut!);
        let rhs = 0;
        for (const [k, u] of us.entries()) rhs += await dot(grads[k]!, u);
        expect(Math.abs(lhs - rhs), `${e.name}: <v, J u> = ${lhs}, <J^T v, u> = ${rhs}`).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(lhs)));
      }),
      { numRuns: 6 },
    );
  });
});

const others = BACKENDS.filter((b) => b.device.backend !== "cpu");

describe.each(others)("vjp on $name matches the cpu (float32)", ({ device }) => {
  it.each(differentiable.filter((e) => e.dtypes.includes(mx.float32)).map((e) => ({ name: e.name, e })))("$name", async ({ e }) => {
    await fc.assert(
      fc.asyncProperty(e.cases(mx.float32), fc.integer(), async (raw, seed) => {
        const c = withValues({ ...raw, inputs: raw.inputs.map((ic) => (ic.dtype === "float32" ? { ...ic, dtype: "float64" } : ic)) }, domain(e), rng(seed));
        const as32 = { ...c, inputs: c.inputs.map((ic) => (ic.dtype === "float64" ? { ...ic, dtype: "float32" } : ic)) };
        const fi = floatIndices(c);
        if (!fi.length) return;
        const run = async (stream: mx.Device) => {
          const o = { stream };
          const xs = as32.inputs.map((ic) => materialize(ic, stream));
          const f = (...floats: mx.MxArray[]) => {
            const all = [...xs];
            fi.forEach((i, k) => (all[i] = floats[k]!));
            return e.call(all, c.params, o);
          };
          const y = f(...fi.map((i) => xs[i]!));
          if (y.dtype !== mx.float32 || y.size === 0) return undefined;
          const v = mx.onesLike(y, o);
          const [, grads] = mx.vjp(f, fi.map((i) => xs[i]!), [v]);
          return Promise.all(grads.map(async (g) => Array.from((await g.data()) as Float32Array, Number)));
        };
        let got: number[][] | undefined;
        try {
          got = await run(device);
        } catch (err) {
          const message = (err as Error).message;
          if (/not implemented on backend/.test(message)) return; // a cpu-only op (linalg): nothing to compare
          // a case the op rejects (max of an empty axis): rejected on the cpu with the same error
          if (rejection(() => e.call(as32.inputs.map((ic) => materialize(ic, mx.cpu)), c.params, cpu)) === message) return;
          throw err;
        }
        const ref = await run(mx.cpu);
        if (!got || !ref) return;
        ref.forEach((r, k) => {
          const scale = r.reduce((m, x) => Math.max(m, Math.abs(x)), 1);
          r.forEach((want, j) => {
            if (!Number.isFinite(want)) return;
            const g = got[k]![j]!;
            expect(Math.abs(g - want), `${e.name} on ${device.backend}: d/d input ${fi[k]} element ${j}: ${g} vs cpu ${want}`).toBeLessThanOrEqual(2e-3 * scale);
          });
        });
      }),
      { numRuns: 3 },
    );
  });
});

/** The dtypes a vmap case runs in: the op's first float dtype (float64 first) and its first other one. */
function vmapDtypes(e: OpEntry): mx.DType[] {
  const float = [mx.float64, mx.float32].find((d) => e.dtypes.includes(d));
  const other = e.dtypes.find((d) => !d.name.startsWith("float") && !d.name.startsWith("bfloat"));
  return [float, other].filter((d): d is mx.DType => d !== undefined);
}

const mappable = OPS.filter((e) => e.group !== "creation");

describe.each(mappable.map((e) => ({ name: e.name, e })))("vmap of $name (cpu)", ({ e }) => {
  it.each(vmapDtypes(e).map((d) => ({ dtype: d.name, d })))("equals stacking the op over each example ($dtype)", async ({ d }) => {
    await fc.assert(
      fc.asyncProperty(e.cases(d), fc.integer(), fc.constantFrom<"first" | "last" | "middle">("first", "last", "middle"), fc.integer({ min: 0, max: 7 }), async (c, seed, where, unmappedMask) => {
        const next = rng(seed);
        const B = 3;
        // B examples of every input: the case itself and variations of its values
        const examples = Array.from({ length: B }, (_, k) =>
          c.inputs.map((ic) => {
            if (ic.dtype === "bool") return materialize({ ...ic, values: ic.values.map((v, j) => (k === 0 ? v : next() < 0.5)) }, mx.cpu);
            if (k === 0) return materialize(ic, mx.cpu);
            const range = domain(e);
            const isFloat = ic.dtype.startsWith("float") || ic.dtype.startsWith("bfloat");
            const values = ic.values.map((v) => (typeof v === "number" && isFloat ? range[0] + (range[1] - range[0]) * next() : typeof v === "number" ? Math.round(v + k) : v));
            return materialize({ ...ic, values }, mx.cpu);
          }),
        );
        // some inputs unmapped (all but the first may be): those keep example 0 for every example
        const mapped = c.inputs.map((_, i) => i === 0 || ((unmappedMask >> i) & 1) === 0);
        const axisOf = (ndim: number) => (where === "first" ? 0 : where === "last" ? ndim : Math.floor(ndim / 2));
        const batched = c.inputs.map((_, i) => (mapped[i] ? mx.stack(examples.map((ex) => ex[i]!), { axis: axisOf(examples[0]![i]!.ndim), ...cpu }) : examples[0]![i]!));
        const inAxes = c.inputs.map((_, i) => (mapped[i] ? (where === "last" ? -1 : axisOf(examples[0]![i]!.ndim)) : null));
        const f = (...xs: mx.MxArray[]) => e.call(xs, c.params, cpu);
        const perExample = () => mx.stack(examples.map((ex) => f(...ex.map((x, i) => (mapped[i] ? x : examples[0]![i]!)))), { axis: 0, ...cpu });
        let want: mx.MxArray;
        try {
          want = perExample();
        } catch (err) {
          // a case the op rejects (max of an empty axis): vmap rejects it with the op's own error
          expect(() => mx.vmap(f, { inAxes })(...batched)).toThrow((err as Error).message);
          return;
        }
        const got = mx.vmap(f, { inAxes })(...batched) as mx.MxArray;
        expect(got.shape).toEqual(want.shape);
        expect(got.dtype).toBe(want.dtype);
        const [g, w] = [(await got.tolist()) as unknown, (await want.tolist()) as unknown];
        const gs = [g].flat(Infinity) as number[], ws = [w].flat(Infinity) as number[];
        gs.forEach((x, j) => {
          const y = ws[j]!;
          if (typeof x === "number" && typeof y === "number" && Number.isFinite(y)) expect(Math.abs(x - y), `${e.name} element ${j}: ${x} vs ${y}`).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(y)));
          else expect(x).toEqual(y);
        });
      }),
      { numRuns: 5 },
    );
  });
});
