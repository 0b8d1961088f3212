// `mlx-ts launch -n N script [args]`: runs N copies of a program on this
// machine as one distributed group, with the environment MLX's `mlx.launch`
// sets for its ring backend (a hostfile of 127.0.0.1 ports in MLX_HOSTFILE,
// each process's MLX_RANK). Each line a process prints is prefixed with its
// rank; when one fails the others are stopped, and the exit status is its.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const LAUNCH_HELP = `usage: mlx-ts launch [options] [--] PROGRAM [ARGS...]

Starts N processes of PROGRAM on this machine as one mx.distributed group
(the ring backend over TCP on 127.0.0.1), as MLX's mlx.launch does: each gets
MLX_RANK (0 to N-1) and MLX_HOSTFILE (a JSON file listing the address each
rank listens on), which mx.distributed.init() reads. PROGRAM is a .js, .mjs,
.cjs or .ts file run with this node (and its loaders: under tsx a .ts file
runs as it is), or else a command (e.g. -- npx tsx train.ts).

Each line a process prints starts with its rank ("0: ..."). When a process
fails, the others are stopped and the exit status is the failed one's.

options:
  -n N, --repeat-hosts N  the number of processes (default 1)
  --backend ring          the backend (ring, the only one mlx-ts has)
  -p P, --starting-port P listen on ports P, P+1, ... (default: free ports)
  --env NAME=VALUE        set a variable for every process (repeatable)
  --verbose               log the connections (MLX_RING_VERBOSE=1)
  --help                  this text`;

/** The launch's settings, from its command line. */
export interface LaunchArgs {
  processes: number;
  startingPort?: number;
  env: Record<string, string>;
  verbose: boolean;
  command: string[];
}

/** `argv` (after `launch`) as settings, or the usage error to print. */
export function parseLaunchArgs(argv: readonly string[]): LaunchArgs | string {
  const a: LaunchArgs = { processes: 1, env: {}, verbose: false, command: [] };
  let i = 0;
  for (; i < argv.length && argv[i]!.startsWith("-"); i++) {
    const flag = argv[i]!;
    if (flag === "--") {
      i++;
      break;
    }
    if (flag === "--verbose") {
      a.verbose = true;
      continue;
    }
    const v = argv[++i];
    if (v === undefined) return ["-n", "--repeat-hosts", "--backend", "-p", "--starting-port", "--env"].includes(flag) ? `${flag} needs a value` : `unknown option ${flag}`;
    switch (flag) {
      case "-n":
      case "--repeat-hosts":
        a.processes = Number(v);
        if (!/^\d+$/.test(v) || a.processes < 1) return `${flag} takes a positive integer, got ${v}`;
        break;
      case "--backend":
        if (v !== "ring") return `--backend ${v}: mlx-ts has the ring backend only`;
        break;
      case "-p":
      case "--starting-port":
        a.startingPort = Number(v);
        if (!/^\d+$/.test(v) || a.startingPort < 1) return `${flag} takes a port number, got ${v}`;
        break;
      case "--env": {
        const eq = v.indexOf("=");
        if (eq <= 0) return `--env takes NAME=VALUE, got ${v}`;
        a.env[v.slice(0, eq)] = v.slice(eq + 1);
        break;
      }
      default:
        return `unknown option ${flag}`;
    }
  }
  a.command = argv.slice(i);
  if (a.command.length === 0) return "no program to launch";
  if (a.startingPort !== undefined && a.startingPort + a.processes - 1 > 65535) return `ports ${a.startingPort} to ${a.startingPort + a.processes - 1} pass 65535`;
  return a;
}

/** `n` ports on 127.0.0.1 that were free just now (the OS picks them; each process binds its own shortly after). */
async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = createServer();
      servers.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.listen({ host: "127.0.0.1", port: 0 }, () => resolve());
      });
      ports.push((s.address() as { port: number }).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** The program and arguments to spawn: a script file runs with this node and its flags (tsx's loader, say), anything else as a command. */
function programOf(command: readonly string[]): [string, string[]] {
  const [first, ...rest] = command;
  if (/\.(m|c)?(js|ts)$/.test(first!)) return [process.execPath, [...process.execArgv, first!, ...rest]];
  return [first!, rest];
}

/** Writes `text` from process `rank`'s stream to `out`, line by line, each line prefixed with the rank; returns the flush of a last partial line. */
function prefixLines(rank: number, stream: NodeJS.ReadableStream, out: NodeJS.WritableStream): () => void {
  let partial = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop()!;
    if (lines.length) out.write(lines.map((l) => `${rank}: ${l}\n`).join(""));
  });
  return () => {
    if (partial) out.write(`${rank}: ${partial}\n`);
    partial = "";
  };
}

/** How long a stopped process has to end after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 3000;

/** Runs the launch; resolves to the exit status: 0 when every process succeeded, else the first failure's. */
export async function launch(args: LaunchArgs): Promise<number> {
  const ports = args.startingPort !== undefined ? Array.from({ length: args.processes }, (_, i) => args.startingPort! + i) : await freePorts(args.processes);
  const dir = mkdtempSync(join(tmpdir(), "mlx-ts-launch-"));
  const hostfile = join(dir, "hostfile.json");
  writeFileSync(hostfile, JSON.stringify(ports.map((p) => [`127.0.0.1:${p}`])));
  const [program, programArgs] = programOf(args.command);
  const children: ChildProcess[] = [];
  let status = 0;
  let stopping = false;
  const stopOthers = () => {
    if (stopping) return;
    stopping = true;
    for (const c of children) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      c.kill("SIGTERM");
      setTimeout(() => c.exitCode === null && c.signalCode === null && c.kill("SIGKILL"), KILL_GRACE_MS).unref();
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    status ||= 130;
    process.stderr.write(`[launch] ${signal}: stopping the processes\n`);
    stopOthers();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const ends = Array.from({ length: args.processes }, (_, rank) => {
      const env = { ...process.env, ...args.env, MLX_RANK: String(rank), MLX_HOSTFILE: hostfile, ...(args.verbose ? { MLX_RING_VERBOSE: "1" } : {}) };
      const child = spawn(program, programArgs, { env, stdio: ["ignore", "pipe", "pipe"] });
      children.push(child);
      const flushOut = prefixLines(rank, child.stdout!, process.stdout);
      const flushErr = prefixLines(rank, child.stderr!, process.stderr);
      return new Promise<void>((resolve) => {
        child.on("error", (e) => {
          process.stderr.write(`[launch] rank ${rank} could not start ${program}: ${e.message}\n`);
          status ||= 127;
          stopOthers();
          resolve();
        });
        child.on("close", (code, signal) => {
          flushOut();
          flushErr();
          if (code !== 0 && !stopping) {
            process.stderr.write(`[launch] rank ${rank} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}; stopping the others\n`);
            status ||= code ?? 1;
            stopOthers();
          }
          resolve();
        });
      });
    });
    await Promise.all(ends);
    return status;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `mlx-ts launch ARGS`: the exit status (2 on a usage error). */
export async function launchCommand(argv: readonly string[]): Promise<number> {
  if (argv[0] === "--help" || argv[0] === "-h") {
    console.log(LAUNCH_HELP);
    return 0;
  }
  const args = parseLaunchArgs(argv);
  if (typeof args === "string") {
    console.error(`mlx-ts launch: ${args}\n\n${LAUNCH_HELP}`);
    return 2;
  }
  return launch(args);
}
