// Comparisons and selections never flush subnormals: max/min/argmax/argmin,
// cummax/cummin, sort, searchsorted, maximum/minimum/clip and the comparisons
// of subnormals, +-0 and NaN (float32, bfloat16, float16) give the cpu reference's bits
// on every backend; and the WebGPU kernels of these ops compare floats only on
// their bits (the generated WGSL holds no float compare a driver could flush).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { getBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import { deviceFor } from "../src/device.js";
import { BACKENDS } from "./helpers/backends.js";

/** Shader sources WebGPU compiled while this file ran, by label (`op:file`). */
const shaders: { label: string; code: string }[] = [];
let restore: (() => void) | undefined;

beforeAll(() => {
  if (!mx.registeredBackends().some((b) => b.name === "webgpu")) return;
  const device = (getBackend("webgpu") as WebGpuBackend).ctx.device;
  const create = device.createShaderModule.bind(device);
  device.createShaderModule = (d: GPUShaderModuleDescriptor) => {
    shaders.push({ label: d.label ?? "", code: d.code });
    return create(d);
  };
  restore = () => {
    device.createShaderModule = create;
  };
});
afterAll(() => restore?.());

/** A value's exact identity: NaN, -0, or the number (float32/bfloat16 values are exact doubles). */
const ident = (v: unknown): string => (typeof v === "number" && Number.isNaN(v) ? "NaN" : Object.is(v, -0) ? "-0" : String(v));
const flat = (x: unknown): unknown[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);

const FLOATS = [mx.float32, mx.bfloat16, mx.float16];
/** The smallest positive subnormal of each dtype, and a larger subnormal. */
const tinyOf = (d: mx.DType) => (d === mx.float32 ? 2 ** -149 : d === mx.bfloat16 ? 2 ** -133 : 2 ** -24);
const subOf = (d: mx.DType) => (d === mx.float32 ? 2 ** -130 : d === mx.bfloat16 ? 2 ** -128 : 2 ** -20);

type Case = { name: string; run: (d: mx.DType, o: { stream: mx.Device | mx.Stream }) => mx.MxArray };

const cases: Case[] = [];
const add = (name: string, run: Case["run"]) => cases.push({ name, run });

const pairs = (d: mx.DType) => {
  const t = tinyOf(d), s = subOf(d);
  return {
    a: [0, t, -0, 0, NaN, -t, t, s, -s, 1, NaN, t, -0],
    b: [t, 0, 0, -0, t, -0, NaN, t, -t, s, NaN, t, -t],
  };
};
for (const op of ["maximum", "minimum", "less", "lessEqual", "greater", "greaterEqual", "equal", "notEqual"] as const) {
  add(op, (d, o) => {
    const { a, b } = pairs(d);
    return mx[op](mx.array(a, d, o), mx.array(b, d, o), o);
  });
}
add("clip", (d, o) => mx.clip(mx.array([0, -0, tinyOf(d), -tinyOf(d), NaN, 1], d, o), mx.array(tinyOf(d), d, o), mx.array(subOf(d), d, o), o));

/** Rows that put the extreme subnormal (or NaN) at different places: short rows and a long one (multi-invocation kernels). */
function rows(d: mx.DType): number[][] {
  const t = tinyOf(d), s = subOf(d);
  const long = Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? -0 : 0));
  long[3777] = t;
  long[4100] = -t;
  return [
    [0, t],
    [t, 0, 0],
    [-t, -0, 0, -s],
    [0, -0, s, t, s],
    [t, NaN, -t, NaN],
    [-0, 0],
    [0, -0],
    long,
  ];
}
for (const op of ["max", "min", "argmax", "argmin", "cummax", "cummin", "sort", "argsort"] as const) {
  add(op, (d, o) => mx.concatenate(rows(d).map((r) => mx.reshape(mx[op](mx.array(r, d, o), { axis: 0, ...o }), [-1], o)), { axis: 0, ...o }));
}
for (const side of ["left", "right"] as const) {
  add(`searchsorted ${side}`, (d, o) => {
    const t = tinyOf(d), s = subOf(d);
    return mx.searchsorted(mx.array([-s, -t, 0, t, t, s, 1, NaN], d, o), mx.array([0, -0, t, -t, s, -s, NaN, 2 * t, 1], d, o), { side, ...o });
  });
}

