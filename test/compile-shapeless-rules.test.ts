// Shapeless traces replay zerosLike, onesLike, fullLike, broadcastArrays and a
// reshape with -1 on new shapes, as MLX does (a rule of the inputs' shapes in
// place of a shape fixed at trace time; the -1 inferred on each call), and a
// shapeless conv replayed on an input too small for its kernel fails as the op does.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { storageBytes } from "./helpers/bytes.js";
import { BACKENDS, withDefaultDevice } from "./helpers/backends.js";
import { runTraced } from "../src/compile/shapeless-tracing.js";
import { InferredReshape } from "../src/primitives/layout.js";

const S = { shapeless: true } as const;
type Fn = (...xs: mx.MxArray[]) => mx.MxArray | mx.MxArray[];
const list = (r: mx.MxArray | mx.MxArray[]) => (Array.isArray(r) ? r : [r]);

/** `fn` compiled shapeless, traced on the first call's input shapes, against `fn` on each call's: shapes, dtypes and bytes; one trace in all. */
async function replaysAsUncompiled(name: string, fn: Fn, calls: number[][][]): Promise<void> {
  const f = mx.compile(fn, S);
  for (const [k, shapes] of calls.entries()) {
    const xs = shapes.map((s, i) => mx.random.normal(s, { key: mx.random.key(100 * k + i) }));
    const [got, want] = [list(f(...xs)), list(fn(...xs))];
    const what = `${name}, inputs ${JSON.stringify(shapes)}`;
    expect(got.map((a) => [a.shape, a.dtype.name]), what).toEqual(want.map((a) => [a.shape, a.dtype.name]));
    expect(await storageBytes(got), what).toEqual(await storageBytes(want));
  }
  expect(mx.compileStats(f), name).toMatchObject({ misses: 1, hits: calls.length - 1 });
}

describe.each(BACKENDS)("compile: shapeless traces replay the *Like ops, broadcastArrays and a reshape with -1 on new shapes on $name", ({ device }) => {
  withDefaultDevice(device);

  it.each<[string, Fn, number[][][]]>([
    ["zerosLike, onesLike and fullLike (dtypes given and not)", (x) => [mx.zerosLike(x), mx.onesLike(x, mx.int32), mx.fullLike(x, 2.5), mx.add(x, mx.fullLike(x, -1, mx.float16))], [[[2, 3]], [[4, 1]], [[1, 5]]]],
    ["fullLike of a computed array, scalar and 3-D", (x, y) => [mx.fullLike(mx.sum(x, -1), 7), mx.multiply(mx.onesLike(y), y)], [[[2, 3], [2, 1, 4]], [[5, 1], [1, 3, 2]], [[1, 4], [3, 2, 1]]]],
    ["broadcastArrays of three", (a, b, c) => mx.broadcastArrays([a, b, c]), [[[3, 1], [4], [1, 1]], [[2, 1], [5], [2, 5]], [[1, 3], [1], [4, 1]]]],
    ["broadcastArrays of equal shapes as traced, then not", (a, b) => mx.broadcastArrays([mx.exp(a), b]), [[[2, 3], [2, 3]], [[1, 4], [3, 4]], [[5, 2], [5, 1]]]],
    ["reshape with -1", (x) => [mx.reshape(mx.exp(x), [2, -1]), mx.reshape(x, [-1]), mx.reshape(x, [-1, 1, 3])], [[[2, 3, 3]], [[4, 1, 3]], [[1, 2, 6]]]],
    ["reshape with -1 to the traced input's own shape", (x) => mx.reshape(x, [2, -1]), [[[2, 3]], [[4, 3]], [[6, 1]]]],
    ["reshape with -1 under vmap (any batch size)", (x) => mx.vmap((r: mx.MxArray) => mx.reshape(r, [-1, 2]))(x) as mx.MxArray, [[[3, 4]], [[5, 6]], [[1, 2]]]],
    ["zerosLike and broadcastArrays under vmap", (x, y) => mx.vmap((r: mx.MxArray) => [mx.zerosLike(r), ...mx.broadcastArrays([r, y])])(x) as mx.MxArray[], [[[3, 4], [2, 1]], [[5, 1], [1, 6]], [[1, 2], [3, 2]]]],
  ])("%s", async (name, fn, calls) => {
    await replaysAsUncompiled(name, fn, calls);
  });

  it("keeps a reshape's given sizes and infers its -1 on each call; a size they do not divide fails as the op does", () => {
    const fn = (x: mx.MxArray) => mx.reshape(x, [6, -1]);
    const f = mx.compile(fn, S);
    expect([f(mx.zeros([2, 3, 4])).shape, f(mx.zeros([2, 3, 8])).shape, f(mx.zeros([3, 2, 4])).shape, f(mx.zeros([0, 1, 1])).shape]).toEqual([[6, 4], [6, 8], [6, 4], [6, 0]]);
    const [x] = [mx.zeros([5, 5, 5])];
    expect(() => fn(x)).toThrow("[reshape] cannot infer the -1 dimension of (6, -1) for 125 elements (inputs: float32(5, 5, 5))");
    expect(() => f(x)).toThrow("[reshape] cannot infer the -1 dimension of (6, -1) for 125 elements (inputs: float32(5, 5, 5))");
    expect(mx.compileStats(f).misses).toBe(1);
  });

  it("replays a conv on an input too small for its kernel with the op's error", async () => {
    const w = mx.random.normal([4, 3, 2]);
    const layer = new mx.nn.Conv2d(2, 3, [2, 3], { padding: [0, 1] });
    await mx.eval(w, layer.parameters());
    const cases: [string, (x: mx.MxArray) => mx.MxArray, number[], number[], number[]][] = [
      ["conv1d", (x) => mx.conv1d(x, w, 2), [1, 8, 2], [2, 5, 2], [1, 2, 2]],
      ["nn.Conv2d", (x) => layer.forward(x), [1, 4, 4, 2], [2, 2, 1, 2], [1, 1, 3, 2]],
    ];
    for (const [name, fn, traced, other, small] of cases) {
      const f = mx.compile(fn, S);
      f(mx.zeros(traced));
      const x = mx.random.normal(other);
      expect(await storageBytes([f(x)]), `${name} on ${other}`).toEqual(await storageBytes([fn(x)]));
      const tiny = mx.zeros(small);
      let eager = "";
      try {
        fn(tiny);
      } catch (e) {
        eager = (e as Error).message;
      }
      expect(eager, name).toMatch(new RegExp(`^\\[${name.replace(".", "\\.")}\\] spatial axis 0: the padded input .* is smaller than the dilated kernel`));
      expect(() => f(tiny), name).toThrow(eager);
      expect(mx.compileStats(f).misses, name).toBe(1);
    }
  });
});

