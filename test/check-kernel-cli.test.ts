// `mlx-ts check-kernel`: the guide's GELU kernels (examples/kernels/gelu.ts)
// pass on every backend this machine has, a deliberately wrong module
// (test/helpers/wrong-kernel.ts) fails with exit 1 and a reproduction naming
// the kernel, and usage errors exit 2. Runs the CLI as a user would, under tsx.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";

const checkKernel = (...args: string[]) => checkKernelWith({}, ...args);
const checkKernelWith = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "cli/main.ts", "check-kernel", ...args], { encoding: "utf8", env: { ...process.env, ...env } });

const available = new Set(mx.registeredBackends().map((b) => b.name as string));
const KERNELS = [
  { gelu: "geluMetal", wrong: "wrongReluMetal", backend: "metal" },
  { gelu: "geluWgsl", wrong: "wrongReluWgsl", backend: "webgpu" },
];

describe("mlx-ts check-kernel", () => {
  it("passes the guide's GELU kernels, one row per kernel and dtype, and writes JSON and HTML", () => {
    const dir = mkdtempSync(join(tmpdir(), "check-kernel-"));
    const r = checkKernel("examples/kernels/gelu.ts", "--runs", "15", "--json", join(dir, "r.json"), "--html", join(dir, "r.html"));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^PASS {2}4 checks: /);
    for (const k of KERNELS) {
      for (const dtype of ["float32", "float16"]) {
        const row = new RegExp(`^${k.gelu} +${k.backend} +${dtype} +(15 .* PASS|.*skipped: the ${k.backend} backend is not available here .*)$`, "m");
        expect(r.stdout).toMatch(row);
      }
    }
    const json = JSON.parse(readFileSync(join(dir, "r.json"), "utf8")) as { verdict: string; checks: { exportName: string; status: string; cases: number }[] };
    expect(json.verdict).toBe("PASS");
    expect(json.checks.map((c) => c.exportName)).toEqual(["geluMetal", "geluMetal", "geluWgsl", "geluWgsl"]);
    const html = readFileSync(join(dir, "r.html"), "utf8");
    expect(html).toMatch(/<header id="banner" class="pass">PASS/);
    expect(html).toContain("<th>geluWgsl</th>");
  }, 60_000);

  it.skipIf(!KERNELS.some((k) => available.has(k.backend)))("fails a wrong kernel with exit 1 and a reproduction naming it", () => {
    const r = checkKernel("test/helpers/wrong-kernel.ts", "--runs", "20", "--seed", "5");
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^FAIL {2}2 checks: /);
    for (const k of KERNELS.filter((k) => available.has(k.backend))) {
      expect(r.stdout).toMatch(new RegExp(`^${k.wrong} +${k.backend} +float32 .* exact +FAIL$`, "m"));
      expect(r.stdout).toContain(`FAIL ${k.wrong} float32 on ${k.backend}: kernel '${k.wrong}' fails after`);
      expect(r.stdout).toContain(`import { ${k.wrong} } from "./test/helpers/wrong-kernel.ts";`);
      expect(r.stdout).toMatch(new RegExp(`const outputs = ${k.wrong}\\(\\{ inputs, grid: \\[`));
    }
  }, 60_000);

  it("skips, and says so, the kernels whose backend is not available", () => {
    const r = checkKernelWith({ MLX_TS_WEBGPU: "0" }, "examples/kernels/gelu.ts", "--runs", "5");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^geluWgsl +webgpu +float32 .*skipped: the webgpu backend is not available here/m);
    // the two webgpu checks, and the metal ones too where that backend is absent
    expect(r.stdout).toMatch(new RegExp(` ${available.has("metal") ? 2 : 4} skipped; `));
  }, 60_000);

  it("is the code docs/kernels.md shows: the guide's MSL and WGSL bodies are the example's", () => {
    const example = readFileSync("examples/kernels/gelu.ts", "utf8");
    const guide = readFileSync("docs/kernels.md", "utf8");
    const bodies = [...example.matchAll(/source: `([^`]*)`/g)].map((m) => m[1]!);
    expect(bodies).toHaveLength(2);
    for (const body of bodies) expect(guide).toContain(body);
  });

  it("exits 2 on usage errors, naming what is wrong", () => {
    const dir = mkdtempSync(join(tmpdir(), "check-kernel-"));
    const misnamed = join(dir, "misnamed.mts");
    const index = new URL("../index.js", import.meta.url).href;
    writeFileSync(misnamed, `import * as mx from ${JSON.stringify(index)};
export const k = mx.fast.metalKernel({ name: "k", inputNames: ["a"], outputNames: ["o"], source: "o[0] = a[0];", reference: (a) => a });
export const checks = { kk: { inputs: [{ dtype: mx.float32 }] } };
`);
    const cases: [string[], RegExp][] = [
      [[misnamed], /checks names 'kk', which is not a kernel export \(kernels: k\)/],
      [[], /FILE is missing/],
      [["examples/kernels/gelu.ts", "--runs", "0"], /--runs takes a positive integer, got 0/],
      [["examples/kernels/gelu.ts", "--fast"], /unknown option '--fast'/],
      [["examples/kernels/nope.ts"], /no file examples\/kernels\/nope\.ts/],
      [["examples/quickstart.ts"], /exports no kernel made by mx\.fast\.metalKernel or mx\.fast\.wgslKernel/],
    ];
    for (const [args, why] of cases) {
      const r = checkKernel(...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(why);
      expect(r.stderr).toContain("usage: mlx-ts check-kernel FILE");
    }
  }, 60_000);
});
