// `mlx-ts check-kernel FILE`: imports a module that exports user kernels
// (mx.fast.metalKernel / mx.fast.wgslKernel with a reference), property-tests
// each with mx.checkKernel, prints a table (kernel, backend, dtypes, cases,
// worst error against the contract, verdict) and each failure's reproduction,
// writes JSON and HTML on request, and exits 1 on a failure, 2 on a usage error.

import { existsSync, writeFileSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as mx from "../index.js";
import { fmtRelative, fmtUlp } from "../conformance/report.js";
import { kernelReportHtml } from "./check-kernel-html.js";

export const CHECK_KERNEL_HELP = `usage: mlx-ts check-kernel FILE [options]

Imports FILE (.js or .mjs; .ts when mlx-ts runs under tsx) and checks every
kernel it exports (made by mx.fast.metalKernel or mx.fast.wgslKernel with a
reference) against its reference with mx.checkKernel: generated shapes and
values, special values mixed in, the reference run on the cpu in float64, each
element judged by the kernel's contract, a failure shrunk to a small input.

What to draw for each kernel: FILE may export
  export const checks = { <export name>: { inputs, launch?, runs?, seed?, contract? } }
(the options of mx.checkKernel, or a list of them: one row each). A kernel
without an entry gets one float32 input per input name, of one shared shape.

options:
  --runs N      cases per check (default: the entry's runs, else 50)
  --seed N      fast-check seed (default: the entry's seed, else 20261125)
  --json FILE   write every check, with its failure and reproduction, as JSON
  --html FILE   write a self-contained HTML report
  --help        this text

Kernels whose backend is not available on this machine are listed as
skipped. The exit status is 1 when a kernel fails, 2 on a usage error.`;

const DEFAULT_SEED = 20261125;

interface Args {
  file: string;
  runs?: number;
  seed?: number;
  json?: string;
  html?: string;
}

/** One row of the report: one kernel under one set of check options. */
export interface KernelCheckRow {
  /** The export's name, and the kernel's own name. */
  exportName: string;
  kernel: string;
  backend: string;
  dtypes: string;
  status: "PASS" | "FAIL" | "skipped";
  reason?: string;
  cases: number;
  maxUlp?: number;
  /** The contract in a few words, and the worst error against it. */
  contract: string;
  worst: string;
  /** The first line of mx.checkKernel's report, and code that reproduces the failure. */
  failure?: { message: string; reproduction: string; details: mx.KernelMismatch };
}

function parse(argv: string[]): Args | string {
  const files: string[] = [];
  const a: Partial<Args> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (!flag.startsWith("--")) {
      files.push(flag);
      continue;
    }
    const v = argv[++i];
    if (v === undefined && ["--runs", "--seed", "--json", "--html"].includes(flag)) return `${flag} needs a value`;
    switch (flag) {
      case "--runs":
        a.runs = Number(v);
        if (!Number.isInteger(a.runs) || a.runs < 1) return `--runs takes a positive integer, got ${v}`;
        break;
      case "--seed":
        a.seed = Number(v);
        if (!Number.isInteger(a.seed)) return `--seed takes an integer, got ${v}`;
        break;
      case "--json":
        a.json = v!;
        break;
      case "--html":
        a.html = v!;
        break;
      default:
        return `unknown option '${flag}'`;
    }
  }
  if (files.length !== 1) return files.length ? `takes one FILE, got ${files.join(", ")}` : "FILE is missing: the module whose kernels to check";
  return { ...a, file: files[0]! };
}

function isKernel(v: unknown): v is mx.fast.UserKernel {
  return typeof v === "function" && typeof (v as Partial<mx.fast.UserKernel>).kernelName === "string" && typeof (v as Partial<mx.fast.UserKernel>).backend === "string";
}

/** The contract a check is judged by, in a few words (mx.checkKernel's order: the options', the kernel's, else its default). */
function contractText(c: mx.fast.KernelContract | undefined): string {
  if (!c) return "default: 4 ulp (floats), exact (others)";
  const num = (v: number) => (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4) ? v.toExponential() : String(v));
  const parts = [c.ulp !== undefined ? `${num(c.ulp)} ulp` : "", c.atol !== undefined ? `${num(c.atol)} abs` : "", c.rtol !== undefined ? `${num(c.rtol)} rel` : ""].filter(Boolean);
  return parts.length ? parts.join(" or ") : "exact";
}

