// The loop guard of user WGSL kernels (mx.fast.wgslKernel), which have no clock
// to time out by: every loop of the user's source counts its iterations, and
// an invocation past the budget stops its whole dispatch through a shared stop
// word, which the backend reads at its next wait and reports as an error.

/**
 * Loop iterations one invocation may run, all its loops together, before its
 * dispatch is stopped as an endless loop; MLX_TS_WGSL_LOOP_LIMIT changes it
 * (0: no guard). 2^26 plain iterations take lavapipe 0.4 s and the H100 about
 * 4 s: a GPU invocation runs a serial loop far slower than a CPU core (56 ns
 * an iteration of a one-multiply loop on the H100, 2026-12-05), and at 2^28
 * the H100 took 15 s to stop such a kernel.
 */
export const DEFAULT_LOOP_LIMIT = 2 ** 26;
const MAX_LOOP_LIMIT = 2 ** 31;
/** Iterations between two reads of the stop word (an invocation also reads it at its first iteration). */
const CHECK_EVERY = 1024;
/**
 * What one iteration of a loop around a barrier counts for: twice the
 * invocations of the workgroup, at least 128. A barrier costs with the
 * invocations it joins: lavapipe runs a workgroup's invocations in turn,
 * switching at every barrier, and such an iteration cost 130 plain ones in a
 * workgroup of 64, 310 in one of 256 and 2400 in one of 1024 (2^26 of them
 * would take 1.5, 3.5 and 27 minutes; weighted, under a second each).
 */
export function barrierLoopWeight(workgroupInvocations: number): number {
  return Math.max(128, 2 * workgroupInvocations);
}
const MASK = CHECK_EVERY - 1;

/** The budget in iterations, or 0 when the guard is off; a malformed setting is an error naming it. */
export function loopLimit(): number {
  const v = (typeof process !== "undefined" ? process.env.MLX_TS_WGSL_LOOP_LIMIT : undefined)?.trim();
  if (v === undefined || v === "") return DEFAULT_LOOP_LIMIT;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > MAX_LOOP_LIMIT) {
    throw new RangeError(`MLX_TS_WGSL_LOOP_LIMIT must be a whole number of loop iterations from 0 (no guard) to 2^31, got '${v}'`);
  }
  return n;
}

/** 2^k for a power of two, else the number. */
export function formatIterations(n: number): string {
  const k = Math.log2(n);
  return Number.isInteger(k) && k >= 10 ? `2^${k}` : String(n);
}

/** The calls that need the whole workgroup in step: a loop around one of them must stop uniformly. */
const BARRIERS = new Set(["workgroupBarrier", "storageBarrier", "textureBarrier", "workgroupUniformLoad"]);

interface Token {
  text: string;
  at: number;
}

/** Words (identifiers, keywords, numbers) and single punctuation characters; comments (`//`, nested block comments) and spaces skipped. */
function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 47 && src.charCodeAt(i + 1) === 47) {
      while (i < n && src[i] !== "\n" && src[i] !== "\r") i++;
    } else if (c === 47 && src.charCodeAt(i + 1) === 42) {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (src.startsWith("/*", i)) { depth++; i += 2; }
        else if (src.startsWith("*/", i)) { depth--; i += 2; }
        else i++;
      }
    } else if (/[\w\u0080-\uffff]/.test(src[i]!)) {
      const at = i;
      while (i < n && /[\w\u0080-\uffff]/.test(src[i]!)) i++;
      out.push({ text: src.slice(at, i), at });
    } else {
      if (!/\s/.test(src[i]!)) out.push({ text: src[i]!, at: i });
      i++;
    }
  }
  return out;
}

interface Fn {
  /** Offset just after the body's `{`. */
  open: number;
  calls: Set<string>;
  /** Counters of its uniformly guarded loops, declared at the top of its body. */
  counters: string[];
}

interface Loop {
  open: number;
  fn: Fn | undefined;
  calls: Set<string>;
}

/** Where a `{` came from: what the words before it announced. */
type Opening = { kind: "fn"; name: string } | { kind: "loop"; loop: Loop } | { kind: "block" };

