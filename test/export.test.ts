// mx.exportFunction / mx.exporter / mx.importFunction: every op of the op
// database written to a file and read back gives the same bits as the op
// itself; inputs, keywords, traces, shapeless files, callbacks, transforms
// of imported functions, devices, and files that are not valid.

import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { OPS } from "../conformance/opdb.js";
import { materialize } from "../conformance/check.js";
import { BACKENDS } from "./helpers/backends.js";
import { functionFile, type FileNode } from "./helpers/function-file.js";
import { CLASSES, FIXED_NAMES, OP_NAMES, PROBES } from "../src/export/primitive-codec.js";

const dir = mkdtempSync(join(tmpdir(), "mx-export-"));
let files = 0;
const fresh = () => join(dir, `f${files++}.mlxfn`);
const cpu = { stream: mx.cpu };

async function bits(a: mx.MxArray): Promise<number[]> {
  const d = await a.data();
  return Array.from(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
}

async function expectSame(got: mx.MxArray, want: mx.MxArray, what: string): Promise<void> {
  expect(got.dtype, what).toBe(want.dtype);
  expect([...got.shape], what).toEqual([...want.shape]);
  expect(await bits(got), what).toEqual(await bits(want));
}

/** Ops built on mx.customFunction (a straight-through gradient), whose JS rules a file cannot hold (MLX cannot export qqmm either). */
const MADE_WITH_CUSTOM_FUNCTION = new Set(["qqmm", "gatherQqmm"]);

describe("every op of the op database, exported and imported (cpu)", () => {
  const cells = OPS.flatMap((e) => e.dtypes.map((d) => ({ name: `${e.name} ${d.name}`, e, d })));
  it.each(cells)("$name", async ({ e, d }) => {
    // the global seed (FC_SEED), or a fresh one for FC_SEED=random, named in a failure
    const seed = fc.readConfigureGlobal().seed ?? (Math.random() * 2 ** 31) | 0;
    const cases = fc.sample(e.cases(d), { numRuns: 2, seed });
    for (const c of cases) {
      const xs = c.inputs.map((ic) => materialize(ic, mx.cpu));
      const f = (...ins: mx.MxArray[]) => e.call(ins, c.params, cpu);
      let want: mx.MxArray;
      try {
        want = f(...xs);
        await want.data();
      } catch {
        continue; // a case the op rejects
      }
      const file = fresh();
      if (MADE_WITH_CUSTOM_FUNCTION.has(e.name)) {
        await expect(mx.exportFunction(file, f, ...xs)).rejects.toThrow(/^\[exportFunction\] the function uses a custom function \(mx.customFunction, or an op made with one: qqmm, gatherQqmm\)/);
        continue;
      }
      await mx.exportFunction(file, f, ...xs);
      const [got] = mx.importFunction(file)(...xs);
      await expectSame(got!, want, `${e.name} ${d.name} ${JSON.stringify(c.params)} (seed ${seed})`);
    }
  });
});

describe("inputs and traces", () => {
  it("keyword inputs are matched by name, in any order; a list (before them or alone) holds the positional inputs", async () => {
    const file = fresh();
    const f = (x: mx.MxArray, kw: { y: mx.MxArray; z: mx.MxArray }) => [mx.subtract(x, kw.y), mx.multiply(kw.z, 2)];
    await mx.exportFunction(file, f, mx.zeros([2]), { z: mx.zeros([2]), y: mx.zeros([2]) });
    const g = mx.importFunction(file);
    const [a, b] = g(mx.array([5, 6], mx.float32), { y: mx.array([1, 2], mx.float32), z: mx.array([3, 4], mx.float32) });
    expect(await a!.tolist()).toEqual([4, 4]);
    expect(await b!.tolist()).toEqual([6, 8]);
    const [c] = g([mx.array([5, 6], mx.float32)], { z: mx.ones([2]), y: mx.ones([2]) });
    expect(await c!.tolist()).toEqual([4, 5]);
    const file2 = fresh();
    await mx.exportFunction(file2, (a: mx.MxArray, b: mx.MxArray) => mx.subtract(a, b), [mx.zeros([1]), mx.zeros([1])]);
    expect(await mx.importFunction(file2)([mx.array([3], mx.float32), mx.array([1], mx.float32)])[0]!.tolist()).toEqual([2]);
    expect(() => g(mx.ones([2]), { y: mx.ones([2]) })).toThrow(/^\[importFunction\] the function of '.*' has no trace for inputs \(float32\[2\], y: float32\[2\]\); it was exported for:\n {2}\(float32\[2\], y: float32\[2\], z: float32\[2\]\)/);
    expect(() => g(mx.ones([2]), mx.ones([2]), mx.ones([2]))).toThrow(/has no trace for inputs/);
    expect(() => g(mx.ones([2]), { y: mx.ones([2]), w: mx.ones([2]) })).toThrow(/has no trace for inputs/);
    expect(() => g(mx.ones([2], mx.int32), { y: mx.ones([2]), z: mx.ones([2]) })).toThrow(/int32\[2\]/);
    expect(() => g(1 as never)).toThrow(/^\[importFunction\] input 0 must be an mx array/);
  });

  it("a function of no inputs, and outputs that are inputs or constants", async () => {
    const file = fresh();
    const w = mx.array([1.5, 2.5], mx.float32);
    await mx.exportFunction(file, (x: mx.MxArray) => [x, w, mx.add(x, w)], mx.zeros([2]));
    const [x, c, s] = mx.importFunction(file)(mx.array([1, 1], mx.float32));
    expect([await x!.tolist(), await c!.tolist(), await s!.tolist()]).toEqual([[1, 1], [1.5, 2.5], [2.5, 3.5]]);
    const file2 = fresh();
    await mx.exportFunction(file2, () => mx.arange(3));
    expect(await mx.importFunction(file2)()[0]!.tolist()).toEqual([0, 1, 2]);
  });

  it("an exporter writes one trace per signature and each captured array once", async () => {
    const file = fresh();
    const big = mx.random.normal([256, 64], mx.float32, cpu);
    await big.data();
    const ex = mx.exporter(file, (x: mx.MxArray) => mx.matmul(x, big));
    await ex(mx.zeros([1, 256]));
    const one = statSync(file).size;
    for (const n of [2, 3, 4]) await ex(mx.zeros([n, 256]));
    expect(statSync(file).size - one).toBeLessThan(8192);
    await expect(ex(mx.zeros([2, 256]))).rejects.toThrow(/^\[exporter\] the function was already exported for inputs \(float32\[2, 256\]\)/);
    ex.close();
    await expect(ex(mx.zeros([5, 256]))).rejects.toThrow(/^\[exporter\] the exporter of '.*' is closed/);
    const disposed = mx.exporter(fresh(), (v: mx.MxArray) => v);
    disposed[Symbol.dispose]();
    await expect(disposed(mx.zeros([1]))).rejects.toThrow(/is closed/);
    const g = mx.importFunction(file);
    const x = mx.random.normal([3, 256], mx.float32, cpu);
    await expectSame(g(x)[0]!, mx.matmul(x, big, cpu), "3 rows");
    expect(() => g(mx.zeros([5, 256]))).toThrow(/exported for:\n {2}\(float32\[1, 256\]\)\n {2}\(float32\[2, 256\]\)/);
  });

  it("a trace that fails leaves nothing behind in the exporter's file", async () => {
    const file = fresh();
    const custom = mx.customFunction((v: mx.MxArray) => mx.sin(v));
    const big = mx.array(new Float32Array(4096).fill(1), mx.float32, cpu);
    const small = mx.array([2], mx.float32, cpu);
    const ex = mx.exporter(file, (v: mx.MxArray) => (v.shape[0] === 4096 ? custom(mx.add(v, big)) : mx.multiply(v, small)));
    await ex(mx.zeros([2]));
    const before = statSync(file).size;
    await expect(ex(mx.zeros([4096]))).rejects.toThrow(/custom function/);
    await ex(mx.zeros([3]));
    expect(statSync(file).size - before).toBeLessThan(1024);
    expect(await mx.importFunction(file)(mx.array([1, 2, 3], mx.float32))[0]!.tolist()).toEqual([2, 4, 6]);
  });

  it("a write that fails takes its trace back (it may be exported again), and close waits for the writes", async () => {
    const file = fresh();
    let w = mx.array([2, 3], mx.float32, cpu);
    const ex = mx.exporter(file, (v: mx.MxArray) => mx.multiply(v, w));
    const pending = ex(mx.zeros([2]));
    w.dispose(); // before the write reads it
    await expect(pending).rejects.toThrow(/disposed/);
    w = mx.array([4, 5], mx.float32, cpu);
    await ex(mx.zeros([2]));
    const last = ex(mx.zeros([1, 2]));
    await ex.close();
    await last;
    expect(await mx.importFunction(file)(mx.ones([2]))[0]!.tolist()).toEqual([4, 5]);
  });

  it("a shapeless file serves every shape of the same ranks and dtypes", async () => {
    const file = fresh();
    const ex = mx.exporter(file, (x: mx.MxArray, y: mx.MxArray) => mx.logsumexp(mx.multiply(mx.exp(x), y), { axis: -1 }), { shapeless: true });
    await ex(mx.zeros([2, 3]), mx.zeros([2, 3]));
    await ex(mx.zeros([4]), mx.zeros([4]));
    await expect(ex(mx.zeros([7]), mx.zeros([7]))).rejects.toThrow(/already exported for inputs \(float32\[\*\], float32\[\*\]\)/);
    ex.close();
    const g = mx.importFunction(file);
    for (const shape of [[5, 7], [1, 1], [9]]) {
      const x = mx.random.normal(shape, mx.float32, cpu);
      const y = mx.random.normal(shape, mx.float32, cpu);
      await expectSame(g(x, y)[0]!, mx.logsumexp(mx.multiply(mx.exp(x), y), { axis: -1 }), `shape ${shape}`);
    }
    expect(() => g(mx.zeros([2, 2, 2]), mx.zeros([2, 2, 2]))).toThrow(/exported for:\n {2}\(float32\[\*, \*\], float32\[\*, \*\]\)/);
    await expect(mx.exportFunction(fresh(), (x: mx.MxArray) => mx.reshape(x, [4]), mx.zeros([2, 2]), { shapeless: true })).rejects.toThrow(/^\[exportFunction\] shapeless: the function uses 'reshape/);
    // flatten and unflatten follow the input's shape
    const merged = fresh();
    const heads = (x: mx.MxArray) => mx.flatten(mx.transpose(mx.unflatten(x, -1, [2, -1]), [0, 2, 1, 3]), 2, 3);
    await mx.exportFunction(merged, heads, mx.zeros([1, 3, 8]), { shapeless: true });
    for (const shape of [[2, 5, 4], [1, 1, 12]]) {
      const x = mx.random.normal(shape, mx.float32, cpu);
      await expectSame(mx.importFunction(merged)(x)[0]!, heads(x), `heads of ${shape}`);
    }
  });

  it("a shapeless file broadcasts matmul's batch axes by the call's shapes (nn.Linear on a batch of sequences), and its rules hold", async () => {
    const file = fresh();
    // x [B, L, 3] @ w [3, 2] broadcasts w over B; the file must replay that for other B and L
    const f = (x: mx.MxArray, w: mx.MxArray) => mx.tanh(mx.matmul(x, w));
    await mx.exportFunction(file, f, mx.zeros([2, 3, 3]), mx.zeros([3, 2]), { shapeless: true });
    const g = (x: mx.MxArray, w: mx.MxArray) => mx.importFunction(file)(x, w)[0]!;
    const w = mx.random.normal([3, 2], mx.float32, cpu);
    for (const shape of [[2, 3, 3], [4, 1, 3], [1, 5, 3]]) {
      const x = mx.random.normal(shape, mx.float32, cpu);
      await expectSame(g(x, w), f(x, w), `${shape}`);
      expect(g(x, w).inputs[0]!.inputs[1]!.primitive!.name, "w's broadcast is a rule of both operands").toBe("broadcastAxes");
      const loss = (h: typeof f) => (v: mx.MxArray, u: mx.MxArray) => mx.sum(mx.square(h(v, u)));
      const [gx, gw] = mx.grad(loss(g), { argnums: [0, 1] })(x, w) as mx.MxArray[];
      const [fx, fw] = mx.grad(loss(f), { argnums: [0, 1] })(x, w) as mx.MxArray[];
      await expectSame(gx!, fx!, `grad x ${shape}`);
      await expectSame(gw!, fw!, `grad w ${shape}`);
      const t = mx.ones(w.shape, mx.float32, cpu);
      await expectSame(mx.jvp(g, [x, w], [mx.zerosLike(x), t])[1][0]!, mx.jvp(f, [x, w], [mx.zerosLike(x), t])[1][0]!, `jvp ${shape}`);
      // batched over w only (the broadcast input), and over x only
      const ws = mx.random.normal([2, 3, 2], mx.float32, cpu);
      await expectSame(mx.vmap((u: mx.MxArray) => g(x, u))(ws), mx.vmap((u: mx.MxArray) => f(x, u))(ws), `vmap w ${shape}`);
      const xs = mx.random.normal([2, ...shape], mx.float32, cpu);
      await expectSame(mx.vmap((v: mx.MxArray) => g(v, w), { inAxes: 1 })(mx.moveaxis(xs, 0, 1)), mx.vmap((v: mx.MxArray) => f(v, w), { inAxes: 1 })(mx.moveaxis(xs, 0, 1)), `vmap x ${shape}`);
    }
  });

  it("a shapeless file written before broadcastAxes nodes named their op still imports, its errors naming broadcastAxes", async () => {
    const file = fresh();
    await mx.exportFunction(file, (x: mx.MxArray, w: mx.MxArray) => mx.matmul(x, w), mx.zeros([2, 3, 4]), mx.zeros([2, 4, 5]), { shapeless: true });
    const f = functionFile(file);
    const header = f.header();
    const fields = header.traces[0]!.nodes.map((n) => n.primitive).filter((p) => p.class === "layout.BroadcastAxes").map((p) => p.fields);
    expect(fields.map((x) => x.op)).toEqual(["matmul", "matmul"]);
    for (const x of fields) delete x.op;
    const old = mx.importFunction(f.write(header, fresh()));
    expect(old(mx.ones([5, 3, 4]), mx.ones([1, 4, 5]))[0]!.shape).toEqual([5, 3, 5]);
    expect(() => old(mx.ones([2, 3, 4]), mx.ones([3, 4, 5]))).toThrow(/\[broadcastAxes\] .*cannot be broadcast together/);
    expect(() => mx.importFunction(file)(mx.ones([2, 3, 4]), mx.ones([3, 4, 5]))).toThrow(/\[matmul\] .*cannot be broadcast together/);
  });

  it("a shapeless file takes nn.Embedding's ids of other batches and lengths (the Take node)", async () => {
    const file = fresh();
    const table = mx.random.normal([7, 3], mx.float32, cpu);
    const f = (ids: mx.MxArray, t: mx.MxArray) => mx.sum(mx.take(t, ids, 0), -1);
    await mx.exportFunction(file, f, mx.zeros([2, 4], mx.int32), table, { shapeless: true });
    const g = (ids: mx.MxArray, t: mx.MxArray) => mx.importFunction(file)(ids, t)[0]!;
    for (const shape of [[2, 4], [1, 9], [5, 1]]) {
      const ids = mx.random.randint(-7, 7, shape, { key: mx.random.key(shape[1]!), dtype: mx.int32, ...cpu });
      await expectSame(g(ids, table), f(ids, table), `${shape}`);
      const loss = (h: typeof f) => (t: mx.MxArray) => mx.sum(mx.square(h(ids, t)));
      await expectSame(mx.grad(loss(g))(table), mx.grad(loss(f))(table), `grad ${shape}`);
    }
    expect(g(mx.zeros([1, 2], mx.int32), table).inputs[0]!.primitive!.name).toBe("take");
    // complex64: the node's rules hold as written (a scatter-add, a take)
    const z = mx.array([1, 2, 3, 4], mx.complex64, cpu);
    const zfile = fresh();
    await mx.exportFunction(zfile, (i: mx.MxArray, t: mx.MxArray) => mx.take(t, i, 0), mx.zeros([2], mx.int32), z, { shapeless: true });
    const zg = (t: mx.MxArray) => mx.sum(mx.real(mx.importFunction(zfile)(mx.array([3, 1, 3], mx.int32, cpu), t)[0]!));
    await expect(mx.grad(zg)(z).tolist()).resolves.toEqual([0, 1, 0, 2].map((re) => ({ re, im: 0 })));
  });

  it("a shapeless file's mean and var divide by each call's count, and its expandDims, squeeze and concatenate follow the call's shapes", async () => {
    const file = fresh();
    const f = (x: mx.MxArray) => {
      const centered = mx.subtract(x, mx.mean(x, -1, { keepdims: true }));
      const scaled = mx.divide(centered, mx.sqrt(mx.add(mx.var(x, -1, { keepdims: true, ddof: 1 }), 1e-5)));
      return mx.squeeze(mx.concatenate([mx.expandDims(scaled, 0), mx.expandDims(x, 0)], -1), 0);
    };
    await mx.exportFunction(file, f, mx.zeros([2, 3]), { shapeless: true });
    const g = (x: mx.MxArray) => mx.importFunction(file)(x)[0]!;
    for (const shape of [[2, 3], [4, 9], [1, 2]]) {
      const x = mx.random.normal(shape, mx.float32, cpu);
      await expectSame(g(x), f(x), `${shape}`);
      // the count has no gradient of its own: grad flows through the sums alone (the file's graph, its common
      // subexpressions merged, sums the cotangents of x's uses in another order: equal within rounding)
      const loss = (h: typeof f) => (y: mx.MxArray) => mx.sum(mx.square(h(y)));
      await expect(mx.allclose(mx.grad(loss(g))(x), mx.grad(loss(f))(x), { rtol: 1e-4, atol: 1e-5 }).item(), `grad ${shape}`).resolves.toBe(true);
    }
  });

  it("metadata comes back with returnMetadata, and a callback gets the graph instead of a file", async () => {
    const file = fresh();
    await mx.exportFunction(file, (x: mx.MxArray) => mx.sin(x), mx.zeros([1]), { metadata: "model v2" });
    const [, metadata] = mx.importFunction(file, { returnMetadata: true });
    expect(metadata).toBe("model v2");
    await expect(mx.exportFunction(file, (x: mx.MxArray) => x, mx.zeros([1]), { metadata: 3 as never })).rejects.toThrow(/^\[exportFunction\] metadata must be a string/);
    const events: mx.ExportEvent[] = [];
    const w = mx.array([2], mx.float32);
    await mx.exportFunction((ev) => events.push(ev), (x: mx.MxArray, kw: { y: mx.MxArray }) => mx.log(mx.multiply(mx.add(x, kw.y), w)), mx.zeros([1]), { y: mx.zeros([1]) });
    expect(events.map((ev) => ev.type)).toEqual(["inputs", "keyword_inputs", "outputs", "constants", "primitive", "primitive", "primitive"]);
    expect(events[0]).toEqual({ type: "inputs", inputs: [["A", [1], mx.float32], ["B", [1], mx.float32]] });
    expect(events[1]).toEqual({ type: "keyword_inputs", keywords: [["y", "B"]] });
    expect(events[3]).toMatchObject({ type: "constants", constants: [["C", w]] });
    expect(events.slice(4).map((ev) => (ev.type === "primitive" ? [ev.name, ev.inputs, ev.outputs] : []))).toEqual([["add", ["A", "B"], ["D"]], ["multiply", ["D", "C"], ["E"]], ["log", ["E"], ["F"]]]);
    expect(events[2]).toEqual({ type: "outputs", outputs: [["F", [1], mx.float32]] });
    await expect(mx.exportFunction(() => {}, (x: mx.MxArray) => x, mx.zeros([1]), { metadata: "m" })).rejects.toThrow(/metadata is stored in a file/);
  });

  it("what cannot be exported is an error naming the function", async () => {
    const custom = mx.customFunction((x: mx.MxArray) => mx.sin(x));
    await expect(mx.exportFunction(fresh(), (x: mx.MxArray) => custom(x), mx.zeros([1]))).rejects.toThrow(/^\[exportFunction\] the function uses a custom function \(mx.customFunction/);

    const x = mx.ones([2]);
    await expect(mx.exportFunction(fresh(), () => mx.exp(x), x)).rejects.toThrow(/^\[exportFunction\] the function reads an array it was given through a closure/);
    await expect(mx.exportFunction(fresh(), (y: mx.MxArray) => 3 as never, mx.zeros([1]))).rejects.toThrow(/^\[exportFunction\] the function must return an array or a list of arrays, got 3/);
    await expect(mx.exportFunction(fresh(), (y: mx.MxArray) => y, 3)).rejects.toThrow(/^\[exportFunction\] input 0 must be an mx array/);
    let read: Promise<unknown> = Promise.resolve();
    await mx.exportFunction(fresh(), (y: mx.MxArray) => {
      const z = mx.exp(y);
      read = z.tolist();
      return z;
    }, mx.zeros([1]));
    await expect(read).rejects.toThrow(/^\[exportFunction\] cannot evaluate an array computed from the inputs of a function while it is traced/);
    expect(() => mx.importFunction(dir)).toThrow(/^\[importFunction\] '.*' is a directory, not a file/);
    await expect(mx.exportFunction("", (y: mx.MxArray) => y, mx.zeros([1]))).rejects.toThrow(/^\[exportFunction\] file must be a path/);
    expect(() => mx.exporter(fresh(), (y: mx.MxArray) => y, { shapeless: 1 as never })).toThrow(/^\[exporter\] shapeless must be a boolean/);
  });
});

describe("imported functions under transforms", () => {
  it("grad, vmap and compile apply to them, and compiled functions export", async () => {
    const file = fresh();
    const w = mx.array([[1, -2], [0.5, 3]], mx.float32);
    const f = (x: mx.MxArray) => mx.tanh(mx.matmul(x, w));
    await mx.exportFunction(file, f, mx.zeros([2]));
    const g = mx.importFunction(file);
    const x = mx.array([0.3, -0.7], mx.float32);
    const loss = (h: (x: mx.MxArray) => mx.MxArray) => (v: mx.MxArray) => mx.sum(mx.square(h(v)));
    await expectSame(mx.grad(loss((v) => g(v)[0]!))(x), mx.grad(loss(f))(x), "grad");
    const xs = mx.array([[0.3, -0.7], [1, 2], [-1, 0.5]], mx.float32);
    await expectSame(mx.vmap((v: mx.MxArray) => g(v)[0]!)(xs), mx.vmap(f)(xs), "vmap");
    await expectSame(mx.compile((v: mx.MxArray) => g(v)[0]!)(x), f(x), "compile");
    // a checkpointed block exports as its own graph, whose derivatives its rules were
    const block = mx.checkpoint((v: mx.MxArray) => mx.tanh(mx.exp(v)));
    const file3 = fresh();
    await mx.exportFunction(file3, (v: mx.MxArray) => mx.multiply(block(v), v), mx.zeros([2]));
    const h = mx.importFunction(file3);
    const withBlock = (v: mx.MxArray) => mx.sum(mx.multiply(block(v), v));
    await expectSame(mx.grad((v: mx.MxArray) => mx.sum(h(v)[0]!))(x), mx.grad(withBlock)(x), "checkpoint's gradient");
    // a compiled function exports as its primitives, not its fused kernel
    const compiled = mx.compile((v: mx.MxArray) => mx.exp(mx.multiply(v, 2)));
    const file2 = fresh();
    await mx.exportFunction(file2, compiled, mx.zeros([2]));
    expect(mx.compileStats(compiled).bypassed).toBe(1);
    await expectSame(mx.importFunction(file2)(x)[0]!, compiled(x), "a compiled function");
  });
});

describe.each(BACKENDS)("on $name", ({ device }) => {
  it("an imported function runs where the function would run, its constants loaded where they were exported (or on { stream })", async () => {
    const file = fresh();
    const on = { stream: device };
    const w = mx.array([0.25, -1.5, 2], mx.float32, on);
    const f = (x: mx.MxArray) => mx.sum(mx.exp(mx.multiply(mx.add(x, 1), w)));
    await mx.exportFunction(file, f, mx.zeros([3], mx.float32, on));
    const x = mx.array([1, 2, 3], mx.float32, on);
    const y = mx.importFunction(file)(x)[0]!;
    const want = f(x);
    expect(y.stream.device.equals(want.stream.device), `${y.stream} against ${want.stream}`).toBe(true);
    await expectSame(y, want, "sum of exp");
    const xc = mx.array([1, 2, 3], mx.float32, cpu);
    const yc = mx.importFunction(file, cpu)(xc)[0]!;
    expect(yc.stream.device.equals(mx.cpu)).toBe(true);
    const wc = mx.array([0.25, -1.5, 2], mx.float32, cpu);
    await expectSame(yc, mx.sum(mx.exp(mx.multiply(mx.add(xc, 1), wc))), "on the cpu");
  });
});

describe("files that are not valid", () => {
  const exported = async () => {
    const file = fresh();
    await mx.exportFunction(file, (x: mx.MxArray) => mx.slice(mx.add(x, mx.array([1, 2, 3], mx.float32)), [1], [3]), mx.zeros([3]));
    return file;
  };

  it("MLX's own .mlxfn files are named as such", () => {
    const file = fresh();
    const version = new TextEncoder().encode("0.29.1");
    const head = new Uint8Array(8 + version.length + 16);
    head[0] = version.length;
    head.set(version, 8);
    writeFileSync(file, head);
    expect(() => mx.importFunction(file)).toThrow(/^\[importFunction\] .*: this is a function file of MLX 0\.29\.1 \(written by MLX's export_function\); mlx-ts reads the files mx.exportFunction writes/);
  });

  it("a node naming another op than its class's, a field standing in for a method, or an absent backend is refused", async () => {
    const file = fresh();
    await mx.exportFunction(file, (x: mx.MxArray) => mx.sum(mx.exp(x)), mx.zeros([3]));
    const f = functionFile(file);
    const rewrite = (change: (nodes: FileNode[]) => void) => {
      const h = f.header();
      change(h.traces[0]!.nodes);
      return f.write(h, fresh());
    };
    expect(() => mx.importFunction(rewrite((n) => (n[0]!.primitive.fields.name = "log")))).not.toThrow(); // another unary op: the file is a program
    expect(() => mx.importFunction(rewrite((n) => (n[0]!.primitive.fields.name = "slice")))).toThrow(/^\[importFunction\] .*primitive 'elementwise.Unary' is named the string 'slice', which is not one of its ops/);
    expect(() => mx.importFunction(rewrite((n) => (n[1]!.primitive.fields.vjp = 1)))).toThrow(/has a field 'vjp', which is a method or property of its class/);
    // a class of one op named as another (its kernel would run the other's on its fields: a take as a gatherAxis)
    const takeFile = fresh();
    await mx.exportFunction(takeFile, (t: mx.MxArray, i: mx.MxArray) => mx.take(t, i, 0), mx.zeros([4, 3]), mx.zeros([2], mx.int32), { shapeless: true });
    const tf = functionFile(takeFile);
    const renamed = tf.header();
    renamed.traces[0]!.nodes[0]!.primitive.fields.name = "gatherAxis";
    expect(() => mx.importFunction(tf.write(renamed, fresh()))).toThrow(/^\[importFunction\] .*primitive 'indexing.Take' is named the string 'gatherAxis', which is not its class's name 'take'/);
    // every class is of several ops, of one name, or named by a getter of its fields: sort's two only (a new getter
    // must be checked to choose among its class's own ops, as theirs do by kth)
    const unnamed = [...CLASSES].filter(([, c]) => !OP_NAMES.has(c) && !FIXED_NAMES.has(c) && !("name" in (c.prototype as object))).map(([k]) => k);
    expect(unnamed).toEqual([]);
    expect([...CLASSES].filter(([, c]) => "name" in (c.prototype as object)).map(([k]) => k).sort()).toEqual(["sort.SortIndices", "sort.SortValues"]);
    expect(FIXED_NAMES.get(CLASSES.get("conv.Convolution")!)).toBe("conv");
    expect([...CLASSES].filter(([, c]) => PROBES.get(c) === undefined).map(([k]) => k)).toEqual([]);
    // the complex gradient rule a class declares: a file may neither add one (to an exp node) nor change an FFT's
    expect(() => mx.importFunction(rewrite((n) => (n[0]!.primitive.fields.complexRule = "holomorphic")))).toThrow(/^\[importFunction\] .*primitive 'elementwise.Unary' declares the complex gradient rule the string 'holomorphic', where its class declares undefined/);
    const fftFile = fresh();
    await mx.exportFunction(fftFile, (z: mx.MxArray) => mx.fft.fft(z), mx.zeros([4], mx.complex64));
    const ff2 = functionFile(fftFile);
    expect(mx.importFunction(fftFile)(mx.ones([4], mx.complex64))[0]!.shape).toEqual([4]);
    const changed = ff2.header();
    changed.traces[0]!.nodes.find((x) => x.primitive.class === "fft.FFT")!.primitive.fields.complexRule = "holomorphic";
    expect(() => mx.importFunction(ff2.write(changed, fresh()))).toThrow(/declares the complex gradient rule the string 'holomorphic', where its class declares the string 'as written'/);
    expect(() => mx.importFunction(rewrite((n) => (n[1]!.device = "nope")))).toThrow(/^\[importFunction\] .*node 1 \('sum'\) runs on backend 'nope'/);
  });

  it.each(BACKENDS.filter((b) => b.device.backend !== "webgpu"))("tampered primitive parameters give an Error or a result on $name, never a crash", async ({ device }) => {
    const on = { stream: device };
    const file = fresh();
    const f = (x: mx.MxArray, idx: mx.MxArray) => {
      const a = mx.slice(x, [1, 0], [5, 6], [2, 1], on);
      const c = mx.matmul(mx.take(x, idx, 0, on), mx.transpose(x, on), on);
      const g = mx.cumsum(mx.concatenate([x, x], { axis: 1, ...on }), { axis: 1, ...on });
      return [mx.sort(mx.reshape(c, [-1], on), on), mx.pad(a, [[1, 1], [0, 2]], on), g, mx.sum(mx.broadcastTo(a, [3, 2, 6], on), { axis: 0, ...on })];
    };
    await mx.exportFunction(file, f, mx.zeros([6, 6], mx.float32, on), mx.zeros([3], mx.int32, on));
    const ff = functionFile(file);
    const header = ff.header();
    const values = [0, -1, 1, 2, 7, 100, 2 ** 31, -(2 ** 31), 2 ** 53, 1.5, NaN, "", "x", "float32", true, null, [], [1, -1]];
    const changed = (v: unknown, pick: (n: number) => number): unknown => {
      if (Array.isArray(v) && v.length && pick(2) === 0) return v.map((x, i) => (i === pick(v.length) ? changed(x, pick) : x));
      if (v !== null && typeof v === "object" && !Array.isArray(v) && pick(2) === 0) {
        const keys = Object.keys(v);
        const k = keys[pick(keys.length)]!;
        return { ...v, [k]: changed((v as Record<string, unknown>)[k], pick) };
      }
      return values[pick(values.length)];
    };
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 8, maxLength: 8 }), async (draws) => {
        let d = 0;
        const pick = (n: number) => draws[d++ % draws.length]! % n;
        const h = structuredClone(header);
        const nodes = h.traces[0]!.nodes;
        const fields = nodes[pick(nodes.length)]!.primitive.fields;
        const keys = Object.keys(fields);
        const k = keys[pick(keys.length)]!;
        fields[k] = changed(fields[k], pick);
        const tampered = ff.write(h, fresh());
        try {
          const outs = mx.importFunction(tampered, on)(mx.ones([6, 6], mx.float32, on), mx.array([0, 5, 2], mx.int32, on));
          for (const o of outs) await o.data();
        } catch (e) {
          expect(e, `field ${k} = ${JSON.stringify(fields[k])}`).toBeInstanceOf(Error);
          expect((e as Error).message, `field ${k} = ${JSON.stringify(fields[k])}`).toMatch(/^\[/);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("truncated, corrupt and tampered files are errors naming the file, never a crash", async () => {
    const file = await exported();
    const bytes = readFileSync(file);
    for (const n of [0, 10, 20, 30, bytes.length - 1]) {
      const cut = fresh();
      writeFileSync(cut, bytes.subarray(0, n));
      expect(() => mx.importFunction(cut), `cut at ${n}`).toThrow(/^\[importFunction\] .*(not a valid mlx-ts function file|past the end)/);
    }
    const text = bytes.toString("latin1");
    const tamper = (from: string, to: string) => {
      expect(text.includes(from), from).toBe(true);
      const t = fresh();
      // same length, so the header's length still holds
      writeFileSync(t, Buffer.from(text.replace(from, to.padEnd(from.length, " ")), "latin1"));
      return t;
    };
    expect(() => mx.importFunction(tamper('"shape":[2]}],"multi"', '"shape":[1]}],"multi"'))).toThrow(/node 1 \('slice'\) records outputs its primitive does not make/);
    expect(() => mx.importFunction(tamper('"class":"layout.Slice"', '"class":"layout.Nope"'))).toThrow(/an unknown primitive class 'layout.Nope'/);
    expect(() => mx.importFunction(tamper('"version":1', '"version":7'))).toThrow(/version 7 of the format/);
    expect(() => mx.importFunction(tamper('"inputs":[0,', '"inputs":[9,'))).toThrow(/node 0 does not read earlier values/);
    expect(() => mx.importFunction(tamper('"dtype":"float32"', '"dtype":"float99"'))).toThrow(/unknown dtype 'float99'/);
    expect(() => mx.importFunction(tamper('"length":12', '"length":16'))).toThrow(/constant 0( holds 16 bytes|'s bytes lie outside)/);
  });
});

const KERNEL_LANGUAGES = [
  { name: "metal", device: mx.metal, define: mx.fast.metalKernel, body: "\n  uint i = thread_position_in_grid.x;\n  out[i] = metal::exp(inp[i]) * 2.0f;\n" },
  { name: "webgpu", device: mx.webgpu, define: mx.fast.wgslKernel, body: "\n  let i = thread_position_in_grid.x;\n  out[i] = exp(inp[i]) * 2.0;\n" },
].filter((l) => mx.isAvailable(l.device));

describe.each(KERNEL_LANGUAGES)("a $name user kernel", ({ device, define, body }) => {
  it("is exported with its source and launch, and runs imported (without its reference, so without a vjp, as MLX's)", async () => {
    const k = define({ name: "twiceExp", inputNames: ["inp"], outputNames: ["out"], source: body, reference: (x) => mx.multiply(mx.exp(x), 2) });
    const f = (x: mx.MxArray) => k({ inputs: [mx.add(x, 1)], grid: [4, 1, 1], threadgroup: [4, 1, 1], outputShapes: [[4]], outputDtypes: [mx.float32] })[0]!;
    const on = { stream: device };
    const file = fresh();
    await mx.exportFunction(file, f, mx.zeros([4], mx.float32, on));
    const g = mx.importFunction(file);
    const x = mx.array([0, 0.5, -1, 2], mx.float32, on);
    await expectSame(g(x)[0]!, f(x), "kernel");
    expect(() => mx.grad((v: mx.MxArray) => mx.sum(g(v)[0]!))(x)).toThrow(/has no reference, so it has no vjp/);
  });
});

describe("models", () => {
  it("the transformer LM of examples/ (and its 4-bit quantized copy) imports and gives the same logits", async () => {
    const { TinyLM } = await import("../examples/lm-model.js");
    const model = new TinyLM({ vocabSize: 17, dims: 32, heads: 4, layers: 2, context: 8 });
    await mx.eval(model.parameters());
    const tokens = mx.array([[1, 5, 9, 2, 0, 16, 3, 3], [4, 4, 4, 8, 1, 2, 7, 11]], mx.int32);
    const file = fresh();
    await mx.exportFunction(file, (t: mx.MxArray) => model.forward(t), tokens);
    await expectSame(mx.importFunction(file)(tokens)[0]!, model.forward(tokens), "logits");
    mx.nn.quantize(model, { groupSize: 32, bits: 4 });
    await mx.eval(model.parameters());
    const quantized = fresh();
    await mx.exportFunction(quantized, (t: mx.MxArray) => model.forward(t), tokens);
    await expectSame(mx.importFunction(quantized)(tokens)[0]!, model.forward(tokens), "quantized logits");
    expect(statSync(quantized).size).toBeLessThan(statSync(file).size);
  });
});
