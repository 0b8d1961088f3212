// eval is re-entrant: concurrent evals over shared, overlapping graphs on any
// mix of backends run each node once and give the values a sequential eval
// gives. Random graphs (fast-check) are built twice from one recipe: one copy
// is read concurrently with Promise.all, the other one node at a time.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";

type Step = { op: "add" | "multiply" | "sin" | "sum" | "maximum"; a: number; b: number; device: number };

const step = (nodes: number, devices: number) =>
  fc.record({
    op: fc.constantFrom("add", "multiply", "sin", "sum", "maximum") as fc.Arbitrary<Step["op"]>,
    a: fc.nat({ max: nodes - 1 }),
    b: fc.nat({ max: nodes - 1 }),
    device: fc.nat({ max: devices - 1 }),
  });

/** Builds the graph of `steps` over two leaves; node i reads earlier nodes only. */
function build(steps: readonly Step[]): mx.MxArray[] {
  const nodes: mx.MxArray[] = [mx.array([0.5, -1, 2], mx.float32), mx.array([3, 0.25, -2], mx.float32)];
  for (const s of steps) {
    const o = { stream: BACKENDS[s.device]!.device };
    const a = nodes[s.a % nodes.length]!, b = nodes[s.b % nodes.length]!;
    const r =
      s.op === "sin" ? mx.sin(a, o)
      : s.op === "sum" ? mx.add(mx.sum(a, o), b, o)
      : s.op === "add" ? mx.add(a, b, o)
      : s.op === "multiply" ? mx.multiply(a, mx.clip(b, -2, 2, o), o)
      : mx.maximum(a, b, o);
    nodes.push(r);
  }
  return nodes;
}

describe("concurrent evals", () => {
  it("overlapping random graphs on every backend give the sequential values", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step(12, BACKENDS.length), { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { minLength: 2, maxLength: 6 }), async (steps, picks) => {
        const sequential = build(steps);
        const want: unknown[] = [];
        for (const i of picks) want.push(await sequential[i % sequential.length]!.tolist());
        const concurrent = build(steps);
        const got = await Promise.all(picks.map((i) => concurrent[i % concurrent.length]!.tolist()));
        expect(got).toEqual(want);
      }),
      { numRuns: 25 },
    );
  });

  it.each(BACKENDS)("a long shared chain read twice at once on $name", async ({ device }) => {
    const o = { stream: device };
    let y = mx.zeros([4], mx.float32, o);
    for (let i = 0; i < 1100; i++) y = mx.add(y, 1, o);
    const z = mx.multiply(y, 2, o);
    const [a, b] = await Promise.all([y.tolist(), z.tolist()]);
    expect(a).toEqual([1100, 1100, 1100, 1100]);
    expect(b).toEqual([2200, 2200, 2200, 2200]);
  });

  it("a cpu op reading a webgpu chain that another eval is running", async () => {
    const gpu = BACKENDS.find((b) => b.device.backend === "webgpu");
    if (!gpu) return expect(BACKENDS.map((b) => b.device.backend)).not.toContain("webgpu");
    let y = mx.zeros([2], mx.float32, { stream: gpu.device });
    for (let i = 0; i < 300; i++) y = mx.add(y, 1, { stream: gpu.device });
    const z = mx.multiply(y, 3, { stream: mx.cpu });
    const [a, b, c] = await Promise.all([y.tolist(), z.tolist(), mx.eval(z, y)]);
    expect(a).toEqual([300, 300]);
    expect(b).toEqual([900, 900]);
    expect(c).toBeUndefined();
  });

  it("a failed eval leaves the nodes to the next one, which reports the same error", async () => {
    const bad = mx.add(mx.ones([2]), 1, { stream: mx.cpu });
    bad.inputs[0]!.dispose(); // the graph can no longer run
    const user = mx.multiply(bad, 2);
    const results = await Promise.allSettled([bad.tolist(), user.tolist()]);
    for (const r of results) {
      expect(r.status).toBe("rejected");
      expect(String((r as PromiseRejectedResult).reason)).toMatch(/disposed/);
    }
  });
});
