// The README's "Function transforms" example as users write it, without a
// single cast: it must compile under the strict settings of this folder.
// (test/readme.test.ts runs the README's own copy and checks what it prints.)

import * as mx from "../../index.js";

const f = (x: mx.MxArray) => mx.sum(mx.square(x));
console.log(await mx.grad(f)(mx.array([1, 2, 3], mx.float32)).tolist());

type P = { w: mx.MxArray; b: mx.MxArray };
const loss = (p: P, x: mx.MxArray) => mx.sum(mx.add(mx.multiply(p.w, x), p.b));
const params = { w: mx.array([2, 3], mx.float32), b: mx.array([1, 1], mx.float32) };
const [value, grads] = mx.valueAndGrad(loss)(params, mx.array([4, 5], mx.float32));
console.log(await value.toNumber());
console.log(await grads.w.tolist(), await grads.b.tolist());

const rowNorms = mx.vmap((r: mx.MxArray) => mx.sqrt(mx.sum(mx.square(r))));
console.log(await rowNorms(mx.array([[3, 4], [6, 8]], mx.float32)).tolist());
const [, [tangent]] = mx.jvp((v) => mx.multiply(v, v), [mx.array([3], mx.float32)], [mx.array([1], mx.float32)]);
console.log(await tangent.tolist());
console.log(await mx.hessian((v) => mx.sum(mx.power(v, 3)))(mx.array([1, 2], mx.float32)).tolist());

const clipped = mx.customFunction((v: mx.MxArray) => mx.multiply(v, 2), { vjp: (_primals, [ct]) => [mx.clip(mx.multiply(ct, 2), -1, 1)] });
console.log(await mx.grad((v: mx.MxArray) => mx.sum(clipped(v)))(mx.array([1, 2], mx.float32)).tolist());

const [k1, k2] = mx.random.split(mx.random.key(0));
await mx.print("k1 =", k1, "k2 =", k2);
