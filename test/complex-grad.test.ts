// Gradients of complex64 as MLX defines them (vjp(ct) = ct * conj(f'(z)),
// grad of a real function = d/dRe + i d/dIm): MLX's own test values, vjp
// and jvp of every op that holds complex64 against central finite
// differences on the real and imaginary parts, and the refusals.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";

type Z = { re: number; im: number };
type S = { stream: mx.Device };
const c = (re: number, im: number): Z => ({ re, im });

/** Backends that hold complex64. */
const COMPLEX_BACKENDS = BACKENDS.filter((b) => mx.registeredBackends().find((r) => r.displayName === b.name)!.capabilities.dtypes.has(mx.complex64));

/** Deterministic complex values with parts in [-span, span], none within 0.3 of the origin. */
function points(n: number, span: number, seed: number): Z[] {
  let s = seed;
  const r = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, () => {
    for (;;) {
      const z = c((2 * r() - 1) * span, (2 * r() - 1) * span);
      if (Math.hypot(z.re, z.im) > 0.3) return z;
    }
  });
}

const parts = async (x: mx.MxArray): Promise<Z[]> => (await x.tolist()) as Z[];

/** |got - want| <= tol (1 + |want|) per part. */
function expectNear(got: readonly Z[], want: readonly Z[], tol: number, label: string): void {
  expect(got.length, label).toBe(want.length);
  got.forEach((g, i) => {
    const w = want[i]!, m = 1 + Math.hypot(w.re, w.im);
    expect(Math.abs(g.re - w.re), `${label} element ${i} re: got ${g.re}, want ${w.re}`).toBeLessThanOrEqual(tol * m);
    expect(Math.abs(g.im - w.im), `${label} element ${i} im: got ${g.im}, want ${w.im}`).toBeLessThanOrEqual(tol * m);
  });
}

