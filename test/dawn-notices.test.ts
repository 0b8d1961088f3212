// Dawn's two dynamic-buffer notices are dropped from stderr, and nothing else
// (backends/webgpu/dawn-notices.ts): the line filter; the descriptor juggling
// in child processes whose stderr is a shell pipe, a file opened for appending,
// and (left alone) a file written from its start or the socket Node gives a
// child; and the package import itself, against a control that shows what raw
// Dawn prints on this machine.

import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dropDawnNotices } from "../backends/webgpu/dawn-notices.js";

const NOTICES = ["Uniform", "Storage"].map((k) => `Warning: maxDynamic${k}BuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.`);

const NODE_ARGS = ["--import", "tsx", "--input-type=module", "-e"];

/** Runs ESM `code` (TypeScript imports allowed) in a child Node from the repository root; its stderr goes to `stderr` (Node's "pipe" is a socket). */
function child(code: string, stderr: "pipe" | number = "pipe") {
  return spawnSync(process.execPath, [...NODE_ARGS, code], { stdio: ["ignore", "pipe", stderr], encoding: "utf8" });
}

/** The same, its stderr a shell pipe (a FIFO) into `cat`, whose output is returned as `stderr`; its stdout is dropped. */
function childThroughShellPipe(code: string) {
  const r = spawnSync("bash", ["-c", `"$NODE" ${NODE_ARGS.join(" ")} "$CODE" 2>&1 >/dev/null | cat; exit "\${PIPESTATUS[0]}"`], { env: { ...process.env, NODE: process.execPath, CODE: code }, encoding: "utf8" });
  return { status: r.status, stderr: r.stdout + r.stderr };
}

/** Writes "before", then inside the filter the notices around a real message (once returning, once throwing), then "after". */
const JUGGLE = `
import { writeSync } from "node:fs";
import { withoutDawnNotices } from "./backends/webgpu/dawn-notices.ts";
writeSync(2, "before\\n");
const r = withoutDawnNotices(() => { writeSync(2, ${JSON.stringify(`${NOTICES[0]}\nreal message\n${NOTICES[1]}\n`)}); return 42; });
try {
  withoutDawnNotices(() => { writeSync(2, ${JSON.stringify(`${NOTICES[1]}\nmessage before a throw\n`)}); throw new Error("thrown"); });
} catch (e) {
  writeSync(2, "caught " + e.message + "\\n");
}
writeSync(2, "after " + r + "\\n");
`;
const FILTERED = "before\nreal message\nmessage before a throw\ncaught thrown\nafter 42\n";

describe("Dawn's stderr notices", () => {
  const dir = mkdtempSync(join(tmpdir(), "mlx-ts-notices-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("are the only lines the filter drops", () => {
    const text = `x\n${NOTICES[0]}\nWarning: maxDynamicUniformBuffersPerPipelineLayout is something else\n${NOTICES[1]}\r\nlast without newline`;
    expect(dropDawnNotices(text)).toBe("x\nWarning: maxDynamicUniformBuffersPerPipelineLayout is something else\nlast without newline");
  });

  it("are dropped from a pipe, with every other line passed on in order, also when the call throws", () => {
    const r = childThroughShellPipe(JUGGLE);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe(FILTERED);
  });

  it("are dropped from a file opened for appending (2>>), left in a file written from its start (2>) and in a socket", () => {
    const appended = join(dir, "appended.txt");
    const fd = openSync(appended, "a");
    expect(child(JUGGLE, fd).status).toBe(0);
    closeSync(fd);
    expect(readFileSync(appended, "utf8")).toBe(FILTERED);

    const truncated = join(dir, "truncated.txt");
    const fd2 = openSync(truncated, "w");
    expect(child(JUGGLE, fd2).status).toBe(0);
    closeSync(fd2);
    const unfiltered = `before\n${NOTICES[0]}\nreal message\n${NOTICES[1]}\n${NOTICES[1]}\nmessage before a throw\ncaught thrown\nafter 42\n`;
    expect(readFileSync(truncated, "utf8")).toBe(unfiltered);

    expect(child(JUGGLE).stderr).toBe(unfiltered);
  });

  it("are not printed by the package import, where raw Dawn prints them", (ctx) => {
    const raw = child(`
      import { createRequire } from "node:module";
      const { create } = createRequire(process.cwd() + "/package.json")("webgpu");
      await create(["backend=vulkan"]).requestAdapter();
    `);
    if (!raw.stderr.includes("artificially reduced")) ctx.skip(`Dawn prints no notices on this machine's adapter (stderr: ${JSON.stringify(raw.stderr.slice(0, 200))})`);
    const imported = childThroughShellPipe(`
      const mx = await import("./index.ts");
      console.error("registered: " + mx.registeredBackends().map((b) => b.name).join(","));
    `);
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(/^registered: cpu,webgpu(,metal)?\n$/);
  });
});