/**
 * `src` with a guard at the start of every loop body (`loop`, `for`, `while`:
 * WGSL's only loops, as it has no recursion and no goto), inserted on the
 * line of the body's `{` so that the lines stay the user's. The plain guard
 * counts the iteration and, at every CHECK_EVERY-th, calls
 * `mx_loop_stopped_()` and breaks when it says so (the rare branch nested:
 * a break condition computed at every iteration cost lavapipe 1.6x on a tight
 * loop, the nested one 1.05x). A loop whose body reaches a barrier (itself or
 * through the functions it calls) runs in step across its workgroup, so a
 * break must be uniform: it counts on a counter of its own too, declared at
 * the top of its function, and decides through `workgroupUniformLoad`.
 * `continuing` blocks, which may not `break`, get no guard (a loop inside one
 * does).
 */
export function instrumentLoops(src: string, barrierWeight = 128): { code: string; loops: number; uniform: boolean } {
  const toks = tokenize(src);
  const fns = new Map<string, Fn>();
  const loops: Loop[] = [];
  const stack: Opening[] = [];
  let pending: Opening | undefined;
  let currentFn: Fn | undefined;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!.text;
    if (t === "fn" && toks[i + 1]) {
      pending = { kind: "fn", name: toks[i + 1]!.text };
    } else if (t === "loop" || t === "for" || t === "while") {
      const loop: Loop = { open: -1, fn: currentFn, calls: new Set() };
      pending = { kind: "loop", loop };
    } else if (t === "continuing") {
      pending = { kind: "block" };
    } else if (t === "{") {
      const open = toks[i]!.at + 1;
      const o = pending ?? { kind: "block" };
      pending = undefined;
      if (o.kind === "fn" && stack.length === 0) {
        currentFn = { open, calls: new Set(), counters: [] };
        fns.set(o.name, currentFn);
      } else if (o.kind === "loop") {
        o.loop.open = open;
        loops.push(o.loop);
      }
      stack.push(o);
    } else if (t === "}") {
      stack.pop();
      if (stack.length === 0) currentFn = undefined;
    } else if (t === "(" && i > 0 && /^[A-Za-z_]/.test(toks[i - 1]!.text) && toks[i - 2]?.text !== "fn") {
      // a call: every loop open around it (and one whose body is yet to open) reaches it
      const callee = toks[i - 1]!.text;
      currentFn?.calls.add(callee);
      for (const o of stack) if (o.kind === "loop") o.loop.calls.add(callee);
      if (pending?.kind === "loop") pending.loop.calls.add(callee);
    }
  }
  // which functions reach a barrier (WGSL forbids recursion; a cycle in a broken source counts as none)
  const reaches = new Map<string, boolean>();
  const barrierIn = (name: string): boolean => {
    if (BARRIERS.has(name)) return true;
    const known = reaches.get(name);
    if (known !== undefined) return known;
    const f = fns.get(name);
    reaches.set(name, false);
    const r = f !== undefined && [...f.calls].some(barrierIn);
    reaches.set(name, r);
    return r;
  };
  const inserts: { at: number; text: string }[] = [];
  let uniform = false;
  let guarded = 0;
  for (const loop of loops) {
    if (!loop.fn) continue;
    guarded++;
    if ([...loop.calls].some(barrierIn)) {
      const c = `mx_loop_u${loop.fn.counters.length}_`;
      loop.fn.counters.push(c);
      uniform = true;
      inserts.push({ at: loop.open, text: ` ${c} += 1u; mx_loop_n_ += ${barrierWeight}u; if ((${c} & ${MASK}u) == 1u) { if (mx_loop_stopped_uniform_()) { ${c} = 0u; break; } }` });
    } else {
      inserts.push({ at: loop.open, text: ` mx_loop_n_ += 1u; if ((mx_loop_n_ & ${MASK}u) == 1u) { if (mx_loop_stopped_()) { break; } }` });
    }
  }
  for (const f of fns.values()) if (f.counters.length) inserts.push({ at: f.open, text: ` ${f.counters.map((c) => `var ${c}: u32 = 0u;`).join(" ")}` });
  inserts.sort((a, b) => b.at - a.at);
  let code = src;
  for (const { at, text } of inserts) code = code.slice(0, at) + text + code.slice(at);
  return { code, loops: guarded, uniform };
}

