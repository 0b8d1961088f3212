// random.multivariateNormal on every backend: the sample mean and covariance
// of many draws (fixed keys) against the inputs, MLX's composition (normal
// samples times the covariance's SVD square root, plus the mean), the
// broadcast output shape, and MLX's argument errors.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";

describe.each(BACKENDS)("random.multivariateNormal on $name", ({ device }) => {
  const o = { stream: device };
  const mean = [1, -2, 0.5];
  const cov = [[2, 0.6, -0.3], [0.6, 1, 0.2], [-0.3, 0.2, 0.5]];

  it("has the mean and covariance asked for (10000 draws, fixed key)", async () => {
    const n = 10000;
    const x = mx.random.multivariateNormal(mx.array(mean, mx.float32, o), mx.array(cov, mx.float32, o), [n], { key: mx.random.key(3), ...o });
    expect(x.shape).toEqual([n, 3]);
    expect(x.dtype).toBe(mx.float32);
    const xs = mx.astype(x, mx.float32, { stream: mx.cpu });
    await mx.eval(xs);
    const m = mx.mean(xs, { axis: 0, stream: mx.cpu });
    const d = mx.subtract(xs, m, { stream: mx.cpu });
    const c = mx.divide(mx.matmul(mx.swapaxes(d, 0, 1, { stream: mx.cpu }), d, { stream: mx.cpu }), n - 1, { stream: mx.cpu });
    const [gotMean, gotCov] = [(await m.tolist()) as number[], (await c.tolist()) as number[][]];
    // standard errors: sqrt(cov_ii / n) <= 0.014 for the mean, sqrt((cov_ii cov_jj + cov_ij^2) / n) <= 0.021 for the covariance: 5 of them
    gotMean.forEach((g, i) => expect(Math.abs(g - mean[i]!), `mean ${i}: ${g}`).toBeLessThan(0.07));
    gotCov.forEach((row, i) => row.forEach((g, j) => expect(Math.abs(g - cov[i]![j]!), `cov ${i},${j}: ${g}`).toBeLessThan(0.1)));
  });

  it("is the normal draws of the same key times U diag(sqrt S) Vt, plus the mean", async () => {
    const key = mx.random.key(5);
    const mu = mx.array(mean, mx.float32, o), sigma = mx.array(cov, mx.float32, o);
    const x = mx.random.multivariateNormal(mu, sigma, [4], { key, ...o });
    const cpu = { stream: mx.cpu };
    const [u, s, vt] = mx.linalg.svd(mx.array(cov, mx.float32, cpu), cpu);
    await mx.eval(u, s, vt);
    const root = mx.matmul(mx.multiply(u, mx.sqrt(s, cpu), cpu), vt, cpu);
    const z = mx.random.normal([4, 3], { key, ...cpu });
    const want = (await mx.add(mx.array(mean, mx.float32, cpu), mx.matmul(z, root, cpu), cpu).tolist()) as number[][];
    const got = (await x.tolist()) as number[][];
    got.flat().forEach((g, i) => expect(Math.abs(g - want.flat()[i]!), `element ${i}`).toBeLessThan(1e-5));
  });

  it("broadcasts the batch shapes of mean and cov with shape; the shape may be an option", () => {
    const mu = mx.zeros([2, 1, 3], mx.float32, o), sigma = mx.broadcastTo(mx.eye(3, 3, 0, { dtype: mx.float32, ...o }), [4, 3, 3], o);
    expect(mx.random.multivariateNormal(mu, sigma, { key: mx.random.key(0), ...o }).shape).toEqual([2, 4, 3]);
    expect(mx.random.multivariateNormal(mu, sigma, [5, 2, 4], { key: mx.random.key(0), ...o }).shape).toEqual([5, 2, 4, 3]);
    expect(mx.random.multivariateNormal(mu, sigma, { shape: [2, 4], key: mx.random.key(0), ...o }).shape).toEqual([2, 4, 3]);
  });

  it("refuses MLX's bad inputs, naming the argument", () => {
    const mu = mx.zeros([3], mx.float32, o), sigma = mx.eye(3, 3, 0, { dtype: mx.float32, ...o });
    expect(() => mx.random.multivariateNormal(mu, sigma, [2], { dtype: mx.float16, ...o })).toThrow(/^\[random.multivariateNormal\] dtype must be float32/);
    expect(() => mx.random.multivariateNormal(mx.zeros([], mx.float32, o), sigma, [2], o)).toThrow(/^\[random.multivariateNormal\] mean must have at least one dimension/);
    expect(() => mx.random.multivariateNormal(mu, mx.zeros([3], mx.float32, o), [2], o)).toThrow(/^\[random.multivariateNormal\] cov must have at least two dimensions/);
    expect(() => mx.random.multivariateNormal(mu, mx.zeros([3, 2], mx.float32, o), [2], o)).toThrow(/^\[random.multivariateNormal\] cov must be square/);
    expect(() => mx.random.multivariateNormal(mx.zeros([2], mx.float32, o), sigma, [2], o)).toThrow(/^\[random.multivariateNormal\] mean .* and cov .* must have compatible shapes/);
    expect(() => mx.random.multivariateNormal(mu, sigma, [2], { seed: 1 } as never)).toThrow(/^\[random.multivariateNormal\] unknown option 'seed'/);
  });
});
