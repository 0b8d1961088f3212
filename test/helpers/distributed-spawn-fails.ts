// `mlx-ts launch` where starting one rank fails, for test/distributed.test.ts:
// node's spawn is wrapped so that the rank argv[2] names either throws ("throw",
// as spawn does for an invalid argument) or emits 'error' ("error": a program
// that does not exist); argv[4...] are the launch's arguments. Prints the pid of
// every rank it started ("spawned RANK PID") to stderr.

import childProcess from "node:child_process";
import { syncBuiltinESMExports } from "node:module";

const [failingRank, how, ...launchArgs] = process.argv.slice(2);
const realSpawn = childProcess.spawn;

function failingSpawn(file: string, args: readonly string[], options: childProcess.SpawnOptions): childProcess.ChildProcess {
  if (options.env?.MLX_RANK === failingRank) {
    if (how === "throw") throw new Error("the test's spawn refuses this rank");
    return realSpawn("/nonexistent/mlx-ts-test-program", args, options);
  }
  const child = realSpawn(file, args, options);
  process.stderr.write(`spawned ${options.env?.MLX_RANK} ${child.pid}\n`);
  return child;
}

childProcess.spawn = failingSpawn as typeof childProcess.spawn;
// (the launcher's `import { spawn } from "node:child_process"` now gets the wrapper)
syncBuiltinESMExports();
const { launchCommand } = await import("../../cli/launch.js");
process.exitCode = await launchCommand(launchArgs);