describe("compile: the rules of a shapeless trace, and the eager graph", () => {
  it("are built only while a shapeless trace runs", () => {
    const x = mx.zeros([2, 3]), y = mx.zeros([3]);
    const names = (xs: mx.MxArray[]) => xs.map((a) => (a === x || a === y ? "itself" : a.primitive?.constructor.name));
    const ops = () => [mx.zerosLike(x), mx.onesLike(x), mx.fullLike(x, 3), ...mx.broadcastArrays([x, y]), mx.reshape(x, [3, -1]), mx.reshape(x, [2, -1])];
    expect(names(ops())).toEqual(["Broadcast", "Broadcast", "Broadcast", "itself", "Broadcast", "Reshape", "itself"]);
    expect(names(runTraced(true, ops))).toEqual(["BroadcastAxes", "BroadcastAxes", "BroadcastAxes", "BroadcastAxes", "BroadcastAxes", "InferredReshape", "InferredReshape"]);
  });

  it("a reshape's rule validates its parts against the input, naming reshape", () => {
    const r = runTraced(true, () => mx.reshape(mx.zeros([2, 6]), [3, -1]));
    const p = r.primitive!;
    expect(p).toBeInstanceOf(InferredReshape);
    const spec = (...shape: number[]) => ({ shape, dtype: mx.float32 });
    const corrupt = (fields: Record<string, unknown>) => Object.assign(Object.create(InferredReshape.prototype) as InferredReshape, p, fields);
    expect(() => p.validate([spec(4, 3)])).not.toThrow();
    expect(() => p.validate([spec(7)])).toThrow(/^\[reshape\] cannot infer the -1 dimension of \(3, -1\) for 7 elements/);
    expect(() => corrupt({ parts: [3, 4] }).validate([spec(2, 6)])).toThrow(/^\[reshape\] parts must be a list of integers from -1 to 2\^31 - 1 holding one -1/);
    expect(() => corrupt({ parts: [-1, -1] }).validate([spec(2, 6)])).toThrow(/holding one -1/);
    expect(() => corrupt({ parts: [0, -1] }).validate([spec(2, 6)])).toThrow(/cannot infer the -1 dimension of \(0, -1\) for 12 elements/);
    expect(() => corrupt({ lead: 3 }).validate([spec(2, 6)])).toThrow(/^\[reshape\] lead must be an integer from 0 to 2/);
    expect(() => corrupt({ lead: 1, parts: [-1, 4] }).validate([spec(2, 6)])).toThrow(/cannot infer the -1 dimension of \(-1, 4\) for 6 elements/);
    expect(corrupt({ lead: 1, parts: [-1, 3] }).output([spec(2, 6)]).shape).toEqual([2, 2, 3]);
  });

  it("a shapeless function file replays them on the call's shapes", async () => {
    const fn = (x: mx.MxArray, y: mx.MxArray) => [mx.reshape(mx.add(x, mx.onesLike(x)), [-1, 2]), ...mx.broadcastArrays([mx.zerosLike(x), y])];
    const file = join(mkdtempSync(join(tmpdir(), "mx-shapeless-")), "rules.mlxfn");
    await mx.exportFunction(file, fn, mx.zeros([2, 3]), mx.zeros([1, 3]), { shapeless: true });
    const g = mx.importFunction(file);
    for (const [xs, ys] of [[[4, 5], [4, 1]], [[1, 2], [3, 2]]]) {
      const x = mx.random.normal(xs!), y = mx.random.normal(ys!);
      const [got, want] = [g(x, y), fn(x, y)];
      expect(got.map((a) => a.shape)).toEqual(want.map((a) => a.shape));
      expect(await storageBytes(got)).toEqual(await storageBytes(want));
    }
  });
});
