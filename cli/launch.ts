// `mlx-ts launch -n N script [args]`: runs N copies of a program on this
// machine as one distributed group, with the environment MLX's `mlx.launch`
// sets for its ring backend (a hostfile of 127.0.0.1 ports in MLX_HOSTFILE,
// each process's MLX_RANK). Each line a process prints is prefixed with its
// rank; when one fails (or cannot start) the others are stopped, each with the
// processes it started (its process group), and the exit status is its.

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
fails, the others are stopped (each with the processes it started) and the
exit status is the failed one's.

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

/** Writes what process `rank` prints on `stream` (none when spawn could not make it) to `out`, line by line, each line prefixed with the rank; returns the flush of a last partial line. */
function prefixLines(rank: number, stream: NodeJS.ReadableStream | null, out: NodeJS.WritableStream): () => void {
  let partial = "";
  stream?.setEncoding("utf8");
  stream?.on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop()!;
    if (lines.length) out.write(lines.map((l) => `${rank}: ${l}\n`).join(""));
  });
  return () => {
    if (partial) out.write(`${rank}: ${partial}\n`);
    partial = "";
  };
}

/** How long a stopped process group has to end after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 3000;
/** How long a rank's output is read after the rank exited before what holds it open (a process it left running) is stopped. */
const DRAIN_MS = 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether `promise` settles within `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sends `signal` (0: none, a check) to every process of the process group `pgid`; false when it has none left. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is empty
  }
}

/** Stops every process of the group `pgid`: SIGTERM, then SIGKILL to what is left after KILL_GRACE_MS; resolves once none is left. */
async function stopGroup(pgid: number): Promise<void> {
  if (!signalGroup(pgid, "SIGTERM")) return;
  for (const deadline = Date.now() + KILL_GRACE_MS; Date.now() < deadline; ) {
    await sleep(50);
    if (!signalGroup(pgid, 0)) return;
  }
  signalGroup(pgid, "SIGKILL");
}

/**
 * One started rank: its process (the leader of its own process group), the
 * stop of that group once one began, and whether the launcher is done with it
 * (exited, output read): its group is not signalled after that, since once
 * empty its id may be another's.
 */
interface RankProcess {
  readonly rank: number;
  readonly child: ChildProcess;
  stopped?: Promise<void>;
  done?: true;
}

/** Stops the process group of `r` (once; the process may have exited, and what it started not). */
function stopRank(r: RankProcess): Promise<void> {
  return (r.stopped ??= r.child.pid === undefined ? Promise.resolve() : stopGroup(r.child.pid));
}

/**
 * Runs the launch; resolves to the exit status: 0 when every process
 * succeeded, else the first failure's (127 when a process could not start,
 * 130 when the launcher was interrupted). Each process leads its own
 * process group, so stopping it stops what it started too.
 */
export async function launch(args: LaunchArgs): Promise<number> {
  const ports = args.startingPort !== undefined ? Array.from({ length: args.processes }, (_, i) => args.startingPort! + i) : await freePorts(args.processes);
  const dir = mkdtempSync(join(tmpdir(), "mlx-ts-launch-"));
  const hostfile = join(dir, "hostfile.json");
  writeFileSync(hostfile, JSON.stringify(ports.map((p) => [`127.0.0.1:${p}`])));
  const [program, programArgs] = programOf(args.command);
  const commandText = args.command.join(" ");
  const started: RankProcess[] = [];
  let status = 0;
  let stopping = false;
  const stopAll = () => {
    if (stopping) return;
    stopping = true;
    for (const r of started) if (!r.done) void stopRank(r);
  };
  const cannotStart = (rank: number, e: unknown) => {
    process.stderr.write(`[launch] rank ${rank} could not start '${commandText}': ${e instanceof Error ? e.message : String(e)}; stopping the others\n`);
    status ||= 127;
    stopAll();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    status ||= 130;
    process.stderr.write(`[launch] ${signal}: stopping the processes\n`);
    stopAll();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  /**
   * Follows rank `r` to its end: its exit (a failure stops the others), then
   * the end of its output, which processes it left running may hold open:
   * DRAIN_MS after the exit its process group is stopped, and DRAIN_MS after
   * that stop the output is no longer read (a process in another group may
   * still hold it).
   */
  const follow = async (r: RankProcess): Promise<void> => {
    const { rank, child } = r;
    const flushOut = prefixLines(rank, child.stdout, process.stdout);
    const flushErr = prefixLines(rank, child.stderr, process.stderr);
    const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
    let failure = "";
    await new Promise<void>((resolve) => {
      child.on("error", (e) => {
        // (only a spawn failure: the launcher never signals a child through it)
        cannotStart(rank, e);
        resolve();
      });
      child.once("exit", (code, signal) => {
        if (code !== 0 && !stopping) {
          failure = `[launch] rank ${rank} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}; stopping the others\n`;
          status ||= code ?? 1;
          stopAll();
        }
        resolve();
      });
    });
    if (!(await within(closed, DRAIN_MS))) {
      await stopRank(r);
      if (!(await within(closed, DRAIN_MS))) {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }
    }
    flushOut();
    flushErr();
    process.stderr.write(failure);
    await r.stopped;
    r.done = true;
  };

  try {
    const ends: Promise<void>[] = [];
    for (let rank = 0; rank < args.processes && !stopping; rank++) {
      const env = { ...process.env, ...args.env, MLX_RANK: String(rank), MLX_HOSTFILE: hostfile, ...(args.verbose ? { MLX_RING_VERBOSE: "1" } : {}) };
      let child: ChildProcess;
      try {
        child = spawn(program, programArgs, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
      } catch (e) {
        cannotStart(rank, e);
        break;
      }
      const r: RankProcess = { rank, child };
      started.push(r);
      ends.push(follow(r));
    }
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
