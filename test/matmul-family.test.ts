// The matmul family on every backend: einsum (MLX's opt_einsum and ellipsis
// cases, repeated letters, integers), einsumPath (NumPy's greedy paths),
// tensordot, inner, outer, vecdot, kron (all against NumPy), addmm, gatherMm,
// blockMaskedMm, segmentedMm (against their definitions), hadamardTransform
// (against the dense matrix), gradients, and the errors naming op and subscript.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectArray, expectClose, type Nested } from "./helpers/backends.js";
import { itWithNumpy, numpyAnswers, runPython } from "./helpers/numpy.js";

const SIZES: Record<string, number> = Object.fromEntries([..."abcdefghijk"].map((c, i) => [c, [2, 3, 4, 5, 2, 3, 4, 5, 2, 3, 4][i]!]));

/** Small integers from a fixed LCG: float32 products and sums of them are exact. */
function ints(n: number, seed: number, lo = -3, hi = 3): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return lo + (s % (hi - lo + 1));
  });
}

interface Operand {
  shape: number[];
  values: number[];
}

const operandsFor = (terms: string[], seed: number): Operand[] =>
  terms.map((t, i) => {
    const shape = [...t].map((c) => SIZES[c]!);
    return { shape, values: ints(shape.reduce((a, b) => a * b, 1), seed + 17 * i) };
  });

// MLX's test_einsum cases (from opt_einsum's tests): contractions, collapses, outer products, inner products, GEMMs
const EINSUM_CASES = [
  "a,ab,abc->abc", "a,b,ab->ab", "ea,fb,gc,hd,abcd->efgh", "ea,fb,abcd,gc,hd->efgh", "abcd,ea,fb,gc,hd->efgh",
  "acdf,jbje,gihb,hfac,gfac,gifabc,hfac", "abhe,hidj,jgba,hiab,gab", "chd,bde,agbc,hiad,bdi,cgh,agdb", "bdhe,acad,hiab,agac,hibd",
  "ab,ab,c->", "ab,ab,c->c", "ab,ab,cd,cd->ac", "ab,cd,ef->abcdef", "ab,cd,de->be", "ab,bcd,cd->abd",
  "eb,cb,fb->cef", "dd,fb,be,cdb->cef", "bca,cdb,dbf,afc->", "dcc,fce,ea,dbf->ab", "fdf,cdd,ccd,afe->ae", "abcd,ad",
  "baa,dcf,af,cde->be", "fff,fae,bef,def->abd", "ab,ba", "abc,cba", "ab,cb", "ba,cb", "abcd,cdef->feba", "abcd,efdc",
  "aab,bc->ac", "aab,ccb->ac", "bcf,bbb,fbf,fc->", "ii", "iii->i", "ij->", "ijk->jki", "i,i", "i,j->ij", "ij,ij->ij",
];

// [subscripts with ellipses, the shapes' letters]
const ELLIPSIS_CASES: [string, string][] = [
  ["...c->...", "abc"], ["a...d->...", "abcd"], ["...ij,...gj->...ig", "abij,abgj"], ["...hh->...h", "abhh"],
  ["...h,...j->...hj", "bch,abcj"], ["...c,cd", "bc,cd"], ["...bc,...cd", "abc,acd"], ["...cd,c...->d...", "abcd,c"],
  ["ab...,...b->ab...", "abc,b"], ["ab...,...bc->a...c", "ab,bc"], ["...def,defg->...g", "abcdef,defg"],
];

