// Every public function of mx, called with bad arguments from the error-input
// table (conformance/error-inputs.ts, run by conformance/error-inputs-driver.ts):
// each argument in turn (and each field of an options object) replaced by the
// generic bad values and those of its kind, its valid call with one argument
// more (ops, random, fast, linalg, fft: it must throw), plus the table's bad calls. A probe
// returns normally or throws an Error naming the function called and the
// argument. The probes run in a child process, so one that never returns is
// reported (and the run goes on after it) instead of stalling the suite.

import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { CLASSES, ERROR_ENTRIES } from "../conformance/error-inputs.js";
import { probeCalls, type ProbeResult } from "../conformance/error-inputs-driver.js";

/** How long one probe may run before it counts as hanging (the machine may be busy; a probe takes milliseconds). */
const HANG_MS = 20_000;

const root = fileURLToPath(new URL("..", import.meta.url));
const driver = fileURLToPath(new URL("../conformance/error-inputs-driver.ts", import.meta.url));

/** Every function a user reaches as `mx.name` or `mx.<namespace>.name` (random, utils, fast, linalg, ...), classes aside. */
function publicFunctions(): string[] {
  const names: string[] = [];
  for (const [k, v] of Object.entries(mx)) {
    if (typeof v === "function") names.push(k);
    else if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === null) for (const [k2, v2] of Object.entries(v as object)) if (typeof v2 === "function") names.push(`${k}.${k2}`);
  }
  return names.filter((n) => !CLASSES.includes(n)).sort();
}

type Line = { start: number } | ({ result: number } & ProbeResult) | { done: number };

/** Runs the driver from probe `start` in a child process; resolves with its results and, if it stalled, the probe it hung in. */
function runChild(start: number): Promise<{ results: ProbeResult[]; hungAt?: number; total?: number }> {
  // exit once stdout has flushed (a pipe the parent reads slowly queues writes; exiting earlier drops them)
  const code = `const m = await import(${JSON.stringify(driver)}); await m.runProbesFrom(${start}, (l) => process.stdout.write(l + "\\n")); process.stdout.write("", () => process.exit(0));`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "--eval", code], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  const results: ProbeResult[] = [];
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    let current = start;
    let total: number | undefined;
    let hung = false;
    let lastLine = Date.now();
    // the check runs after pending output is read (setImmediate follows the poll phase), so a busy parent never counts as a hung child
    const watch = (): NodeJS.Timeout =>
      setTimeout(() => setImmediate(() => {
        if (Date.now() - lastLine < HANG_MS) timer = watch();
        else {
          hung = true;
          child.kill("SIGKILL");
        }
      }), HANG_MS);
    let timer = watch();
    createInterface({ input: child.stdout }).on("line", (text) => {
      lastLine = Date.now();
      const line = JSON.parse(text) as Line;
      if ("start" in line) current = line.start;
      else if ("result" in line) results.push(line);
      else total = line.done;
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (hung) resolve({ results, hungAt: current });
      else if (total !== undefined) resolve({ results, total });
      else reject(new Error(`the probe driver exited (code ${code}) in probe ${current}:\n${stderr}`));
    });
  });
}

describe("error inputs", () => {
  it("has an entry for every public function, and none for others", () => {
    const table = ERROR_ENTRIES.map((e) => e.name).sort();
    expect(new Set(table).size, "duplicate entries").toBe(table.length);
    const exported = publicFunctions();
    expect(exported.filter((n) => !table.includes(n)), "public functions without an entry").toEqual([]);
    expect(table.filter((n) => !exported.includes(n)), "entries for functions mx does not export").toEqual([]);
  });

  it("names the function called and the argument at fault, for every probe, and never hangs", async () => {
    const results: ProbeResult[] = [];
    const hangs: number[] = [];
    for (let start = 0; ; ) {
      const run = await runChild(start);
      results.push(...run.results);
      if (run.hungAt === undefined) break;
      hangs.push(run.hungAt);
      start = run.hungAt + 1;
    }
    const calls = probeCalls();
    const ran = results.filter((r) => !r.skipped);
    const failed = ran.filter((r) => r.problem);
    const lines = [
      ...failed.map((f) => `mx.${f.fn} | ${f.argument} | ${f.value} | ${f.problem}`),
      ...hangs.map((i) => `mx.${calls[i]!.entry.name} | ${calls[i]!.argument} | ${calls[i]!.value} | did not return within ${HANG_MS / 1000} s`),
    ];
    console.info(`error inputs: ${ran.length + hangs.length} probes over ${ERROR_ENTRIES.length} functions, ${ran.filter((r) => r.threw).length} refused, ${lines.length} failed`);
    expect(lines.join("\n"), `${lines.length} of ${ran.length + hangs.length} probes failed`).toBe("");
  }, 900_000);
});
