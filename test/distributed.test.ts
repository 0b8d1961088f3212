// mx.distributed: the singleton group in this process (MLX's identities and
// errors), then groups of 2 and 3 processes started by `mlx-ts launch`, each
// running test/helpers/distributed-ops.ts: every op, dtype and shape checked
// against values computed here, float sums bit for bit in the documented fold
// order, the evaluation paths, the transforms, split, and failures (a rank that
// exits, hangs, never starts or dies mid-message) ending in errors that name the
// op, in bounded time; the bound on what a rank holds of a peer's messages; and the
// launcher stopping every process a rank started, whatever holds its output.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { parseLaunchArgs } from "../cli/launch.js";
import { bf16FromNumber, bf16ToNumber, f16FromNumber, f16ToNumber } from "../src/half.js";
import { decodeElement, storageCtor, type Scalar } from "../src/storage.js";
import { caseApplies, DTYPES, FLOATS, inputElement, orderElement, REDUCE_SHAPES, sizeOf, VALUE_CASES, type DTypeName, type Element } from "./helpers/distributed-cases.js";
import { errorOf, withoutRingEnvironment } from "./helpers/singleton-group.js";
import { groupTag } from "../src/distributed/ring/collectives.js";
import { MESSAGE_KINDS, messageHeader } from "../src/distributed/ring/protocol.js";

// ---- the singleton group ----

