// The HTML conformance report renders in headless Chromium (Debian's
// chromium driven by playwright-core): the summary, one table row per op and
// dtype, a FAIL cell linking to its reproduction (escaped, never run), and one
// inline-SVG histogram per op and backend; a screenshot is taken. Skipped with
// the reason where Chromium is missing, unless MLX_TS_REQUIRE_CHROMIUM=1.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { toHtml } from "../conformance/html.js";
import type { CellResult } from "../conformance/property.js";

const CHROMIUM = process.env.MLX_TS_CHROMIUM ?? "/usr/bin/chromium";
const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (install Debian's chromium: bash scripts/setup.sh as root)`;

const hist = (counts: Record<number, number>) => Array.from({ length: 25 }, (_, i) => counts[i] ?? 0);
const base = { runs: 20, skipped: 0, outsideDiffer: 0, contract: "exact" };
const cells: CellResult[] = [
  { ...base, op: "exp", dtype: "float32", backend: "webgpu", status: "pass", elements: 30, maxUlp: 3, p99Ulp: 2, histogram: hist({ 0: 20, 2: 6, 3: 4 }), outsideDiffer: 4 },
  { ...base, op: "exp", dtype: "float16", backend: "webgpu", status: "fail", elements: 5, maxUlp: 4000, p99Ulp: 4000, histogram: hist({ 0: 4, 13: 1 }), failure: { message: "element 0: got 2, reference 1", repro: 'const x0 = mx.array([1]); // <script>window.__pwned = 1</script>', seed: 7, path: "1:2" } },
  { ...base, op: "exp", dtype: "float64", backend: "webgpu", status: "n/a", elements: 0, histogram: hist({}), reason: "float64 not supported on webgpu" },
  { ...base, op: "add", dtype: "int32", backend: "webgpu", status: "pass", elements: 0, histogram: hist({}) },
  { ...base, op: "add", dtype: "int32", backend: "cpu vs numpy", status: "pass", elements: 0, histogram: hist({}) },
];

describe("the HTML report", () => {
  it("is one self-contained file: no scripts, nothing fetched, the repro escaped", () => {
    const html = toHtml(cells, { date: "2026-11-25", seed: 7, runs: 20, seconds: 1.5 });
    expect(html).not.toMatch(/<script|<link|src=/);
    expect(html).toContain("&lt;script&gt;window.__pwned");
  });

  it.skipIf(missing !== undefined && process.env.MLX_TS_REQUIRE_CHROMIUM !== "1")(`renders in headless Chromium${missing ? ` (skipped: ${missing})` : ""}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlx-ts-report-"));
    const file = join(dir, "report.html");
    writeFileSync(file, toHtml(cells, { date: "2026-11-25", seed: 7, runs: 20, seconds: 1.5 }));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage();
      await page.goto(pathToFileURL(file).href);
      expect(await page.title()).toBe("mlx-ts conformance report");
      expect(await page.locator("#summary").innerText()).toContain("5 cells (op x dtype x backend): 3 pass, 1 fail, 1 n/a");
      expect(await page.locator("#results tbody tr").count()).toBe(4);
      expect(await page.locator("#results thead th").allInnerTexts()).toEqual(["op", "dtype", "webgpu", "cpu vs numpy"]);
      const fail = page.locator("td.fail a");
      expect(await fail.innerText()).toBe("FAIL");
      await fail.click();
      expect(await page.locator("section.failure pre").innerText()).toContain("<script>window.__pwned = 1</script>");
      expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator("td.na").getAttribute("title")).toBe("float64 not supported on webgpu");
      // one histogram per op and backend with compared elements: exp on webgpu
      expect(await page.locator("figure.hist svg rect").count()).toBeGreaterThan(0);
      expect(await page.locator("figure.hist figcaption").allInnerTexts()).toEqual(["exp on webgpu (float32, float16): 35 elements"]);
      const shot = join(dir, "report.png");
      await page.screenshot({ path: shot, fullPage: true });
      expect(readFileSync(shot).subarray(1, 4).toString()).toBe("PNG");
    } finally {
      await browser.close();
    }
  });
});