describe.each(BACKENDS)("never-flush comparisons and selections on $name", ({ device }) => {
  const o = { stream: device };
  const cpu = { stream: mx.cpu };
  const caps = mx.registeredBackends().find((b) => b.name === device.backend)!.capabilities.dtypes;

  it.each(FLOATS.flatMap((d) => cases.map((c) => ({ label: `${c.name} ${d.name}`, c, d }))))("$label gives the reference's bits", async ({ c, d }) => {
    if (!caps.has(d)) return;
    const want = flat(await c.run(d, cpu).tolist()).map(ident);
    const got = flat(await c.run(d, o).tolist()).map(ident);
    expect(got).toEqual(want);
  });
});

/** The comparison expression of a WGSL function's body (`fn name(...) -> T { return EXPR; }` or its block). */
function fnBody(code: string, name: string): string | undefined {
  const at = code.indexOf(`fn ${name}(`);
  if (at < 0) return undefined;
  const open = code.indexOf("{", code.indexOf("->", at));
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === "{") depth++;
    else if (code[i] === "}" && --depth === 0) return code.slice(open + 1, i);
  }
  return undefined;
}

/**
 * Float compares a driver may flush: relational operators or the max/min
 * builtins (u32 index ties `xi < yi` and the order keys of the (key, bits)
 * fold of max/min, `b.x > a.x` of vec2<u32> pairs, are bit compares).
 */
function floatCompares(src: string): string[] {
  return src.replace(/\bxi < yi\b|\bb\.x > a\.x\b/g, "").match(/[<>]=?|[=!]=|\b(?:max|min)\(/g) ?? [];
}

describe.skipIf(!mx.registeredBackends().some((b) => b.name === "webgpu"))("webgpu compares floats on their bits", () => {
  /** The selection code of each compiled kernel of op `op` for float32 (functions the slots fill, the elementwise expression). */
  function selectionCode(op: string): string[] {
    const label = op === "cummax" || op === "cummin" ? `scan(${op.slice(3)}):` : `${op}:`;
    // (elementwise kernels of integer operands, as searchsorted's index arithmetic compiles, are not float selections)
    const floatInputs = (code: string) => {
      const loads = code.match(/fn load_\d+\([^)]*\) -> \w+/g);
      return !loads || loads.some((l) => l.endsWith("f32"));
    };
    const found = shaders.filter((s) => s.label.startsWith(label) && floatInputs(s.code));
    expect(found.length, `no shader compiled for ${op}`).toBeGreaterThan(0);
    return found.flatMap(({ code }) => {
      const parts = ["maximum_f", "minimum_f", "better", "fold", "combine"].flatMap((f) => fnBody(code, f) ?? []);
      const expr = /let v = (.*);/.exec(code);
      return expr ? [...parts, expr[1]!] : parts;
    });
  }

  it.each(["maximum", "minimum", "less", "lessEqual", "greater", "greaterEqual", "equal", "notEqual", "max", "min", "argmax", "argmin", "cummax", "cummin"])("%s", async (op) => {
    const o = { stream: deviceFor("webgpu") };
    const x = mx.array([0, 2 ** -149, -0, NaN], mx.float32, o);
    const long = mx.zeros([3000], mx.float32, o);
    const run: Record<string, () => mx.MxArray[]> = {
      max: () => [mx.max(x, o), mx.max(long, o)],
      min: () => [mx.min(x, o), mx.min(long, o)],
      argmax: () => [mx.argmax(x, o), mx.argmax(long, o)],
      argmin: () => [mx.argmin(x, o), mx.argmin(long, o)],
      cummax: () => [mx.cummax(x, o), mx.cummax(long, o)],
      cummin: () => [mx.cummin(x, o), mx.cummin(long, o)],
    };
    const binary = (mx as unknown as Record<string, (a: mx.MxArray, b: mx.MxArray, o: object) => mx.MxArray>)[op]!;
    await mx.eval(...(run[op]?.() ?? [binary(x, x, o)]));
    const code = selectionCode(op);
    for (const src of code) expect(floatCompares(src), `${op}: ${src.trim()}`).toEqual([]);
  });
});