describe("mx.distributed without a backend: the singleton group", () => {
  withoutRingEnvironment();
  const D = mx.distributed;
  const error = errorOf;

  it("a message header carries its group's tag (subgroups share the connections; a receive never takes another group's message)", () => {
    expect(groupTag([0, 1, 2])).toBe(groupTag([0, 1, 2]));
    expect(new Set([[0, 1, 2], [2, 1, 0], [0, 1], [1, 0], [0, 2]].map(groupTag)).size).toBe(5);
    const header = new DataView(messageHeader("send", mx.float32, 0xbeef, 12));
    expect([header.getUint8(4), header.getUint16(6, true), header.getFloat64(8, true)]).toEqual([MESSAGE_KINDS.indexOf("send"), 0xbeef, 12]);
  });

  it("init gives rank 0 of 1; isAvailable is MLX's (the ring backend always, no mpi/nccl/jaccl)", () => {
    const world = D.init();
    expect([world.rank(), world.size(), String(world)]).toEqual([0, 1, "Group(rank 0 of 1)"]);
    expect(D.init({ backend: "mpi" }).size()).toBe(1);
    expect([D.isAvailable(), D.isAvailable("ring"), D.isAvailable("mpi"), D.isAvailable("nccl"), D.isAvailable("bogus")]).toEqual([true, true, false, false, false]);
  });

  it("init({ strict: true }) without a backend is an error, as MLX's", () => {
    expect(error(() => D.init({ strict: true }))).toMatch(/^\[distributed\.init\] Couldn't initialize any backend/);
    expect(error(() => D.init({ strict: true, backend: "ring" }))).toBe(
      '[distributed.init] the ring backend needs a rank (MLX_RANK) and a hostfile (MLX_HOSTFILE) in the environment, but MLX_RANK="" and MLX_HOSTFILE="" (mlx-ts launch sets both)',
    );
    expect(error(() => D.init({ strict: true, backend: "mpi" }))).toBe("[distributed.init] Cannot initialize MPI (mlx-ts has the ring backend only)");
    expect(error(() => D.init({ backend: "gloo" as "any" }))).toBe("[distributed.init] The only valid values for backend are 'any', 'mpi', 'nccl', 'jaccl' and 'ring' but 'gloo' was provided.");
    expect(error(() => D.init({ strict: 1 as unknown as boolean }))).toBe("[distributed.init] strict must be a boolean, got 1");
    expect(error(() => D.init({ group: 1 } as never))).toMatch(/^\[distributed\.init\] unknown option 'group'/);
  });

  it("the collectives return their input itself (a scalar becomes an array)", async () => {
    const x = mx.array([[1, 2], [3, 4]], mx.float32);
    for (const f of [D.allSum, D.allMax, D.allMin, D.allGather, D.sumScatter]) expect(f(x)).toBe(x);
    expect(D.allSum(x, { group: D.init(), stream: mx.cpu })).toBe(x);
    const s = D.allSum(3);
    expect([s.dtype.name, s.shape, await s.item()]).toEqual(["int32", [], 3]);
  });

  it("send and recv on the singleton group are MLX's errors; arguments are checked first, naming the op", () => {
    const x = mx.ones([2]);
    expect(error(() => D.send(x, 0))).toBe("[distributed.send] Cannot send to a singleton group");
    expect(error(() => D.send(x, -1))).toBe("[distributed.send] Cannot send to a singleton group");
    expect(error(() => D.recv([2], mx.float32, 0))).toBe("[distributed.recv] Cannot recv from a singleton group");
    expect(error(() => D.recvLike(x, 0))).toBe("[distributed.recvLike] Cannot recv from a singleton group");
    expect(error(() => D.send(x, 1.5))).toBe("[distributed.send] dst must be an integer, got 1.5");
    expect(error(() => D.recv([2, -1], mx.float32, 0))).toMatch(/^\[distributed\.recv\] shape must be an array of non-negative integers/);
    expect(error(() => D.recv([2], "float32" as never, 0))).toBe("[distributed.recv] dtype must be an mx dtype (e.g. mx.float32), got the string 'float32'");
    expect(error(() => D.recv([2], mx.float32, "0" as never))).toBe("[distributed.recv] src must be an integer, got the string '0'");
    expect(error(() => D.allSum(x, { group: {} as never }))).toBe("[distributed.allSum] group must be an mx.distributed.Group (from mx.distributed.init), got an object (Object)");
    expect(error(() => D.allSum(x, { axis: 0 } as never))).toMatch(/^\[distributed\.allSum\] unknown option 'axis'; valid options: group, stream/);
    expect(error(() => D.allGather([1, 2] as never))).toMatch(/^\[distributed\.allGather\] x must be an mx array or a JS number/);
    expect(error(() => D.init().split(0))).toBe("[Group.split] Cannot split the distributed group further.");
    expect(error(() => D.init().split(0.5))).toMatch(/^\[Group\.split\] color must be an integer/);
  });
});

// ---- groups of processes, started by mlx-ts launch ----

interface Launch {
  status: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  /** Each rank's JSON line, by rank. */
  ranks: Record<string, unknown>[];
}

const SCRIPT = "test/helpers/distributed-ops.ts";

/** A started `node --import tsx`: the process, what it printed so far, and all it printed once it ended. */
interface Started {
  child: ChildProcess;
  stdout: () => string;
  ended: Promise<Launch>;
}

/** Starts `node --import tsx` with `args` (cpu only unless `env` says otherwise); its end gives what it printed, each rank's JSON line parsed. */
function start(args: string[], env: Record<string, string> = {}): Started {
  const startMs = Date.now();
  const child = spawn(process.execPath, ["--import", "tsx", ...args], { env: { ...process.env, MLX_TS_WEBGPU: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "", stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c));
  child.stderr.on("data", (c: Buffer) => (stderr += c));
  const ended = new Promise<Launch>((resolve) =>
    child.on("close", (status) => {
      const ranks: Record<string, unknown>[] = [];
      for (const line of stdout.split("\n")) {
        const m = /^(\d+): (\{.*\})$/.exec(line);
        if (m) ranks[Number(m[1])] = JSON.parse(m[2]!) as Record<string, unknown>;
      }
      resolve({ status, stdout, stderr, seconds: (Date.now() - startMs) / 1000, ranks });
    }),
  );
  return { child, stdout: () => stdout, ended };
}

const run = (args: string[], env: Record<string, string> = {}) => start(args, env).ended;

const launch = (n: number, mode: string, env?: Record<string, string>) => run(["cli/main.ts", "launch", "-n", String(n), SCRIPT, mode], env);

/** A hostfile of `n` ports on 127.0.0.1 that nothing listens on (just now). */
async function freeHostfile(n: number): Promise<string> {
  const servers = Array.from({ length: n }, () => createServer());
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.listen({ host: "127.0.0.1", port: 0 }, resolve))));
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  const hostfile = join(mkdtempSync(join(tmpdir(), "mlx-ts-distributed-")), "hostfile.json");
  writeFileSync(hostfile, JSON.stringify(ports.map((p) => [`127.0.0.1:${p}`])));
  return hostfile;
}

/** `n` ranks of `mode` started without the launcher (which would stop the others when one fails); each rank's run, its JSON line in `ranks[0]`. */
async function ranksAlone(n: number, mode: string, env: Record<string, string>): Promise<Launch[]> {
  const hostfile = await freeHostfile(n);
  const ranks = await Promise.all(Array.from({ length: n }, (_, k) => run([SCRIPT, mode], { MLX_RANK: String(k), MLX_HOSTFILE: hostfile, ...env })));
  for (const r of ranks) r.ranks = r.stdout.startsWith("{") ? [JSON.parse(r.stdout) as Record<string, unknown>] : [];
  return ranks;
}

