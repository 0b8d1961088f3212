// Primitive.validate: each rule accepts the node its op builds and names each
// corrupted parameter; importFunction refuses (naming file and node) a file whose
// parameters do not fit, on every backend; shapeless replays validate new shapes.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import type { Primitive, Spec } from "../src/primitive.js";
import { BACKENDS } from "./helpers/backends.js";
import { functionFile } from "./helpers/function-file.js";
import { runTraced } from "../src/compile/shapeless-tracing.js";

const dir = mkdtempSync(join(tmpdir(), "mx-validate-"));
let files = 0;
const fresh = () => join(dir, `f${files++}.mlxfn`);

/** The primitive of `a` (built by a public op) and the specs of its inputs. */
function nodeOf(a: mx.MxArray): { prim: Primitive; specs: Spec[] } {
  expect(a.primitive, "a node built by an op").not.toBeNull();
  return { prim: a.primitive!, specs: a.inputs.map((x) => ({ shape: [...x.shape], dtype: x.dtype })) };
}

/** A copy of `p` with some fields replaced, as a file could hold it (same class, its own fields). */
function withFields(p: Primitive, fields: Record<string, unknown>): Primitive {
  return Object.assign(Object.create(Object.getPrototypeOf(p) as object) as Primitive, p, fields);
}

interface Corruption {
  /** What is changed: fields of the primitive, or the input specs. */
  fields?: Record<string, unknown>;
  inputs?: (specs: Spec[]) => Spec[];
  /** The error must name the parameter (or input) this pattern matches. */
  error: RegExp;
}

interface Case {
  name: string;
  build: () => mx.MxArray;
  bad: Corruption[];
}

const f32 = (...shape: number[]) => mx.zeros(shape, mx.float32);
const spec = (dtype: mx.DType, ...shape: number[]): Spec => ({ shape, dtype });