/** The worst error seen, and its share of the bound where the contract is in ulps only. */
function worstText(maxUlp: number, c: mx.fast.KernelContract | undefined): string {
  const ulps = c === undefined ? 4 : c.atol === undefined && c.rtol === undefined ? (c.ulp ?? 0) : undefined;
  const share = ulps === undefined || maxUlp === 0 ? "" : ulps === 0 ? " (the bound is exact)" : ` (${fmtRelative(maxUlp / ulps)})`;
  return `${fmtUlp(maxUlp)} ulp${share}`;
}

const dtypesOf = (o: mx.CheckKernelOptions) => o.inputs.map((s) => ("dtype" in s && s.dtype instanceof mx.DType ? s.dtype.name : "arbitrary")).join(",");

/** How a failure is reproduced from the module: import the kernel under its own name, then mx.checkKernel's code. */
function reproduction(file: string, exportName: string, kernel: string, repro: string): string {
  const name = exportName === kernel ? exportName : `${exportName} as ${kernel}`;
  const path = relative(process.cwd(), resolve(file));
  const from = isAbsolute(path) || path.startsWith("..") ? resolve(file) : `./${path}`;
  return `import * as mx from "mlx-ts";\nimport { ${name} } from ${JSON.stringify(from)};\n${repro}`;
}

/** The check options of each kernel export: from `checks` where it has an entry, else one float32 input per name. */
function plan(mod: Record<string, unknown>): { exportName: string; kernel: mx.fast.UserKernel; options: mx.CheckKernelOptions }[] | string {
  const kernels = Object.entries(mod).filter((e): e is [string, mx.fast.UserKernel] => isKernel(e[1]));
  if (!kernels.length) return "exports no kernel made by mx.fast.metalKernel or mx.fast.wgslKernel";
  const checks = mod.checks ?? {};
  if (checks === null || typeof checks !== "object" || Array.isArray(checks)) return "its checks export must be an object { <kernel export>: options or a list of options }";
  const unknown = Object.keys(checks).filter((k) => !kernels.some(([n]) => n === k));
  if (unknown.length) return `checks names ${unknown.map((k) => `'${k}'`).join(", ")}, which ${unknown.length === 1 ? "is" : "are"} not a kernel export (kernels: ${kernels.map(([n]) => n).join(", ")})`;
  return kernels.flatMap(([exportName, kernel]) => {
    const entry = (checks as Record<string, unknown>)[exportName] ?? { inputs: kernel.inputNames.map(() => ({ dtype: mx.float32 })) };
    return (Array.isArray(entry) ? entry : [entry]).map((options) => ({ exportName, kernel, options: options as mx.CheckKernelOptions }));
  });
}

async function runChecks(a: Args, mod: Record<string, unknown>): Promise<KernelCheckRow[] | string> {
  const checks = plan(mod);
  if (typeof checks === "string") return checks;
  const available = new Set(mx.registeredBackends().map((b) => b.name as string));
  const why = new Map<string, string>(mx.unavailableBackends());
  const rows: KernelCheckRow[] = [];
  for (const { exportName, kernel, options } of checks) {
    const row = { exportName, kernel: kernel.kernelName, backend: kernel.backend, dtypes: Array.isArray(options.inputs) ? dtypesOf(options) : "?", cases: 0, contract: "", worst: "" };
    if (!kernel.reference) {
      rows.push({ ...row, status: "skipped", reason: "no reference to check against" });
      continue;
    }
    if (!available.has(kernel.backend)) {
      rows.push({ ...row, status: "skipped", reason: `the ${kernel.backend} backend is not available here${why.has(kernel.backend) ? ` (${why.get(kernel.backend)})` : ""}` });
      continue;
    }
    const contract = options.contract ?? kernel.contract;
    const seed = a.seed ?? options.seed ?? DEFAULT_SEED;
    let report: mx.KernelCheckReport;
    try {
      report = await mx.checkKernel(kernel, { ...options, runs: a.runs ?? options.runs, seed });
    } catch (e) {
      return `checks of '${exportName}': ${(e as Error).message}`;
    }
    rows.push({
      ...row,
      status: report.ok ? "PASS" : "FAIL",
      cases: report.runs,
      maxUlp: report.maxUlp,
      contract: contractText(contract),
      worst: report.ok ? worstText(report.maxUlp, contract) : report.failure!.got === "error" ? "the launch failed" : `got ${report.failure!.got}, reference ${report.failure!.want}`,
      ...(report.failure ? { failure: { message: report.text.split("\n")[0]!, reproduction: reproduction(a.file, exportName, kernel.kernelName, report.failure.reproduction), details: report.failure } } : {}),
    });
  }
  return rows;
}

