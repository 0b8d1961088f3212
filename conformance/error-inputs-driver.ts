// Runs the error-input table (conformance/error-inputs.ts): every probe in a
// fixed order, each judged: it returns normally (its arrays evaluate) or
// throws an Error that starts with `[<function called>]`, names the argument
// (or quotes the bad value) and is not an internal error. runProbesFrom
// reports as JSON lines, so a parent process can see which probe hangs.

import * as mx from "../index.js";
import * as ops from "../src/ops/index.js";
import { treeFlatten } from "../src/transforms/tree.js";
import { ERROR_ENTRIES, probesFor, type ArgSpec, type ErrorEntry, type Probe } from "./error-inputs.js";

type Fn = (...a: unknown[]) => unknown;

/** Messages of errors that escaped from inside the library instead of being raised at the argument. */
const INTERNAL = /Cannot read propert|is not a function|is not iterable|undefined is not|Maximum call stack|Cannot convert|Invalid array length|is not a constructor|Cannot destructure|Cannot create property|is not defined/;

/** The largest result a probe may build; more means a size slipped through unchecked. */
const MAX_RESULT_ELEMENTS = 2 ** 24;

/** The key of the unknown-option probe: no function takes it. */
const UNKNOWN_OPTION = "bogusOption";

/** The value of the extra-argument probe: no parameter takes it (a plain object with a key no option has). */
const EXTRA_ARGUMENT = "extraArgument";

/**
 * Whether the no-dropped-arguments rule (src/ops/strict-options.ts noExtraArguments)
 * covers public function `name`: the ops and mx.random, mx.fast, mx.linalg and
 * mx.fft; a function the table applies through its own `call` (which may not
 * pass every argument on) is left out.
 */
function refusesExtraArguments(entry: ErrorEntry): boolean {
  if (entry.call) return false;
  return entry.name in ops || entry.name === "checkKernel" || /^(random|fast|linalg|fft|distributed)\./.test(entry.name);
}

/** One call of a public function with one bad argument (or one of the table's bad calls). */
export interface ProbeCall {
  entry: ErrorEntry;
  /** The argument replaced (`options.axis` for a field), or the bad call's label. */
  argument: string;
  /** The bad value, as the failure list shows it. */
  value: string;
  args: () => unknown[];
  /** Words the message may use to name the argument. */
  names: readonly string[];
  /** Ways the message may quote the value instead. */
  quotes: readonly string[];
  /** A bad call of the table: returning normally is a failure. */
  mustThrow: boolean;
  /** The entry's valid call, run first: when it fails the entry's other probes are skipped. */
  baseline: boolean;
}

export interface ProbeResult {
  fn: string;
  argument: string;
  value: string;
  threw: boolean;
  /** Why the probe failed; absent when it passed. */
  problem?: string;
  skipped?: boolean;
}

function lookup(name: string): Fn {
  const [head, tail] = name.split(".") as [string, string | undefined];
  const root = (mx as unknown as Record<string, unknown>)[head];
  const f = tail === undefined ? root : (root as Record<string, unknown> | undefined)?.[tail];
  if (typeof f !== "function") throw new Error(`the table names mx.${name}, which is not a public function`);
  return f as Fn;
}

/** The words that name an argument: its names, and for arrays the inputs list and shapes of relational errors. */
function namesOf(spec: ArgSpec): readonly string[] {
  return spec.kind === "array" || spec.kind === "arrays" ? [...spec.names, "inputs", "shapes"] : spec.names;
}

const wholeWord = (text: string, word: string) =>
  new RegExp(`(^|[^A-Za-z0-9_])${word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^A-Za-z0-9_])`, "i").test(text);

