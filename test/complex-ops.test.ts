// The cpu reference's complex64 ops against NumPy's complex128 (tan, tanh,
// sinh, cosh, arcsin, arccos, arctan, log2, log10, rsqrt, power, angle, the
// ordering ops), MLX's own definitions where
// NumPy differs (sign = z / |z|, 0^w = 0), and the scatter that multiplies
// as complex numbers; C99's special values of exp and sqrt on every backend;
// arcsin, arccos and arctan against NumPy in each part on every backend.

import { describe, expect, it } from "vitest";
import { itWithNumpy, runPython } from "./helpers/numpy.js";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";
import { holds } from "../conformance/contracts.js";

type Z = { re: number; im: number };
const c = (re: number, im: number): Z => ({ re, im });
const cpu = { stream: mx.cpu };
const carr = (zs: readonly Z[]) => mx.array([...zs], mx.complex64, cpu);

/** Deterministic complex values with float32 parts of magnitude 10^-2 .. 10^maxExp, every quadrant. */
function sweep(n: number, maxExp: number, seed: number): Z[] {
  let s = seed;
  const r = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const part = () => Math.fround((r() < 0.5 ? -1 : 1) * 10 ** (-2 + (maxExp + 2) * r()));
  return Array.from({ length: n }, () => c(part(), part()));
}

/** NumPy's results of `expr` (over complex128 arrays x, y) as [re, im] pairs, or plain values for a real result. */
function numpy(expr: string, x: readonly Z[], y: readonly Z[]): unknown[] {
  const script = `import json, sys, numpy as np
d = json.load(sys.stdin)
x = np.array([complex(a, b) for a, b in d[0]]); y = np.array([complex(a, b) for a, b in d[1]])
with np.errstate(all="ignore"):
    r = ${expr}
print(json.dumps([[float(v.real), float(v.imag)] for v in r] if np.iscomplexobj(r) else [v.item() for v in r]))`;
  return runPython<unknown[]>(script, [x.map((z) => [z.re, z.im]), y.map((z) => [z.re, z.im])]);
}

/** Each part of `got` within `ulps` float32 ulps of NumPy's value of |w| (|w| the complex magnitude). */
function expectNearNumpy(got: readonly Z[], want: readonly [number, number][], ulps: number, label: string): void {
  got.forEach((g, i) => {
    const [re, im] = want[i]!;
    const tol = ulps * 2 ** -24 * Math.hypot(re, im) + 2 ** -149;
    expect(Math.abs(g.re - re), `${label} element ${i} re: ${g.re} vs ${re}`).toBeLessThanOrEqual(tol);
    expect(Math.abs(g.im - im), `${label} element ${i} im: ${g.im} vs ${im}`).toBeLessThanOrEqual(tol);
  });
}