/** The table, in the conformance report's layout: padded columns, the last one free. */
export function formatKernelTable(rows: readonly KernelCheckRow[]): string {
  const header = ["kernel", "backend", "dtypes", "cases", "worst error", "contract", "status"];
  const cells = rows.map((r) => [
    r.exportName === r.kernel ? r.kernel : `${r.exportName} (${r.kernel})`,
    r.backend,
    r.dtypes,
    r.status === "skipped" ? "" : String(r.cases),
    r.worst,
    r.contract,
    r.status === "skipped" ? `skipped: ${r.reason}` : r.status,
  ]);
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...cells.map((r) => r[i]!.length))));
  const line = (r: string[]) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

/** PASS or FAIL with the counts. */
export function kernelVerdict(rows: readonly KernelCheckRow[], seconds: number): string {
  const count = (s: KernelCheckRow["status"]) => rows.filter((r) => r.status === s).length;
  const fail = count("FAIL");
  const cases = rows.reduce((s, r) => s + r.cases, 0);
  return `${fail ? "FAIL" : "PASS"}  ${rows.length} checks: ${count("PASS")} pass, ${fail} fail, ${count("skipped")} skipped; ${cases} cases; ${seconds.toFixed(1)} s`;
}

function formatFailures(rows: readonly KernelCheckRow[]): string {
  const failed = rows.filter((r) => r.failure);
  if (!failed.length) return "";
  const blocks = failed.map((r) => `FAIL ${r.exportName} ${r.dtypes} on ${r.backend}: ${r.failure!.message}\ncontract: ${r.contract}\n${r.failure!.reproduction}`);
  return [`${failed.length} failure${failed.length === 1 ? "" : "s"}, each with a reproduction:`, ...blocks].join("\n\n");
}

/** Every row, NaN, infinities and -0 spelled as strings JSON can hold. */
function toJson(rows: readonly KernelCheckRow[], meta: Record<string, unknown>): string {
  const spell = (_k: string, v: unknown) => (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0)) ? (Object.is(v, -0) ? "-0" : String(v)) : v);
  const fail = rows.filter((r) => r.status === "FAIL").length;
  return JSON.stringify({ ...meta, verdict: fail ? "FAIL" : "PASS", checks: rows }, spell, 2);
}

async function importModule(file: string): Promise<Record<string, unknown> | string> {
  if (!existsSync(file)) return `no file ${file}`;
  try {
    return (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (e) {
    const err = e as Error & { code?: string };
    const hint = err.code === "ERR_UNKNOWN_FILE_EXTENSION" ? " (a .ts module needs the tsx loader: node --import tsx node_modules/.bin/mlx-ts check-kernel FILE; or compile it to .js)" : "";
    return `${file} could not be imported: ${err.message}${hint}`;
  }
}

export async function checkKernelCommand(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(CHECK_KERNEL_HELP);
    return 0;
  }
  const usage = (why: string) => {
    console.error(`mlx-ts check-kernel: ${why}\n\n${CHECK_KERNEL_HELP}`);
    return 2;
  };
  const a = parse(argv);
  if (typeof a === "string") return usage(a);
  const mod = await importModule(a.file);
  if (typeof mod === "string") return usage(mod);
  const started = performance.now();
  const rows = await runChecks(a, mod);
  if (typeof rows === "string") return usage(`${a.file}: ${rows}`);
  const seconds = (performance.now() - started) / 1000;
  const failures = formatFailures(rows);
  console.log([kernelVerdict(rows, seconds), formatKernelTable(rows), ...(failures ? [failures] : [])].join("\n\n"));
  const meta = { date: new Date().toISOString(), file: a.file, ...(a.runs !== undefined ? { runs: a.runs } : {}), ...(a.seed !== undefined ? { seed: a.seed } : {}), seconds };
  if (a.json) {
    writeFileSync(a.json, toJson(rows, meta));
    console.log(`wrote ${a.json}`);
  }
  if (a.html) {
    writeFileSync(a.html, kernelReportHtml(rows, { ...meta, verdict: kernelVerdict(rows, seconds) }));
    console.log(`wrote ${a.html}`);
  }
  return rows.some((r) => r.status === "FAIL") ? 1 : 0;
}
