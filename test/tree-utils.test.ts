// mx.utils against MLX's mlx.utils (python/mlx/utils.py): treeUnflatten fills
// missing list indices with {}, treeFlatten's prefix, isLeaf and destination,
// treeMap and treeMapWithPath on every leaf with superset further trees and
// isLeaf, treeReduce, and treeMerge treating empty containers as nothing.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";

const { treeFlatten, treeUnflatten, treeMap, treeMapWithPath, treeReduce, treeMerge } = mx.utils;
const keys = (t: unknown) => treeFlatten(t).map(([k]) => k);

describe("treeUnflatten and treeFlatten", () => {
  it("fills missing list indices with {} (MLX's tree_unflatten), and the result flattens again", () => {
    const x = mx.array([1]);
    const t = treeUnflatten([["layers.2.w", x]]) as { layers: unknown[] };
    expect(t.layers.length).toBe(3);
    expect([0, 1, 2].map((i) => i in t.layers)).toEqual([true, true, true]); // no holes
    expect(t.layers[0]).toEqual({});
    expect(t.layers[1]).toEqual({});
    expect(t.layers[0]).not.toBe(t.layers[1]); // a fresh {} each
    expect((t.layers[2] as { w: mx.MxArray }).w).toBe(x);
    expect(treeFlatten(t)).toEqual([["layers.2.w", x]]);
    // lists in index order whatever the order of the pairs, gaps inside and at the start
    expect(treeUnflatten([["3", "c"], ["1", "a"]])).toEqual([{}, "a", {}, "c"]);
    expect(treeUnflatten({ "a.1.0.b": 1 })).toEqual({ a: [{}, [{ b: 1 }]] });
  });

  it("refuses a hole in a list with the path, and keeps an undefined value as a leaf", () => {
    const sparse: unknown[] = [];
    sparse[2] = 1;
    expect(() => treeFlatten({ layers: sparse })).toThrow(/\[utils\.treeFlatten\] the list at 'layers' has a hole at index 0 \(a sparse JS array\)/);
    expect(() => treeMap((v: unknown) => v, [1, , 2])).toThrow(/\[utils\.treeMap\] the list at the root has a hole at index 1/);
    expect(() => treeReduce((a, b) => b, { a: [, 1] })).toThrow(/\[utils\.treeReduce\] the list at 'a' has a hole at index 0/);
    expect(treeFlatten({ a: undefined, b: [null] })).toEqual([["a", undefined], ["b.0", null]]);
  });

  it("takes MLX's prefix: its first character, the leading dot, is dropped", () => {
    expect(treeFlatten([[[0]]], { prefix: ".hello" })).toEqual([["hello.0.0.0", 0]]); // MLX's docstring example
    expect(keys([[0]])).toEqual(["0.0"]);
    expect(treeFlatten({ a: { b: 1 } }, { prefix: ".model" })).toEqual([["model.a.b", 1]]);
    expect(treeFlatten(5, { prefix: ".x" })).toEqual([["x", 5]]);
    expect(treeFlatten({ a: 1 }, { prefix: "model" })).toEqual([["model.a", 1]]); // without the dot: kept whole
  });

  it("fills a destination list or object and returns it (MLX's destination)", () => {
    expect(treeFlatten({ a: { b: 1 } }, { destination: {} })).toEqual({ "a.b": 1 });
    const list: [string, unknown][] = [["z", 0]];
    expect(treeFlatten({ a: [1, 2] }, { destination: list })).toBe(list);
    expect(list).toEqual([["z", 0], ["a.0", 1], ["a.1", 2]]);
    const obj: Record<string, unknown> = { z: 0 };
    expect(treeFlatten([{ a: 1 }], { destination: obj, prefix: ".p", isLeaf: (v) => !Array.isArray(v) && typeof v === "object" })).toBe(obj);
    expect(obj).toEqual({ z: 0, "p.0": { a: 1 } });
    expect(() => treeFlatten({}, { destination: "x" as never })).toThrow(/\[utils\.treeFlatten\] destination must be a list or an object/);
  });
});