// MLX's test_longer_paths sizes, and the cases above of three or more operands that sum a letter (where none
// is summed NumPy contracts in one step: MLX, and this port, still take the greedy path)
const LONG_SIZES: Record<string, number> = Object.fromEntries([..."abcdefghijklmopqABC"].map((c, i) => [c, [2, 3, 4, 5, 4, 3, 2, 6, 5, 4, 3, 2, 5, 7, 4, 3, 2, 3, 4][i]!]));
const PATH_CASES: { expr: string; sizes: Record<string, number> }[] = [
  ...["eb,cb,fb->cef", "dd,fb,be,cdb->cef", "bca,cdb,dbf,afc->", "dcc,fce,ea,dbf->ab"].map((expr) => ({ expr, sizes: LONG_SIZES })),
  ...EINSUM_CASES.filter((c) => {
    const [ins, out] = c.split("->") as [string, string | undefined];
    return ins.split(",").length > 2 && (out === undefined || [...ins].some((l) => l !== "," && !out.includes(l)));
  }).map((expr) => ({ expr, sizes: SIZES })),
];
const pathShapes = (c: { expr: string; sizes: Record<string, number> }) => c.expr.split("->")[0]!.split(",").map((t) => [...t].map((l) => c.sizes[l]!));

const PRODUCT_CASES: { name: string; py: string; shapes: number[][]; call: (xs: mx.MxArray[], o: mx.OpOptions) => mx.MxArray }[] = [
  { name: "tensordot axes 1", py: "np.tensordot(x[0], x[1], 1)", shapes: [[2, 3], [3, 4]], call: ([a, b], o) => mx.tensordot(a!, b!, 1, o) },
  { name: "tensordot default", py: "np.tensordot(x[0], x[1])", shapes: [[2, 3, 4], [3, 4, 5]], call: ([a, b], o) => mx.tensordot(a!, b!, o) },
  { name: "tensordot lists", py: "np.tensordot(x[0], x[1], axes=([2, 0], [0, 1]))", shapes: [[2, 3, 4], [4, 2, 5]], call: ([a, b], o) => mx.tensordot(a!, b!, [[2, 0], [0, 1]], o) },
  { name: "tensordot 0", py: "np.tensordot(x[0], x[1], 0)", shapes: [[2], [3, 2]], call: ([a, b], o) => mx.tensordot(a!, b!, { axes: 0, ...o }) },
  { name: "inner", py: "np.inner(x[0], x[1])", shapes: [[2, 3, 4], [5, 4]], call: ([a, b], o) => mx.inner(a!, b!, o) },
  { name: "outer", py: "np.outer(x[0], x[1])", shapes: [[2, 3], [4]], call: ([a, b], o) => mx.outer(a!, b!, o) },
  { name: "kron", py: "np.kron(x[0], x[1])", shapes: [[2, 3], [4, 2, 2]], call: ([a, b], o) => mx.kron(a!, b!, o) },
  { name: "vecdot", py: "np.vecdot(x[0], x[1]) if hasattr(np, 'vecdot') else np.sum(x[0] * x[1], axis=-1)", shapes: [[3, 4], [2, 1, 4]], call: ([a, b], o) => mx.vecdot(a!, b!, o) },
  { name: "vecdot axis 0", py: "np.sum(x[0] * x[1], axis=0)", shapes: [[3, 4], [3, 4]], call: ([a, b], o) => mx.vecdot(a!, b!, 0, o) },
];

/** NumPy's answers for every case, from one python3 run. */
function askNumpy(): { einsum: Nested[]; ellipsis: Nested[]; paths: number[][][]; products: Nested[] } {
  const req = {
    einsum: EINSUM_CASES.map((c, i) => ({ expr: c, ops: operandsFor(c.split("->")[0]!.split(","), i) })),
    ellipsis: ELLIPSIS_CASES.map(([c, letters], i) => ({ expr: c, ops: operandsFor(letters.split(","), 100 + i) })),
    paths: PATH_CASES.map((c) => ({ expr: c.expr, ops: pathShapes(c).map((shape) => ({ shape, values: new Array(shape.reduce((a, b) => a * b, 1)).fill(1) })) })),
    products: PRODUCT_CASES.map((c, i) => ({ expr: c.py, ops: c.shapes.map((shape, j) => ({ shape, values: ints(shape.reduce((a, b) => a * b, 1), 300 + 7 * i + j) })) })),
  };
  const script = `
import json, sys
import numpy as np
r = json.load(sys.stdin)
arr = lambda ops: [np.array(o['values'], dtype='float64').reshape(o['shape']) for o in ops]
out = {
  'einsum': [np.asarray(np.einsum(c['expr'], *arr(c['ops']))).tolist() for c in r['einsum']],
  'ellipsis': [np.asarray(np.einsum(c['expr'], *arr(c['ops']))).tolist() for c in r['ellipsis']],
  'paths': [[list(p) for p in np.einsum_path(c['expr'], *arr(c['ops']), optimize='greedy')[0][1:]] for c in r['paths']],
  'products': [np.asarray(eval(c['expr'], {'np': np, 'x': arr(c['ops'])})).tolist() for c in r['products']],
}
print(json.dumps(out))
`;
  return runPython(script, req);
}