describe("complex64 ops on the cpu reference", () => {
  const x = sweep(400, 1.3, 5), y = sweep(400, 1.3, 77);

  itWithNumpy.each(["tan", "tanh", "sinh", "cosh", "arcsin", "arccos", "arctan", "log2", "log10"] as const)("%s matches NumPy to a float32 rounding", async (op) => {
    const got = (await mx[op](carr(x), cpu).tolist()) as Z[];
    expectNearNumpy(got, numpy(`np.${op}(x)`, x, y) as [number, number][], 2, op);
  });

  itWithNumpy("rsqrt is 1 / sqrt(z) and round rounds each part half to even (MLX)", async () => {
    expectNearNumpy((await mx.rsqrt(carr(x), cpu).tolist()) as Z[], numpy("1 / np.sqrt(x)", x, y) as [number, number][], 2, "rsqrt");
    expect(await mx.round(carr([c(0.5, 1.5), c(-2.5, 2.4), c(-0.2, 3)]), cpu).tolist()).toEqual([c(0, 2), c(-2, 2), c(-0, 3)]);
  });

  itWithNumpy("power matches NumPy away from 0 (where MLX gives 0^w = 0, NumPy 0^0 = 1)", async () => {
    const base = sweep(400, 0.5, 9), expo = sweep(400, 0.3, 13);
    const got = (await mx.power(carr(base), carr(expo), cpu).tolist()) as Z[];
    // exp(w log z) amplifies the inputs' float32 rounding by up to |w log z|: compared on that condition
    expectNearNumpy(got, numpy("x ** y", base, expo) as [number, number][], 64, "power");
    expect(await mx.power(carr([c(0, 0), c(0, 0), c(-0, 0)]), carr([c(0, 0), c(NaN, 0), c(2, 1)]), cpu).tolist()).toEqual([c(0, 0), c(NaN, NaN), c(0, 0)]);
  });

  itWithNumpy("angle matches np.angle (radians and degrees), real inputs included", async () => {
    const want = numpy("np.angle(x)", x, y) as number[];
    ((await mx.angle(carr(x), cpu).tolist()) as number[]).forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(2 ** -22 * Math.abs(want[i]!)));
    expect(await mx.angle(mx.array([-2, 3, -0], mx.float32, cpu), cpu).tolist()).toEqual([Math.fround(Math.PI), 0, Math.fround(Math.PI)]);
    expect(await mx.angle(mx.array([-2, 3], mx.int32, cpu), { deg: true, ...cpu }).tolist()).toEqual([180, 0]);
  });

  itWithNumpy("orders by real part, then imaginary part, as NumPy and MLX do", async () => {
    // ties on the real part half the time
    const a = x.map((z, i) => (i % 2 ? c(y[i]!.re, z.im) : z));
    for (const [op, np] of [["less", "<"], ["lessEqual", "<="], ["greater", ">"], ["greaterEqual", ">="]] as const) {
      expect(await mx[op](carr(a), carr(y), cpu).tolist(), op).toEqual(numpy(`x ${np} y`, a, y));
    }
    for (const op of ["maximum", "minimum"] as const) {
      const got = ((await mx[op](carr(a), carr(y), cpu).tolist()) as Z[]).map((z) => [z.re, z.im]);
      expect(got, op).toEqual(numpy(`np.${op}(x, y)`, a, y));
    }
  });

  it("gives sign as z / |z| (MLX; NumPy 1.x takes the real part's sign) and 0 at 0", async () => {
    expect(await mx.sign(carr([c(3, -4), c(0, 0), c(-0, 2), c(1e-40, 0)]), cpu).tolist()).toEqual([c(0.6000000238418579, -0.800000011920929), c(0, 0), c(0, 1), c(1, 0)]);
  });

  it("scatters a product as complex numbers, rounding once", async () => {
    const a = carr([c(5, -9), c(1, 1), c(2, 0)]);
    const updated = mx.indexUpdate(a, [mx.array([0, 0, 2], mx.int32, cpu)], carr([c(0, 2), c(0, 2), c(1, -1)]), "multiply");
    expect(await updated.tolist()).toEqual([c(-20, 36), c(1, 1), c(2, -2)]);
    // MLX's order for maximum: (1, 3) beats (1, 2); a NaN already there stays
    const m = mx.indexUpdate(carr([c(1, 2), c(NaN, 0)]), [mx.array([0, 1], mx.int32, cpu)], carr([c(1, 3), c(9, 9)]), "maximum");
    expect(await m.tolist()).toEqual([c(1, 3), c(NaN, 0)]);
  });
});

describe.each(BACKENDS.filter(({ device }) => holds(device, mx.complex64)))("complex64 special values on $name (C99 Annex G)", ({ device }) => {
  const o = { stream: device };
  const z = (v: Z[]) => mx.array(v, mx.complex64, o);
  it("exp keeps a zero imaginary part (exp(inf + 0i) = inf + 0i) and sqrt(x + inf i) is inf + inf i", async () => {
    expect(await mx.exp(z([c(Infinity, 0), c(NaN, 0), c(Infinity, -0), c(-Infinity, 0), c(1, 0)]), o).tolist()).toEqual([c(Infinity, 0), c(NaN, 0), c(Infinity, -0), c(0, 0), c(Math.fround(Math.E), 0)]);
    expect(await mx.sqrt(z([c(0, Infinity), c(NaN, Infinity), c(-4, -Infinity), c(Infinity, 1), c(-Infinity, 1)]), o).tolist()).toEqual([c(Infinity, Infinity), c(Infinity, Infinity), c(Infinity, -Infinity), c(Infinity, 0), c(0, Infinity)]);
  });

  it("imag, conj and angle move the parts' bits whatever the other part holds (infinite, NaN, subnormal, -0)", async () => {
    const v = [c(Infinity, 1), c(NaN, 3), c(1, Infinity), c(-0, -Infinity), c(2, 1e-40), c(-1e-40, -0)];
    const parts = v.map((w) => c(Math.fround(w.re), Math.fround(w.im)));
    expect(await mx.imag(z(v), o).tolist()).toEqual(parts.map((w) => w.im));
    expect(await mx.conj(z(v), o).tolist()).toEqual(parts.map((w) => c(w.re, -w.im)));
    expect(await mx.angle(z([c(Infinity, 1), c(-Infinity, 1), c(1, Infinity)]), o).tolist()).toEqual([0, Math.fround(Math.PI), Math.fround(Math.PI / 2)]);
    // 0-d and strided (transposed) inputs
    expect(await mx.imag(mx.array(c(Infinity, 7), mx.complex64, o), o).tolist()).toBe(7);
    const t = mx.transpose(mx.reshape(z(v), [2, 3], o), o);
    expect(await mx.conj(t, o).tolist()).toEqual([0, 1, 2].map((i) => [0, 1].map((r) => c(parts[3 * r + i]!.re, -parts[3 * r + i]!.im))));
    // one shapeless trace serves other shapes (the parts are read by ops that follow the input's shape)
    const f = mx.compile((x: mx.MxArray) => [mx.imag(x, o), mx.conj(x, o)], { shapeless: true });
    for (const w of [t, z(v.slice(0, 2))]) {
      const [im, cj] = f(w);
      expect(await im!.tolist()).toEqual(await mx.imag(w, o).tolist());
      expect(await cj!.tolist()).toEqual(await mx.conj(w, o).tolist());
    }
  });

  it("imag and conj keep their derivatives (d/dre + i d/dim, as MLX) through the parts' relabeling", async () => {
    const w = z([c(1, 2), c(Infinity, -1)]);
    const weights = mx.array([1, 5], mx.float32, o);
    expect(await mx.grad((x: mx.MxArray) => mx.sum(mx.multiply(mx.imag(x, o), weights, o), o))(w).tolist()).toEqual([c(0, 1), c(0, 5)]);
    const rotate = mx.array([c(1, 0), c(0, 1)], mx.complex64, o);
    expect(await mx.grad((x: mx.MxArray) => mx.sum(mx.real(mx.multiply(mx.conj(x, o), rotate, o), o), o))(z([c(1, 2), c(3, -1)])).tolist()).toEqual([c(1, 0), c(0, 1)]);
    const [, [t]] = mx.jvp((x: mx.MxArray) => mx.imag(x, o), [w], [z([c(0.5, 0.25), c(-1, 2)])]);
    expect(await t!.tolist()).toEqual([0.25, 2]);
  });
});

