// The type-level test: test/types/ compiled with its own strict settings
// (strict, exactOptionalPropertyTypes, nodenext) must type-check, so the
// assertions and @ts-expect-error lines there hold for the public API.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

it("the public API's types hold under a strict user configuration (tsc -p test/types)", () => {
  const tsc = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "test/types"], { cwd: root, encoding: "utf8" });
  expect(tsc.error).toBeUndefined();
  expect(`${tsc.stdout}${tsc.stderr}`).toBe("");
  expect(tsc.status).toBe(0);
}, 180_000);
