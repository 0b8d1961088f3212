// complex64 ops at the edges of float32 on every backend: parts near 3.4e38,
// near 1e-38 and subnormal, mixes of huge and tiny parts, zeros, infinities and
// NaN, against the cpu reference (float64, rounded once) within each op's contract.

import { beforeAll, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { contractFor } from "../conformance/contracts.js";
import { BACKENDS } from "./helpers/backends.js";

type Z = { re: number; im: number };
type S = { stream: mx.Device };
const onCpu: S = { stream: mx.cpu };
const c = (re: number, im: number): Z => ({ re, im });
const F32_MAX = 3.4028234663852886e38;
const MIN_NORMAL = 2 ** -126;

/** Magnitudes at the edges: subnormal, the least normal, around 1, past float32 formulas' thresholds (2^20, 2^42, 2^60), the largest finite, and the special values. */
const PARTS = [0, -0, 1e-45, -3e-39, MIN_NORMAL, -1e-38, 1e-30, -0.75, 1, 1.5, -1e5, 3e9, -1e15, 1e20, -1e30, 1e38, -2e38, 3e38, F32_MAX, -F32_MAX, Infinity, -Infinity, NaN];
/** A smaller set for second operands. */
const FEW = [0, -0, 1e-45, MIN_NORMAL, -1, 1.5, 1e20, -3e38, F32_MAX, Infinity, NaN];
const grid = (res: readonly number[], ims: readonly number[]): Z[] => res.flatMap((re) => ims.map((im) => c(re, im)));
const subnormal = (v: number) => v !== 0 && Math.abs(v) < MIN_NORMAL;

const UNARY = ["abs", "sign", "sqrt", "rsqrt", "exp", "log", "log2", "log10", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "reciprocal", "square"];
/** Exponents of power: moderate, so that its phase w log z stays within float32's resolution. */
const EXPONENTS = [c(0, 0), c(2, 0), c(0.5, 0), c(-1, 0), c(-0.5, 0), c(1, 1), c(0, 0.25), c(-2, -0.5), c(NaN, 0)];
/** The values measured when the overflow was reported (NaN imaginary parts of arcsin, arccos; metal's sign, arctan and divide). */
const REPORTED = [c(3e38, 3e38), c(-3e38, 1e38), c(1e-38, 3e38), c(2e38, -3e38)];

/**
 * Ops whose zeros may come back with the other sign where an input part lies outside [2^-60, 2^60]: there the
 * reference's zero can be the rounding of a value below the smallest subnormal whose sign a float32 step
 * cannot resolve (divide: Smith's cancellation, within the bound, lands below it; power: float64's and
 * float32's pi differ by more than such a value).
 */
const ROUNDED_ZERO_SIGN = new Set(["divide", "power"]);
const moderate = (v: number) => v === 0 || !Number.isFinite(v) || (Math.abs(v) >= 2 ** -60 && Math.abs(v) <= 2 ** 60);
/**
 * A zero part of x y that is the difference of two equal nonzero products (exact in float64): a backend that
 * contracts a c - b d into fma(a, c, -(b d)) (metal's cmul) leaves b d's rounding error there, within the bound.
 */
const cancelled = ([x, y]: Z[], imag: boolean) => (imag ? [x!.re * y!.im, x!.im * y!.re] : [x!.re * y!.re, x!.im * y!.im]).every((t) => t !== 0);

const show = (v: number) => (Object.is(v, -0) ? "-0" : String(v));
const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
const label = (z: Z) => `${show(z.re)}${Object.is(z.im, -0) || z.im < 0 ? "" : "+"}${show(z.im)}i`;
const words = async (x: mx.MxArray) => (await x.data()) as Float32Array;

/** |z^w| in float64 (the scale of power's bound where float32 cannot hold it). */
const powerMagnitude = (z: Z, w: Z) => Math.exp(w.re * Math.log(Math.hypot(z.re, z.im)) - w.im * Math.atan2(z.im, z.re));

/**
 * The components of `got` against the cpu's `want` for the inputs `args`: infinities and NaN exactly; other
 * values within c u |w| + a u of the reference (w its complex result; a finite part beside an infinite one is
 * bounded by its own magnitude, but power's by float64's |w|, whose bound past float32's range resolves
 * nothing) plus 2 subnormal steps (`floor` on an adapter that flushes); zeros with their sign (a zero of an
 * op with an absolute allowance may miss by a u), but ROUNDED_ZERO_SIGN's and multiply's `cancelled` ones,
 * which are held to the bound.
 * Returns the failures, described.
 */
function compare(op: string, backend: string, args: readonly Z[][], want: Float32Array, got: Float32Array, complexOut: boolean, floor: number): string[] {
  const cond = contractFor(backend, `complex64.${op}`).condition;
  const step = complexOut ? 2 : 1;
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const k = (i - (i % step)) / step;
    const zs = args.map((a) => a[k]!);
    const w = want[i]!, g = got[i]!, base = k * step;
    const pair = complexOut ? Math.hypot(want[base]!, want[base + 1]!) : Math.abs(w);
    const wide = op === "power" && !Number.isFinite(pair) ? powerMagnitude(zs[0]!, zs[1]!) : NaN;
    const mag = Number.isFinite(pair) ? pair : Number.isFinite(wide) ? wide : Math.abs(w);
    const a = cond?.a ?? 0;
    const bound = cond ? cond.c * cond.u * mag + a * cond.u + Math.max(2 ** -148, floor) : 0;
    const signFree = (ROUNDED_ZERO_SIGN.has(op) && !zs.every((z) => moderate(z.re) && moderate(z.im))) || (op === "multiply" && cancelled(zs, i % 2 === 1));
    const zeroWithin = w === 0 && (a > 0 || signFree) && Number.isFinite(mag) && !(a > 0 && g === 0 && !signFree);
    let ok: boolean;
    if (!cond) ok = same(g, w);
    else if (Number.isNaN(w) || Number.isNaN(g)) ok = same(g, w);
    else if (op === "power" && Number.isFinite(wide) && bound > F32_MAX) ok = true;
    else if (!Number.isFinite(w) || (w === 0 && !zeroWithin) || !Number.isFinite(mag)) ok = same(g, w) || (Math.abs(w) < floor && Math.abs(g) < floor);
    else ok = Math.abs(g - w) <= bound;
    if (!ok) bad.push(`${op}(${zs.map(label).join(", ")}) ${complexOut ? (i % 2 ? "im" : "re") : ""}: got ${show(g)}, want ${show(w)}`);
  }
  return bad;
}

