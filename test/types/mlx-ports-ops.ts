// Type-level checks of MLX's positional forms of creation and composite ops
// (a strict project's view): linspace's endpoint, nanToNum, diagonal, trace,
// median, countNonzero, meshgrid with spread arrays, slice / sliceUpdate with
// an array of start indices, and pad's modes; the wrong forms do not compile.

import { expectTypeOf } from "vitest";
import * as mx from "../../index.js";

declare const x: mx.MxArray;
declare const y: mx.MxArray;

// linspace(start, stop, num, endpoint, dtype)
expectTypeOf(mx.linspace(0, 1, 5, false)).toEqualTypeOf<mx.MxArray>();
mx.linspace(0, 1, 5, false, mx.int32, { stream: mx.cpu });
mx.linspace(0, 1, 5, null, mx.int32);
mx.linspace(0, 1, 5, { endpoint: false, dtype: mx.int32 });
mx.linspace(0, 1, 5, mx.float16);
mx.linspace(0, 1, mx.float16);
// @ts-expect-error endpoint given positionally and as an option
mx.linspace(0, 1, 5, false, { endpoint: true });
// @ts-expect-error endpoint is a boolean
mx.linspace(0, 1, 5, 1);

// nanToNum(x, nan, posinf, neginf)
mx.nanToNum(x, 0, 1, -1);
mx.nanToNum(x, 0, null, { neginf: -1 });
// @ts-expect-error nan given twice
mx.nanToNum(x, 0, { nan: 1 });

// diagonal / trace (offset, axis1, axis2[, dtype])
mx.diagonal(x, 0, 1, 2);
x.diagonal(0, 1, 2);
mx.diagonal(x, 1, { axis1: 1, axis2: 2 });
mx.trace(x, 0, 1, 2, mx.float32);
mx.trace(x, 0, { dtype: mx.float32 });
// @ts-expect-error axis1 given twice
mx.diagonal(x, 0, 1, { axis1: 0 });
// @ts-expect-error trace's dtype is an mx dtype
mx.trace(x, 0, 1, 2, "float32");

// median / countNonzero (axis, keepdims)
mx.median(x, 1, true);
mx.median(x, null, true, { stream: mx.cpu });
mx.countNonzero(x, [0, 1], false);
mx.countNonzero(x, { axis: 1, keepdims: true });
// @ts-expect-error keepdims given twice
mx.median(x, 1, true, { keepdims: false });

// meshgrid(*arrays, options) and meshgrid(list, options)
expectTypeOf(mx.meshgrid(x, y)).toEqualTypeOf<mx.MxArray[]>();
mx.meshgrid(x, y, { indexing: "ij", sparse: true });
mx.meshgrid([x, y], { indexing: "ij" });
// @ts-expect-error indexing is "xy" or "ij"
mx.meshgrid(x, y, { indexing: "yx" });
