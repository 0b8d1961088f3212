// Type-level checks of arrays and their options as a strict project sees
// them: item() and toNumber(), iteration and destructuring of split keys,
// readonly shapes, options holding an explicit undefined, and printing.

import { expectTypeOf } from "vitest";
import * as mx from "../../index.js";

declare const x: mx.MxArray;
declare const maybeStream: mx.StreamOrDevice | undefined;
declare const maybeKey: mx.MxArray | undefined;
declare const maybeDType: mx.DType | undefined;
const shape: readonly number[] = [2, 3];

// reading values
expectTypeOf(x.item()).toEqualTypeOf<Promise<mx.Scalar>>();
expectTypeOf(x.toNumber()).toEqualTypeOf<Promise<number>>();
expectTypeOf(x.toNumberSync()).toEqualTypeOf<number>();
expectTypeOf(x.tolist()).toEqualTypeOf<Promise<mx.NestedList>>();
expectTypeOf(mx.print).returns.toEqualTypeOf<Promise<void>>();
expectTypeOf(mx.print).parameters.toEqualTypeOf<unknown[]>();

// iteration over the first axis, and the split keys destructured as MLX users write it
for (const row of x) expectTypeOf(row).toEqualTypeOf<mx.MxArray>();
type Element<T> = T extends Iterable<infer E> ? E : never;
expectTypeOf<Element<mx.MxArray>>().toEqualTypeOf<mx.MxArray>();
expectTypeOf([...x]).toEqualTypeOf<mx.MxArray[]>();
const [k1, k2] = mx.random.split(mx.random.key(0));
expectTypeOf(mx.random.normal([2], { key: k1 })).toEqualTypeOf<mx.MxArray>();
expectTypeOf(mx.random.uniform(0, 1, [2], { key: k2 })).toEqualTypeOf<mx.MxArray>();

// readonly shapes and axes
mx.zeros(shape);
mx.random.uniform(0, 1, shape);
mx.random.normal(shape);
mx.random.bits(shape);
x.reshape(shape);
x.reshape(2, 3);
x.transpose(shape);
x.broadcastTo(shape);
x.squeeze(shape);
x.expandDims(shape);
x.split(shape, { axis: 0 });
x.slice(shape, shape, shape);
x.sum(shape);
x.var(shape);

// options accept an explicit undefined (exactOptionalPropertyTypes)
mx.random.normal([2], { key: maybeKey, dtype: maybeDType, loc: undefined, scale: undefined, stream: maybeStream });
mx.random.bits([2], { key: maybeKey, width: undefined });
mx.random.randint(0, 3, [2], { dtype: maybeDType, key: maybeKey });
mx.vmap((v: mx.MxArray) => v, { inAxes: undefined, outAxes: undefined });
mx.grad((v: mx.MxArray) => mx.sum(v), { argnums: undefined });
x.split(2, { axis: undefined, stream: maybeStream });

// methods take their function's arguments after the input: MLX's positional forms, then the options
x.sum(0, true);
x.sum(0, true, { stream: maybeStream });
x.max(null, true);
x.mean({ axis: 0, keepdims: true });
x.var(0, true, 1);
x.std(null, false, 1, { stream: maybeStream });
x.argmax(0, true);
x.logsumexp(0, true);
x.split(3, 1);
x.split(3, 1, { stream: maybeStream });
x.cumsum({ axis: 0, reverse: true });
// @ts-expect-error the options after the positional arguments are an object
x.sum(0, true, 99);
// @ts-expect-error var takes axis, keepdims and ddof positionally, then the options
x.var(0, true, 1, 2);

// @ts-expect-error toNumber takes no arguments
x.toNumber(0);
// @ts-expect-error a shape is a list of numbers
mx.random.normal(["2"]);
// @ts-expect-error the key is an array
mx.random.normal([2], { key: 0 });
// @ts-expect-error bits has widths 1, 2 and 4
mx.random.bits([2], { width: 3 });

// checkNumerics' options accept undefined (exactOptionalPropertyTypes)
void mx.checkNumerics((v: mx.MxArray) => v, [mx.ones([2])], { backends: undefined, reference: undefined, worst: undefined });
