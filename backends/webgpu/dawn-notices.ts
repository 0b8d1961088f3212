// Dawn's two notices on stderr, dropped. When Dawn finds a Vulkan device whose
// dynamic-buffer limits exceed its own (lavapipe, RADV), its native code prints
//   Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.
//   Warning: maxDynamicStorageBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.
// straight to file descriptor 2, past process.stderr, on every import. So for
// the one synchronous call that prints them, fd 2 is pointed at a temporary
// file; then it is pointed back at the original stream (reopened through
// /proc/self/fd) and everything else written meanwhile is passed on unchanged.
// Linux only, and only where a reopened stream writes as the original did: a
// pipe, a terminal, a file opened for appending (`2>>`). Elsewhere (a file
// written from its start, `2>`, a socket) nothing is dropped.

import { closeSync, constants, fstatSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const NOTICE = /^Warning: maxDynamic(?:Uniform|Storage)BuffersPerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.$/;

/** `text` without Dawn's two dynamic-buffer notices; every other line is kept as it was. */
export function dropDawnNotices(text: string): string {
  return text
    .split(/(?<=\n)/)
    .filter((line) => !NOTICE.test(line.replace(/\r?\n$/, "")))
    .join("");
}

/**
 * libuv's thread pool could open a file between closing fd 2 and reopening it
 * (it would take fd 2, and stderr would be written into that file): the trick
 * runs only while no file-system or other pool request is pending.
 */
function poolIdle(): boolean {
  const pending = process.getActiveResourcesInfo?.() ?? ["unknown"];
  return !pending.some((r) => /^FSReq|Work|GetAddrInfo|GetNameInfo|ZlibWrap|unknown/i.test(r));
}

/** Whether fd 2 can be pointed away and back (see the top), with fds 0 and 1 open so that a new descriptor lands on 2. */
function stderrReopenable(): boolean {
  if (process.platform !== "linux" || !poolIdle()) return false;
  try {
    fstatSync(0);
    fstatSync(1);
    const s = fstatSync(2);
    if (s.isFIFO() || s.isCharacterDevice()) return true;
    const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync("/proc/self/fdinfo/2", "utf8"))?.[1];
    return s.isFile() && flags !== undefined && (parseInt(flags, 8) & constants.O_APPEND) !== 0;
  } catch {
    return false;
  }
}

const WRITE = constants.O_WRONLY | constants.O_APPEND;

/** Runs `call` (synchronous, or the synchronous part of an async call) with Dawn's notices dropped from what it writes to fd 2. */
export function withoutDawnNotices<T>(call: () => T): T {
  if (!stderrReopenable()) return call();
  const dir = mkdtempSync(join(tmpdir(), "mlx-ts-dawn-")); // private to this user: no one can plant a link there
  const original = openSync("/proc/self/fd/2", WRITE);
  closeSync(2);
  const capture = openSync(join(dir, "stderr.txt"), constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600);
  if (capture !== 2) {
    // another thread opened a file between the two calls and holds fd 2 now; nothing here can move it back
    closeSync(capture);
    closeSync(original);
    rmSync(dir, { recursive: true, force: true });
    return call();
  }
  try {
    return call();
  } finally {
    const bytes = Buffer.alloc(fstatSync(2).size);
    readSync(2, bytes, 0, bytes.length, 0);
    closeSync(2);
    openSync(`/proc/self/fd/${original}`, WRITE); // the lowest free descriptor: 2 again
    closeSync(original);
    rmSync(dir, { recursive: true, force: true });
    const rest = dropDawnNotices(bytes.toString("utf8"));
    if (rest) writeSync(2, rest);
  }
}