describe("treeMap and treeMapWithPath (MLX's tree_map, tree_map_with_path)", () => {
  it("calls fn on every leaf, numbers and strings too", () => {
    expect(treeMap((v: number) => v * 10, { a: [1, 2], b: 3 })).toEqual({ a: [10, 20], b: 30 });
    expect(treeMap((v: unknown) => typeof v, { a: "s", b: [null, undefined, true] })).toEqual({ a: "string", b: ["object", "undefined", "boolean"] });
    expect(treeMap((v: unknown) => v, [])).toEqual([]);
  });

  it("takes further trees that hold the first tree's keys and more, objects in any order", () => {
    const got = treeMap((a: number, b: number, c: unknown) => [a, b, c], { x: 1, y: [2] }, { extra: 9, y: [20, 30], x: 10 }, { y: [{ deep: 1 }], x: "s" });
    expect(got).toEqual({ x: [1, 10, "s"], y: [[2, 20, { deep: 1 }]] }); // a further tree's subtree at a leaf of the first goes whole
    expect(() => treeMap((a: number, b: number) => a + b, { x: 1, y: 2 }, { x: 1 })).toThrow(/\[utils\.treeMap\] further tree 1 has no 'y'/);
    expect(() => treeMap((a: number, b: number) => a + b, [1, 2], [1])).toThrow(/further tree 1 has no '1': where the first tree has a list/);
    expect(() => treeMap((a: number, b: number) => a + b, { l: [1] }, { l: { 0: 1 } })).toThrow(/further tree 1 has no 'l.0'/);
  });

  it("takes { isLeaf } as its last argument (MLX's is_leaf)", () => {
    const isPair = (v: unknown) => Array.isArray(v) && v.length === 2;
    expect(treeMap((v: number[]) => v[0]! + v[1]!, { a: [1, 2], b: [[3, 4]] }, { isLeaf: isPair })).toEqual({ a: 3, b: [7] });
    expect(treeMap((v: number[], w: unknown) => [v.length, w], { a: [1, 2] }, { a: "x" }, { isLeaf: isPair })).toEqual({ a: [2, "x"] });
    // an options object with a key other than isLeaf, or isLeaf not a function, is a further tree
    expect(treeMap((v: number, w: number) => v + w, { isLeaf: 1 }, { isLeaf: 2 })).toEqual({ isLeaf: 3 });
  });

  it("treeMapWithPath passes the dotted path, takes isLeaf and a root path", () => {
    expect(treeMapWithPath((p: string) => p, { model: [{ w: 0, b: 1 }] })).toEqual({ model: [{ w: "model.0.w", b: "model.0.b" }] });
    expect(treeMapWithPath((p: string, v: number, g: number) => `${p}:${v + g}`, { a: [1] }, { a: [2], b: 0 }, { path: "root" })).toEqual({ a: ["root.a.0:3"] });
    expect(treeMapWithPath((p: string, v: unknown[]) => `${p}:${v.length}`, { a: [1, 2, 3] }, { isLeaf: Array.isArray })).toEqual({ a: "a:3" });
    expect(() => treeMapWithPath((_p: string, a: number, b: number) => a + b, { a: { b: 1 } }, { a: 3 })).toThrow(/\[utils\.treeMapWithPath\] further tree 1 has no 'a.b'/);
  });

  it("maps arrays: a parameter update with the gradients keyed in another order", async () => {
    const params = { w: mx.array([1, 2], mx.float32), layers: [{ b: mx.array([3], mx.float32) }] };
    const grads = { layers: [{ b: mx.array([10], mx.float32) }], w: mx.array([10, 10], mx.float32) };
    const next = treeMap((p: mx.MxArray, g: mx.MxArray) => mx.subtract(p, mx.multiply(g, 0.5)), params, grads);
    expect(await next.w.tolist()).toEqual([-4, -3]);
    expect(await next.layers[0]!.b.tolist()).toEqual([-2]);
  });
});

