// The parts of examples/lm.ts that can fail, on tiny inputs (CI runs the
// example itself): the fortune corpus reader and character vocabulary, the
// batch windows, the model's shapes and causality, the checkpoint round trip,
// seeded sampling, and a few training steps lowering the loss.

import { lstatSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { CharVocab, readCorpus, splitFortunes } from "../examples/lm-corpus.js";
import { TinyLM, type LMConfig } from "../examples/lm-model.js";
import { sample } from "../examples/lm-sample.js";
import { meanLoss, randomWindows, trainer } from "../examples/lm-train.js";
import { BACKENDS, values } from "./helpers/backends.js";

describe("the fortune corpus", () => {
  it("maps each character to its index in the sorted vocabulary and back", () => {
    const vocab = new CharVocab("hello, world\n");
    expect(vocab.chars).toEqual(["\n", " ", ",", "d", "e", "h", "l", "o", "r", "w"]);
    expect([...vocab.encode("hold")]).toEqual([5, 7, 6, 3]);
    expect(vocab.decode(vocab.encode("world, hello\n"))).toBe("world, hello\n");
    expect(() => vocab.encode("hex")).toThrow(/"x" is not in the vocabulary/);
    expect(() => vocab.decode([10])).toThrow(/token id 10 is outside/);
  });

  it("keeps a character outside the basic plane as one token", () => {
    const vocab = new CharVocab("a€😀");
    expect(vocab.size).toBe(3);
    expect(vocab.decode(vocab.encode("😀a€"))).toBe("😀a€");
  });

  it("splits a cookie file at its % lines", () => {
    expect(splitFortunes("one\n%\ntwo\nlines\n%\n%\nthree 100%\n")).toEqual(["one\n", "two\nlines\n", "three 100%\n"]);
  });

  it("reads the cookie files of a directory (not .dat or .u8), every n-th fortune for validation", () => {
    const dir = mkdtempSync(join(tmpdir(), "lm-corpus-"));
    writeFileSync(join(dir, "b"), "b1\n%\nb2\n%\nb3\n");
    writeFileSync(join(dir, "a"), "a1\n%\na2\n");
    writeFileSync(join(dir, "a.dat"), "\u0000binary index");
    symlinkSync("a", join(dir, "a.u8"));
    mkdirSync(join(dir, "sub"));
    expect(lstatSync(join(dir, "a.u8")).isSymbolicLink()).toBe(true);
    const c = readCorpus(dir, 2);
    expect(c.files).toEqual(["a", "b"]);
    expect(c.train).toBe("a1\n%\nb1\n%\nb3\n%\n");
    expect(c.validation).toBe("a2\n%\nb2\n%\n");
    expect(c.vocab.chars).toEqual(["\n", "%", "1", "2", "3", "a", "b"]);
    expect(() => readCorpus(join(dir, "missing"))).toThrow(/install Debian's fortunes/);
  });
});

const CONFIG: LMConfig = { vocabSize: 11, dims: 16, heads: 2, layers: 2, context: 8 };
const tokens = (rows: number[][]) => mx.array(rows, mx.int32);

describe.each(BACKENDS)("the language model on $name", ({ device }) => {
  let saved: mx.Device;
  beforeAll(() => {
    saved = mx.defaultDevice();
    mx.setDefaultDevice(device);
  });
  afterAll(() => mx.setDefaultDevice(saved));

  it("cuts windows whose targets are the inputs shifted by one", async () => {
    const stream = mx.array(Int32Array.from({ length: 20 }, (_, i) => i), mx.int32);
    const b = randomWindows(stream, 5, 4, mx.random.key(7));
    expect(b.inputs.shape).toEqual([5, 4]);
    const inputs = await b.inputs.tolist() as number[][], targets = await b.targets.tolist() as number[][];
    for (const [i, row] of inputs.entries()) {
      expect(row[0]).toBeGreaterThanOrEqual(0);
      expect(targets[i]![3]).toBeLessThan(20);
      expect(row.map((t) => t + 1)).toEqual(targets[i]);
    }
    expect(() => randomWindows(stream, 1, 20, mx.random.key(0))).toThrow(/cannot hold a window of 21/);
  });

  it("gives logits [batch, length, vocab], each position seeing only itself and earlier characters", async () => {
    mx.random.seed(0);
    const model = new TinyLM(CONFIG);
    const a = [[1, 2, 3, 4, 5, 6, 7, 8], [8, 7, 6, 5, 4, 3, 2, 1]];
    const b = a.map((r) => r.map((t, i) => (i >= 5 ? (t + 3) % 11 : t))); // positions 5.. changed
    const la = model.forward(tokens(a)), lb = model.forward(tokens(b));
    expect(la.shape).toEqual([2, 8, 11]);
    const va = await la.tolist() as number[][][], vb = await lb.tolist() as number[][][];
    for (let r = 0; r < 2; r++) {
      for (let i = 0; i < 8; i++) {
        const diff = Math.max(...va[r]![i]!.map((v, j) => Math.abs(v - vb[r]![i]![j]!)));
        if (i < 5) expect(diff, `row ${r}, position ${i}`).toBeLessThan(1e-5);
        else expect(diff, `row ${r}, position ${i}`).toBeGreaterThan(1e-3);
      }
    }
    // without positions one block of attention sees the prefix as a set: RoPE makes the order of earlier characters matter
    const oneBlock = new TinyLM({ ...CONFIG, layers: 1 });
    const last = async (row: number[]) => (await oneBlock.forward(tokens([row])).tolist() as number[][][])[0]![2]!;
    const [ab, ba] = [await last([1, 2, 3]), await last([2, 1, 3])];
    expect(Math.max(...ab.map((v, j) => Math.abs(v - ba[j]!)))).toBeGreaterThan(1e-4);
  });

  it("saves a safetensors checkpoint that a fresh model loads to the same logits", async () => {
    mx.random.seed(1);
    const model = new TinyLM(CONFIG);
    const file = join(mkdtempSync(join(tmpdir(), "lm-ckpt-")), "lm.safetensors");
    await model.saveWeights(file);
    mx.random.seed(2);
    const fresh = new TinyLM(CONFIG);
    const x = tokens([[0, 3, 9, 10, 2]]);
    expect(await values(fresh.forward(x))).not.toEqual(await values(model.forward(x)));
    fresh.loadWeights(file);
    expect(await values(fresh.forward(x))).toEqual(await values(model.forward(x)));
    const keys = (m: TinyLM) => mx.utils.treeFlatten(m.parameters()).map(([k]) => k).sort();
    expect(keys(fresh)).toContain("blocks.1.attention.query_proj.weight");
    expect(keys(fresh)).toEqual(keys(model));
    expect(() => new TinyLM({ ...CONFIG, dims: 8 }).loadWeights(file)).toThrow();
  });

  it("samples the same text from the same key, inside the vocabulary", async () => {
    mx.random.seed(3);
    const model = new TinyLM(CONFIG);
    const o = { temperature: 0.8, context: CONFIG.context, key: mx.random.key(5) };
    const first = await sample(model, [1, 2], 8, o);
    expect(first).toHaveLength(8);
    expect(first.every((t) => Number.isInteger(t) && t >= 0 && t < CONFIG.vocabSize)).toBe(true);
    expect(await sample(model, [1, 2], 8, o)).toEqual(first);
    expect(await sample(model, [1, 2], 8, { ...o, key: mx.random.key(6) })).not.toEqual(first);
    await expect(sample(model, [1], 1, { ...o, temperature: 0 })).rejects.toThrow(/temperature must be > 0/);
  });

  it("compiles its forward pass shapeless: one trace over batches and lengths, the same logits", async () => {
    mx.random.seed(5);
    const model = new TinyLM(CONFIG);
    // the weights computed first: a trace captures them as constants, not as the graph that makes them
    await mx.eval(model.parameters());
    const forward = mx.compile((t: mx.MxArray) => model.forward(t), { shapeless: true });
    for (const ids of [[[0, 3, 9]], [[1, 2, 3, 4, 5, 6, 7], [7, 6, 5, 4, 3, 2, 1]], [[4]]]) {
      const x = tokens(ids);
      expect(await values(forward(x)), `${ids.length} x ${ids[0]!.length}`).toEqual(await values(model.forward(x)));
    }
    expect(mx.compileStats(forward).misses).toBe(1);
  });

  it("lowers the loss of a tiny batch in a few clipped AdamW steps", async () => {
    mx.random.seed(4);
    const model = new TinyLM(CONFIG);
    const batch = randomWindows(mx.array(Int32Array.from({ length: 64 }, (_, i) => (i * 7) % 11), mx.int32), 4, CONFIG.context, mx.random.key(8));
    const before = await meanLoss(model, batch).toNumber();
    const t = trainer(model, { steps: 5, learningRate: 3e-2, warmupSteps: 1, maxGradNorm: 1 });
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) losses.push(await t.step(batch));
    const after = await meanLoss(model, batch).toNumber();
    expect(losses[0]).toBeCloseTo(before, 4);
    expect(after).toBeLessThan(before - 0.5);
    expect(await t.optimizer.step.item()).toBe(5n);
  });
});