const CASES: Case[] = [
  {
    name: "AsStrided",
    build: () => mx.asStrided(mx.arange(6, mx.float32), [2, 2], [2, 1], 1),
    bad: [
      { fields: { offset: 1e9 }, error: /offset 1000000000 reach elements/ },
      { fields: { offset: -1 }, error: /offset must be a non-negative integer/ },
      { fields: { offset: 1.5 }, error: /offset must be a non-negative integer/ },
      { fields: { offset: NaN }, error: /offset must be a non-negative integer/ },
      { fields: { strides: [4, 1] }, error: /strides \(4, 1\) and offset 1 reach elements 1 to 6, outside the 6 elements/ },
      { fields: { strides: [-2, 1] }, error: /strides \(-2, 1\) and offset 1 reach elements -1 to 2/ },
      { fields: { strides: [2] }, error: /strides must be 2 integers/ },
      { fields: { shape: [2, -2] }, error: /shape must be an array of non-negative integers/ },
      { fields: { shape: [9, 2] }, error: /shape \(9, 2\).* outside the 6 elements/ },
      { inputs: () => [spec(mx.float32, 2, 3)], error: /the input must have 1 dimension/ },
    ],
  },
  {
    name: "Reshape",
    build: () => mx.reshape(f32(2, 3), [3, 2]),
    bad: [
      { fields: { shape: [4, 2] }, error: /cannot reshape 6 elements into shape \(4, 2\)/ },
      { fields: { shape: [2.5, 2] }, error: /shape must be an array of non-negative integers/ },
      { fields: { shape: [-6, -1] }, error: /shape must be an array of non-negative integers/ },
      { fields: { shape: "32" }, error: /shape must be an array/ },
    ],
  },
  {
    name: "Flatten",
    build: () => mx.flatten(f32(2, 3, 4), { startAxis: 1 }),
    bad: [
      { fields: { end: 3 }, error: /end must be an axis of an input of \d+ dimensions? \(0 to \d+\), got 3/ },
      { fields: { end: 1.5 }, error: /end must be an axis of an input of \d+ dimensions? \(0 to \d+\), got 1\.5/ },
      { fields: { start: 3 }, error: /start must be an integer from 0 to 2/ },
      { fields: { start: -1 }, error: /start must be an integer from 0 to 2/ },
      { fields: { start: 2, end: 1 }, error: /start must be an integer from 0 to 1/ },
    ],
  },
  {
    name: "Unflatten",
    build: () => mx.unflatten(f32(2, 12), 1, [3, -1]),
    bad: [
      { fields: { parts: [5, -1] }, error: /parts \[5,-1\] does not split axis 1 of size 12/ },
      { fields: { parts: [-2, -6] }, error: /parts must be a non-empty list of integers >= -1/ },
      { fields: { parts: [-1, -1] }, error: /parts \[-1,-1\] does not split/ },
      { fields: { parts: [] }, error: /parts must be a non-empty list/ },
      { fields: { axis: 2 }, error: /axis must be an axis of an input of \d+ dimensions? \(0 to \d+\), got 2/ },
    ],
  },
  {
    name: "ExpandDims",
    // expandDims while a shapeless trace runs: axes 0 and 3 of the [1, 2, 3, 1] result
    build: () => runTraced(true, () => mx.expandDims(f32(2, 3), [0, -1])),
    bad: [
      { fields: { axes: [0, 4] }, error: /\[expandDims\] axes must be distinct increasing axes of the output's 4 dimensions, got a JS array \[0, 4\]/ },
      { fields: { axes: [3, 0] }, error: /axes must be distinct increasing axes/ },
      { fields: { axes: "0" }, error: /axes must be distinct increasing axes/ },
    ],
  },
  {
    name: "Squeeze",
    build: () => runTraced(true, () => mx.squeeze(f32(2, 1, 3, 1), [1, 3])),
    bad: [
      { fields: { axes: [0] }, error: /\[squeeze\] cannot squeeze axis 0 of size 2 \(only size-1 axes\)/ },
      { fields: { axes: [1, 4] }, error: /\[squeeze\] axes must be distinct increasing axes of an input of 4 dimensions/ },
      { inputs: () => [spec(mx.float32, 2, 5, 3, 1)], error: /cannot squeeze axis 1 of size 5/ },
    ],
  },
  {
    name: "NumberOfElements",
    // mean while a shapeless trace runs: the count of the last axis
    build: () => runTraced(true, () => mx.mean(f32(2, 3), -1)).inputs[1]!,
    bad: [
      { fields: { axes: [2] }, error: /\[numberOfElements\] axes must be distinct increasing axes of an input of 2 dimensions, got a JS array \[2\]/ },
      { fields: { keep: [1, 0] }, error: /keep must be distinct increasing axes/ },
      { fields: { ddof: 0.5 }, error: /ddof must be an integer/ },
      { fields: { inverted: 1 }, error: /inverted must be a boolean/ },
      { fields: { dtype: mx.int32 }, error: /\[numberOfElements\] dtype must be a float dtype, got int32/ },
      { fields: { dtype: "float32" }, error: /dtype must be a dtype/ },
    ],
  },
  {
    name: "Transpose",
    build: () => mx.transpose(f32(2, 3, 4), [2, 0, 1]),
    bad: [
      { fields: { perm: [0, 0, 1] }, error: /perm \[0,0,1\] is not a permutation of the 3 axes/ },
      { fields: { perm: [0, 1] }, error: /perm \[0,1\] is not a permutation/ },
      { fields: { perm: [0, 1, 3] }, error: /perm \[0,1,3\] is not a permutation/ },
      { fields: { perm: [0, 1, 1.5] }, error: /perm .* is not a permutation/ },
      { fields: { perm: "012" }, error: /perm "012" is not a permutation/ },
    ],
  },
  {
    name: "Broadcast",
    build: () => mx.broadcastTo(f32(2, 1), [2, 3]),
    bad: [
      { fields: { shape: [2, 4, 1] }, error: /shape must have 2 dimensions, got a JS array \[2, 4, 1\]/ },
      { fields: { shape: [3, 3] }, error: /broadcast/ },
      { fields: { shape: [2, -3] }, error: /shape must be an array of non-negative integers/ },
      { inputs: () => [spec(mx.float32, 2, 2)], error: /shapes \(2, 2\) and \(2, 3\) cannot be broadcast together/ },
      { inputs: () => [spec(mx.float32, 2, 3)], fields: { shape: [2, 1] }, error: /cannot broadcast shape \(2, 3\) to \(2, 1\)/ },
    ],
  },
  {
    name: "BroadcastAxes",
    // matmul's operand broadcast while a shapeless trace runs: [3, 2] against a's batch axes [4, 5]
    build: () => runTraced(true, () => mx.matmul(f32(4, 5, 1, 3), f32(3, 2))).inputs[1]!,
    bad: [
      { fields: { kept: 3 }, error: /kept must be an integer from 0 to 2/ },
      { fields: { kept: -1 }, error: /kept must be an integer/ },
      { fields: { kept: 1.5 }, error: /kept must be an integer/ },
      { inputs: (s) => [s[0]!], error: /takes at least 2 inputs, got 1/ },
      { inputs: (s) => [s[0]!, spec(mx.float32, 3)], error: /input 1 must have at least 2 dimensions/ },
      { fields: { op: 7 }, error: /op must be the name of the op that built the node, got 7/ },
      // the op that built the node named in its shape errors
      { inputs: (s) => [spec(mx.float32, 2, 3, 2), s[1]!], error: /\[matmul\] shapes \(2,\) and \(4, 5\) cannot be broadcast together/ },
    ],
  },
  {
    name: "Slice",
    build: () => mx.slice(mx.arange(10, mx.float32), [1], [8], [3]),
    bad: [
      { fields: { start: [9] }, error: /start \[9\], step \[3\] and shape \(3,\) reach outside axis 0/ },
      { fields: { start: [-1] }, error: /start \[-1\].* reach outside axis 0/ },
      { fields: { shape: [4] }, error: /and shape \(4,\) reach outside axis 0/ },
      { fields: { step: [-3] }, error: /step \[-3\].* reach outside/ },
      { fields: { step: [0] }, error: /step must hold non-zero integers/ },
      { fields: { step: [1.5] }, error: /step must be 1 integers/ },
      { fields: { step: [2 ** 53] }, error: /step must be 1 integers/ },
      { fields: { start: [1, 0] }, error: /start must be 1 integers/ },
      { fields: { shape: [3, 1] }, error: /shape must have 1 dimension, got a JS array \[3, 1\]/ },
      { fields: { start: [11], shape: [0] }, error: /start \[11\].* reach outside/ },
    ],
  },
  {
    name: "Concatenate",
    build: () => mx.concatenate([f32(2, 3), f32(2, 1)], { axis: 1 }),
    bad: [
      { fields: { axis: 2 }, error: /axis must be an axis of an input of \d+ dimensions? \(0 to \d+\), got 2/ },
      { fields: { axis: -1 }, error: /axis must be an axis of an input of \d+ dimensions? \(0 to \d+\), got -1/ },
      { fields: { axis: 0 }, error: /all shapes must match except on axis 0/ },
      { inputs: (s) => [s[0]!, spec(mx.float32, 3, 1)], error: /all shapes must match except on axis 1/ },
      { inputs: (s) => [s[0]!, spec(mx.int32, 2, 1)], error: /input 0 and input 1 must have one dtype/ },
    ],
  },
  {
    name: "Pad",
    build: () => mx.pad(f32(1, 2), [[0, 1], [1, 0]]),
    bad: [
      { fields: { low: [-1, 0] }, error: /low must be 2 integers from 0/ },
      { fields: { high: [0] }, error: /high must be 2 integers/ },
      { fields: { low: [0, 2 ** 31 - 2] }, error: /low and high \[2147483646,0\] makes axis 1 larger than 2\^31 - 1/ },
      { inputs: (s) => [s[0]!, spec(mx.float32, 0)], error: /the pad value must have 0 dimensions/ },
      { inputs: (s) => [s[0]!, spec(mx.int8)], error: /the input and the pad value must have one dtype/ },
    ],
  },
  {
    name: "GatherAxis",
    build: () => mx.takeAlongAxis(f32(2, 3), mx.array([[0], [2]], mx.int32), 1),
    bad: [
      { fields: { axis: 2 }, error: /axis must be an axis of an input of \d+ dimensions? \(0 to \d+\), got 2/ },
      { inputs: (s) => [s[0]!, spec(mx.float32, 2, 1)], error: /the indices must have an integer dtype/ },
      { inputs: (s) => [s[0]!, spec(mx.int32, 3, 1)], error: /the indices \(3, 1\) must have the array's shape \(2, 3\) but along axis 1/ },
      { inputs: (s) => [s[0]!, spec(mx.int32, 1)], error: /the indices \(1,\) must have the array's shape/ },
      { inputs: (s) => [spec(mx.float32, 2, 0), s[1]!], error: /cannot index axis 1 of size 0/ },
    ],
  },
  {
    name: "Take",
    // take while a shapeless trace runs: a [2, 3] array's axis 1 by ids [4, 1]
    build: () => runTraced(true, () => mx.take(f32(2, 3), mx.array([[0], [2], [1], [1]], mx.int32), 1)),
    bad: [
      { fields: { axis: 2 }, error: /\[take\] axis must be an axis of an input of 2 dimensions \(0 to 1\), got 2/ },
      { fields: { axis: -1 }, error: /axis must be an axis/ },
      { inputs: (s) => [s[0]!, spec(mx.float32, 4, 1)], error: /\[take\] the indices must have an integer dtype, got float32/ },
      { inputs: (s) => [spec(mx.float32, 2, 0), s[1]!], error: /\[take\] cannot take elements from axis 1 of size 0/ },
    ],
  },
  {
    name: "ScatterAxis",
    build: () => mx.putAlongAxis(f32(2, 3), mx.array([[0], [2]], mx.int32), mx.ones([2, 1]), 1),
    bad: [
      { fields: { mode: "divide" }, error: /mode must be one of "set", "add"/ },
      { fields: { mode: "__proto__" }, error: /mode must be one of/ },
      { fields: { axis: 5 }, error: /axis must be an axis of an input of \d+ dimensions? \(0 to \d+\), got 5/ },
      { inputs: (s) => [s[0]!, s[1]!, spec(mx.float32, 2, 2)], error: /the updates \(2, 2\) must have the indices' shape \(2, 1\)/ },
      { inputs: (s) => [s[0]!, s[1]!, spec(mx.float16, 2, 1)], error: /the array and the updates must have one dtype/ },
      { inputs: (s) => [spec(mx.float32, 2, 0), s[1]!, s[2]!], error: /cannot index axis 1 of size 0/ },
    ],
  },
  {
    name: "SliceUpdate",
    build: () => mx.sliceUpdate(f32(3, 3), mx.ones([2, 2]), [1, 1]),
    bad: [
      { fields: { start: [2, 1] }, error: /start \[2,1\], step \[1,1\] and the update's shape \(2, 2\) reach outside axis 0/ },
      { fields: { start: [-1, 1] }, error: /start \[-1,1\].* reach outside axis 0/ },
      { fields: { step: [1, 2] }, error: /step \[1,2\].* reach outside axis 1/ },
      { fields: { step: [0, 1] }, error: /step must hold non-zero integers/ },
      { fields: { start: [1] }, error: /start must be 2 integers/ },
      { inputs: (s) => [s[0]!, spec(mx.float32, 2)], error: /the update must have 2 dimensions/ },
      { inputs: (s) => [s[0]!, spec(mx.int32, 2, 2)], error: /the array and the update must have one dtype/ },
    ],
  },
  {
    name: "Reduce",
    build: () => mx.max(f32(2, 3), 1),
    bad: [
      { fields: { axes: [2] }, error: /axes must be distinct increasing axes of an input of \d+ dimensions?, got a JS array \[2\]/ },
      { fields: { axes: [1, 0] }, error: /axes must be distinct increasing axes of an input of \d+ dimensions?, got a JS array \[1, 0\]/ },
      { fields: { axes: [0, 0] }, error: /axes must be distinct increasing axes of an input of \d+ dimensions?, got a JS array \[0, 0\]/ },
      { fields: { axes: 1 }, error: /axes must be distinct increasing axes of an input of 2 dimensions, got 1/ },
      { fields: { keepdims: "no" }, error: /keepdims must be a boolean/ },
      { inputs: () => [spec(mx.float32, 2, 0)], error: /cannot reduce over an empty axis \(no identity for max\)/ },
      { fields: { dtype: mx.float32 }, inputs: () => [spec(mx.float16, 2, 3)], error: /\[max\] cannot give a result of dtype float32 \(valid: none for max\)/ },
    ],
  },
  {
    name: "Reduce (a widened sum)",
    // mean of float16 sums its input into float32 directly
    build: () => mx.mean(mx.zeros([2, 3], mx.float16), 1).inputs[0]!.inputs[0]!,
    bad: [
      { fields: { dtype: mx.float16 }, error: /\[sum\] cannot give a result of dtype float16 \(valid: float32 for float16\)/ },
      { fields: { dtype: mx.int32 }, error: /cannot give a result of dtype int32 \(valid: float32 for float16\)/ },
      { fields: { dtype: "float32" }, error: /cannot give a result of dtype the string 'float32'/ },
      { inputs: () => [spec(mx.float32, 2, 3)], error: /cannot give a result of dtype float32 \(valid: none for float32\)/ },
    ],
  },
  {
    name: "ArgReduce",
    build: () => mx.argmax(f32(2, 3), 1),
    bad: [
      { fields: { axis: 2 }, error: /axis must be an axis of an input of \d+ dimensions? \(0 to \d+\), got 2/ },
      { fields: { keepdims: 1 }, error: /keepdims must be a boolean/ },
      { inputs: () => [spec(mx.float32, 2, 0)], error: /cannot take argmax of an empty axis/ },
    ],
  },
  {
    name: "LogSumExp",
    build: () => mx.logsumexp(f32(2, 3), 1),
    bad: [
      { fields: { axes: [3] }, error: /axes must be distinct increasing axes of an input of \d+ dimensions?, got a JS array \[3\]/ },
      { fields: { keepdims: null }, error: /keepdims must be a boolean/ },
    ],
  },
  {
    name: "Softmax",
    build: () => mx.softmax(f32(2, 3), { axis: 1 }),
    bad: [{ fields: { axes: [1, 1] }, error: /axes must be distinct increasing axes of an input of \d+ dimensions?, got a JS array \[1, 1\]/ }],
  },
  {
    name: "Scan",
    build: () => mx.cumsum(f32(2, 3), { axis: 1 }),
    bad: [
      { fields: { axis: 2 }, error: /axis must be an axis of an input of \d+ dimensions? \(0 to \d+\), got 2/ },
      { fields: { op: "divide" }, error: /op must be one of "sum"/ },
      { fields: { reverse: "no" }, error: /reverse must be a boolean/ },
      { fields: { inclusive: 0 }, error: /inclusive must be a boolean/ },
    ],
  },
  {
    name: "SortValues",
    build: () => mx.partition(f32(5), 2),
    bad: [
      { fields: { axis: 1 }, error: /axis must be an axis of an input of \d+ dimensions? \(0 to \d+\), got 1/ },
      { fields: { kth: 5 }, error: /kth 5 is out of range for an axis of 5 elements/ },
      { fields: { kth: -1 }, error: /kth -1 must be resolved/ },
      { fields: { kth: 1.5 }, error: /kth must be an integer/ },
    ],
  },
  {
    name: "SortIndices",
    build: () => mx.argsort(f32(2, 5), { axis: 0 }),
    bad: [
      { fields: { axis: -1 }, error: /axis must be an axis of an input of \d+ dimensions? \(0 to \d+\), got -1/ },
      { fields: { kth: 2 }, error: /kth 2 is out of range for an axis of 2 elements/ },
    ],
  },
  {
    name: "Matmul",
    build: () => mx.matmul(f32(2, 3), f32(3, 4)),
    bad: [
      { inputs: (s) => [s[0]!, spec(mx.float16, 3, 4)], error: /the first operand and the second operand must have one dtype/ },
      { inputs: (s) => [spec(mx.float32, 3), s[1]!], error: /the first operand must have at least 2 dimensions/ },
    ],
  },
  {
    name: "Arange",
    build: () => mx.arange(0, 5, 1, mx.float32),
    bad: [
      { fields: { count: -1 }, error: /count must be an integer from 0 to 2\^31 - 1/ },
      { fields: { count: 2.5 }, error: /count must be an integer/ },
      { fields: { count: 2 ** 31 }, error: /count must be an integer/ },
      { fields: { dtype: "float32" }, error: /dtype must be a dtype/ },
    ],
  },
  {
    name: "RandomBits",
    build: () => mx.random.bits([3], { key: mx.random.key(0) }),
    bad: [
      { fields: { width: 3 }, error: /width must be one of 1, 2, 4/ },
      { fields: { shape: [-1] }, error: /shape must be an array of non-negative integers/ },
      { inputs: () => [spec(mx.uint32, 1)], error: /the key must be a uint32 array of shape \(2,\)/ },
      { inputs: () => [spec(mx.uint8, 2)], error: /the key must be a uint32 array/ },
    ],
  },
  {
    name: "Binary",
    build: () => mx.add(f32(2), f32(2)),
    bad: [{ inputs: (s) => [s[0]!, spec(mx.int8, 2)], error: /the first operand and the second operand must have one dtype, got float32 and int8/ }],
  },
  {
    name: "Where",
    build: () => mx.where(mx.array([true, false]), f32(2), f32(2)),
    bad: [
      { inputs: (s) => [spec(mx.float32, 2), s[1]!, s[2]!], error: /the condition must be bool/ },
      { inputs: (s) => [s[0]!, s[1]!, spec(mx.uint8, 2)], error: /x and y must have one dtype/ },
    ],
  },
  {
    name: "DivMod",
    build: () => mx.divmod(mx.array([7, 8], mx.int32), mx.array([2, 3], mx.int32))[0]!,
    bad: [{ inputs: (s) => [s[0]!, spec(mx.int8, 2)], error: /the first operand and the second operand must have one dtype/ }],
  },
  {
    name: "Depends",
    build: () => mx.depends(f32(2), f32(3)),
    bad: [
      { fields: { count: 0 }, error: /count must be an integer from 1 to 2/ },
      { fields: { count: 3 }, error: /count must be an integer from 1 to 2/ },
      { fields: { count: 1.5 }, error: /count must be an integer/ },
    ],
  },
  {
    name: "View",
    build: () => mx.view(f32(2, 3), mx.float16),
    bad: [
      { fields: { dtype: mx.float64 }, error: /not a multiple of the 8 bytes of dtype float64/ },
      { fields: { dtype: "float16" }, error: /dtype must be a dtype/ },
      { inputs: () => [spec(mx.float32)], error: /an input of 0 dimensions can only be viewed as a dtype of the same size: float32 has 4 bytes, dtype float16 2/ },
    ],
  },
  {
    name: "Convolution",
    build: () => mx.conv1d(f32(1, 5, 2), f32(3, 2, 2)),
    bad: [
      { fields: { strides: [0] }, error: /strides must be a list of integers from 1/ },
      { fields: { strides: [1, 1] }, error: /the input must have 4 dimensions/ },
      { fields: { strides: [1, 1, 1, 1], paddingLo: [0, 0, 0, 0] }, error: /the number of spatial axes \(strides' length\) must be an integer from 1 to 3/ },
      { fields: { paddingLo: [1, 2] }, error: /paddingLo must be 1 integers/ },
      { fields: { paddingHi: [2 ** 31] }, error: /paddingHi must be 1 integers/ },
      { fields: { paddingHi: [2 ** 31 - 2] }, error: /padding 0 \| 2147483646.* spans 2\^31 positions or more/ },
      { fields: { kernelDilation: [0] }, error: /kernelDilation must be 1 integers from 1/ },
      { fields: { kernelDilation: [2 ** 31 - 1] }, error: /dilation 2147483647\) spans 2\^31 positions/ },
      { fields: { inputDilation: [-1] }, error: /inputDilation must be 1 integers from 1/ },
      { fields: { groups: 2 }, error: /the weight's output channels \(3\) must be divisible by groups \(2\)/ },
      { inputs: () => [spec(mx.float32, 1, 5, 4), spec(mx.float32, 4, 2, 2)], error: /the weight's last axis \(2\) times groups \(1\) must equal the input channels \(4\)/ },
      { inputs: () => [spec(mx.float32, 1, 5, 3), spec(mx.float32, 4, 2, 3)], fields: { groups: 3 }, error: /the weight's output channels \(4\) must be divisible by groups \(3\)/ },
      { fields: { groups: 0 }, error: /groups must be an integer from 1/ },
      { fields: { flip: "no" }, error: /flip must be a boolean/ },
      { inputs: (s) => [s[0]!, spec(mx.float16, 3, 2, 2)], error: /the input and the weight must have one dtype/ },
      { inputs: (s) => [s[0]!, spec(mx.float32, 3, 0, 2)], error: /the weight's kernel sizes must be at least 1/ },
    ],
  },
  {
    name: "FFT",
    build: () => mx.fft.irfft(mx.zeros([2, 5], mx.complex64), 8),
    bad: [
      { fields: { axes: [2] }, error: /axes must be distinct axes of an input of \d+ dimensions?, got a JS array \[2\]/ },
      { fields: { axes: [1, 1] }, error: /axes must be distinct axes of an input of \d+ dimensions?, got a JS array \[1, 1\]/ },
      { fields: { axes: [] }, error: /axes must name at least one axis/ },
      { fields: { realSize: 100 }, error: /realSize 100 needs 51 frequencies along the last axis, the input has 5/ },
      { fields: { realSize: 0 }, error: /realSize must be a positive integer/ },
      { fields: { inverse: false }, error: /the input must be float32 for a transform with real true and inverse false/ },
      { inputs: () => [spec(mx.complex64, 0, 5)], fields: { axes: [0, 1] }, error: /the length of axis 0 must be a positive integer/ },
    ],
  },
  {
    name: "Quantize",
    build: () => mx.quantize(f32(2, 64), 32, 4)[0]!,
    bad: [
      { fields: { q: { groupSize: 32, bits: 7, mode: "affine" } }, error: /bits 7 is not supported/ },
      { fields: { q: { groupSize: 48, bits: 4, mode: "affine" } }, error: /groupSize 48 is not supported/ },
      { fields: { q: { groupSize: 32, bits: 4, mode: "int4" } }, error: /mode must be one of "affine"/ },
      { fields: { q: { groupSize: 16, bits: 4, mode: "mxfp4" } }, error: /mode 'mxfp4' requires groupSize 32/ },
      { fields: { q: null }, error: /q must be the quantization parameters/ },
      { fields: { q: { groupSize: 128, bits: 4, mode: "affine" } }, error: /the last axis of w \(64\) must be a multiple of groupSize 128/ },
      { inputs: () => [spec(mx.float32, 64)], error: /w must have at least 2 dimensions/ },
      { inputs: (s) => [s[0]!, spec(mx.float32)], error: /a global scale is only supported in mode 'nvfp4'/ },
    ],
  },
  {
    name: "Quantize (nvfp4, global scale)",
    build: () => mx.quantize(f32(2, 32), undefined, undefined, { mode: "nvfp4", globalScale: mx.array(1, mx.float32) })[0]!,
    bad: [
      { inputs: (s) => [s[0]!, spec(mx.float16)], error: /globalScale must be float32/ },
      { inputs: (s) => [s[0]!, spec(mx.float32, 2)], error: /globalScale must be a scalar/ },
    ],
  },
  {
    name: "Dequantize",
    build: () => {
      const [wq, s, b] = mx.quantize(f32(2, 64), 32, 4);
      return mx.dequantize(wq!, s!, b!, 32, 4, { dtype: mx.float32 });
    },
    bad: [
      { fields: { q: { groupSize: 32, bits: 8, mode: "affine" } }, error: /do not match groupSize 32 and bits 8/ },
      { fields: { q: { groupSize: 64, bits: 4, mode: "affine" } }, error: /do not match groupSize 64 and bits 4/ },
      { fields: { q: { groupSize: 32, bits: 4, mode: "mxfp4" } }, error: /takes 2 inputs, got 3/ },
      { fields: { dtype: mx.int32 }, error: /dtype must be a real floating dtype/ },
      { inputs: (s) => [s[0]!, s[1]!, { ...s[2]!, dtype: mx.float16 }], error: /dtype and the biases must have one dtype/ },
      { inputs: (s) => [s[0]!, spec(mx.float32, 2, 3), spec(mx.float32, 2, 3)], error: /do not match groupSize 32/ },
      { inputs: (s) => [{ ...s[0]!, dtype: mx.int32 }, s[1]!, s[2]!], error: /the quantized weights w must be uint32/ },
    ],
  },
  {
    name: "QuantizedMatmul",
    build: () => {
      const [wq, s, b] = mx.quantize(f32(4, 64), 32, 4);
      return mx.quantizedMatmul(f32(3, 64), wq!, s!, b!, { groupSize: 32, bits: 4 });
    },
    bad: [
      { fields: { transpose: "yes" }, error: /transpose must be a boolean/ },
      { fields: { transpose: false }, error: /the last axis of x \(64\) does not match the dequantized weights \[4, 64\] \(transpose: false\)/ },
      { fields: { q: { groupSize: 32, bits: 2, mode: "affine" } }, error: /do not match groupSize 32 and bits 2/ },
      { inputs: (s) => [spec(mx.float32, 3, 32), s[1]!, s[2]!, s[3]!], error: /the last axis of x \(32\) does not match/ },
      { inputs: (s) => [spec(mx.float16, 3, 64), s[1]!, s[2]!, s[3]!], error: /x and the scales must have one dtype/ },
      { inputs: (s) => [s[0]!, s[1]!, s[2]!], error: /takes 4 inputs, got 3/ },
    ],
  },
  {
    name: "QuantizedMatmul (batched weights)",
    build: () => {
      const [wq, s, b] = mx.quantize(f32(2, 4, 64), 32, 4);
      return mx.quantizedMatmul(f32(2, 3, 64), wq!, s!, b!, { groupSize: 32, bits: 4 });
    },
    bad: [
      { inputs: (s) => [spec(mx.float32, 5, 3, 64), s[1]!, s[2]!, s[3]!], error: /x must have w's batch dimensions/ },
      { inputs: (s) => [spec(mx.float32, 64), s[1]!, s[2]!, s[3]!], error: /x must have 3 dimensions/ },
    ],
  },
  {
    name: "ScaledDotProductAttention",
    build: () => mx.fast.scaledDotProductAttention(f32(1, 4, 3, 8), f32(1, 2, 5, 8), f32(1, 2, 5, 6), { scale: 0.5, mask: mx.array([[true, true, false, true, true]]), sinks: f32(4) }),
    bad: [
      { fields: { p: { scale: NaN, mask: "bool", sinks: true, lowest: -3e38 } }, error: /scale must be a finite number/ },
      { fields: { p: { scale: 1, mask: "sometimes", sinks: true, lowest: -3e38 } }, error: /mask must be one of "none"/ },
      { fields: { p: { scale: 1, mask: "bool", sinks: "yes", lowest: -3e38 } }, error: /sinks must be a boolean/ },
      { fields: { p: { scale: 1, mask: "none", sinks: true, lowest: -3e38 } }, error: /takes 4 inputs, got 5/ },
      { fields: { p: null }, error: /p must be the attention parameters/ },
      { inputs: (s) => s.map((x, i) => (i === 1 ? spec(mx.float32, 1, 3, 5, 8) : i === 2 ? spec(mx.float32, 1, 3, 5, 6) : x)), error: /q's heads \(4\) must be a multiple of k's and v's heads \(3\)/ },
      { inputs: (s) => s.map((x, i) => (i === 1 ? spec(mx.float32, 1, 2, 5, 7) : x)), error: /q and k must have the same head dim/ },
      { inputs: (s) => s.map((x, i) => (i === 3 ? spec(mx.bool, 1, 1, 3, 5) : x)), error: /the mask must have the scores' shape \(1, 4, 3, 5\)/ },
      { inputs: (s) => s.map((x, i) => (i === 3 ? spec(mx.float32, 1, 4, 3, 5) : x)), error: /a bool mask must be bool/ },
      { inputs: (s) => s.map((x, i) => (i === 4 ? spec(mx.float32, 2) : x)), error: /the sinks must have shape \(4\)/ },
      { inputs: (s) => s.map((x, i) => (i === 2 ? spec(mx.float16, 1, 2, 5, 6) : x)), error: /q and v must have one dtype/ },
    ],
  },
  {
    name: "RMSNorm",
    build: () => mx.fast.rmsNorm(f32(2, 4), f32(4), 1e-5),
    bad: [
      { fields: { eps: NaN }, error: /eps must be a finite number/ },
      { inputs: (s) => [s[0]!, spec(mx.float32, 3)], error: /weight must have the size of the last dimension of x \(4\)/ },
      { inputs: (s) => [s[0]!, spec(mx.float32, 1, 4)], error: /weight must have 1 dimension/ },
      { inputs: (s) => [s[0]!, spec(mx.float16, 4)], error: /x and weight must have one dtype/ },
    ],
  },
  {
    name: "LayerNorm",
    build: () => mx.fast.layerNorm(f32(2, 4), null, f32(4), 1e-5),
    bad: [
      { fields: { eps: Infinity }, error: /eps must be a finite number/ },
      { inputs: (s) => [s[0]!, s[1]!, spec(mx.float32, 5)], error: /bias must have the size of the last dimension of x \(4\)/ },
      { inputs: (s) => [spec(mx.int32, 2, 4), s[1]!, s[2]!], error: /x must be floating/ },
    ],
  },
  {
    name: "RoPE",
    build: () => mx.fast.rope(f32(2, 3, 8), 4, { traditional: false, base: null, scale: 1, offset: mx.array([0, 1], mx.int32), freqs: f32(2) }),
    bad: [
      { fields: { dims: 3 }, error: /dims must be a positive even integer at most the last dimension of x \(8\)/ },
      { fields: { dims: 10 }, error: /dims must be a positive even integer/ },
      { fields: { dims: 8 }, error: /freqs must be 1-D with dims \/ 2 = 4 elements/ },
      { fields: { traditional: "x" }, error: /traditional must be a boolean/ },
      { fields: { forward: null }, error: /forward must be a boolean/ },
      { fields: { base: NaN }, error: /base must be a finite number/ },
      { fields: { scale: Infinity }, error: /scale must be a finite number/ },
      { inputs: (s) => [s[0]!, spec(mx.int32, 3), s[2]!], error: /offset must be a scalar or have one element per batch entry \(2\)/ },
      { inputs: (s) => [s[0]!, spec(mx.int64, 2), s[2]!], error: /offset must be int32/ },
      { inputs: (s) => [s[0]!, s[1]!, spec(mx.float16, 2)], error: /freqs must be float32/ },
      { inputs: (s) => [spec(mx.float32, 3, 8), s[1]!, s[2]!], error: /x must have at least 3 dimensions/ },
    ],
  },
];

const cpu = { stream: mx.cpu };
const square = (name: string, build: () => mx.MxArray): Case => ({
  name,
  build,
  bad: [
    { inputs: () => [spec(mx.float32, 3, 2)], error: /a must be square in its last two dimensions, got 3 x 2/ },
    { inputs: () => [spec(mx.float16, 2, 2)], error: /a must be float32 or float64/ },
    { inputs: () => [spec(mx.float32, 4)], error: /a must have at least 2 dimensions/ },
  ],
});
const matrices = (name: string, build: () => mx.MxArray): Case => ({
  name,
  build,
  bad: [
    { inputs: () => [spec(mx.int32, 3, 2)], error: /a must be float32 or float64/ },
    { inputs: () => [spec(mx.float32, 4)], error: /a must have at least 2 dimensions/ },
  ],
});
const spd = () => mx.array([[4, 1], [1, 3]], mx.float32, cpu);
CASES.push(
  square("Cholesky", () => mx.linalg.cholesky(spd(), cpu)),
  square("TriInv", () => mx.linalg.triInv(spd(), cpu)),
  square("Det", () => mx.linalg.det(spd(), cpu)),
  square("Slogdet", () => mx.linalg.slogdet(spd(), cpu)[0]!),
  square("Eig", () => mx.linalg.eigvals(spd(), cpu)),
  square("Eigh", () => mx.linalg.eigvalsh(spd(), cpu)),
  square("Inverse", () => mx.linalg.inv(spd(), cpu)),
  matrices("LUFactor", () => mx.linalg.luFactor(mx.ones([3, 2], mx.float32, cpu), cpu)[0]!),
  matrices("PseudoInverse", () => mx.linalg.pinv(mx.ones([3, 2], mx.float32, cpu), cpu)),
  matrices("QR", () => mx.linalg.qr(mx.ones([3, 2], mx.float32, cpu), cpu)[0]!),
  matrices("SVD", () => mx.linalg.svd(mx.ones([3, 2], mx.float32, cpu), false, cpu)),
  {
    name: "Solve",
    build: () => mx.linalg.solve(spd(), mx.ones([2, 3], mx.float32, cpu), cpu),
    bad: [
      { fields: { triangle: "diagonal" }, error: /triangle must be one of null, "lower", "upper"/ },
      { inputs: (s) => [s[0]!, spec(mx.float32, 3, 3)], error: /b must be \(\.\.\., 2, k\) matrices of a's batch and dtype/ },
      { inputs: (s) => [s[0]!, spec(mx.float64, 2, 3)], error: /b must be .* of a's batch and dtype/ },
      { inputs: (s) => [spec(mx.float32, 2, 2, 2), s[1]!], error: /b must be .* of a's batch and dtype/ },
      { inputs: (s) => [spec(mx.float32, 2, 3), s[1]!], error: /a must be square/ },
    ],
  },
);

const metalKernel = BACKENDS.some((b) => b.device.backend === "metal");

describe("validate accepts each op's node and rejects each corrupted parameter, naming it", () => {
  it.each(CASES)("$name", ({ build, bad }) => {
    const { prim, specs } = nodeOf(build());
    expect(() => prim.validate(specs)).not.toThrow();
    for (const c of bad) {
      const p = c.fields ? withFields(prim, c.fields) : prim;
      const ins = c.inputs ? c.inputs(specs) : specs;
      expect(() => p.validate(ins), JSON.stringify({ fields: c.fields, inputs: ins.map((s) => `${s.dtype.name}[${s.shape.join(",")}]`) })).toThrow(c.error);
    }
  });

  it.runIf(metalKernel)("CustomKernel: its launch (grid, threadgroup, outputs, companions) as the kernel call checks it", () => {
    const k = mx.fast.metalKernel({ name: "copyK", inputNames: ["inp"], outputNames: ["out"], source: "  out[thread_position_in_grid.x] = inp_shape[0] > 0 ? inp[thread_position_in_grid.x] : 0;\n" });
    const { prim, specs } = nodeOf(k({ inputs: [mx.zeros([4], mx.float32, { stream: mx.metal })], grid: [4, 1, 1], threadgroup: [4, 1, 1], outputShapes: [[4]], outputDtypes: [mx.float32] })[0]!);
    const spec0 = (prim as unknown as { spec: Record<string, unknown> }).spec;
    const launch = (change: Record<string, unknown>) => withFields(prim, { spec: { ...spec0, ...change } });
    expect(() => prim.validate(specs)).not.toThrow();
    expect(() => launch({ grid: [0.5, 1, 1] }).validate(specs)).toThrow(/grid\[0\] must be an integer from 0 to 2\^32 - 1/);
    expect(() => launch({ grid: [2 ** 32, 1, 1] }).validate(specs)).toThrow(/grid\[0\] must be an integer/);
    expect(() => launch({ threadgroup: [0, 1, 1] }).validate(specs)).toThrow(/threadgroup\[0\] must be an integer from 1/);
    expect(() => launch({ threadgroup: [64, 32, 1] }).validate(specs)).toThrow(/threadgroup a JS array \[64, 32, 1\] has 2048 threads, more than the 1024 one holds on metal/);
    expect(() => launch({ outputs: [{ shape: [-1], dtype: "float32" }] }).validate(specs)).toThrow(/outputShapes\[0\] must be a list of integers from 0 to 2\^31 - 1/);
    expect(() => launch({ outputs: [{ shape: [4], dtype: "float99" }] }).validate(specs)).toThrow(/spec.outputs\[0\].dtype must name a dtype/);
    expect(() => launch({ outputs: [] }).validate(specs)).toThrow(/spec.outputs must list the outputs/);
    expect(() => launch({ companions: [] }).validate(specs)).toThrow(/spec.companions must hold \{ shape, strides, ndim \} booleans for each of the 1 inputs/);
    expect(() => launch({ entry: "1x" }).validate(specs)).toThrow(/spec.entry must be an identifier/);
    expect(() => launch({ backend: "cuda" }).validate(specs)).toThrow(/spec.backend must be "metal" or "webgpu"/);
    expect(() => launch({ initValue: "0" }).validate(specs)).toThrow(/spec.initValue must be a number or null/);
    expect(() => launch({ ensureRowContiguous: 1 }).validate(specs)).toThrow(/spec.ensureRowContiguous must be a boolean/);
    expect(() => withFields(prim, { spec: null }).validate(specs)).toThrow(/spec must be a kernel launch/);
  });

  it("a node built inside a rule (a vjp's slice of a pad's cotangent, starting at the end) is valid too", () => {
    // the pad's cotangent sliced back to an empty input: an empty region may start at the end of the axis
    const g = mx.grad((x: mx.MxArray) => mx.sum(mx.pad(x, [[2, 0]])))(mx.zeros([0]));
    const { prim, specs } = nodeOf(g);
    expect(prim.name).toBe("slice");
    expect((prim as unknown as { start: number[] }).start).toEqual([2]);
    expect(() => prim.validate(specs)).not.toThrow();
  });

  it("a custom function's outputs (views of the function's outputs, siblings that also take its arguments) are valid, and need those outputs", () => {
    const f = mx.customFunction((x: mx.MxArray, y: mx.MxArray) => [mx.multiply(x, y), mx.add(x, y)]);
    const out = f(mx.ones([2, 3]), mx.ones([2, 3]));
    const { prim, specs } = nodeOf(out[1]!);
    expect(out[0]!.primitive).toBe(prim);
    expect(specs.length).toBe(4);
    expect(() => prim.validate(specs)).not.toThrow();
    expect(prim.outputs(specs).map((s) => [...s.shape])).toEqual([
      [2, 3],
      [2, 3],
    ]);
    expect(() => prim.validate(specs.slice(0, 1))).toThrow(/^\[customFunction\] takes the function's 2 output\(s\) then its arguments as inputs, got 1 input/);
  });
});

/** `fn` exported from `inputs` on `device` to a new file, whose node of primitive `name` gets `fields`; the file. */
async function tampered(device: mx.Device, fn: (x: mx.MxArray) => mx.MxArray, input: mx.MxArray, name: string, fields: Record<string, unknown>, shapeless = false): Promise<string> {
  const file = fresh();
  await mx.exportFunction(file, fn, input);
  const f = functionFile(file);
  const h = f.header();
  const node = h.traces[0]!.nodes.find((n) => n.primitive.fields.name === name || n.primitive.class.endsWith(`.${name}`));
  expect(node, `a ${name} node in ${device.backend}'s file`).toBeDefined();
  Object.assign(node!.primitive.fields, fields);
  if (shapeless) h.shapeless = true;
  return f.write(h, fresh());
}

describe.each(BACKENDS)("importFunction refuses node parameters that do not fit the inputs on $name", ({ device }) => {
  const on = { stream: device };
  const refused = /^\[importFunction\] .*f\d+\.mlxfn: not a valid mlx-ts function file: node (\d+) \('(\w+)'\) has parameters that do not fit its inputs: \[\w+\] /;

  it("an asStrided offset of 1e9", async () => {
    const file = await tampered(device, (x) => mx.asStrided(x, [2, 2], [2, 1], 1, on), mx.zeros([6], mx.float32, on), "AsStrided", { offset: 1e9 });
    expect(() => mx.importFunction(file)).toThrow(refused);
    expect(() => mx.importFunction(file)).toThrow(/node 0 \('asStrided'\) has parameters that do not fit its inputs: \[asStrided\] shape \(2, 2\), strides \(2, 1\) and offset 1000000000 reach elements 1000000000 to 1000000003, outside the 6 elements of the input/);
  });

  it("a slice reaching past the end of its axis", async () => {
    const f = (x: mx.MxArray) => mx.slice(x, [1], [3], undefined, on);
    const past = await tampered(device, f, mx.zeros([4], mx.float32, on), "Slice", { start: [3] });
    expect(() => mx.importFunction(past)).toThrow(/node 0 \('slice'\) has parameters that do not fit its inputs: \[slice\] start \[3\], step \[1\] and shape \(2,\) reach outside axis 0 of the input \(size 4\)/);
    const longer = await tampered(device, f, mx.zeros([4], mx.float32, on), "Slice", { shape: [9] });
    expect(() => mx.importFunction(longer)).toThrow(/node 0 \('slice'\) has parameters .*and shape \(9,\) reach outside axis 0/);
  });

  it("a transpose with axes [0, 0]", async () => {
    const file = await tampered(device, (x) => mx.transpose(x, on), mx.zeros([3, 1], mx.float32, on), "Transpose", { perm: [0, 0] });
    expect(() => mx.importFunction(file)).toThrow(/node 0 \('transpose'\) has parameters that do not fit its inputs: \[transpose\] perm \[0,0\] is not a permutation of the 2 axes of the input/);
  });

  it("a reshape to a shape of another size", async () => {
    const file = await tampered(device, (x) => mx.reshape(x, [6], on), mx.zeros([2, 3], mx.float32, on), "Reshape", { shape: [10] });
    expect(() => mx.importFunction(file)).toThrow(/node 0 \('reshape'\) has parameters that do not fit its inputs: \[reshape\] cannot reshape 6 elements into shape \(10,\)/);
  });

  it("a file marked shapeless validates each node on the shapes of each call", async () => {
    // a reshape fixes its shape: replayed on 4 elements it would view 6
    const file = await tampered(device, (x) => mx.exp(mx.reshape(x, [6], on), on), mx.zeros([2, 3], mx.float32, on), "Reshape", {}, true);
    const g = mx.importFunction(file);
    expect(await g(mx.ones([3, 2], mx.float32, on))[0]!.tolist()).toHaveLength(6);
    expect(() => g(mx.ones([2, 2], mx.float32, on))).toThrow(/^\[reshape\] cannot reshape 4 elements into shape \(6,\)/);
  });
});

describe.each(BACKENDS)("a shapeless compiled function validates its nodes on new shapes on $name", ({ device }) => {
  const on = { stream: device };
  it("max (fused with its prologue) and argmax over an axis that is now empty are errors, as the ops give", async () => {
    const m = mx.compile((x: mx.MxArray) => mx.max(mx.exp(x, on), { axis: 0, ...on }), { shapeless: true });
    const a = mx.compile((x: mx.MxArray) => mx.argmax(x, { axis: 0, ...on }), { shapeless: true });
    expect(await m(mx.zeros([3, 2], mx.float32, on))!.tolist()).toEqual([1, 1]);
    expect(await a(mx.zeros([3, 2], mx.float32, on))!.tolist()).toEqual([0, 0]);
    expect(() => m(mx.zeros([0, 2], mx.float32, on))).toThrow(/^\[max\] cannot reduce over an empty axis \(no identity for max\)/);
    expect(() => a(mx.zeros([0, 2], mx.float32, on))).toThrow(/^\[argmax\] cannot take argmax of an empty axis/);
    expect(await m(mx.zeros([1, 3], mx.float32, on))!.tolist()).toEqual([1, 1, 1]);
  });
});
