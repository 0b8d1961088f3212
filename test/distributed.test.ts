// mx.distributed: the singleton group in this process (MLX's identities and
// errors), then groups of 2 and 3 processes started by `mlx-ts launch`, each
// running test/helpers/distributed-ops.ts: every op, dtype and shape checked
// against values computed here, float sums bit for bit in the documented fold
// order, the evaluation paths, the transforms, split, and failures (a rank that
// exits, hangs or never starts) ending in errors that name the op, in bounded time.

import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
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

/** Runs `node --import tsx` with `args` (cpu only unless `env` says otherwise); what it printed, each rank's JSON line parsed. */
function run(args: string[], env: Record<string, string> = {}): Promise<Launch> {
  const start = Date.now();
  const child = spawn(process.execPath, ["--import", "tsx", ...args], { env: { ...process.env, MLX_TS_WEBGPU: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "", stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c));
  child.stderr.on("data", (c: Buffer) => (stderr += c));
  return new Promise((resolve) =>
    child.on("close", (status) => {
      const ranks: Record<string, unknown>[] = [];
      for (const line of stdout.split("\n")) {
        const m = /^(\d+): (\{.*\})$/.exec(line);
        if (m) ranks[Number(m[1])] = JSON.parse(m[2]!) as Record<string, unknown>;
      }
      resolve({ status, stdout, stderr, seconds: (Date.now() - start) / 1000, ranks });
    }),
  );
}

const launch = (n: number, mode: string, env?: Record<string, string>) => run(["cli/main.ts", "launch", "-n", String(n), SCRIPT, mode], env);

/** A port nothing listens on (just now). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

const webgpuHere = mx.registeredBackends().some((b) => b.name === "webgpu");

// every launch starts now and runs in parallel with the others (and with the tests above)
const runs = {
  two: launch(2, "ops"),
  three: launch(3, "ops"),
  webgpu: webgpuHere ? launch(2, "webgpu", { MLX_TS_WEBGPU: "1" }) : undefined,
  exitEarly: launch(2, "exit-early", { MLX_TS_RING_TIMEOUT: "30" }),
  hang: launch(2, "hang", { MLX_TS_RING_TIMEOUT: "10" }),
  never: (async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlx-ts-distributed-"));
    const hostfile = join(dir, "hostfile.json");
    writeFileSync(hostfile, JSON.stringify([[`127.0.0.1:${await freePort()}`], [`127.0.0.1:${await freePort()}`]]));
    return run([SCRIPT, "ops"], { MLX_RANK: "0", MLX_HOSTFILE: hostfile, MLX_TS_RING_TIMEOUT: "2" });
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

describe.skipIf(!webgpuHere)("mx.distributed with a webgpu array", () => {
  it("allSum runs on the cpu (the communication stream), reading its input from webgpu; a synchronous read says to await", async () => {
    const ranks = await ranksOf(runs.webgpu!, 2);
    for (const r of ranks) {
      expect(r.device).toMatch(/^Device\(webgpu/);
      expect(r.resultDevice).toBe("Device(cpu, 0)");
      expect(r.sum).toEqual([3, 5, 7]);
      expect(r.sync).toMatch(/reads asynchronously; use 'await mx\.eval\(\.\.\.\)'/);
      expect(r.onWebgpu).toMatch(/^\[distributed\.allSum\] the ring backend communicates from host memory, but stream Stream\(Device\(webgpu.*\) is on 'webgpu', which reads only asynchronously; leave the stream out/);
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
});