/** Parts next to the real axis and the branch points, tiny and huge ones, infinities and NaN, every sign. */
function inverseTrigInputs(): Z[] {
  const special = [0, -0, 0.5, -1, 1, 2, -2, 1e-20, -1e-20, 1e-40, 1e20, -3e38, Infinity, -Infinity, NaN, 0.999, 1.001];
  const zs = special.flatMap((a) => special.map((b) => c(a, b)));
  let s = 3;
  const r = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 600; i++) {
    const sign = () => (r() < 0.5 ? -1 : 1);
    // a real part in [-2, 2] (or by 1) beside an imaginary part of 10^-30 .. 10^0, and the other way round
    const near = Math.fround(i % 3 === 0 ? sign() * (1 + (r() - 0.5) * 1e-3) : sign() * 2 * r());
    const small = Math.fround(sign() * 10 ** (-30 + 30 * r()));
    zs.push(i % 2 ? c(near, small) : c(small, near));
  }
  return zs;
}

/** NumPy's complex128 `np.<op>` of complex64 values whose parts may be infinite or NaN (passed as float32 bits, returned as repr strings). */
function numpyParts(op: string, zs: readonly Z[]): [number, number][] {
  const bits = Array.from(new Uint32Array(new Float32Array(zs.flatMap((z) => [z.re, z.im])).buffer));
  const script = `import json, sys, numpy as np
x = np.array(json.load(sys.stdin), dtype=np.uint32).view(np.float32).view(np.complex64).astype(np.complex128)
with np.errstate(all="ignore"):
    r = np.${op}(x)
print(json.dumps([[repr(float(v.real)), repr(float(v.imag))] for v in r]))`;
  const num = (t: string) => (t === "nan" ? NaN : t === "inf" ? Infinity : t === "-inf" ? -Infinity : Number(t));
  return runPython<[string, string][]>(script, bits).map(([re, im]) => [num(re), num(im)]);
}

describe.each(BACKENDS)("complex64 arcsin, arccos and arctan on $name", ({ device }) => {
  // each part within 4 float32 ulps of NumPy's in its own magnitude (MLX's log formulas lost the smaller part next to
  // the real axis: arcsin(0.3 + 1e-6i)'s imaginary part 1.3% off on the GPUs, arcsin(1e-20 - 1e-20i)'s 0 on the cpu);
  // parts below float32's normal range within 2^-126 (an adapter may flush them); NaN, infinities and zeros exact, with sign
  itWithNumpy.each(["arcsin", "arccos", "arctan"] as const)("%s matches NumPy in each part, with C99's special values", async (op) => {
    const zs = inverseTrigInputs();
    const got = (await mx[op](mx.array([...zs], mx.complex64, { stream: device }), { stream: device }).tolist()) as Z[];
    const want = numpyParts(op, zs);
    got.forEach((g, i) => {
      [g.re, g.im].forEach((v, k) => {
        const w = want[i]![k]!;
        const label = `${op}(${zs[i]!.re} + ${zs[i]!.im}i) part ${k}: ${v} vs NumPy's ${w}`;
        if (!Number.isFinite(w) || w === 0) expect(Object.is(v, w), label).toBe(true);
        else {
          expect(Math.abs(v - w), label).toBeLessThanOrEqual(4 * 2 ** (Math.floor(Math.log2(Math.abs(w))) - 23) + 2 ** -126);
          if (Math.abs(w) >= 2 ** -126) expect(Math.sign(v), label).toBe(Math.sign(w));
        }
      });
    });
  });
});