/** A shell command each rank of a launch runs (`sh -c`); it prints the pids of the processes it starts as "child PID". */
const launchSh = (n: number, script: string) => start(["cli/main.ts", "launch", "-n", String(n), "--", "sh", "-c", script]);

/** Whether process `pid` runs (a zombie, which its reaper has yet to collect, has ended). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]![0] !== "Z";
  } catch {
    return true; // (no /proc: not Linux)
  }
}

/** The pids a launch's output names after `word` ("0: child 123"). */
const pidsAfter = (text: string, word: string) => [...text.matchAll(new RegExp(`\\b${word} (\\d+)`, "g"))].map((m) => Number(m[1]));

/** The pids of `pids` that still run, which it then kills (so that a failed check leaves none behind). */
function stillRunning(pids: number[]): number[] {
  const alive = pids.filter(running);
  for (const pid of alive) process.kill(pid, "SIGKILL");
  return alive;
}

/** Checks that the launch started the two "child" processes its output names, and that neither still runs. */
function expectChildrenStopped(stdout: string): void {
  const children = pidsAfter(stdout, "child");
  expect(children).toHaveLength(2);
  expect(stillRunning(children)).toEqual([]);
}

const webgpuHere = mx.registeredBackends().some((b) => b.name === "webgpu");

// every launch starts now and runs in parallel with the others (and with the tests above)
const runs = {
  two: launch(2, "ops"),
  three: launch(3, "ops"),
  webgpu: webgpuHere ? launch(2, "webgpu", { MLX_TS_WEBGPU: "1" }) : undefined,
  exitEarly: launch(2, "exit-early", { MLX_TS_RING_TIMEOUT: "30" }),
  hang: launch(2, "hang", { MLX_TS_RING_TIMEOUT: "10" }),
  never: (async () => run([SCRIPT, "ops"], { MLX_RANK: "0", MLX_HOSTFILE: await freeHostfile(2), MLX_TS_RING_TIMEOUT: "2" }))(),
  backpressure: ranksAlone(2, "backpressure", { MLX_TS_RING_BUFFER_MB: "1", MLX_TS_RING_TIMEOUT: "6" }),
  peerDiesMidMessage: ranksAlone(2, "peer-dies", { MLX_TS_RING_BUFFER_MB: "1", MLX_TS_RING_TIMEOUT: "30" }),
  peerDiesAfterSend: ranksAlone(2, "peer-dies", { MLX_TS_RING_TIMEOUT: "30" }),
  // rank 0 starts two processes (one ignores SIGTERM) that hold its output; rank 1 fails
  rankFails: launchSh(2, 'if [ "$MLX_RANK" = 1 ]; then sleep 1; exit 3; fi; (trap "" TERM; exec sleep 60) & echo "child $!"; sleep 60 & echo "child $!"; wait').ended,
  // each rank exits at once, leaving a process in its group and one in a session of its own, both holding its output
  leftBehind: launchSh(2, 'sleep 60 & echo "child $!"; setsid sleep 60 & echo "escaped $!"; exit 0').ended,
  spawnThrows: run(["test/helpers/distributed-spawn-fails.ts", "1", "throw", "-n", "3", "--", "sh", "-c", 'sleep 60 & echo "child $!"; wait']),
  spawnErrors: run(["test/helpers/distributed-spawn-fails.ts", "1", "error", "-n", "3", "--", "sh", "-c", 'sleep 60 & echo "child $!"; wait']),
  // each rank starts a process that holds its output; then the launcher is interrupted (Ctrl-C)
  interrupted: (async () => {
    const launched = launchSh(2, 'sleep 60 & echo "child $!"; wait');
    for (const deadline = Date.now() + 60_000; pidsAfter(launched.stdout(), "child").length < 2 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
    const signalled = Date.now();
    launched.child.kill("SIGINT");
    const r = await launched.ended;
    return { ...r, secondsAfterSignal: (Date.now() - signalled) / 1000 };
  })(),
};

/** A launch's ranks, after checking that it succeeded and every rank printed. */
async function ranksOf(p: Promise<Launch>, n: number): Promise<Record<string, unknown>[]> {
  const r = await p;
  expect(r.status, r.stderr).toBe(0);
  expect(r.ranks.map((o) => [o.rank, o.size])).toEqual(Array.from({ length: n }, (_, i) => [i, n]));
  return r.ranks;
}

/** The elements of a result recorded as the hex of its storage words. */
function decode(dtype: DTypeName, hex: string): Scalar[] {
  const d = mx[dtype] as mx.DType;
  const bytes = Buffer.from(hex, "hex");
  const words = new (storageCtor(d))(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return Array.from({ length: words.length / (dtype === "complex64" ? 2 : 1) }, (_, i) => decodeElement(d, words, i));
}

/** Whether a decoded element is the expected one (NaN equals NaN). */
function same(got: Scalar, want: Element): boolean {
  const eq = (a: unknown, b: unknown) => a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (Array.isArray(want)) return typeof got === "object" && eq((got as { re: number }).re, want[0]) && eq((got as { im: number }).im, want[1]);
  return eq(got, want);
}

const INT_BITS: Record<string, number> = { uint8: 8, int8: 8, uint16: 16, int16: 16, uint32: 32, int32: 32, uint64: 64, int64: 64 };

/** The expected reduction of the ranks' elements `xs` (sums wrap for integers, NaN wins max and min; complex in MLX's order). */
function reduce(op: "allSum" | "allMax" | "allMin", dtype: DTypeName, xs: Element[]): Element {
  if (dtype === "bool") return op === "allMin" ? xs.every(Boolean) : xs.some(Boolean);
  if (dtype in INT_BITS) {
    const bits = INT_BITS[dtype]!;
    const big = xs.map((v) => BigInt(v as number | bigint));
    const v = op === "allSum" ? big.reduce((a, b) => a + b) : big.reduce((a, b) => ((op === "allMax" ? a >= b : a <= b) ? a : b));
    const wrapped = dtype.startsWith("u") ? BigInt.asUintN(bits, v) : BigInt.asIntN(bits, v);
    return bits === 64 ? wrapped : Number(wrapped);
  }
  if (dtype === "complex64") {
    const cs = xs as [number, number][];
    if (op === "allSum") return [cs.reduce((a, c) => a + c[0], 0), cs.reduce((a, c) => a + c[1], 0)];
    const nan = cs.find((c) => Number.isNaN(c[0]) || Number.isNaN(c[1]));
    if (nan) return nan;
    return cs.reduce((a, c) => ((op === "allMax" ? c[0] > a[0] || (c[0] === a[0] && c[1] > a[1]) : c[0] < a[0] || (c[0] === a[0] && c[1] < a[1])) ? c : a));
  }
  const ns = xs as number[];
  // (the sums of the small cases are exact; those of the largest finite values overflow)
  if (op === "allSum") return toFloat(dtype, ns.reduce((a, b) => a + b));
  return ns.some(Number.isNaN) ? NaN : op === "allMax" ? Math.max(...ns) : Math.min(...ns);
}

/** `value` rounded to the float dtype, as mx.array rounds it. */
function toFloat(dtype: DTypeName, value: number): number {
  if (dtype === "float16") return f16ToNumber(f16FromNumber(value));
  if (dtype === "bfloat16") return bf16ToNumber(bf16FromNumber(value));
  return dtype === "float32" ? Math.fround(value) : value;
}

/** a + b in the float dtype as the ring adds: float32 then one rounding for the 16-bit floats. */
function addAs(dtype: DTypeName, a: number, b: number): number {
  return dtype === "float64" ? a + b : toFloat(dtype, Math.fround(a + b));
}

describe.each([
  ["2 processes", 2, () => runs.two],
  ["3 processes", 3, () => runs.three],
] as const)("mx.distributed over the ring backend: %s", (_name, n, launched) => {
  it("allSum, allMax, allMin of every dtype, case and shape are the reductions over the ranks, the same bits on every rank", async () => {
    const ranks = await ranksOf(launched(), n);
    const wrong: string[] = [];
    let checked = 0;
    for (const c of VALUE_CASES) {
      for (const dtype of DTYPES) {
        if (!caseApplies(c, dtype)) continue;
        for (const shape of REDUCE_SHAPES) {
          for (const op of ["allSum", "allMax", "allMin"] as const) {
            const key = `${op}|${c}|${dtype}|${shape.join("x")}`;
            const hexes = ranks.map((r) => r[key] as string);
            if (new Set(hexes).size !== 1) wrong.push(`${key}: the ranks differ`);
            const got = decode(dtype, hexes[0]!);
            const want = Array.from({ length: sizeOf(shape) }, (_, i) => reduce(op, dtype, ranks.map((_r, k) => inputElement(c, dtype, k, i))));
            if (got.length !== want.length || got.some((g, i) => !same(g, want[i]!))) wrong.push(`${key}: got ${String(got)}, want ${String(want)}`);
            checked++;
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBe(3 * 4 * (14 + 12 + 5));
  });

  it("float sums fold each chunk in ring order, rounded once per step (float32 first for float16 and bfloat16), bit for bit", async () => {
    const ranks = await ranksOf(launched(), n);
    const count = 11, per = Math.ceil(count / n);
    for (const dtype of FLOATS) {
      const hexes = ranks.map((r) => r[`order|${dtype}`] as string);
      expect(new Set(hexes).size).toBe(1);
      const want = Array.from({ length: count }, (_, i) => {
        // element i is in chunk k, folded from rank k + 1 around the ring to rank k
        const k = Math.floor(i / per);
        let acc = toFloat(dtype, orderElement((k + 1) % n, i));
        for (let j = 2; j <= n; j++) acc = addAs(dtype, acc, toFloat(dtype, orderElement((k + j) % n, i)));
        return acc;
      });
      expect(decode(dtype, hexes[0]!), dtype).toEqual(want);
    }
  });

  it("allGather concatenates along axis 0 in rank order (scalars stacked); sumScatter keeps each rank's rows of the sum", async () => {
    const ranks = await ranksOf(launched(), n);
    for (const dtype of DTYPES) {
      for (const shape of [[], [2, 3]]) {
        const want = ranks.flatMap((_r, k) => Array.from({ length: sizeOf(shape) }, (_, i) => inputElement("small", dtype, k, i)));
        for (const r of ranks) expect(decode(dtype, r[`allGather|${dtype}|${shape.join("x")}`] as string).every((g, i) => same(g, want[i]!)), `${dtype} ${shape}`).toBe(true);
      }
      for (const [k, r] of ranks.entries()) {
        const rows = Array.from({ length: 2 * 3 }, (_, i) => reduce("allSum", dtype, ranks.map((_q, q) => inputElement("small", dtype, q, k * 6 + i))));
        const got = decode(dtype, r[`sumScatter|${dtype}`] as string);
        expect(got.length === 6 && got.every((g, i) => same(g, rows[i]!)), `sumScatter ${dtype} on rank ${k}`).toBe(true);
      }
    }
  });

  it("send and recv (recvLike) move each dtype from a rank to the next, a zero-size array too; the sent array is the input", async () => {
    const ranks = await ranksOf(launched(), n);
    for (const [dtype, shape] of [...DTYPES.map((d) => [d, [2, 3]] as const), ["float32", [0, 2]] as const]) {
      for (const [k, r] of ranks.entries()) {
        const key = `${dtype}|${shape.join("x")}`;
        const left = (k + n - 1) % n;
        const sent = decode(dtype, r[`send|${key}`] as string), got = decode(dtype, r[`recv|${key}`] as string);
        expect(sent.length).toBe(sizeOf(shape));
        expect(sent.every((g, i) => same(g, inputElement("small", dtype, k, i))) && got.length === sizeOf(shape) && got.every((g, i) => same(g, inputElement("small", dtype, left, i))), `${key} on rank ${k}`).toBe(true);
      }
    }
  });

  it("every rank sends and receives in one eval, named in either order (eval runs the sends first)", async () => {
    const ranks = await ranksOf(launched(), n);
    for (const [k, r] of ranks.entries()) {
      const v = ((k + n - 1) % n) + 1;
      expect(r.oneEval, `rank ${k}`).toEqual([[v, v], [v, v]]);
    }
  });

  it("send and recv refuse this process's own rank and ranks outside the group (MLX's errors)", async () => {
    const ranks = await ranksOf(launched(), n);
    for (const [k, r] of ranks.entries()) {
      expect(r.peerErrors).toEqual([
        `[distributed.send] dst=${k} is this process's own rank; send to another process of the group`,
        `[distributed.send] Invalid destination=${n} for a group of size ${n}`,
        `[distributed.recv] Invalid source=-1 for a group of size ${n}`,
      ]);
    }
  });

  it("evaluates through mx.eval, an asynchronous read and a synchronous one (dataSync)", async () => {
    const ranks = await ranksOf(launched(), n);
    const sum = [0, 1, 2, 3].map((i) => n * i + (n * (n - 1)) / 2);
    for (const r of ranks) expect(r.paths).toEqual({ eval: sum, tolist: sum, dataSync: sum });
  });

  it("transforms follow MLX's rules: allSum's vjp is the cotangent, allGather's the rank's rows; jvp and vmap; none for sumScatter and send", async () => {
    const ranks = await ranksOf(launched(), n);
    const batch = (k: number) => [[0, 1, 2].map((v) => v + 10 * k), [3, 4, 5].map((v) => v + 10 * k)];
    const gathered = [0, 1].map((b) => ranks.flatMap((_r, k) => batch(k)[b]!));
    const summed = [0, 1].map((b) => [0, 1, 2].map((j) => ranks.reduce((a, _r, k) => a + batch(k)[b]![j]!, 0)));
    for (const [k, r] of ranks.entries()) {
      expect(r.transforms).toEqual({
        gradSum: [k + 1, k + 1, k + 1],
        gradGather: k === 0 ? 1 : 0,
        jvp: Array(3).fill((n * (n + 1)) / 2),
        vmapSum: summed,
        vmapGather: gathered,
        vmapGatherAxis1: gathered,
        vmapGatherScalars: [0, 1].map((b) => ranks.map((_r, q) => b + 10 * q)),
      });
      expect(r.vjpSumScatter).toBe("[distributed.sumScatter] has no vjp (MLX defines none for sum_scatter)");
      expect(r.vjpSend).toBe("[distributed.send] has no vjp (MLX defines none for send)");
    }
  });

  it("split makes subgroups by color, ranked by key (ties and -1: the rank)", async () => {
    const ranks = await ranksOf(launched(), n);
    for (const [k, r] of ranks.entries()) {
      const mates = ranks.map((_r, q) => q).filter((q) => q % 2 === k % 2);
      expect(r.split).toEqual({
        parity: [mates.indexOf(k), mates.length, mates.reduce((a, q) => a + q + 1, 0)],
        reversed: [n - 1 - k, n, ranks.map((_r, q) => n - 1 - q)],
      });
    }
  });

  it("a communication's result is kept by eval (never recomputed on one rank alone): read after its users ran, it is the sum", async () => {
    const ranks = await ranksOf(launched(), n);
    for (const r of ranks) expect(r.recompute).toEqual([n, n]);
  });

  it("arrays of different sizes on the ranks: an error naming the op on every rank, the mismatch on at least one", async () => {
    const ranks = await ranksOf(launched(), n);
    for (const r of ranks) expect(r.mismatch).toMatch(/^\[distributed\.allSum\] /);
    expect(ranks.some((r) => /sent allSum of float32 \(\d+ bytes\) in the group of tag \d+ where this rank expected allSum of float32 \(\d+ bytes\) in the group of tag \d+: every rank must run the same communication ops/.test(r.mismatch as string))).toBe(true);
  });
});

describe("mx.distributed: failures end in errors that name the op, in bounded time", () => {
  it("a rank that exits early: the others' allSum fails at once (the closed connection), and the launch fails", async () => {
    const r = await runs.exitEarly;
    expect(r.status).toBe(1);
    expect(r.ranks[0]!.error).toBe("[distributed.allSum] rank 1 closed its connection (it exited, or failed)");
    expect(r.ranks[0]!.seconds as number).toBeLessThan(10); // the timeout is 30 s
    expect(r.stderr).toContain("[launch] rank 0 exited with code 1; stopping the others");
  });

  it("a rank that never takes part: the others time out after MLX_TS_RING_TIMEOUT, and the launch stops it", async () => {
    const r = await runs.hang;
    expect(r.status).toBe(1);
    expect(r.ranks[0]!.error).toBe("[distributed.allSum] timed out after 10 s waiting for rank 1 (MLX_TS_RING_TIMEOUT sets the limit in seconds)");
    expect(r.ranks[0]!.seconds as number).toBeGreaterThanOrEqual(10);
    expect(r.seconds).toBeLessThan(90); // rank 1 would sleep 120 s: the launcher stopped it
  });

  it("a rank that never starts: init fails after the timeout, naming it", async () => {
    const r = await runs.never;
    expect(r.status).toBe(1);
    const printed = JSON.parse(r.stdout) as { initError: string; seconds: number };
    expect(printed.initError).toMatch(/^\[distributed\.init\] rank 0 found no connection to rank 1 within 2 s: rank 1 at 127\.0\.0\.1:\d+ did not accept a connection \(ECONNREFUSED\)$/);
    expect(printed.seconds).toBeGreaterThanOrEqual(2);
    expect(printed.seconds).toBeLessThan(10);
  });
});

describe("mx.distributed: what a rank holds of a peer's messages, and a peer that dies during a send", () => {
  it("a rank holds at most MLX_TS_RING_BUFFER_MB of a peer's messages that no receive has taken (then its send waits); receives and collectives of larger messages stream through", async () => {
    const [r0, r1] = (await runs.backpressure).map((r) => r.ranks[0]!);
    // rank 1 receives rank 0's 32 MiB 2 s after init: held whole, the send would end in a fraction of a second
    expect(r0!.sendSeconds as number).toBeGreaterThanOrEqual(1.5);
    expect(r1!.received).toEqual([7, 7]);
    // allSum of 8 MiB: messages of 4 MiB through a 1 MiB limit
    expect([r0!.sum, r1!.sum]).toEqual([[3, 3], [3, 3]]);
    // each rank sends 32 MiB before it receives: the sends wait for each other until the timeout, which says why
    for (const r of [r0!, r1!]) {
      expect(r.sendsFirst).toMatch(/^\[distributed\.send\] /);
      expect(r.sendsFirstSeconds as number).toBeLessThan(20);
    }
    expect([r0!.sendsFirst, r1!.sendsFirst]).toContainEqual(
      expect.stringMatching(/^\[distributed\.send\] timed out after 6 s waiting for rank [01] to receive, as a send waits while its receiver holds 1 MiB of messages it has not received, a limit MLX_TS_RING_BUFFER_MB sets \(MLX_TS_RING_TIMEOUT sets the limit in seconds\)$/),
    );
  });

  it("a peer killed in the middle of a 64 MiB send: the send fails at once, naming it (not a success for bytes it never got)", async () => {
    const [r0, r1] = await runs.peerDiesMidMessage;
    expect(r1!.stdout).toBe(""); // (killed 2 s after init, before it received anything)
    const sender = r0!.ranks[0]!;
    expect(sender.send).toBe("[distributed.send] rank 1 closed its connection (it exited, or failed)");
    expect(sender.sendSeconds as number).toBeLessThan(10); // the timeout is 30 s
    expect(sender.next).toBe("[distributed.allSum] the group can no longer communicate: rank 1 closed its connection (it exited, or failed)");
  });

  it("a peer killed after it took a 64 MiB send's bytes (held, not received): the send succeeded, and the next communication with it fails at once", async () => {
    const sender = (await runs.peerDiesAfterSend)[0]!.ranks[0]!;
    // (rank 1's socket thread takes the 64 MiB well within the 2 s it lives, unless the machine is too busy: then the send fails as above)
    if (sender.send === "ok") expect(sender.next).toBe("[distributed.allSum] rank 1 closed its connection (it exited, or failed)");
    else expect(sender.send).toBe("[distributed.send] rank 1 closed its connection (it exited, or failed)");
    expect(sender.nextSeconds as number).toBeLessThan(10); // the timeout is 30 s
  });
});

describe.skipIf(!webgpuHere)("mx.distributed with a webgpu array", () => {
  it("allSum runs on the cpu (the communication stream), reading its input from webgpu; a synchronous read says to await", async () => {
    const ranks = await ranksOf(runs.webgpu!, 2);
    for (const r of ranks) {
      expect(r.device).toMatch(/^Device\(webgpu/);
      expect(r.resultDevice).toBe("Device(cpu, 0)");
      expect(r.sum).toEqual([3, 5, 7]);
      expect(r.sync).toMatch(/reads asynchronously; use 'await mx\.eval\(\.\.\.\)'/);
      expect(r.onWebgpu).toMatch(/^\[distributed\.allSum\] the ring backend communicates from host memory, but stream Stream\(Device\(webgpu.*\) is on 'webgpu', which reads only asynchronously; leave the stream out/);
      expect(r.inOrder).toEqual([[20, 40], [2, 4], [10]]);
      expect(r.afterFailure).toEqual({
        failed: "cannot evaluate: array float32(2,) was disposed while it was being evaluated",
        reader: "[distributed.allSum] the eval that was to run this communication failed before it ran; run in another eval it could pair with another message on the other processes",
        next: [2],
      });
      // a webgpu batch [[0, 1], [2, 3]] (+ 10 rank): each of its rows gathered over the ranks
      expect(r.transforms).toEqual({ jvp: [3, 3], jvpDevice: "Device(cpu, 0)", vmapGather: [[0, 1, 10, 11], [2, 3, 12, 13]] });
      expect(r.syncWhilePending).toBe(r.rank === 0 ? "[distributed.allSum] a synchronous read would run this communication (float32(1,)) before ones an earlier asynchronous eval has yet to run; every process must run its communications in one order: use 'await mx.eval(...)' (or 'await x.data()') instead" : "not tried");
    }
  });
});

describe("mlx-ts launch", () => {
  it("reads MLX's options and refuses what it cannot do", () => {
    expect(parseLaunchArgs(["-n", "3", "--env", "A=b=c", "--verbose", "--", "train.ts", "--lr", "1"])).toEqual({ processes: 3, env: { A: "b=c" }, verbose: true, command: ["train.ts", "--lr", "1"] });
    expect(parseLaunchArgs(["--backend", "ring", "-p", "5000", "x.js"])).toEqual({ processes: 1, startingPort: 5000, env: {}, verbose: false, command: ["x.js"] });
    expect(parseLaunchArgs(["-n", "0", "x.js"])).toBe("-n takes a positive integer, got 0");
    expect(parseLaunchArgs(["--backend", "mpi", "x.js"])).toBe("--backend mpi: mlx-ts has the ring backend only");
    expect(parseLaunchArgs(["--hosts", "a,b", "x.js"])).toBe("unknown option --hosts");
    expect(parseLaunchArgs(["-n", "2"])).toBe("no program to launch");
  });

  it("gives each process MLX_RANK and one MLX_HOSTFILE, prefixes its lines with its rank, and fails with the first failure", async () => {
    const r = await run(["cli/main.ts", "launch", "-n", "2", "--", "sh", "-c", 'echo "rank $MLX_RANK"; cat "$MLX_HOSTFILE"; echo; [ "$MLX_RANK" = 1 ] && sleep 1 && exit 3; exit 0']);
    expect(r.status).toBe(3);
    const lines = r.stdout.trim().split("\n").sort();
    expect(lines[0]).toMatch(/^0: \[\["127\.0\.0\.1:\d+"\],\["127\.0\.0\.1:\d+"\]\]$/);
    expect(lines.slice(1).sort()).toEqual([lines[0]!.replace(/^0/, "1"), "0: rank 0", "1: rank 1"].sort());
    expect(r.stderr).toContain("[launch] rank 1 exited with code 3; stopping the others");
  });

  it("a rank fails: the others are stopped with the processes they started (SIGKILL for one that ignores SIGTERM), though these hold the output", async () => {
    const r = await runs.rankFails;
    expectChildrenStopped(r.stdout);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain("[launch] rank 1 exited with code 3; stopping the others");
    expect(r.seconds).toBeLessThan(30); // the children would sleep 60 s
  });

  it("interrupted (SIGINT), the launcher stops the ranks with the processes they started, and exits with 130", async () => {
    const r = await runs.interrupted;
    expectChildrenStopped(r.stdout);
    expect(r.status).toBe(130);
    expect(r.stderr).toContain("[launch] SIGINT: stopping the processes");
    expect(r.secondsAfterSignal).toBeLessThan(20);
  });

  it("ranks that exit, leaving processes that hold their output: the launch ends, stopping those of the ranks' process groups", async () => {
    const r = await runs.leftBehind;
    const children = pidsAfter(r.stdout, "child"), escaped = pidsAfter(r.stdout, "escaped");
    stillRunning(escaped); // (in sessions of their own: not the launcher's to stop, nor to wait for)
    expect([children.length, escaped.length]).toEqual([2, 2]);
    expect(stillRunning(children)).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.seconds).toBeLessThan(30); // the processes would sleep 60 s
  });

  it.each([
    ["throws", () => runs.spawnThrows, "the test's spawn refuses this rank", [0]],
    ["emits 'error'", () => runs.spawnErrors, "spawn /nonexistent/mlx-ts-test-program ENOENT", [0, 2]],
  ] as const)("starting rank 1 of 3 fails (spawn %s): the ranks started are stopped, and the launch fails naming the command and why", async (_how, launched, why, startedRanks) => {
    const r = await launched();
    const spawned = [...r.stderr.matchAll(/^spawned (\d+) (\d+)$/gm)];
    expect(spawned.map((m) => Number(m[1]))).toEqual(startedRanks);
    expect(stillRunning([...spawned.map((m) => Number(m[2])), ...pidsAfter(r.stdout, "child")])).toEqual([]);
    expect(r.status).toBe(127);
    expect(r.stderr).toContain(`[launch] rank 1 could not start 'sh -c sleep 60 & echo "child $!"; wait': ${why}; stopping the others`);
    expect(r.seconds).toBeLessThan(30);
  });
});
