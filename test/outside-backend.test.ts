// Outside backends under the same conformance as the built-in ones: the
// example float32 backend (examples/float32-backend.ts) registered through
// `mlx-ts conformance --backend-module`, held to the contract it declares,
// and a wrong backend failed by name, by the conformance run, shadow
// validation and checkNumerics.

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { float32Device } from "../examples/float32-backend.js";
import "./helpers/off-by-one-backend.js";

function conformance(...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "cli/main.ts", "conformance", "--runs", "10", "--graphs", "3", "--no-numpy", ...args], { encoding: "utf8" });
}

describe("outside backends", () => {
  it("runs the example float32 backend's conformance against its declared contract", () => {
    const r = conformance("--backend-module", "examples/float32-backend.ts", "--backends", "cpu-f32", "--ops", "sum,matmul,softmax,cumsum,logaddexp,exp,sort");
    expect(r.stdout + r.stderr).toMatch(/on cpu-f32 \(float32 arithmetic, an example backend\)/);
    expect(r.stdout).toMatch(/^PASS /m);
    expect(r.status).toBe(0);
  }, 120_000);

  it("fails a backend whose kernel is off by one ulp, naming it, the op and a reproduction on its device", () => {
    const r = conformance("--backend-module", "test/helpers/off-by-one-backend.ts", "--backends", "off-by-one", "--ops", "exp,add");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL exp float32 on off-by-one/);
    expect(r.stdout).toMatch(/new mx\.Device\("gpu", "off-by-one"\)/);
    expect(r.stdout).not.toMatch(/FAIL add/);
  }, 120_000);

  it("refuses a backend module that cannot be imported", () => {
    const r = conformance("--backend-module", "no/such/module.js");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--backend-module no\/such\/module\.js could not be imported/);
  }, 60_000);

  it("computes in float32 where the reference rounds once: a long sum differs, within its condition bound", async () => {
    const x = mx.random.uniform(0, 1, [100_000], { key: mx.random.key(1) });
    const f32 = await mx.sum(x, { stream: float32Device }).item() as number;
    const ref = await mx.sum(x, { stream: mx.cpu }).item() as number;
    expect(f32).not.toBe(ref);
    expect(Math.abs(f32 - ref)).toBeLessThan(2 * 100_000 * 2 ** -24 * ref);
  });

  it("shadow validation and checkNumerics judge the backend an op ran on, even when its buffers are the cpu's", async () => {
    const x = mx.random.uniform(0, 1, [1000], { key: mx.random.key(1) });
    const offByOne = new mx.Device("gpu", "off-by-one");
    mx.setValidation("cpu");
    try {
      await mx.sum(mx.exp(x, { stream: float32Device }), { stream: float32Device }).item();
      await expect(mx.exp(x, { stream: offByOne }).tolist()).rejects.toThrow(/\[validation\] exp on off-by-one breaks its contract/);
    } finally {
      mx.setValidation(null);
    }
    const [c] = await mx.checkNumerics((a) => mx.exp(a), [x], { backends: ["cpu-f32", "off-by-one"] });
    expect(c!.backends.map((b) => [b.backend, b.maxUlp])).toEqual([["cpu-f32", 0], ["off-by-one", 1]]);
  });
});