describe.each(BACKENDS)("complex64 at the float32 limits on $name", ({ device }) => {
  const o: S = { stream: device };
  // an adapter that flushes float32 subnormals (the H200) is held to its results above the least normal, on normal inputs
  let zs: Z[] = [], few: number[] = [], floor = 0;
  beforeAll(async () => {
    const flushes = (await words(mx.add(mx.array([1e-45], mx.float32, o), 0, o)))[0] === 0;
    const parts = flushes ? PARTS.filter((v) => !subnormal(v)) : PARTS;
    zs = grid(parts, parts);
    few = flushes ? FEW.filter((v) => !subnormal(v)) : FEW;
    floor = flushes ? MIN_NORMAL : 0;
  });

  /** `f` of complex inputs `args` on the backend and on the cpu, compared; at most 12 failures shown. */
  async function check(op: string, args: readonly Z[][], f: (xs: mx.MxArray[], s: S) => mx.MxArray): Promise<void> {
    const run = (s: S) => f(args.map((a) => mx.array([...a], mx.complex64, s)), s);
    const want = run(onCpu), got = run(o);
    expect(got.dtype.name).toBe(want.dtype.name);
    const bad = compare(op, device.backend, args, await words(want), await words(got), want.dtype === mx.complex64, floor);
    expect(bad.length === 0 ? [] : [`${bad.length} failures`, ...bad.slice(0, 12)]).toEqual([]);
  }
  const unary = (op: string) => (mx as unknown as Record<string, (x: mx.MxArray, s: S) => mx.MxArray>)[op]!;

  it.each(UNARY)("%s", async (op) => {
    await check(op, [zs], ([x], s) => unary(op)(x!, s));
  });

  it.each(["multiply", "divide"] as const)("%s", async (op) => {
    const ys = grid(few, few);
    await check(op, [zs.flatMap((z) => ys.map(() => z)), zs.flatMap(() => ys)], ([x, y], s) => mx[op](x!, y!, s));
  });

  it("power with moderate exponents", async () => {
    await check("power", [zs.flatMap((z) => EXPONENTS.map(() => z)), zs.flatMap(() => EXPONENTS)], ([x, y], s) => mx.power(x!, y!, s));
  });

  it("arcsin, arccos and arctan on their branch cuts, at zeros and at poles are NumPy's (C99's signs)", async () => {
    // NumPy's complex128 values of these float32 inputs (rounded to float32 here): casin and catan are odd and
    // conjugate-symmetric (their parts take z's signs), cacos's real part lies in [+0, pi] and its imaginary part
    // has the sign opposite to Im z's
    const tables: Record<string, [number, number, number, number][]> = {
      arcsin: [
        [2, 0, 1.5707963267948966, 1.3169578969248166], [2, -0, 1.5707963267948966, -1.3169578969248166], [-2, 0, -1.5707963267948966, 1.3169578969248166],
        [-2, -0, -1.5707963267948966, -1.3169578969248166], [0, 2, 0, 1.4436354751788103], [-0, 2, -0, 1.4436354751788103], [0.5, 0, 0.5235987755982989, 0],
        [0, 0, 0, 0], [-0, -0, -0, -0], [1e-45, -1e30, 0, -69.77069998542878], [0, -1e5, 0, -12.206072645555174], [-0.5, -0, -0.5235987755982989, -0],
        [0.3, 0, 0.3046926665119266, 0], [-0.9, -0, -1.119769460301664, -0],
      ],
      arccos: [
        [2, 0, 0, -1.3169578969248166], [2, -0, 0, 1.3169578969248166], [-2, 0, 3.141592653589793, -1.3169578969248166],
        [-2, -0, 3.141592653589793, 1.3169578969248166], [-0, 2, 1.5707963267948966, -1.4436354751788103], [0.5, 0, 1.0471975511965976, -0],
        [0, 0, 1.5707963267948966, -0], [-0, -0, 1.5707963267948966, 0], [1e-45, -1e30, 1.5707963267948966, 69.77069998542878],
        [0, -1e5, 1.5707963267948966, 12.206072645555174], [-0.5, -0, 2.0943951023931957, 0], [0.3, 0, 1.26610366028297, -0],
      ],
      arctan: [
        [0, -1e5, 1.5707963267948966, -1.0000000000333334e-5], [-0, 1.5, -1.5707963267948966, 0.8047189562170501],
        [0, 1.5, 1.5707963267948966, 0.8047189562170501], [-0, -1.5, -1.5707963267948966, -0.8047189562170501],
        [0, 0, 0, 0], [-0, 0, -0, 0], [0, -0, 0, -0], [1e-45, -1e30, 1.5707963267948966, -9.99999984952534e-31],
        [0, -1, 0, -Infinity], [-0, 1, -0, Infinity], [0.5, -2, 1.421546861001807, -0.500370000052531], [-3e38, 1e-40, -1.5707963267948966, 1.1111051182736946e-117],
      ],
    };
    const bad: string[] = [];
    for (const [op, cases] of Object.entries(tables)) {
      const got = await words(unary(op)(mx.array(cases.map(([re, im]) => c(re, im)), mx.complex64, o), o));
      cases.flatMap(([, , re, im]) => [Math.fround(re), Math.fround(im)]).forEach((w, i) => {
        const ok = same(got[i]!, w) || (w !== 0 && Number.isFinite(w) && Math.abs(got[i]! - w) <= 2 ** -22 * Math.abs(w));
        if (!ok) bad.push(`${op}(${label(c(cases[i >> 1]![0], cases[i >> 1]![1]))}) ${i % 2 ? "im" : "re"}: got ${show(got[i]!)}, want ${show(w)}`);
      });
    }
    expect(bad).toEqual([]);
  });

  it("gives the reported values finite, and overflows as the reference where the exact result is past float32 (inf, not NaN)", async () => {
    for (const op of UNARY) await check(op, [REPORTED], ([x], s) => unary(op)(x!, s));
    await check("divide", [REPORTED, [...REPORTED.slice(1), REPORTED[0]!]], ([x, y], s) => mx.divide(x!, y!, s));
    // arcsin(3e38 + 3e38i) = pi/4 + i log(2 |z|)
    const [w] = (await mx.arcsin(mx.array([c(3e38, 3e38)], mx.complex64, o), o).tolist()) as Z[];
    expect(Math.abs(w!.re - Math.PI / 4)).toBeLessThan(1e-6);
    expect(Math.abs(w!.im - Math.log(2 * Math.hypot(Math.fround(3e38), Math.fround(3e38))))).toBeLessThan(1e-4);
    // (3e38 + 3e38i) (2 + 2i) = 0 + 1.2e39i: the real part is exactly 0, the imaginary part overflows
    const x = [c(3e38, 3e38), c(-3e38, 1e38), c(F32_MAX, F32_MAX), c(1, -2e38)];
    const y = [c(2, 2), c(3, 1), c(F32_MAX, -F32_MAX), c(-3e38, 1.5)];
    await check("multiply", [x, y], ([p, q], s) => mx.multiply(p!, q!, s));
    await check("divide", [x, y.map((z) => c(1 / z.re, 1 / z.im))], ([p, q], s) => mx.divide(p!, q!, s));
    await check("square", [x], ([p], s) => mx.square(p!, s));
  });
});