const NP = numpyAnswers(askNumpy);
const arrays = (ops: Operand[], o: mx.OpOptions) => ops.map((x) => mx.array(x.values, mx.float32, o).reshape(x.shape));

/** The dense n x n Hadamard matrix of hadamardTransform, built as its definition says from H_m (read off the transform of the identity). */
function sylvester(k: number): number[][] {
  let h = [[1]];
  for (let i = 0; i < k; i++) h = [...h.map((r) => [...r, ...r]), ...h.map((r) => [...r, ...r.map((v) => -v)])];
  return h;
}

describe.each(BACKENDS)("matmul family on $name", ({ device }) => {
  const o = { stream: device };
  const f32 = (v: mx.NestedList) => mx.array(v, mx.float32, o);

  itWithNumpy("einsum agrees with np.einsum on MLX's opt_einsum cases", async () => {
    for (const [i, c] of EINSUM_CASES.entries()) {
      const xs = arrays(operandsFor(c.split("->")[0]!.split(","), i), o);
      const r = mx.einsum(c, ...xs, o);
      expect(r.dtype, c).toBe(mx.float32);
      await expectClose(r, NP!.einsum[i]!, 1e-6, 1e-6);
    }
  });

  itWithNumpy("einsum expands ellipses as np.einsum does", async () => {
    for (const [i, [c, letters]] of ELLIPSIS_CASES.entries()) {
      const r = mx.einsum(c, ...arrays(operandsFor(letters.split(","), 100 + i), o), o);
      const want = NP!.ellipsis[i]!;
      await expectClose(r, want, 1e-6, 1e-6);
    }
  });

  it("einsum broadcasts size-1 axes and keeps integers exact", async () => {
    const a = mx.ones([1, 3, 4], mx.float32, o), b = mx.ones([2, 4, 5], mx.float32, o);
    expect(mx.einsum("...ij,...jk->...ik", a, b, o).shape).toEqual([2, 3, 5]);
    expect(mx.einsum("bij,bjk->bik", a, b, o).shape).toEqual([2, 3, 5]);
    // empty axes: an empty sum is 0, an empty output stays empty
    await expectArray(mx.einsum("ij,jk->ik", mx.zeros([2, 0], mx.float32, o), mx.zeros([0, 1], mx.float32, o), o), [[0], [0]]);
    expect(mx.einsum("ij,jk->ik", mx.zeros([0, 2], mx.float32, o), mx.zeros([2, 3], mx.float32, o), o).shape).toEqual([0, 3]);
    await expectArray(mx.einsum(",i->i", f32(2), f32([1, 2]), o), [2, 4]);
    const big = mx.array([[2 ** 24 + 1, 1], [3, 4]], mx.int32, o);
    // float32 would round 2^24 + 1: the integer path does not
    await expectArray(mx.einsum("ij,jk->ik", big, mx.array([[1, 0], [0, 1]], mx.int32, o), o), [[2 ** 24 + 1, 1], [3, 4]], mx.int32);
    // an inner axis long enough to be taken in slices (32 x 32 x 5000 products)
    const long = mx.remainder(mx.arange(32 * 5000, { dtype: mx.int32, ...o }), 7, o).reshape([32, 5000]);
    const viaFloat = mx.astype(mx.matmul(mx.astype(long, mx.float32, o), mx.transpose(mx.astype(long, mx.float32, o), undefined, o), o), mx.int32, o);
    expect(await mx.arrayEqual(mx.tensordot(long, long, [[1], [1]], o), viaFloat).item()).toBe(true);
    await expectArray(mx.einsum("ii->i", mx.arange(16, { dtype: mx.int32, ...o }).reshape([4, 4]), o), [0, 5, 10, 15], mx.int32);
    // int32 sums wrap, as NumPy's
    await expectArray(mx.tensordot(big, big, [[1], [1]], o), [[Number(BigInt.asIntN(32, (2n ** 24n + 1n) ** 2n + 1n)), 3 * (2 ** 24 + 1) + 4], [3 * (2 ** 24 + 1) + 4, 25]], mx.int32);
  });

  itWithNumpy("tensordot, inner, outer, kron and vecdot agree with NumPy", async () => {
    for (const [i, c] of PRODUCT_CASES.entries()) {
      const xs = c.shapes.map((shape, j) => mx.array(ints(shape.reduce((a, b) => a * b, 1), 300 + 7 * i + j), mx.float32, o).reshape(shape));
      await expectClose(c.call(xs, o), NP!.products[i]!, 1e-6, 1e-6);
    }
    await expectArray(mx.inner(f32([1, 2]), 3, o), [3, 6]);
    if (mx.registeredBackends().find((b) => b.name === device.backend)!.capabilities.dtypes.has(mx.complex64)) await expectArray(mx.vecdot(mx.array([{ re: 1, im: 1 }], mx.complex64, o), mx.array([{ re: 1, im: 1 }], mx.complex64, o), o), { re: 2, im: 0 });
  });

  it("addmm scales the product and c, broadcasting c", async () => {
    const a = f32([[1, 2], [3, 4]]);
    await expectArray(mx.addmm(f32([1, 1]), a, a, o), [[8, 11], [16, 23]], mx.float32);
    await expectArray(mx.addmm(mx.ones([2, 2], mx.float32, o), a, a, 0.5, 2, o), [[5.5, 7], [9.5, 13]]);
    await expectArray(mx.addmm(f32([[NaN, NaN], [NaN, NaN]]), a, a, { beta: 0, ...o }), [[7, 10], [15, 22]]);
    await expectArray(mx.addmm(f32(1), f32([1, 2]), a, { alpha: 2, ...o }), [15, 21]);
    await expectArray(mx.addmm(f32([1, 2]), mx.ones([3, 2, 2], mx.float32, o), f32([1, 1]), o), [[3, 4], [3, 4], [3, 4]]);
  });

  it("addmm of 16-bit floats rounds once, after beta * c is added (as MLX's kernel accumulates in float32)", async () => {
    // -2 * (2.015625 * 1.171875) + 3 * 1.25 = -0.97412109375 exactly; a float16 product rounded first
    // (2.361328125) would give -0.97265625, 3 ulp away after the cancellation
    for (const dtype of [mx.float16, mx.bfloat16]) {
      const r = mx.addmm(mx.array([1.25], dtype, o), mx.array([[2.015625]], dtype, o), mx.array([[1.171875]], dtype, o), { alpha: -2, beta: 3, ...o });
      const want = dtype === mx.float16 ? -0.97412109375 : -0.97265625; // bfloat16's nearest to the exact value
      await expectArray(r, [[want]], dtype);
    }
  });

  it("gatherMm equals take then matmul", async () => {
    const a = f32([[[1, 2]], [[3, 4]], [[5, 6]]]); // [3, 1, 2]
    const b = f32([[[1, 0], [0, 1]], [[0, 1], [1, 0]]]); // [2, 2, 2]
    const li = mx.array([2, 0], mx.uint32, o), ri = mx.array([[1], [0]], mx.int32, o);
    const r = mx.gatherMm(a, b, li, ri, { sortedIndices: false, ...o });
    expect(r.shape).toEqual([2, 2, 1, 2]);
    await expectArray(r, [[[[6, 5]], [[2, 1]]], [[[5, 6]], [[1, 2]]]]);
    await expectArray(mx.gatherMm(f32([1, 1]), b, { rhsIndices: mx.array([1, 1], mx.int32, o), ...o }), [[1, 1], [1, 1]]);
    await expectArray(mx.gatherMm(a, mx.index(b, 0), o), [[[1, 2]], [[3, 4]], [[5, 6]]]);
  });

  it("blockMaskedMm masks blocks of the operands and the output", async () => {
    const M = 40, K = 70, N = 33, bs = 32;
    const a = mx.array(ints(M * K, 5), mx.float32, o).reshape([M, K]);
    const b = mx.array(ints(K * N, 6), mx.float32, o).reshape([K, N]);
    const lhs = [[true, false, true], [false, true, true]], rhs = [[true, false], [true, true], [false, true]], out = [[1, 0.5], [0, 2]];
    const av = (await a.tolist()) as number[][], bv = (await b.tolist()) as number[][];
    const want = av.map((row, i) =>
      Array.from({ length: N }, (_, j) => {
        let acc = 0;
        for (let k = 0; k < K; k++) if (lhs[i >> 5]![k >> 5] && rhs[k >> 5]![j >> 5]) acc += row[k]! * bv[k]![j]!;
        return acc * out[i >> 5]![j >> 5]!;
      }),
    );
    const r = mx.blockMaskedMm(a, b, bs, f32(out), mx.array(lhs, null, o), mx.array(rhs, null, o), o);
    await expectClose(r, want, 1e-6, 1e-3);
    // a bool-masked block is not read: infinities there do not spread
    const inf = mx.where(mx.greater(mx.arange(K, { dtype: mx.float32, ...o }), 64, o), Infinity, 1, o).reshape([1, K]);
    await expectArray(mx.blockMaskedMm(inf, mx.ones([K, 1], mx.float32, o), { blockSize: 64, maskLhs: mx.array([[true, false]], null, o), ...o }), [[64]]);
    await expectArray(mx.blockMaskedMm(f32([[1, 2]]), f32([[1], [1]]), o), [[3]]);
  });

  it("segmentedMm multiplies each segment of the inner dimension", async () => {
    const a = mx.array(ints(3 * 10, 9), mx.float32, o).reshape([3, 10]);
    const b = mx.array(ints(10 * 2, 10), mx.float32, o).reshape([10, 2]);
    const segs = [[0, 3], [3, 3], [3, 10], [2, 7]];
    const r = mx.segmentedMm(a, b, mx.array(segs, mx.uint32, o), o);
    const av = (await a.tolist()) as number[][], bv = (await b.tolist()) as number[][];
    const want = segs.map(([s, e]) => av.map((row) => [0, 1].map((j) => row.slice(s, e).reduce((acc, v, k) => acc + v * bv[s! + k]![j]!, 0))));
    await expectArray(r, want);
    expect(mx.segmentedMm(a, b, mx.zeros([2, 2, 2], mx.int32, o), o).shape).toEqual([2, 2, 3, 2]);
  });

  it("hadamardTransform is the Hadamard matrix product, scaled", async () => {
    for (const [m, k] of [[1, 0], [1, 1], [1, 5], [1, 7]] as const) {
      const n = m * 2 ** k;
      const x = mx.array(ints(3 * n, n), mx.float32, o).reshape([3, n]);
      // row j of the transform of the identity is H_m's column j
      const cols = m === 1 ? [[1]] : ((await mx.hadamardTransform(mx.eye(m, m, 0, { dtype: mx.float32, ...o }), 1, o).tolist()) as number[][]);
      const hm = cols.map((_, i) => cols.map((c) => c[i]!));
      // H_m is a Hadamard matrix: +-1 entries, H H^T = m I
      hm.forEach((r, i) => hm.forEach((q, j) => expect(r.reduce((s, v, t) => s + v * q[t]!, 0)).toBe(i === j ? m : 0)));
      const hk = sylvester(k);
      const h = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => hm[Math.floor(i / 2 ** k)]![Math.floor(j / 2 ** k)]! * hk[i % 2 ** k]![j % 2 ** k]!));
      const xv = (await x.tolist()) as number[][];
      const want = xv.map((row) => h.map((hr) => hr.reduce((s, v, j) => s + v * row[j]!, 0) / Math.sqrt(n)));
      await expectClose(mx.hadamardTransform(x, o), want, 1e-5, 1e-5);
    }
    await expectArray(mx.hadamardTransform(mx.array(5, mx.int32, o), 0.2, o), Math.fround(5 * Math.fround(0.2)), mx.float32);
    const h16 = mx.hadamardTransform(mx.ones([4], mx.float16, o), o);
    expect(h16.dtype).toBe(mx.float16);
    await expectArray(h16, [2, 0, 0, 0]);
  });

  it("gradients flow through the compositions", async () => {
    const a = mx.array(ints(6, 1), mx.float32, o).reshape([2, 3]);
    const b = mx.array(ints(12, 2), mx.float32, o).reshape([3, 4]);
    const [ga, gb] = mx.grad((x: mx.MxArray, y: mx.MxArray) => mx.sum(mx.einsum("ij,jk->ik", x, y, o), o), { argnums: [0, 1] })(a, b) as mx.MxArray[];
    await expectArray(ga!, await mx.matmul(mx.ones([2, 4], mx.float32, o), mx.transpose(b, undefined, o), o).tolist());
    await expectArray(gb!, await mx.matmul(mx.transpose(a, undefined, o), mx.ones([2, 4], mx.float32, o), o).tolist());
    const c = f32([1, 2, 3, 4]);
    // d/dx sum(c * H x) = H^T c (H symmetric for n = 2^k)
    await expectArray(mx.grad((x: mx.MxArray) => mx.sum(mx.multiply(mx.hadamardTransform(x, 1, o), c, o), o))(f32([0, 0, 0, 0])) as mx.MxArray, [10, -2, -4, 0]);
  });
});