/**
 * The guard's declarations: the stop word at `binding`, the invocation's count,
 * and the guard functions. An invocation reads the stop word at its first
 * iteration and every CHECK_EVERY after; past `limit` it stores `id` there;
 * once it reads a nonzero word every guard it passes breaks its loop. The
 * uniform guard counts barrierLoopWeight an iteration and checks at every
 * CHECK_EVERY-th iteration of its own loop (the same in every invocation of
 * the workgroup), reading the word through workgroup memory so that the
 * workgroup leaves the loop together.
 */
export function guardDeclarations(binding: number, limit: number, id: number, uniform: boolean): string {
  const lines = [
    "// mlx-ts loop guard (backends/webgpu/loop-guard.ts)",
    `@group(0) @binding(${binding}) var<storage, read_write> mx_loop_stop_: atomic<u32>;`,
    "var<private> mx_loop_n_: u32;",
    `fn mx_loop_stopped_() -> bool { if (mx_loop_n_ > ${limit}u) { atomicStore(&mx_loop_stop_, ${id}u); } if (atomicLoad(&mx_loop_stop_) == 0u) { return false; } mx_loop_n_ = 0u; return true; }`,
  ];
  if (uniform) {
    lines.push(
      "var<workgroup> mx_loop_wg_: u32;",
      "fn mx_loop_stopped_uniform_() -> bool { _ = mx_loop_stopped_(); mx_loop_wg_ = atomicLoad(&mx_loop_stop_); return workgroupUniformLoad(&mx_loop_wg_) != 0u; }",
    );
  }
  return lines.join("\n");
}

/**
 * The stop word of one device's user kernels and the kernels it can name.
 * The word stays set until the wait after the dispatch reads it (a guarded
 * kernel after the stopping one in the same span between waits stops at
 * once; its results are lost with the rest of that span's).
 */
export class LoopGuard {
  private stopWord: GPUBuffer | undefined;
  /** `who` of each guarded kernel, by id - 1. */
  private readonly kernels: { op: string; kernel: string; limit: number; barrierWeight: number }[] = [];
  /** A guarded kernel was launched since the last check. */
  private ran = false;

  constructor(private readonly device: GPUDevice) {}

  /** The id a guarded kernel stores in the stop word; `barrierWeight` is 0 when it has no loop around a barrier. */
  register(op: string, kernel: string, limit: number, barrierWeight: number): number {
    this.kernels.push({ op, kernel, limit, barrierWeight });
    return this.kernels.length;
  }

  /** The stop word, to bind at a guarded launch (which the next wait then checks). */
  launched(): GPUBuffer {
    this.ran = true;
    return (this.stopWord ??= this.device.createBuffer({ label: "mx_loop_stop_", size: 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST }));
  }

  /**
   * Nothing when no guarded kernel ran since the last check; else the stop
   * word is copied out and cleared behind the work submitted so far, and the
   * promise gives the error naming the kernel that set it, if one did.
   */
  check(): Promise<string | undefined> | undefined {
    if (!this.ran || !this.stopWord) return undefined;
    this.ran = false;
    const staging = this.device.createBuffer({ size: 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = this.device.createCommandEncoder({ label: "mx_loop_stop_ check" });
    encoder.copyBufferToBuffer(this.stopWord, 0, staging, 0, 4);
    encoder.clearBuffer(this.stopWord);
    this.device.queue.submit([encoder.finish()]);
    return staging.mapAsync(GPUMapMode.READ).then(
      () => {
        const id = new Uint32Array(staging.getMappedRange(0, 4))[0]!;
        staging.unmap();
        staging.destroy();
        if (id === 0) return undefined;
        const k = this.kernels[id - 1];
        const who = k ? `${k.op}: kernel '${k.kernel}'` : "a user kernel";
        const limit = formatIterations(k?.limit ?? DEFAULT_LOOP_LIMIT);
        const weight = k?.barrierWeight ? `, an iteration of a loop around a barrier counting ${k.barrierWeight}` : "";
        return `${who} ran past ${limit} loop iterations in one invocation${weight} (an endless loop?): its dispatch was stopped and its outputs were not computed (MLX_TS_WGSL_LOOP_LIMIT sets the limit)`;
      },
      // a lost device: the backend reports that itself
      () => undefined,
    );
  }
}
