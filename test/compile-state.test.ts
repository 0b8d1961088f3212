// compile's captured state (options inputs and outputs, MLX's): a compiled
// training step that updates a model and an optimizer in place trains as the
// uncompiled one, draws without a key advance mx.random.state, and a failed
// trace leaves the state as it was.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, withDefaultDevice } from "./helpers/backends.js";

const { nn, optimizers: optim } = mx;

function mlp(): mx.nn.Sequential {
  mx.random.seed(1);
  return new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Dropout(0.25), new nn.Linear(8, 1));
}

const mse = (m: mx.nn.Module, x: mx.MxArray, y: mx.MxArray) => mx.mean(mx.square(mx.subtract((m as mx.nn.Sequential).forward(x), y)));

/** Three steps of Adam on `model` (dropout on, so draws without a key), compiled or not; the losses and the final weights. */
async function train(compiled: boolean): Promise<{ losses: number[]; weights: number[][] }> {
  const model = mlp();
  const opt = new optim.Adam({ learningRate: 0.01 });
  const lossAndGrad = nn.valueAndGrad(model, mse);
  const state = [model.state, opt.state, mx.random.state];
  const plain = (x: mx.MxArray, y: mx.MxArray) => {
    const [loss, grads] = lossAndGrad(model, x, y);
    opt.update(model, grads);
    return loss;
  };
  const step = compiled ? mx.compile(plain, { inputs: state, outputs: state }) : plain;
  const x = mx.random.normal([16, 4], { key: mx.random.key(2) });
  const y = mx.random.normal([16, 1], { key: mx.random.key(3) });
  mx.random.seed(7);
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) {
    const loss = step(x, y);
    await mx.eval(state, loss);
    losses.push((await loss.item()) as number);
  }
  if (compiled) {
    const stats = mx.compileStats(step);
    // the first call traces with the optimizer's state empty, the second with it filled; then replays
    expect([stats.misses, stats.hits]).toEqual([2, 1]);
  }
  return { losses, weights: (await (model.layers[0] as mx.nn.Linear).weight.tolist()) as number[][] };
}

describe.each(BACKENDS)("compile with captured state on $name", ({ device }) => {
  withDefaultDevice(device);
  it("a training step (model, optimizer, random state as inputs and outputs) gives the uncompiled losses and weights", async () => {
    const plain = await train(false);
    const compiled = await train(true);
    expect(compiled.losses).toEqual(plain.losses);
    expect(compiled.weights).toEqual(plain.weights);
    expect(plain.losses[2]!).toBeLessThan(plain.losses[0]!);
  });
});

describe("compile with captured state", () => {
  it("draws without a key follow the global sequence when mx.random.state is captured, and repeat the trace's when it is not", async () => {
    const captured = mx.compile(() => mx.random.uniform(0, 1, [3]), { inputs: mx.random.state, outputs: mx.random.state });
    const constant = mx.compile(() => mx.random.uniform(0, 1, [3]));
    mx.random.seed(5);
    const eager = [await mx.random.uniform(0, 1, [3]).tolist(), await mx.random.uniform(0, 1, [3]).tolist()];
    mx.random.seed(5);
    expect([await captured().tolist(), await captured().tolist()]).toEqual(eager);
    const first = await constant().tolist();
    expect(await constant().tolist()).toEqual(first);
  });

  it("mx.random.state[0] reads the key, and assigning it replays the sequence from there", async () => {
    mx.random.seed(11);
    const saved = mx.random.state[0]!;
    const a = await mx.random.normal([4]).tolist();
    const b = await mx.random.normal([4]).tolist();
    mx.random.state[0] = saved;
    expect([await mx.random.normal([4]).tolist(), await mx.random.normal([4]).tolist()]).toEqual([a, b]);
    // a key split in the graph survives mx.tidy
    mx.tidy(() => mx.random.normal([2]));
    expect(((await mx.random.normal([2]).tolist()) as number[]).every(Number.isFinite)).toBe(true);
    expect(() => ((mx.random.state as unknown[])[0] = mx.zeros([2]))).toThrow(/^\[random\.state\] state\[0\] must be a key/);
    expect(mx.random.state.length).toBe(1);
  });

  it("captured inputs are read afresh at each call: an update made outside the function is seen", async () => {
    const holder = { w: mx.array([1, 2], mx.float32) };
    const f = mx.compile((x: mx.MxArray) => mx.multiply(x, holder.w), { inputs: holder });
    expect(await f(mx.array([3, 3], mx.float32)).tolist()).toEqual([3, 6]);
    holder.w = mx.array([10, 20], mx.float32);
    expect(await f(mx.array([3, 3], mx.float32)).tolist()).toEqual([30, 60]);
    expect(mx.compileStats(f).hits).toBe(1);
    // without inputs the array is a constant of the trace, as in MLX
    const g = mx.compile((x: mx.MxArray) => mx.multiply(x, holder.w));
    g(mx.array([1, 1], mx.float32));
    holder.w = mx.array([5, 5], mx.float32);
    expect(await g(mx.array([1, 1], mx.float32)).tolist()).toEqual([10, 20]);
  });

  it("a function may return nothing when it has outputs; state it leaves alone keeps its arrays", async () => {
    const s = { count: mx.array(0, mx.int32), fixed: mx.array([7], mx.float32) };
    const fixed = s.fixed;
    const tick = mx.compile(() => {
      s.count = mx.add(s.count, 1);
    }, { inputs: s, outputs: s });
    tick();
    tick();
    tick();
    expect(await s.count.item()).toBe(3);
    expect(await s.fixed.tolist()).toEqual([7]);
    expect(s.fixed).toBe(fixed);
  });

  it("a trace that throws leaves the captured state as it was", () => {
    const s = { w: mx.array([1], mx.float32) };
    const w = s.w;
    const f = mx.compile(() => {
      s.w = mx.add(s.w, 1);
      throw new Error("boom");
    }, { inputs: s, outputs: s });
    expect(() => f()).toThrow("boom");
    expect(s.w).toBe(w);
  });

  it("an array stored by a traced function whose state is not an output says so when read", async () => {
    const s = { w: mx.array([1], mx.float32) };
    const f = mx.compile((x: mx.MxArray) => {
      s.w = mx.add(s.w, x);
      return x;
    }, { inputs: s });
    f(mx.array([1], mx.float32));
    await expect(s.w.tolist()).rejects.toThrow(/escaped the trace .* give that state to compile as its outputs/);
  });

  it("inputs and outputs must be trees whose places can be replaced", () => {
    expect(() => mx.compile((x: mx.MxArray) => x, { inputs: mx.array([1]) })).toThrow(/^\[compile\] inputs must be a tree whose arrays can be replaced in place/);
    expect(() => mx.compile((x: mx.MxArray) => x, { outputs: 3 })).toThrow(/^\[compile\] outputs must be a tree/);
  });

  it("mx.eval(model.state) evaluates a module's arrays (Module.state is the module, as MLX's)", async () => {
    const model = new nn.Linear(2, 2);
    expect(model.state).toBe(model);
    const updated = mx.add(model.weight, 1);
    model.weight = updated;
    expect(updated.isEvaluated).toBe(false);
    await mx.eval(model.state);
    expect(updated.isEvaluated).toBe(true);
  });
});
