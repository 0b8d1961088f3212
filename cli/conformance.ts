// `mlx-ts conformance`: runs the op database on the chosen backends against
// the CPU reference, shows what runs and its progress on stderr, prints the
// report summary first (verdict, failures with reproductions, the cells
// nearest their bounds; the full table with --table), writes JSON and HTML on
// request, and exits non-zero when any contract failed.

import { writeFileSync } from "node:fs";
import os from "node:os";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { toHtml } from "../conformance/html.js";
import * as mx from "../index.js";
import { OPS, opsMatching } from "../conformance/opdb.js";
import { formatReport, summarize, toJson } from "../conformance/report.js";
import { runConformance } from "../conformance/runner.js";
import { NumpyProcess, numpyUnavailable } from "../conformance/numpy.js";
import { FLOAT16_PATH } from "../backends/webgpu/codegen.js";

export const CONFORMANCE_HELP = `usage: mlx-ts conformance [options]

Runs every op of the op database on each backend and compares it with the CPU
reference under the op's numerics contract (from the WGSL / MSL specs).

options:
  --backends LIST   comma-separated backends to check (default: every registered one but cpu)
  --backend-module FILE
                    import FILE first (repeatable): a module that registers an outside backend
                    with mx.registerBackend, then checked like the built-in ones
  --ops GLOBS       comma-separated op names or globs, e.g. 'exp,log*' (default: all ${OPS.length})
  --dtypes LIST     comma-separated dtypes, e.g. float32,float16 (default: each op's own)
  --runs N          generated cases per op x dtype x backend (default 20)
  --graphs N        random graphs (2 to 20 nodes) per float dtype and backend (default 20; 0: none)
  --seed N          fast-check seed (default 20261125)
  --no-numpy        skip the check of the cpu reference against NumPy (/usr/bin/python3 with
                    Debian's python3-numpy; on by default where it is installed, required
                    when MLX_TS_REQUIRE_NUMPY=1)
  --table           also print the full op x dtype x backend table (it is always in the JSON and HTML)
  --json FILE       write every cell, failure and reproduction as JSON
  --html FILE       write a self-contained HTML report (verdict, op x backend matrix, filters,
                    failures, ulp histograms with the bounds, the full table)
  --help            this text

The report starts with the verdict (PASS or FAIL with the counts), then the
failures with reproductions, then the ten cells whose worst element came
nearest its bound, each with what its contract allowed there. The exit status
is 1 when any cell failed, 2 on a usage error.`;

interface Args {
  backends?: string[];
  backendModules: string[];
  ops: string;
  dtypes?: string[];
  runs: number;
  graphs: number;
  seed: number;
  numpy: boolean;
  table: boolean;
  json?: string;
  html?: string;
}

function parse(argv: string[]): Args | string {
  const a: Args = { backendModules: [], ops: "*", runs: 20, graphs: 20, seed: 20261125, numpy: true, table: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    try {
      switch (flag) {
        case "--backends":
          a.backends = value().split(",");
          break;
        case "--backend-module":
          a.backendModules.push(value());
          break;
        case "--ops":
          a.ops = value();
          break;
        case "--dtypes":
          a.dtypes = value().split(",");
          break;
        case "--runs":
          a.runs = Number(value());
          if (!Number.isInteger(a.runs) || a.runs < 1) return `--runs takes a positive integer, got ${argv[i]}`;
          break;
        case "--graphs":
          a.graphs = Number(value());
          if (!Number.isInteger(a.graphs) || a.graphs < 0) return `--graphs takes a non-negative integer, got ${argv[i]}`;
          break;
        case "--seed":
          a.seed = Number(value());
          if (!Number.isInteger(a.seed)) return `--seed takes an integer, got ${argv[i]}`;
          break;
        case "--no-numpy":
          a.numpy = false;
          break;
        case "--table":
          a.table = true;
          break;
        case "--json":
          a.json = value();
          break;
        case "--html":
          a.html = value();
          break;
        default:
          return `unknown option '${flag}'`;
      }
    } catch (e) {
      return (e as Error).message;
    }
  }
  return a;
}

