// The main thread's side of the ring backend's connections: it starts the socket
// worker, and each exchange posts a request and blocks on Atomics.wait until the
// worker answers. A failure or a timeout ends the worker (closing its connections,
// so the peers fail at once too).

import type { MessagePort } from "node:worker_threads";
import type { DType } from "../../dtype.js";
import { opError } from "../../errors.js";
import { MessageChannel, receiveMessageOnPort, Worker } from "./node-io.js";
import type { RingConfig } from "./hostfile.js";
import { DTYPE_NAMES, HEADER_BYTES, HELLO_MAGIC, MESSAGE_KINDS, MESSAGE_MAGIC, PROTOCOL_VERSION, messageHeader, type MessageKind } from "./protocol.js";
import { socketWorker, type WorkerBoot, type WorkerReply, type WorkerRequest } from "./socket-worker.js";

/** A message to send: `bytes` of `dtype`, sent by op `kind` of the group of tag `tag`, to the rank `peer` (an MLX_RANK). */
export interface Outgoing {
  readonly peer: number;
  readonly kind: MessageKind;
  readonly dtype: DType;
  readonly tag: number;
  readonly bytes: Uint8Array;
}

/** A message to receive from rank `peer`: it must come from op `kind` of the group of tag `tag` and hold `nbytes` bytes of `dtype`. */
export interface Incoming {
  readonly peer: number;
  readonly kind: MessageKind;
  readonly dtype: DType;
  readonly tag: number;
  readonly nbytes: number;
}

/** The worker's code: socketWorker's source, called with the worker's require and data (`__name`: the name helper tsx's transform puts in function bodies). */
const WORKER_SOURCE = `"use strict";\nconst __name = (f) => f;\n(${socketWorker.toString()})(require, require("node:worker_threads").workerData);`;

/** How long `init` waits past the worker's own connection timeout (which names the missing ranks) before giving up on the worker itself. */
const CONNECT_GRACE_MS = 5000;

const ranksText = (ranks: readonly number[]) => `${ranks.length === 1 ? "rank" : "ranks"} ${[...new Set(ranks)].join(", ")}`;

/** The connections of this process to every other rank of a ring group, through the socket worker. */
export class RingLink {
  private failure: string | null = null;
  private nextId = 0;

  private constructor(
    /** How long an exchange waits for its peers (Infinity: no limit). */
    readonly timeoutMs: number,
    /** How many bytes of this rank's messages a peer holds before this rank's sends to it wait. */
    private readonly bufferBytes: number,
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly signal: Int32Array,
  ) {}

  /**
   * Connects `config.rank` to the other ranks listening at `config.addresses`
   * (one per rank), waiting at most `config.timeoutMs` for them (Infinity: no
   * limit); errors name op `op`.
   */
  static open(op: string, config: RingConfig): RingLink {
    const { rank, addresses, timeoutMs, bufferBytes, verbose } = config;
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    const boot: WorkerBoot = {
      port: port2,
      signal,
      kindNames: MESSAGE_KINDS,
      dtypeNames: DTYPE_NAMES,
      headerBytes: HEADER_BYTES,
      messageMagic: MESSAGE_MAGIC,
      helloMagic: HELLO_MAGIC,
      version: PROTOCOL_VERSION,
    };
    // execArgv []: the eval'd worker needs none of the parent's loaders
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: boot, transferList: [port2], execArgv: [] });
    // a program that is done exits: neither the thread nor its port keeps it alive
    worker.unref();
    port1.unref();
    const link = new RingLink(timeoutMs, bufferBytes, worker, port1, signal);
    worker.on("error", (e: Error) => link.fail(`the socket thread failed: ${e.message}`));
    worker.on("exit", (code: number) => link.fail(`the socket thread exited (code ${code})`));
    const others = [...addresses.keys()].filter((r) => r !== rank);
    const connectMs = timeoutMs === Infinity ? 0 : timeoutMs;
    link.request(op, { id: link.nextId++, type: "connect", rank, addresses, timeoutMs: connectMs, bufferBytes, verbose }, [], timeoutMs + CONNECT_GRACE_MS, ranksText(others));
    return link;
  }

  /**
   * Sends `sends` and receives `receives` (each from its peer, in order),
   * all at once; the received bytes, in the order of `receives`. Errors
   * name op `op`; after one, the link is closed and every later exchange fails.
   */
  exchange(op: string, sends: readonly Outgoing[], receives: readonly Incoming[]): Uint8Array[] {
    const transfer: ArrayBuffer[] = [];
    const req: WorkerRequest = {
      id: this.nextId++,
      type: "exchange",
      sends: sends.map((s) => {
        const data = s.bytes.slice().buffer;
        transfer.push(data);
        return { peer: s.peer, header: messageHeader(s.kind, s.dtype, s.tag, s.bytes.byteLength), data };
      }),
      receives: receives.map((r) => ({ peer: r.peer, header: messageHeader(r.kind, r.dtype, r.tag, r.nbytes) })),
    };
    const waitingFor = receives.length ? ranksText(receives.map((m) => m.peer)) : `${ranksText(sends.map((m) => m.peer))} to receive, as a send waits while its receiver holds ${this.bufferBytes / 2 ** 20} MiB of messages it has not received, a limit MLX_TS_RING_BUFFER_MB sets`;
    return this.request(op, req, transfer, this.timeoutMs, waitingFor).map((b) => new Uint8Array(b));
  }

  /** Posts `req` and blocks until the worker answers it, at most `waitMs`; errors name op `op` and, on a timeout, `waitingFor`. */
  private request(op: string, req: WorkerRequest, transfer: ArrayBuffer[], waitMs: number, waitingFor: string): ArrayBuffer[] {
    if (this.failure !== null) throw opError(op, `the group can no longer communicate: ${this.failure}`);
    let seen = Atomics.load(this.signal, 0);
    this.port.postMessage(req, transfer);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const got = receiveMessageOnPort(this.port) as { message: WorkerReply } | undefined;
      if (got && got.message.id === req.id) {
        if (got.message.ok) return got.message.data;
        this.fail(got.message.error);
        throw opError(op, got.message.error);
      }
      if (got) continue; // (a reply to a request that timed out: the link failed then, so none comes)
      const left = deadline - Date.now();
      if (left <= 0) {
        const why = `timed out after ${waitMs / 1000} s waiting for ${waitingFor} (MLX_TS_RING_TIMEOUT sets the limit in seconds)`;
        this.fail(why);
        throw opError(op, why);
      }
      Atomics.wait(this.signal, 0, seen, left);
      seen = Atomics.load(this.signal, 0);
    }
  }

  /** Records the first failure and ends the worker: its connections close, so the peers stop waiting too. */
  private fail(why: string): void {
    if (this.failure !== null) return;
    this.failure = why;
    this.worker.terminate().catch(() => {});
  }
}
