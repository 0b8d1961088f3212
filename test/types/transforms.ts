// Type-level checks of the function transforms: a transformed function takes
// the user's argument types and returns their gradients, values and outputs
// with the user's types, without casts; wrong uses do not compile.

import { expectTypeOf } from "vitest";
import * as mx from "../../index.js";

type MxArray = mx.MxArray;
type Params = { w: MxArray; b: MxArray; layers: readonly { scale: MxArray }[] };

declare const x: MxArray;
declare const params: Params;
declare const keys: number[];

const loss = (p: Params, input: MxArray) => mx.sum(mx.add(mx.multiply(p.w, input), p.b));

// grad: the arguments of fn; the gradient of argument 0 by default, with its tree type
expectTypeOf(mx.grad(loss)).parameters.toEqualTypeOf<[p: Params, input: MxArray]>();
expectTypeOf(mx.grad(loss)(params, x)).toEqualTypeOf<Params>();
expectTypeOf(mx.grad(loss, {})(params, x)).toEqualTypeOf<Params>();
expectTypeOf(mx.grad(loss, { argnums: undefined })(params, x)).toEqualTypeOf<Params>();
expectTypeOf(mx.grad(loss, { argnums: 1 })(params, x)).toEqualTypeOf<MxArray>();
// a list of argnums: a tuple of gradients, in the order asked
expectTypeOf(mx.grad(loss, { argnums: [1, 0] })(params, x)).toEqualTypeOf<[MxArray, Params]>();
const [gx, gp] = mx.grad(loss, { argnums: [1, 0] })(params, x);
expectTypeOf(gx).toEqualTypeOf<MxArray>();
expectTypeOf(gp.layers[0]!.scale).toEqualTypeOf<MxArray>();
// argnums only known at run time: a union of the possible gradients
expectTypeOf(mx.grad(loss, { argnums: keys })(params, x)).toEqualTypeOf<(Params | MxArray)[]>();
// rest parameters take any index
expectTypeOf(mx.grad((...xs: MxArray[]) => mx.sum(xs[0]!), { argnums: [0, 3] })(x, x, x, x)).toEqualTypeOf<[MxArray, MxArray]>();
// an options object held in a variable
const opts: mx.GradOptions = { argnums: 1 };
expectTypeOf(mx.grad(loss, opts)(params, x)).toEqualTypeOf<Params | MxArray | (Params | MxArray)[]>();

// valueAndGrad: [fn's return value (with its auxiliary outputs), gradients]
expectTypeOf(mx.valueAndGrad(loss)(params, x)).toEqualTypeOf<[MxArray, Params]>();
const withAux = mx.valueAndGrad((w: MxArray) => [mx.sum(w), { count: 3, squares: mx.square(w) }]);
const [[value, aux], dw] = withAux(x);
expectTypeOf(value).toEqualTypeOf<MxArray>();
expectTypeOf(aux).toEqualTypeOf<{ count: number; squares: MxArray }>();
expectTypeOf(dw).toEqualTypeOf<MxArray>();
expectTypeOf(mx.valueAndGrad(loss, { argnums: [0, 1] })(params, x)).toEqualTypeOf<[MxArray, [Params, MxArray]]>();

// grad composes: grad of grad, vmap of grad
const f = (v: MxArray) => mx.sum(mx.sin(v));
expectTypeOf(mx.grad((v: MxArray) => mx.sum(mx.grad(f)(v)))(x)).toEqualTypeOf<MxArray>();
expectTypeOf(mx.vmap(mx.grad(f))(x)).toEqualTypeOf<MxArray>();

// @ts-expect-error argnums beyond fn's parameters
mx.grad(loss, { argnums: 2 });
// @ts-expect-error one of the argnums beyond fn's parameters
mx.grad(loss, { argnums: [0, 2] });
// @ts-expect-error arguments that fn does not take
mx.grad(loss)(x, x);
// @ts-expect-error fn must be synchronous
mx.grad(async (v: MxArray) => mx.sum(v));
// @ts-expect-error fn must return an array (the scalar loss), not a number
mx.grad((v: MxArray) => 3);
// @ts-expect-error argnums is a number or a list of numbers
mx.grad(loss, { argnums: "w" });