function progress(done: number, total: number, label: string): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = total ? Math.round((width * done) / total) : width;
  process.stderr.write(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total} ${label}`.padEnd(100).slice(0, 100));
  if (done === total) process.stderr.write("\n");
}

export async function conformance(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(CONFORMANCE_HELP);
    return 0;
  }
  const a = parse(argv);
  if (typeof a === "string") {
    console.error(`mlx-ts conformance: ${a}\n\n${CONFORMANCE_HELP}`);
    return 2;
  }
  for (const file of a.backendModules) {
    try {
      await import(pathToFileURL(resolve(file)).href);
    } catch (e) {
      console.error(`mlx-ts conformance: --backend-module ${file} could not be imported: ${(e as Error).message}`);
      return 2;
    }
  }
  const registered = mx.registeredBackends().map((b) => b.name as string);
  const backends = a.backends ?? registered.filter((b) => b !== "cpu");
  const missing = backends.filter((b) => !registered.includes(b));
  if (missing.length) {
    const why = new Map<string, string>(mx.unavailableBackends());
    console.error(`mlx-ts conformance: backend ${missing.map((m) => `'${m}'${why.has(m) ? ` is unavailable (${why.get(m)})` : " is unknown"}`).join(", ")}; registered: ${registered.join(", ")}`);
    return 2;
  }
  const ops = opsMatching(a.ops);
  if (!ops.length) {
    console.error(`mlx-ts conformance: no op matches '${a.ops}'; ops: ${OPS.map((o) => o.name).join(", ")}`);
    return 2;
  }
  let numpy: NumpyProcess | undefined;
  if (a.numpy) {
    const why = numpyUnavailable();
    if (why && process.env.MLX_TS_REQUIRE_NUMPY === "1") {
      console.error(`mlx-ts conformance: the NumPy check is required (MLX_TS_REQUIRE_NUMPY=1) but ${why}`);
      return 2;
    }
    if (why) console.error(`mlx-ts conformance: not checking the cpu reference against NumPy: ${why}`);
    else numpy = new NumpyProcess();
  }
  if (!backends.length && !numpy) {
    console.log("mlx-ts conformance: only the cpu reference is registered here and NumPy is not available, so there is nothing to compare");
    return 0;
  }
  const started = performance.now();
  const names = backends.map((b) => mx.registeredBackends().find((r) => r.name === b)!.displayName);
  console.error(`mlx-ts conformance: ${ops.length} ops and ${a.graphs} random graphs per float dtype on ${names.join(", ") || "no backend"} against the cpu reference${numpy ? ", and the cpu reference against NumPy" : ""}; ${a.runs} cases per cell, seed ${a.seed}`);
  if (backends.includes("webgpu")) console.error(`mlx-ts conformance: webgpu ${FLOAT16_PATH}`);
  const cells = await runConformance({ backends, ops, dtypes: a.dtypes, runs: a.runs, graphs: a.graphs, seed: a.seed, numpy, onCell: progress }).finally(() => numpy?.close());
  const seconds = (performance.now() - started) / 1000;
  console.log(formatReport(cells, { seconds, table: a.table }));
  if (a.json) {
    writeFileSync(a.json, toJson(cells, { date: new Date().toISOString(), seed: a.seed, runs: a.runs, backends, seconds }));
    console.log(`wrote ${a.json}`);
  }
  if (a.html) {
    writeFileSync(a.html, toHtml(cells, { date: new Date().toISOString(), seed: a.seed, runs: a.runs, seconds, machine: `${os.cpus()[0]?.model ?? "cpu"} x${os.cpus().length}, ${names.join(", ")}` }));
    console.log(`wrote ${a.html}`);
  }
  return summarize(cells).fail ? 1 : 0;
}