describe("einsumPath", () => {
  itWithNumpy("takes NumPy's greedy path", () => {
    PATH_CASES.forEach((c, i) => expect(mx.einsumPath(c.expr, ...pathShapes(c).map((s) => mx.zeros(s)))[0], c.expr).toEqual(NP!.paths[i]));
  });

  it("reports MLX's paths and costs", () => {
    const [p1] = mx.einsumPath("ij,jk,kl", mx.zeros([5, 8]), mx.zeros([8, 3]), mx.zeros([3, 7]));
    expect(p1).toEqual([[0, 1], [0, 1]]);
    const [p2, report] = mx.einsumPath("ij,jk,kl", mx.zeros([5, 8]), mx.zeros([8, 10]), mx.zeros([10, 7]));
    expect(p2).toEqual([[1, 2], [0, 1]]);
    expect(report).toContain("Naive FLOP count:  8400");
    expect(report).toContain("Optimized FLOP count:  1680");
    expect(mx.einsumPath("ii->i", mx.zeros([5, 5]))[0]).toEqual([[0]]);
    expect(mx.einsumPath("ij,jk -> ijk", mx.zeros([5, 8]), mx.zeros([8, 3]))[0]).toEqual([[0, 1]]);
  });
});

describe("matmul family errors", () => {
  const a = mx.zeros([2, 3]);
  it("names einsum and the subscript at fault", () => {
    expect(() => mx.einsum("ij,j1->i", a, mx.zeros([3, 1]))).toThrow(/^\[einsum\] subscripts must be letters or '...', got '1' in 'j1'/);
    expect(() => mx.einsum("a...b...c", mx.zeros([2, 2, 2]))).toThrow(/^\[einsum\] only one ellipsis per subscript is allowed, got 'a...b...c'/);
    expect(() => mx.einsum("ijk", a)).toThrow(/^\[einsum\] subscript 'ijk' has 3 letters for operand 0 of shape \[2, 3\]/);
    expect(() => mx.einsum("ij,jk", a)).toThrow(/^\[einsum\] subscripts 'ij,jk' name 2 operands but 1 was given/);
    expect(() => mx.einsum("ii", a)).toThrow(/^\[einsum\] repeated subscript 'i' in 'ii' spans axes of different sizes \(2 and 3\)/);
    expect(() => mx.einsum("ij,ij", a, mx.zeros([2, 4]))).toThrow(/^\[einsum\] subscript 'j' of 'ij' is 4 long in operand 1/);
    expect(() => mx.einsum("ij->ii", a)).toThrow(/^\[einsum\] output subscript 'ii' repeats a letter/);
    expect(() => mx.einsum("ij->k", a)).toThrow(/^\[einsum\] output subscript 'k' of 'k' appears in no input/);
    expect(() => mx.einsum("ij->i->j", a)).toThrow(/^\[einsum\] subscripts 'ij->i->j' hold more than one '->'/);
    expect(() => mx.einsum("...ijk", a)).toThrow(/^\[einsum\] subscript '...ijk' needs at least 3 dimensions/);
    expect(() => mx.einsumPath("i,", a)).toThrow(/^\[einsumPath\] subscripts 'i,' name 2 operands but 1 was given/);
    expect(() => mx.einsum("ij", a, { bogus: 1 } as mx.OpOptions)).toThrow(/^\[einsum\] unknown option 'bogus'/);
  });

  it("names the other ops and the argument", () => {
    expect(() => mx.tensordot(a, a, 3)).toThrow(/^\[tensordot\] axes 3 exceeds/);
    expect(() => mx.tensordot(a, a, [[0], [1]])).toThrow(/^\[tensordot\] a and b must have the same size on the contracted axes/);
    expect(() => mx.tensordot(a, a, 1, { axes: 1 })).toThrow(/^\[tensordot\] axes given twice/);
    expect(() => mx.inner(a, mx.zeros([2]))).toThrow(/^\[inner\] a and b must have the same last dimension/);
    expect(() => mx.vecdot(a, mx.zeros([3]), 0)).toThrow(/^\[vecdot\] a non-negative axis needs a and b of the same rank/);
    expect(() => mx.kron(mx.zeros([0]), a)).toThrow(/^\[kron\] inputs cannot be empty/);
    expect(() => mx.addmm(mx.zeros([2], mx.int32), mx.zeros([2, 2], mx.int32), mx.zeros([2, 2], mx.int32))).toThrow(/^\[addmm\] only inexact dtypes/);
    expect(() => mx.addmm(mx.zeros([3]), mx.zeros([2, 2]), mx.zeros([2, 2]))).toThrow(/^\[addmm\] .*(c|broadcast)/);
    expect(() => mx.blockMaskedMm(a, mx.zeros([3, 2]), 16, mx.ones([1, 1], mx.bool))).toThrow(/^\[blockMaskedMm\] blockSize must be 32 or 64, got 16/);
    expect(() => mx.blockMaskedMm(a, mx.zeros([3, 2]), 32, mx.ones([2, 2], mx.bool))).toThrow(/^\[blockMaskedMm\] maskOut \[2, 2\] must broadcast to \[1, 1\]/);
    expect(() => mx.gatherMm(a, mx.zeros([2, 3, 2]), null, mx.array([0.5]))).toThrow(/^\[gatherMm\] rhsIndices must be an integer array/);
    expect(() => mx.segmentedMm(a, mx.zeros([3, 2]), mx.array([[0, 1, 2]]))).toThrow(/^\[segmentedMm\] segments must have shape \[\.\.\., 2\]/);
    expect(() => mx.hadamardTransform(mx.zeros([6]))).toThrow(/^\[hadamardTransform\] the last axis has length 6/);
    expect(() => mx.hadamardTransform(mx.zeros([36]))).toThrow(/^\[hadamardTransform\] the last axis has length 36; supported lengths are m \* 2\^k/);
    expect(() => mx.hadamardTransform(mx.zeros([0]))).toThrow(/^\[hadamardTransform\] does not support empty arrays/);
  });
});