describe.each(COMPLEX_BACKENDS)("complex64 gradients on $name", ({ device }) => {
  const o: S = { stream: device };
  const carr = (zs: readonly Z[]) => mx.array([...zs], mx.complex64, o);

  it("gives MLX's values for real, imag, exp, log, multiply and abs", async () => {
    const x = carr([c(0, 1), c(1, 0), c(0.5, 0.5)]);
    // python/tests/test_autograd.py test_complex_vjps
    expect(await parts(mx.grad((z: mx.MxArray) => mx.sum(mx.multiply(2, mx.real(z, o), o), o))(x))).toEqual([c(2, 0), c(2, 0), c(2, 0)]);
    expect(await parts(mx.grad((z: mx.MxArray) => mx.sum(mx.multiply(2, mx.imag(z, o), o), o))(x))).toEqual([c(0, 2), c(0, 2), c(0, 2)]);
    const z = carr(points(6, 2, 3)), ct = carr(points(6, 2, 11)), w = carr(points(6, 2, 17));
    const conj = (a: mx.MxArray) => mx.conj(a, o);
    const check = async (f: (a: mx.MxArray) => mx.MxArray, want: mx.MxArray, label: string) => {
      const [, [g]] = mx.vjp(f, [z], [ct]);
      expectNear(await parts(g!), await parts(want), 1e-6, label);
    };
    await check((a) => mx.exp(a, o), mx.multiply(ct, conj(mx.exp(z, o)), o), "exp");
    await check((a) => mx.log(a, o), mx.multiply(ct, conj(mx.reciprocal(z, o)), o), "log");
    await check((a) => mx.multiply(a, w, o), mx.multiply(ct, conj(w), o), "multiply");
    await check((a) => mx.square(a, o), mx.multiply(ct, conj(mx.multiply(z, 2, o)), o), "square");
    await check((a) => mx.tanh(a, o), mx.multiply(ct, conj(mx.subtract(1, mx.square(mx.tanh(z, o), o), o)), o), "tanh");
    // test_complex_abs_grad: the vjp of a real cotangent is ct * z / |z|, the jvp Re(conj(z) t) / |z| in float32
    const r = mx.array([0.5, -1, 2, 1, -0.25, 3], mx.float32, o);
    const [, [ga]] = mx.vjp((a: mx.MxArray) => mx.abs(a, o), [z], [r]);
    expectNear(await parts(ga!), await parts(mx.multiply(r, mx.divide(z, mx.abs(z, o), o), o)), 1e-6, "abs vjp");
    const [, [ta]] = mx.jvp((a: mx.MxArray) => mx.abs(a, o), [z], [ct]);
    expect(ta!.dtype).toBe(mx.float32);
    const wantAbs = (await mx.divide(mx.real(mx.multiply(conj(z), ct, o), o), mx.abs(z, o), o).tolist()) as number[];
    ((await ta!.tolist()) as number[]).forEach((v, i) => expect(v).toBeCloseTo(wantAbs[i]!, 5));
  });

  /**
   * Each op with a complex64 derivative, as f(z) or f(z, w) with w fixed, drawn where it is smooth.
   * The loss sum(Re(conj(v) f(z))) is real; its gradient is d/dRe + i d/dIm, each checked by central
   * differences of float32 inputs (step 2^-9: rounding error ~ 1e-4, truncation ~ 1e-5).
   */
  const UNARY: [string, (a: mx.MxArray) => mx.MxArray, number][] = [
    ["negative", (a) => mx.negative(a, o), 3], ["square", (a) => mx.square(a, o), 2], ["sqrt", (a) => mx.sqrt(mx.add(a, 3, o), o), 2],
    ["reciprocal", (a) => mx.reciprocal(a, o), 2], ["rsqrt", (a) => mx.rsqrt(mx.add(a, 3, o), o), 2],
    ["log2", (a) => mx.log2(a, o), 2], ["log10", (a) => mx.log10(a, o), 2], ["exp", (a) => mx.exp(a, o), 1.5], ["log", (a) => mx.log(a, o), 2],
    ["sin", (a) => mx.sin(a, o), 1.5], ["cos", (a) => mx.cos(a, o), 1.5], ["tan", (a) => mx.tan(a, o), 0.6],
    ["arcsin", (a) => mx.arcsin(a, o), 0.6], ["arccos", (a) => mx.arccos(a, o), 0.6], ["arctan", (a) => mx.arctan(a, o), 0.6],
    ["sinh", (a) => mx.sinh(a, o), 1.5], ["cosh", (a) => mx.cosh(a, o), 1.5], ["tanh", (a) => mx.tanh(a, o), 0.6],
    ["abs", (a) => mx.abs(a, o), 2], ["real", (a) => mx.real(a, o), 2], ["imag", (a) => mx.imag(a, o), 2],
    ["conj", (a) => mx.conj(a, o), 2], ["angle", (a) => mx.angle(a, o), 2],
    ["add", (a) => mx.add(a, carr(points(5, 2, 5)), o), 2], ["subtract", (a) => mx.subtract(carr(points(5, 2, 5)), a, o), 2],
    ["multiply", (a) => mx.multiply(a, carr(points(5, 2, 5)), o), 2], ["divide by", (a) => mx.divide(carr(points(5, 2, 5)), a, o), 2],
    ["divide", (a) => mx.divide(a, carr(points(5, 2, 5)), o), 2], ["power base", (a) => mx.power(a, carr(points(5, 1, 5)), o), 1.5],
    ["power exponent", (a) => mx.power(carr(points(5, 1.5, 5)), a, o), 1],
    ["maximum", (a) => mx.maximum(a, carr(points(5, 2, 5)), o), 2], ["minimum", (a) => mx.minimum(a, carr(points(5, 2, 5)), o), 2],
    ["where", (a) => mx.where(mx.array([true, false, true, true, false], mx.bool, o), a, carr(points(5, 2, 5)), o), 2],
    ["astype from float32", (a) => mx.astype(mx.real(a, o), mx.complex64, o), 2],
    ["sum", (a) => mx.sum(mx.reshape(a, [5, 1], o), { axis: 1, ...o }), 2],
    ["slice and concatenate", (a) => mx.concatenate([mx.slice(a, [3], [5], undefined, o), mx.slice(a, [0], [3], undefined, o)], { ...o }), 2],
    ["matmul", (a) => mx.reshape(mx.matmul(mx.reshape(a, [5, 1], o), mx.reshape(carr(points(1, 2, 5)), [1, 1], o), o), [5], o), 2],
  ];

  it.for(UNARY)("vjp and jvp of %s agree with finite differences", async ([, f, span], ctx) => {
    const zs = points(5, span, 29);
    const z = carr(zs), v = carr(points(5, 1, 41)), t = carr(points(5, 1, 53));
    // an op this backend does not run on complex64 refuses by name: n/a here
    const refused = await f(z).tolist().then(() => undefined, (e: Error) => e);
    if (refused && /is not implemented on backend/.test(refused.message)) return ctx.skip();
    const loss = (a: mx.MxArray) => mx.sum(mx.real(mx.multiply(mx.conj(v, o), f(a), o), o), o);
    const g = await parts(mx.grad(loss)(z));
    const h = 2 ** -9;
    // the loss is a sum of per-element terms, so perturbing one element at a time gives its partials
    const fd: Z[] = [];
    for (let k = 0; k < zs.length; k++) {
      const one = (dre: number, dim: number) => loss(carr(zs.map((p, i) => (i === k ? c(p.re + dre, p.im + dim) : p)))).item() as Promise<number>;
      fd.push(c(((await one(h, 0)) - (await one(-h, 0))) / (2 * h), ((await one(0, h)) - (await one(0, -h))) / (2 * h)));
    }
    expectNear(g, fd, 2e-3, "grad");
    // jvp: d/de loss(z + e t) = Re(sum(conj(g) t)) in this convention
    const [, [dl]] = mx.jvp(loss, [z], [t]);
    const ts = (await t.tolist()) as Z[];
    const want = g.reduce((s, gk, k) => s + gk.re * ts[k]!.re + gk.im * ts[k]!.im, 0);
    expect(Math.abs((await dl!.item()) as number - want)).toBeLessThanOrEqual(2e-3 * (1 + Math.abs(want)));
  });

  it("differentiates through checkpoint on complex64 as through the function itself", async () => {
    const z = carr(points(4, 2, 61));
    const f = (a: mx.MxArray) => mx.multiply(mx.exp(a, o), mx.sin(a, o), o);
    const loss = (g: (a: mx.MxArray) => mx.MxArray) => (a: mx.MxArray) => mx.sum(mx.abs(g(a), o), o);
    expectNear(await parts(mx.grad(loss(mx.checkpoint(f)))(z)), await parts(mx.grad(loss(f))(z)), 1e-6, "checkpoint");
  });

  it("refuses, naming the op, where no complex64 derivative is defined", () => {
    const z = carr([c(1, 2), c(-1, 0.5)]);
    expect(() => mx.grad((a: mx.MxArray) => mx.sum(mx.real(mx.sign(a, o), o), o))(z)).toThrow(/\[sign\] has no complex64 derivative/);
    const m = mx.array([[0, -1], [1, 0]], mx.float32, o);
    if (device.backend === "cpu") {
      expect(() => mx.grad((a: mx.MxArray) => mx.sum(mx.real(mx.linalg.eigvals(a, o), o), o))(m)).toThrow(/\[grad\] eig has no complex64 gradient rule/);
    }
  });
});

describe("complex64 gradient arguments", () => {
  it("accepts complex64 arguments in grad and still refuses integers", () => {
    const z = mx.array([c(1, 1)], mx.complex64, { stream: mx.cpu });
    expect(() => mx.grad((a: mx.MxArray) => mx.sum(mx.abs(a)))(z)).not.toThrow();
    expect(() => mx.grad((a: mx.MxArray) => mx.sum(a))(mx.array([1], mx.int32))).toThrow(/\[grad\] argument 0 has dtype int32/);
  });
});