// vjp and jvp: lists of arrays in, lists of arrays out, one per primal and output
const [outs, cts] = mx.vjp((a, b) => mx.multiply(a, b), [x, x], [x]);
expectTypeOf(outs).toEqualTypeOf<[MxArray]>();
expectTypeOf(cts).toEqualTypeOf<[MxArray, MxArray]>();
const [, [tangent]] = mx.jvp((v) => mx.multiply(v, v), [x], [x]);
expectTypeOf(tangent).toEqualTypeOf<MxArray>();
const two = (v: MxArray): [MxArray, MxArray] => [mx.sin(v), mx.cos(v)];
expectTypeOf(mx.jvp(two, [x], [x])).toEqualTypeOf<[[MxArray, MxArray], [MxArray, MxArray]]>();
expectTypeOf(mx.vjp(two, [x], [x, x])[1]).toEqualTypeOf<[MxArray]>();
const variadic = (...xs: MxArray[]) => mx.add(xs[0]!, xs[1]!);
const primals: readonly MxArray[] = [x, x];
expectTypeOf(mx.vjp(variadic, primals, [x])[1]).toEqualTypeOf<MxArray[]>();
// @ts-expect-error one primal per parameter
mx.vjp((a: MxArray, b: MxArray) => mx.add(a, b), [x], [x]);
// @ts-expect-error one cotangent per output
mx.vjp(two, [x], [x]);
// @ts-expect-error one tangent per primal
mx.jvp((v: MxArray) => v, [x], []);

// vmap keeps fn's parameters and return type, trees and unmapped arguments included
const rowNorms = mx.vmap((r: MxArray) => mx.sqrt(mx.sum(mx.square(r))));
expectTypeOf(rowNorms).toEqualTypeOf<(r: MxArray) => MxArray>();
const scaled = mx.vmap((p: { w: MxArray }, k: number) => [mx.multiply(p.w, k), p.w] as const, { inAxes: [0, null], outAxes: undefined });
expectTypeOf(scaled).parameters.toEqualTypeOf<[p: { w: MxArray }, k: number]>();
expectTypeOf(scaled).returns.toEqualTypeOf<readonly [MxArray, MxArray]>();
// @ts-expect-error vmap's function returns arrays
mx.vmap((r: MxArray) => 1);

// customFunction and checkpoint keep fn's type; the rules get tuples of fn's arity
const clipped = mx.customFunction((v: MxArray, s: MxArray) => mx.multiply(v, s), {
  vjp: (primals, [ct], [out]) => {
    expectTypeOf(primals).toEqualTypeOf<[v: MxArray, s: MxArray]>();
    expectTypeOf(out).toEqualTypeOf<MxArray>();
    return [mx.clip(ct, -1, 1), mx.zerosLike(primals[1])];
  },
  jvp: (_primals, [tv, ts]) => [mx.add(tv, ts)],
  vmap: ([v, s], [axis]) => [[mx.multiply(v, s)], [axis ?? 0]],
});
expectTypeOf(clipped).toEqualTypeOf<(v: MxArray, s: MxArray) => MxArray>();
expectTypeOf(mx.checkpoint(two)).toEqualTypeOf<(v: MxArray) => [MxArray, MxArray]>();
expectTypeOf(mx.customFunction((v: MxArray) => v, { vjp: undefined })).toEqualTypeOf<(v: MxArray) => MxArray>();
// customFunction takes and returns trees (MLX's custom_function); the rules see them as trees
const treeFn = mx.customFunction((p: { w: MxArray; b: MxArray }, x: MxArray) => ({ y: mx.add(mx.multiply(p.w, x), p.b) }), {
  vjp: ([p, x], [ct]) => {
    expectTypeOf(p).toEqualTypeOf<{ w: MxArray; b: MxArray }>();
    expectTypeOf(ct).toEqualTypeOf<{ y: MxArray }>();
    return [{ w: mx.multiply(ct.y, x), b: ct.y }, null];
  },
});
expectTypeOf(treeFn).returns.toEqualTypeOf<{ y: MxArray }>();
// @ts-expect-error customFunction's function returns arrays
mx.customFunction((v: MxArray) => 1);
// @ts-expect-error the vjp rule returns arrays
mx.customFunction((v: MxArray) => v, { vjp: () => [1] });

// Jacobians and the Hessian: functions of one array to one array
expectTypeOf(mx.jacrev((v) => mx.sin(v))(x)).toEqualTypeOf<MxArray>();
expectTypeOf(mx.jacfwd((v: MxArray) => mx.sin(v))).toEqualTypeOf<(x: MxArray) => MxArray>();
expectTypeOf(mx.hessian((v) => mx.sum(mx.power(v, 3)))(x)).toEqualTypeOf<MxArray>();
// @ts-expect-error jacrev's function returns one array
mx.jacrev(two);

// trees: treeMap keeps the tree's type
expectTypeOf(mx.utils.treeMap((p, g) => mx.subtract(p, g), params, params)).toEqualTypeOf<Params>();
