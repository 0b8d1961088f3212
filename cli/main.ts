// The `mlx-ts` command line: `conformance` checks every backend against the
// CPU reference, `check-kernel` checks a module's user kernels against their
// references, `info` lists the backends on this machine (and why any could
// not start), `build-metal` builds the metal backend's native addon, `launch`
// runs N processes of a program as one mx.distributed group. `--help`
// and `--version` load nothing else; the library is imported on demand.

import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const HELP = `usage: mlx-ts <command>

commands:
  conformance  every op on every backend against the cpu reference (mlx-ts conformance --help)
  check-kernel FILE
               check the kernels FILE exports against their references (mlx-ts check-kernel --help)
  info         version, registered backends and their dtypes, backends that could not start
  launch -n N PROGRAM [ARGS...]
               run N processes of PROGRAM as one mx.distributed group (mlx-ts launch --help)
  build-metal  build the metal backend's native addon (Metal on macOS; on Linux its MSL
               execution layer, which needs clang-19, cmake and boost.context)
  help         this text

options:
  --version    the version of mlx-ts`;

/** The package's own folder (this file is cli/main.ts, or bundled into dist/node/cli.js in the package). */
function packageFile(path: string): string {
  const req = createRequire(import.meta.url);
  for (const up of ["../", "../../"]) {
    try {
      return req.resolve(`${up}${path}`);
    } catch {
      // try one level further up
    }
  }
  throw new Error(`mlx-ts: ${path} is missing from the package`);
}

function version(): string {
  return (createRequire(import.meta.url)(packageFile("package.json")) as { version: string }).version;
}

async function info(): Promise<void> {
  const mx = await import("../index.js");
  console.log(`mlx-ts ${version()} (node ${process.version}, ${process.platform}-${process.arch})`);
  console.log(`default device: ${mx.defaultDevice()}; mx.gpu: ${mx.isAvailable(mx.gpu) ? mx.gpu : "none"}`);
  for (const b of mx.registeredBackends()) {
    console.log(`backend ${b.displayName}: available; dtypes ${[...b.capabilities.dtypes].join(", ")}; ${Object.keys(b.kernels).length} primitives`);
  }
  for (const [name, why] of mx.unavailableBackends()) console.log(`backend ${name}: unavailable (${why})`);
}

function buildMetal(): number {
  return spawnSync(process.execPath, [packageFile("scripts/build-native.mjs")], { stdio: "inherit" }).status ?? 1;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd] = argv;
  switch (cmd) {
    case "conformance": {
      const { conformance } = await import("./conformance.js");
      return conformance(argv.slice(1));
    }
    case "check-kernel": {
      const { checkKernelCommand } = await import("./check-kernel.js");
      return checkKernelCommand(argv.slice(1));
    }
    case "info":
      await info();
      return 0;
    case "launch": {
      const { launchCommand } = await import("./launch.js");
      return launchCommand(argv.slice(1));
    }
    case "build-metal":
      return buildMetal();
    case "--version":
    case "-v":
      console.log(version());
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
