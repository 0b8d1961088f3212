// Shadow validation: with mx.setValidation("cpu") every kernel run on a
// non-cpu backend is rerun by the cpu reference; correct kernels pass (also on
// NaN inputs the spec does not cover), a wrong kernel throws an error naming
// the primitive, the inputs and the element; MLX_TS_VALIDATE=cpu turns it on.

import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { getBackend, type Kernel } from "../backends/backend.js";
import { BACKENDS } from "./helpers/backends.js";

describe("setValidation", () => {
  afterEach(() => mx.setValidation(null));

  it("takes 'cpu' or null", () => {
    mx.setValidation("cpu");
    expect(mx.getValidation()).toBe("cpu");
    mx.setValidation(null);
    expect(mx.getValidation()).toBeNull();
    expect(() => mx.setValidation("webgpu" as "cpu")).toThrow(/\[setValidation\] reference must be "cpu" or null/);
  });

  it("is turned on by MLX_TS_VALIDATE=cpu", () => {
    const script = 'import * as mx from "./index.ts"; console.log(mx.getValidation());';
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { env: { ...process.env, MLX_TS_VALIDATE: "cpu", MLX_TS_WEBGPU: "0" }, encoding: "utf8" });
    expect(r.stdout.trim()).toBe("cpu");
  });
});

describe.skipIf(BACKENDS.length < 2).each(BACKENDS.filter((b) => b.device.backend !== "cpu"))("shadow validation on $name", ({ device }) => {
  const o = { stream: device };
  const kernels = getBackend(device.backend).kernels as Record<string, Kernel>;
  const saved = { ...kernels };
  afterEach(() => {
    Object.assign(kernels, saved);
    mx.setValidation(null);
  });

  it("lets correct kernels through, NaN inputs included", async () => {
    mx.setValidation("cpu");
    const x = mx.array([[0.5, -1, 2], [3, NaN, -4]], mx.float32, o);
    const y = mx.softmax(mx.matmul(mx.exp(x, o), mx.transpose(x, undefined, o), o), { axis: -1, ...o });
    const z = mx.sum(mx.add(mx.sin(x, o), mx.astype(mx.greater(x, 0, o), mx.float16, o), o), { axis: 0, ...o });
    await mx.eval(y, z);
    expect(z.shape).toEqual([3]);
  });

  it("throws naming the primitive, inputs and element of a wrong kernel", async () => {
    kernels.sin = (prim, xs, out) => saved.cos!(Object.create(prim, { name: { value: "cos" } }), xs, out);
    const x = mx.array([0.25, 0.5, 1], mx.float32, o);
    await expect(mx.eval(mx.sin(x, o))).resolves.toBeUndefined();
    mx.setValidation("cpu");
    await expect(mx.eval(mx.sin(x, o))).rejects.toThrow(new RegExp(`\\[validation\\] sin on ${device.backend} breaks its contract .* at element \\d: got .*, cpu reference .*; inputs: float32\\(3,\\)`));
  });
});
