// The HTML conformance report renders in headless Chromium (Debian's
// chromium driven by playwright-core): the pass/fail banner first, the op x
// backend matrix coloured by each op's worst error relative to its bound
// (failures and n/a unmistakable), filters that hide what they exclude, one
// histogram per cell with labelled axes and the bound marked, a FAIL row
// linking to its reproduction (escaped, never run), and the full table; a
// screenshot is taken. Skipped with the reason where Chromium is missing,
// unless MLX_TS_REQUIRE_CHROMIUM=1.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { toHtml } from "../conformance/html.js";
import type { CellResult } from "../conformance/property.js";

const CHROMIUM = process.env.MLX_TS_CHROMIUM ?? "/usr/bin/chromium";
const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (install Debian's chromium: bash scripts/setup.sh as root)`;

const hist = (counts: Record<number, number>) => Array.from({ length: 25 }, (_, i) => counts[i] ?? 0);
const base = { runs: 20, skipped: 0, outsideDiffer: 0, contract: "43 f32 ulp on [-20, 20]; WGSL" };
const wgsl = "43 f32 ulp + 2 ulp rounding; WGSL §15.7.4.1";
const cells: CellResult[] = [
  { ...base, op: "exp", dtype: "float32", backend: "webgpu", status: "pass", elements: 30, maxUlp: 3, p99Ulp: 2, histogram: hist({ 0: 20, 2: 6, 3: 4 }), outsideDiffer: 4, worst: { got: 3, want: 3.0000002, ulps: 3, inputs: [1.1], repro: "" }, bound: { ulps: 45, rule: wgsl } },
  { ...base, op: "exp", dtype: "float16", backend: "webgpu", status: "fail", elements: 5, maxUlp: 4000, p99Ulp: 4000, histogram: hist({ 0: 4, 13: 1 }), worst: { got: 2, want: 1, ulps: 4000, inputs: [0], repro: "" }, bound: { ulps: 2.01, rule: wgsl }, failure: { message: "element 0: got 2, reference 1", repro: 'const x0 = mx.array([1]); // <script>window.__pwned = 1</script>', seed: 7, path: "1:2" } },
  { ...base, op: "exp", dtype: "float64", backend: "webgpu", status: "n/a", elements: 0, histogram: hist({}), reason: "float64 not supported on webgpu" },
  { ...base, op: "exp", dtype: "float32", backend: "metal", status: "pass", elements: 30, maxUlp: 2.4, p99Ulp: 1, histogram: hist({ 0: 25, 3: 5 }), worst: { got: 5, want: 5.000001, ulps: 2.4, inputs: [1.6], repro: "" }, bound: { ulps: 6, rule: "4 f32 ulp + 2 ulp rounding; MSL specification" } },
  { ...base, op: "add", dtype: "int32", backend: "webgpu", status: "pass", elements: 0, histogram: hist({}) },
  { ...base, op: "add", dtype: "float32", backend: "metal", status: "pass", elements: 12, maxUlp: 0, p99Ulp: 0, histogram: hist({ 0: 12 }), worst: { got: 1, want: 1, ulps: 0, inputs: [0, 1], repro: "" }, bound: { ulps: 0, rule: "exact; MSL specification" } },
  { ...base, op: "add", dtype: "int32", backend: "cpu vs numpy", status: "pass", elements: 0, histogram: hist({}) },
  { ...base, op: "sum", dtype: "float64", backend: "metal", status: "n/a", elements: 0, histogram: hist({}), reason: "float64 not supported on metal" },
];
const meta = { date: "2026-11-25", seed: 7, runs: 20, seconds: 1.5 };

/** The report of `cs`, opened in a fresh page of `browser`. */
async function open(browser: Awaited<ReturnType<typeof chromium.launch>>, cs: CellResult[], dir: string, name: string): Promise<Page> {
  const file = join(dir, `${name}.html`);
  writeFileSync(file, toHtml(cs, meta));
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(pathToFileURL(file).href);
  return page;
}

/** The page's getComputedStyle (the tests compile without the DOM library). */
type Styled = { getComputedStyle(e: unknown): { backgroundColor: string } };

const visibleRows = (page: Page) => page.locator("#results tbody tr:visible").evaluateAll((rows) => rows.map((r) => `${r.querySelector("th")!.textContent} ${r.children[1]!.textContent} ${r.children[2]!.textContent}`));

describe("the HTML report", () => {
  it("is one self-contained file: one inline script, nothing fetched, the repro escaped", () => {
    const html = toHtml(cells, meta);
    expect(html).not.toMatch(/<link|src=|@import|url\(/);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain("&lt;script&gt;window.__pwned");
  });

  it.skipIf(missing !== undefined && process.env.MLX_TS_REQUIRE_CHROMIUM !== "1")(`renders in headless Chromium${missing ? ` (skipped: ${missing})` : ""}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlx-ts-report-"));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    try {
      const page = await open(browser, cells, dir, "report");
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      expect(await page.title()).toBe("mlx-ts conformance report");

      // the banner opens the page: FAIL in red, with the counts
      const banner = page.locator("#banner");
      expect(await page.locator("body > *").first().getAttribute("id")).toBe("banner");
      expect(await banner.locator(".verdict").innerText()).toBe("FAIL");
      expect(await banner.innerText()).toContain("1 of 8 cells fail; 5 pass, 2 n/a");
      expect(await banner.evaluate((e) => (globalThis as unknown as Styled).getComputedStyle(e).backgroundColor)).toBe("rgb(198, 40, 40)");
      expect(await page.locator("#summary").innerText()).toContain("8 cells (op x dtype x backend): 5 pass, 1 fail, 2 n/a");

      // the matrix: one row per op, one column per backend; FAIL, percentages of the bound, pass, n/a, not run
      const matrix = page.locator("#matrix");
      expect(await matrix.locator("thead th").allInnerTexts()).toEqual(["op", "webgpu", "metal", "cpu vs numpy"]);
      expect(await matrix.locator("tbody tr").evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => `${c.textContent}${c.className ? `:${c.className}` : ""}`)))).toEqual([
        ["exp", "FAIL:m-fail", "40%:m-2", "-:m-none"],
        ["add", "pass:m-0", "pass:m-0", "pass:m-0"],
        ["sum", "-:m-none", "n/a:m-na", "-:m-none"],
      ]);
      const colour = (sel: string) => matrix.locator(sel).first().evaluate((e) => (globalThis as unknown as Styled).getComputedStyle(e).backgroundColor);
      expect(new Set([await colour("td.m-fail"), await colour("td.m-2"), await colour("td.m-0"), await colour("td.m-na")]).size).toBe(4);
      expect(await matrix.locator("td.m-fail").getAttribute("title")).toContain("float16: FAIL (element 0: got 2, reference 1)");
      expect(await matrix.locator("td.m-fail").getAttribute("title")).toContain("float64: n/a (float64 not supported on webgpu)");

      // the full table below, every cell; a FAIL links to its reproduction, which is shown as text
      expect(await page.locator("#results tbody tr").count()).toBe(cells.length);
      expect(await page.locator("#shown").innerText()).toBe("8 of 8 cells shown");
      const exactRow = page.locator("#results tbody tr", { hasText: "add" }).filter({ hasText: "metal" });
      expect(await exactRow.locator("td.detail").innerText()).toBe("");
      expect(await page.locator("#results tbody tr", { hasText: "3.0000002" }).locator("td").nth(5).innerText()).toContain("45 ulp");
      await page.locator("#results tr.fail a").click();
      expect(await page.locator("section.failure pre").innerText()).toContain("<script>window.__pwned = 1</script>");
      expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();

      // one histogram per cell with float elements, axes labelled, the bound marked where it is not exact
      const figures = page.locator("figure.hist");
      expect(await figures.count()).toBe(4);
      expect(await figures.first().locator("figcaption").innerText()).toBe("exp float32 on webgpu: 30 elements, max 3 ulp; bound at the worst element 45 ulp");
      expect(await figures.first().locator(".axis-title").allTextContents()).toEqual(["error (ulp of float32)", "elements"]);
      expect(await figures.first().locator(".bound text").textContent()).toBe("bound 45 ulp");
      // 45 ulp lies between the bins that start at 32 and 64
      const xOf = (text: string) => figures.first().locator(".axis text", { hasText: new RegExp(`^${text}$`) }).evaluate((e) => Number(e.getAttribute("x")));
      const boundX = Number(await figures.first().locator(".bound line").getAttribute("x1"));
      expect(boundX).toBeGreaterThan(await xOf("32"));
      expect(boundX).toBeLessThan(await xOf("64"));
      expect(await page.locator("figure.hist", { hasText: "add float32 on metal" }).locator(".bound").count()).toBe(0);

      // filters hide what they exclude: rows, failures, histograms, matrix rows and columns
      await page.selectOption("#filter-op", "exp");
      expect(await visibleRows(page)).toEqual(["exp float32 webgpu", "exp float16 webgpu", "exp float64 webgpu", "exp float32 metal"]);
      expect(await page.locator("#shown").innerText()).toBe("4 of 8 cells shown");
      expect(await page.locator("#matrix tbody tr:visible th").allInnerTexts()).toEqual(["exp"]);
      await page.selectOption("#filter-backend", "metal");
      expect(await visibleRows(page)).toEqual(["exp float32 metal"]);
      expect(await page.locator("#matrix thead th:visible").allInnerTexts()).toEqual(["op", "metal"]);
      expect(await page.locator("section.failure:visible").count()).toBe(0);
      expect(await page.locator("figure.hist:visible figcaption").allInnerTexts()).toEqual(["exp float32 on metal: 30 elements, max 2.4 ulp; bound at the worst element 6 ulp"]);
      await page.click("#filters button[type=reset]");
      await page.selectOption("#filter-dtype", "int32");
      expect(await visibleRows(page)).toEqual(["add int32 webgpu", "add int32 cpu vs numpy"]);
      await page.click("#filters button[type=reset]");
      await page.selectOption("#filter-status", "n/a");
      expect(await visibleRows(page)).toEqual(["exp float64 webgpu", "sum float64 metal"]);
      // a matrix square picks its op and backend
      await page.click("#filters button[type=reset]");
      await page.locator("#matrix td.m-fail").click();
      expect(await page.inputValue("#filter-op")).toBe("exp");
      expect(await page.inputValue("#filter-backend")).toBe("webgpu");
      expect(await visibleRows(page)).toEqual(["exp float32 webgpu", "exp float16 webgpu", "exp float64 webgpu"]);
      expect(errors).toEqual([]);

      const shot = join(dir, "report.png");
      await page.screenshot({ path: shot, fullPage: true });
      expect(readFileSync(shot).subarray(1, 4).toString()).toBe("PNG");

      // a run without failures opens with PASS in green
      const passing = await open(browser, cells.filter((c) => c.status !== "fail"), dir, "passing");
      expect(await passing.locator("#banner .verdict").innerText()).toBe("PASS");
      expect(await passing.locator("#banner").evaluate((e) => (globalThis as unknown as Styled).getComputedStyle(e).backgroundColor)).toBe("rgb(46, 125, 50)");
      expect(await passing.locator("#matrix tbody tr").first().locator("td").first().innerText()).toBe("7%");
    } finally {
      await browser.close();
    }
  });
});