describe("treeReduce and treeMerge", () => {
  it("treeReduce folds in flattening order, takes isLeaf, and gives undefined on a tree without leaves", () => {
    expect(treeReduce((acc, x) => (acc as number) + (x as number), { a: [1, 2, 3], b: [4, 5] }, 0)).toBe(15); // MLX's docstring example
    expect(treeReduce((acc, x) => `${String(acc)}${String(x)}`, { b: [1, 2], a: 3 })).toBe("123");
    expect(treeReduce((acc, x) => (acc as number) + (x as unknown[]).length, { a: [1, 2], b: [[3]] }, 0, { isLeaf: Array.isArray })).toBe(3);
    expect(treeReduce((acc, x) => x, { a: [], b: {} })).toBeUndefined();
    expect(() => treeReduce((acc) => acc, {}, 0, { bogus: 1 } as never)).toThrow(/\[utils\.treeReduce\] unknown option 'bogus'/);
  });

  it("treeMerge treats an empty list or object as nothing, as MLX's tree_merge", () => {
    expect(treeMerge({ a: {} }, { a: 5 })).toEqual({ a: 5 });
    expect(treeMerge({ a: 5 }, { a: [] })).toEqual({ a: 5 });
    expect(treeMerge({ l: [{ w: 1 }, {}, { w: 2 }] }, { l: [{ b: 1 }, {}, { b: 2 }] })).toEqual({ l: [{ w: 1, b: 1 }, {}, { w: 2, b: 2 }] });
    expect(treeMerge({}, {})).toEqual({});
    expect(treeMerge([], [])).toEqual([]);
    expect(treeMerge({ l: [1] }, { l: [undefined, 2] })).toEqual({ l: [1, 2] });
    expect(() => treeMerge({ a: [] }, { a: {} })).toThrow(/\[utils\.treeMerge\] cannot merge an empty list with an empty object at 'a'/);
    expect(() => treeMerge({ a: { b: 1 } }, { a: { b: 2 } })).toThrow(/both hold a value at 'a\.b'/);
    expect(treeMerge({ a: 1 }, { a: 2 }, (x, y) => (x as number) + (y as number))).toEqual({ a: 3 });
  });
});

describe("nn.Modules are dicts, as in MLX (a Module subclasses dict there)", () => {
  class Block extends mx.nn.Module {
    linear = new mx.nn.Linear(2, 2);
    scale = mx.array([1, 1], mx.float32);
    extras = { gate: mx.array([0.5], mx.float32), list: [mx.array([1], mx.float32), new mx.nn.ReLU()] };
    _cache = mx.array([9], mx.float32); // private arrays are in MLX's module dict too
    label = "no tree field"; // a string attribute: not in MLX's dict
    dims = 2;
    act = mx.nn.relu;
  }
  const blockKeys = ["linear.weight", "linear.bias", "scale", "extras.gate", "extras.list.0", "_cache"];

  it("treeFlatten and treeReduce walk every array a module holds (MLX's tree_flatten(model)), frozen or private", () => {
    const b = new Block();
    b.freeze();
    b.train(false);
    expect(treeFlatten(b).map(([k]) => k)).toEqual(blockKeys);
    expect(treeFlatten(b)[0]![1]).toBe(b.linear.weight);
    expect(treeFlatten({ model: b }, { prefix: ".m" }).map(([k]) => k)).toEqual(blockKeys.map((k) => `m.model.${k}`));
    expect(treeFlatten(b, { isLeaf: mx.nn.isModule })).toEqual([["", b]]);
    expect(treeFlatten(new mx.nn.ReLU())).toEqual([]);
    expect(treeReduce((n, a) => (n as number) + (a as mx.MxArray).size, b, 0)).toBe(4 + 2 + 2 + 1 + 1 + 1);
  });

  it("treeMap and treeMapWithPath give plain objects for modules (MLX gives dicts), and take modules as further trees", () => {
    const b = new Block();
    const shapes = treeMap((a: mx.MxArray) => a.shape, b) as unknown as Record<string, unknown>;
    expect(Object.getPrototypeOf(shapes)).toBe(Object.prototype);
    expect(shapes).toEqual({ linear: { weight: [2, 2], bias: [2] }, scale: [2], extras: { gate: [1], list: [[1], {}] }, _cache: [1] });
    const paths = treeMapWithPath((p: string) => p, b, { path: "blk" });
    expect(treeFlatten(paths).map(([, v]) => v)).toEqual(blockKeys.map((k) => `blk.${k}`));
    // grads (a plain tree) against the module they came from
    const other = new Block();
    const pairs = treeMap((p: mx.MxArray, q: mx.MxArray) => [p, q], b.parameters(), other) as unknown as { linear: { weight: mx.MxArray[] } };
    expect(pairs.linear.weight[1]).toBe(other.linear.weight);
    expect(() => treeMap((p: unknown) => p, { label: 1 }, b)).toThrow(/\[utils\.treeMap\] further tree 1 has no 'label'/);
  });

  it("treeMerge merges a module's dict key by key into a plain object", () => {
    const b = new Block();
    const merged = treeMerge(b, { extra: 1, extras: { more: 2 } }) as Record<string, Record<string, unknown>>;
    expect(Object.keys(merged)).toEqual(["linear", "scale", "extras", "_cache", "extra"]);
    expect(merged.linear!.weight).toBe(b.linear.weight);
    expect(merged.extras!.more).toBe(2);
    expect(treeMerge(new mx.nn.ReLU(), { a: 1 })).toEqual({ a: 1 }); // a module without arrays is empty
  });
});
