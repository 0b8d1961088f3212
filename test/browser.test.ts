// The browser bundle in headless Chromium (Debian's chromium driven by
// playwright-core): scripts/build-browser.mjs builds the bundle and the page
// into a temporary folder, a localhost server serves it, and the page runs the
// quickstart on the bundle (webgpu on navigator.gpu, and cpu) and a float32
// conformance subset on webgpu against the cpu reference. Chromium gives
// navigator.gpu an adapter with --enable-unsafe-webgpu: SwiftShader, its
// software Vulkan (its Dawn does not take Mesa's lavapipe). Skipped with the
// reason where Chromium is missing, unless MLX_TS_REQUIRE_CHROMIUM=1.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, resolve, sep } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CHROMIUM = process.env.MLX_TS_CHROMIUM ?? "/usr/bin/chromium";
const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (install Debian's chromium: bash scripts/setup.sh as root)`;
const skip = missing !== undefined && process.env.MLX_TS_REQUIRE_CHROMIUM !== "1";

const FLAGS = ["--no-sandbox", "--enable-unsafe-webgpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".map": "application/json" };

/** Serves the files under `root` on 127.0.0.1 (a secure context, as WebGPU needs). */
function serve(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const file = resolve(root, `.${decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)}`);
    if (!file.startsWith(root + sep) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done(server)));
}

interface QuickstartRun {
  device: string;
  y: number[];
  h: string;
  grad: number[];
  gpuWithinUlp: boolean;
  probs: number[][];
  rowSums: number[];
  f16: number[];
  argmax: number[];
}
interface Published {
  quickstart: { error?: string; backends: string[]; unavailable: Record<string, string>; adapter: unknown; runs: Record<string, QuickstartRun> };
  conformance: { error?: string; ran: boolean; reason?: string; ops: string[]; verdict: string; summary: string; cells: { op: string; dtype: string; backend: string; status: string; failure?: string }[] };
}

describe.skipIf(skip)(`the browser bundle in headless Chromium${missing ? ` (skipped: ${missing})` : ""}`, () => {
  let out: string;
  let server: Server;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  let published: Published;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), "mlx-ts-browser-"));
    const build = spawnSync(process.execPath, ["scripts/build-browser.mjs", "--out", out], { encoding: "utf8" });
    expect(build.status, `the browser build failed:\n${build.stdout}${build.stderr}`).toBe(0);
    server = await serve(out);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    page = await browser.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") pageErrors.push(m.text());
    });
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/web/index.html`);
    await page.waitForFunction(`[...document.querySelectorAll("section[data-status]")].every((s) => s.dataset.status !== "running")`, null, { timeout: 240_000 });
    published = (await page.evaluate(() => (globalThis as { __mlxTs?: unknown }).__mlxTs)) as Published;
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it("gets a WebGPU adapter from navigator.gpu and registers cpu and webgpu (no metal)", () => {
    const q = published.quickstart;
    expect(q.error, q.error).toBeUndefined();
    expect(q.backends, `webgpu did not start in Chromium: ${q.unavailable.webgpu}; adapter: ${JSON.stringify(q.adapter)}`).toEqual(["cpu", "webgpu"]);
    expect(pageErrors).toEqual([]);
  });

  it("runs the README's tour and examples/quickstart.ts on webgpu with the cpu reference's results", async () => {
    const q = published.quickstart;
    expect(q.error, q.error).toBeUndefined();
    const { webgpu, cpu } = q.runs;
    expect(webgpu?.device).toBe("Device(webgpu, 0)");
    for (const run of [webgpu!, cpu!]) {
      expect(run.y).toEqual([15, 33]);
      expect(run.h).toBe("float16");
      expect(run.grad).toEqual([2, 4, 6]);
      expect(run.gpuWithinUlp).toBe(true);
      expect(run.f16).toEqual([2.5, 3.25]);
      for (const s of run.rowSums) expect(s).toBeCloseTo(1, 6);
    }
    expect(webgpu!.argmax).toEqual(cpu!.argmax);
    webgpu!.probs.flat().forEach((p, i) => expect(p).toBeCloseTo(cpu!.probs.flat()[i]!, 6));
    const text = await page.locator("#quickstart-out").innerText();
    expect(text).toContain("--- on webgpu ---");
    expect(text).toContain("device: Device(webgpu, 0)");
    expect(text).toContain("array([15, 33], dtype=float32)");
    expect(text).toContain("row sums = array([1, 1], dtype=float32)");
  });

  it("passes the float32 conformance subset on webgpu against the cpu reference", async () => {
    const c = published.conformance;
    expect(c.error, c.error).toBeUndefined();
    expect(c.ran, c.reason).toBe(true);
    const failures = c.cells.filter((x) => x.status === "fail").map((x) => `${x.op} ${x.dtype} ${x.backend}: ${x.failure}`);
    expect(failures).toEqual([]);
    expect(c.verdict).toBe("PASS");
    for (const op of c.ops) {
      expect(c.cells.find((x) => x.op === op && x.dtype === "float32" && x.backend === "webgpu")?.status, `${op} float32 on webgpu`).toBe("pass");
    }
    expect(await page.locator("#conformance-out").innerText()).toMatch(/^PASS {2}\d+ cells/);
    expect(await page.locator("#conformance-cells tr.pass").count()).toBeGreaterThanOrEqual(c.ops.length);
  });
});
