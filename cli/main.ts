// The `mlx-ts` command line: `mlx-ts conformance` checks every backend
// against the CPU reference, `mlx-ts info` lists the backends on this machine
// (and why any could not start); `mlx-ts --help` lists the commands.

import { createRequire } from "node:module";
import * as mx from "../index.js";
import { conformance } from "./conformance.js";

const HELP = `usage: mlx-ts <command>

commands:
  conformance  every op on every backend against the cpu reference (mlx-ts conformance --help)
  info         version, registered backends and their dtypes, backends that could not start
  help         this text`;

function info(): void {
  const pkg = createRequire(import.meta.url)("../../package.json") as { version: string };
  console.log(`mlx-ts ${pkg.version} (node ${process.version}, ${process.platform}-${process.arch})`);
  console.log(`default device: ${mx.defaultDevice()}`);
  for (const b of mx.registeredBackends()) {
    console.log(`backend ${b.displayName}: available; dtypes ${[...b.capabilities.dtypes].join(", ")}; ${Object.keys(b.kernels).length} primitives`);
  }
  for (const [name, why] of mx.unavailableBackends()) console.log(`backend ${name}: unavailable (${why})`);
}

export async function main(argv: string[]): Promise<number> {
  const [cmd] = argv;
  switch (cmd) {
    case "conformance":
      return conformance(argv.slice(1));
    case "info":
      info();
      return 0;
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(HELP);
      return 0;
    default:
      console.error(`mlx-ts: unknown command '${cmd}'\n\n${HELP}`);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