function show(v: unknown): string {
  if (typeof v === "function") return "a function";
  if (v instanceof mx.MxArray) return v.isDisposed ? "a disposed array" : `array ${v.dtype.name}(${v.shape.join(", ")})`;
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number" || v === undefined) return String(v);
  try {
    return JSON.stringify(v, (_k, x: unknown) => (x instanceof mx.MxArray ? `<${x.dtype.name}(${x.shape.join(",")})>` : typeof x === "function" ? "<fn>" : typeof x === "bigint" ? `${x}n` : x)) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Every probe of the table, in a fixed order: per entry its valid call, each argument and option field with each probe of its kind (and each options object with an unknown key), its valid call with one argument more, then its bad calls. */
export function probeCalls(entries: readonly ErrorEntry[] = ERROR_ENTRIES): ProbeCall[] {
  const calls: ProbeCall[] = [];
  for (const entry of entries) {
    calls.push({ entry, argument: "(valid call)", value: show(entry.valid()), args: entry.valid, names: [], quotes: [], mustThrow: false, baseline: true });
    entry.args.forEach((spec, i) => {
      const put = (argument: string, names: readonly string[], p: Probe, make: () => unknown[]) => {
        calls.push({ entry, argument, value: `${p.label} (${show(p.value())})`, args: make, names, quotes: p.quotes, mustThrow: false, baseline: false });
      };
      for (const p of probesFor(spec.kind)) {
        put(spec.names[0]!, namesOf(spec), p, () => {
          const args = entry.valid();
          args[i] = p.value();
          return args;
        });
      }
      if (spec.kind === "options" && !spec.open) {
        // an option the function does not take is refused by name, never silently ignored
        calls.push({
          entry, argument: `${spec.names[0]}.${UNKNOWN_OPTION}`, value: `an unknown option ({ ${UNKNOWN_OPTION}: 1 })`, names: [UNKNOWN_OPTION], quotes: [], mustThrow: true, baseline: false,
          args: () => {
            const args = entry.valid();
            const given: unknown = args[i];
            args[i] = { ...(given !== null && typeof given === "object" && !Array.isArray(given) && !(given instanceof mx.MxArray) ? given : {}), [UNKNOWN_OPTION]: 1 };
            return args;
          },
        });
      }
      for (const [field, fieldSpec] of Object.entries(spec.fields ?? {})) {
        for (const p of probesFor(fieldSpec.kind)) {
          put(`${spec.names[0]}.${field}`, namesOf(fieldSpec), p, () => {
            const args = entry.valid();
            args[i] = { ...(args[i] as object), [field]: p.value() };
            return args;
          });
        }
      }
    });
    if (refusesExtraArguments(entry)) {
      // an argument past those the call needs fills an optional parameter it does not fit, or none: refused, never dropped
      calls.push({
        entry, argument: "(one argument more)", value: `{ ${EXTRA_ARGUMENT}: 1 } after the valid arguments`, mustThrow: true, baseline: false,
        names: ["argument", "arguments", "options", "option", ...entry.args.flatMap((a) => a.names)], quotes: [EXTRA_ARGUMENT, "object"],
        args: () => [...entry.valid(), { [EXTRA_ARGUMENT]: 1 }],
      });
    }
    for (const bad of entry.bad ?? []) {
      calls.push({ entry, argument: bad.label, value: show(bad.args()), args: bad.args, names: bad.names, quotes: [], mustThrow: true, baseline: false });
    }
  }
  return calls;
}

/** Runs one probe: a thrown error is judged by its form, a returned result must be of a checked size and evaluate. */
export async function runProbe(call: ProbeCall): Promise<Omit<ProbeResult, "fn" | "argument" | "value">> {
  const { entry } = call;
  const f = lookup(entry.name);
  const op = entry.reportedAs ?? entry.name;
  let result: unknown;
  try {
    const args = call.args();
    result = entry.call ? entry.call(f, args) : f(...args);
    if (result instanceof Promise) result = await result;
  } catch (e) {
    if (!(e instanceof Error)) return { threw: true, problem: `threw a non-Error: ${String(e)}` };
    const m = e.message;
    if (INTERNAL.test(m)) return { threw: true, problem: `internal error (${e.constructor.name}): ${m}` };
    if (call.baseline) return { threw: true, problem: `the valid call threw: ${m}` };
    if (!m.startsWith(`[${op}]`)) return { threw: true, problem: `message does not start with [${op}]: ${m}` };
    if (!call.names.some((n) => wholeWord(m, n)) && !call.quotes.some((q) => m.includes(q))) {
      return { threw: true, problem: `message names none of ${JSON.stringify(call.names)}${call.quotes.length ? ` and quotes none of ${JSON.stringify(call.quotes)}` : ""}: ${m}` };
    }
    return { threw: true };
  } finally {
    entry.restore?.();
  }
  if (call.mustThrow) return { threw: false, problem: "returned normally; it must throw" };
  const arrays = treeFlatten(result).leaves;
  const big = arrays.find((a) => a.size > MAX_RESULT_ELEMENTS);
  if (big) return { threw: false, problem: `returned an array of shape (${big.shape.join(", ")}) without checking its size` };
  try {
    await mx.eval(arrays.filter((a) => !a.isDisposed));
  } catch (e) {
    return { threw: false, problem: `returned normally, then its evaluation threw: ${(e as Error).message}` };
  }
  return { threw: false };
}

/**
 * Runs the probes from index `start` on, on the cpu, writing JSON lines:
 * `{"start": i}` before probe i, `{"result": i, ...ProbeResult}` after it, and
 * `{"done": count}` at the end. mx.print's output is dropped.
 */
export async function runProbesFrom(start: number, write: (line: string) => void): Promise<void> {
  mx.setDefaultDevice(mx.cpu);
  console.log = () => {};
  const calls = probeCalls();
  const broken = new Set<ErrorEntry>();
  for (let i = start; i < calls.length; i++) {
    const call = calls[i]!;
    const base = { fn: call.entry.name, argument: call.argument, value: call.value };
    if (broken.has(call.entry)) {
      write(JSON.stringify({ result: i, ...base, threw: false, skipped: true }));
      continue;
    }
    write(JSON.stringify({ start: i }));
    const outcome = await runProbe(call);
    if (call.baseline && outcome.problem) broken.add(call.entry);
    write(JSON.stringify({ result: i, ...base, ...outcome }));
  }
  write(JSON.stringify({ done: calls.length }));
}
