// The TypeScript examples of README.md and docs/*.md are checked as written.
// Every ```ts block is a whole program: it is type-checked against this
// checkout (strict, as tsconfig.json) and run, with "mlx-ts" pointing at
// index.ts; every line `console.log(...); // text` must print `text` (a text
// ending in "..." is a prefix). Flags after "ts" on the opening fence:
//   ```ts no-run            type-checked, not run (a reason may follow: `no-run: needs an Apple GPU`)
//   ```ts needs webgpu      run only where these backends started (`needs webgpu,metal`), else skipped
// Blocks in other languages (sh, text, html) are not checked.

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { format } from "node:util";
import ts from "typescript";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as mx from "../index.js";

interface Example {
  /** The page, relative to the repository root. */
  page: string;
  /** Line of the opening fence in the page (1-based). */
  line: number;
  run: boolean;
  /** Backends the example needs; it is skipped where one is missing. */
  needs: string[];
  code: string;
  /** The program written to test/.snippets/, imports pointed at this checkout. */
  file: URL;
  /** Line (0-based, in `code`) of each `console.log(...); // text`, and its text. */
  expected: Map<number, string>;
}

const root = new URL("../", import.meta.url);
const pages = ["README.md", ...readdirSync(new URL("docs/", root)).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];
const snippetDir = new URL("./.snippets/", import.meta.url);
mkdirSync(snippetDir, { recursive: true });

/** The fenced ```ts blocks of one page; the fence's info string after "ts" holds the flags. */
function examplesOf(page: string): Example[] {
  const lines = readFileSync(new URL(page, root), "utf8").split("\n");
  const found: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith("```"));
    if (end < 0) throw new Error(`${page}:${i + 1}: a code block is never closed`);
    if (open[1] === "ts") {
      const flags = open[2]!.trim();
      const needs = /^needs ([\w,]+)$/.exec(flags)?.[1]!.split(",") ?? [];
      if (flags && !needs.length && !/^no-run\b/.test(flags)) {
        throw new Error(`${page}:${i + 1}: unknown flag '${flags}' after \`\`\`ts (known: no-run, needs BACKEND[,BACKEND])`);
      }
      const code = lines.slice(i + 1, end).join("\n");
      const name = `${page.replace(/\.md$/, "").replace(/\//g, "-")}-${found.length + 1}`;
      found.push({ page, line: i + 1, run: !flags.startsWith("no-run"), needs, code, file: new URL(`${name}.ts`, snippetDir), expected: new Map() });
    }
    i = end;
  }
  return found;
}

/** Writes the example as a module: `console.log(...); // text` lines report to __log, "mlx-ts" is this checkout. */
function writeProgram(ex: Example): void {
  const body = ex.code
    .split("\n")
    .map((line, i) => {
      const m = /^(.*)console\.log\((.*)\);\s*\/\/ (.*)$/.exec(line);
      if (!m) return line;
      ex.expected.set(i, m[3]!);
      return `${m[1]}__log(${i}, ${m[2]});`;
    })
    .join("\n")
    .replace(/from "mlx-ts"/g, 'from "../../index.js"');
  writeFileSync(ex.file, `declare const __log: (line: number, ...args: unknown[]) => void;\n${body}\nexport {};\n`);
}

const examples = pages.flatMap(examplesOf);
examples.forEach(writeProgram);

it("README.md and the docs have TypeScript examples", () => {
  expect(examples.some((e) => e.page === "README.md")).toBe(true);
  expect(examples.filter((e) => e.page.startsWith("docs/")).length).toBeGreaterThan(5);
});

it("every example type-checks", () => {
  const config = ts.getParsedCommandLineOfConfigFile(new URL("tsconfig.json", root).pathname, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!config) throw new Error("tsconfig.json could not be read");
  // an example may name a value it does not use (the project itself has noUnusedLocals)
  const program = ts.createProgram(examples.map((e) => e.file.pathname), { ...config.options, noEmit: true, noUnusedLocals: false });
  const problems: string[] = [];
  for (const ex of examples) {
    const source = program.getSourceFile(ex.file.pathname)!;
    for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      // the program's line 1 is the __log declaration, line 2 the block's first line
      const fileLine = d.start === undefined ? 1 : source.getLineAndCharacterOfPosition(d.start).line + 1;
      problems.push(`${ex.page}:${ex.line + fileLine - 1}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    }
  }
  expect(problems).toEqual([]);
}, 120_000);

describe.each(pages.filter((p) => examples.some((e) => e.page === p && e.run)))("%s", (page) => {
  const initialDevice = mx.defaultDevice();
  beforeEach(() => mx.setDefaultDevice(initialDevice));
  afterEach(() => {
    mx.setDefaultDevice(initialDevice);
    mx.setValidation(null);
  });

  const registered = new Set(mx.registeredBackends().map((b) => b.name as string));
  for (const ex of examples.filter((e) => e.page === page && e.run)) {
    const missing = ex.needs.filter((b) => !registered.has(b));
    const title = `the example at line ${ex.line} runs and prints what its comments say${missing.length ? ` (skipped: ${missing.join(", ")} not available)` : ""}`;
    it.skipIf(missing.length > 0)(title, async () => {
      const printed = new Map<number, string>();
      (globalThis as Record<string, unknown>).__log = (line: number, ...args: unknown[]) => printed.set(line, format(...args));
      await import(`${ex.file.href}?t=${Date.now()}`);
      const lines = ex.code.split("\n");
      for (const [line, want] of ex.expected) {
        const where = `${page}:${ex.line + 1 + line}: ${lines[line]!.trim()}`;
        const got = printed.get(line);
        if (want.endsWith("...")) expect(got, where).toMatch(new RegExp(`^${want.slice(0, -3).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
        else expect(got, where).toBe(want);
      }
    });
  }
});
