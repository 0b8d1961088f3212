// The README's TypeScript examples run as written: each ```ts block is run
// with "mlx-ts" pointing at this checkout, and every `console.log(...); // text`
// must print `text` (a trailing "..." makes it a prefix).

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { format } from "node:util";
import { expect, it } from "vitest";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

it("has TypeScript examples", () => expect(blocks.length).toBeGreaterThan(0));

blocks.forEach((code, b) => {
  it(`README example ${b + 1} runs and prints what its comments say`, async () => {
    const lines = code.split("\n");
    const expected = new Map<number, string>();
    const body = lines
      .map((line, i) => {
        const m = /^(.*)console\.log\((.*)\);\s*\/\/ (.*)$/.exec(line);
        if (!m) return line;
        expected.set(i, m[3]!);
        return `${m[1]}__log(${i}, ${m[2]});`;
      })
      .join("\n")
      .replace(/from "mlx-ts"/g, 'from "../../index.js"');
    const printed = new Map<number, string>();
    (globalThis as Record<string, unknown>).__log = (line: number, ...args: unknown[]) => printed.set(line, format(...args));
    mkdirSync(new URL("./.snippets/", import.meta.url), { recursive: true });
    const file = new URL(`./.snippets/readme-${b + 1}.ts`, import.meta.url);
    writeFileSync(file, `declare const __log: (line: number, ...args: unknown[]) => void;\n${body}\nexport {};\n`);
    await import(`${file.href}?t=${Date.now()}`);
    for (const [line, want] of expected) {
      const got = printed.get(line);
      if (want.endsWith("...")) expect(got, lines[line]).toMatch(new RegExp(`^${want.slice(0, -3).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
      else expect(got, lines[line]).toBe(want);
    }
  });
});
