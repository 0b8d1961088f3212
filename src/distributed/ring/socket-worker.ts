// The ring backend's socket thread: kernels run synchronously on the main thread
// and Node's sockets are asynchronous, so a worker holds a TCP connection to every
// other rank and carries out each request, waking the main thread through a shared
// counter. The worker runs this function's own source (Function.prototype.toString):
// it is self-contained, loading Node's modules through `load`, constants from `boot`.

import type { Socket } from "node:net";
import type { MessagePort } from "node:worker_threads";
import type { RingAddress } from "./protocol.js";

/** What the main thread hands the worker when it starts it. */
export interface WorkerBoot {
  readonly port: MessagePort;
  /** Incremented (and notified) after each reply is posted. */
  readonly signal: Int32Array;
  readonly kindNames: readonly string[];
  readonly dtypeNames: readonly string[];
  readonly headerBytes: number;
  readonly messageMagic: number;
  readonly helloMagic: number;
  readonly version: number;
}

export type WorkerRequest =
  | {
      readonly id: number;
      readonly type: "connect";
      readonly rank: number;
      readonly addresses: readonly RingAddress[];
      readonly timeoutMs: number;
      /** How many bytes of a peer's messages that no receive has asked for yet are held before its socket stops reading. */
      readonly bufferBytes: number;
      readonly verbose: boolean;
    }
  | {
      readonly id: number;
      readonly type: "exchange";
      readonly sends: readonly { readonly peer: number; readonly header: ArrayBuffer; readonly data: ArrayBuffer }[];
      /** `header`: the header the message must carry (its byte count included). */
      readonly receives: readonly { readonly peer: number; readonly header: ArrayBuffer }[];
    };

export type WorkerReply = { readonly id: number; readonly ok: true; readonly data: ArrayBuffer[] } | { readonly id: number; readonly ok: false; readonly error: string };

/** The worker's body; `load` is the worker's `require`. */
export function socketWorker(load: (id: string) => unknown, boot: WorkerBoot): void {
  const net = load("node:net") as typeof import("node:net");
  const fs = load("node:fs") as typeof import("node:fs");
  const HEADER = boot.headerBytes;

  interface Waiting {
    readonly expected: Uint8Array;
    /** The message's bytes, filled as they come (allocated once its header is read). */
    data: Uint8Array | null;
    filled: number;
    readonly done: (data: ArrayBuffer) => void;
    readonly fail: (e: Error) => void;
  }
  interface Peer {
    readonly rank: number;
    readonly socket: Socket;
    /** Bytes read that no receive has taken yet, and their count. */
    readonly chunks: Buffer[];
    buffered: number;
    /** Whether the socket stopped reading: no receive waits and `buffered` reached the limit. */
    paused: boolean;
    readonly waiting: Waiting[];
    /** Why the connection can no longer be used, once it cannot. */
    closed: string | null;
  }

  const peers = new Map<number, Peer>();
  let verbose = false;
  let bufferBytes = Infinity;
  const log = (text: string): void => {
    if (verbose) fs.writeSync(2, `[ring] ${text}\n`);
  };

  const reply = (message: WorkerReply, transfer: ArrayBuffer[] = []): void => {
    boot.port.postMessage(message, transfer);
    Atomics.add(boot.signal, 0, 1);
    Atomics.notify(boot.signal, 0);
  };

  const describeHeader = (h: Uint8Array): string => {
    const v = new DataView(h.buffer, h.byteOffset, h.byteLength);
    const kind = boot.kindNames[v.getUint8(4)] ?? "an unknown op";
    const dtype = boot.dtypeNames[v.getUint8(5)] ?? "an unknown dtype";
    return `${kind} of ${dtype} (${v.getFloat64(8, true)} bytes) in the group of tag ${v.getUint16(6, true)}`;
  };

  /** Moves the next `n` buffered bytes of `peer` into `out` from offset `at`. */
  const take = (peer: Peer, n: number, out: Uint8Array, at = 0): Uint8Array => {
    const end = at + n;
    while (at < end) {
      const c = peer.chunks[0]!;
      const k = Math.min(c.length, end - at);
      out.set(c.subarray(0, k), at);
      at += k;
      if (k === c.length) peer.chunks.shift();
      else peer.chunks[0] = c.subarray(k);
    }
    peer.buffered -= n;
    return out;
  };

  /** Why the connection to `rank` ended: the peer's close (an end, a reset or a broken pipe: it exited, or failed), else the error. */
  const endOf = (rank: number, e?: Error & { code?: string }): string =>
    e === undefined || e.code === "EPIPE" || e.code === "ECONNRESET" ? `rank ${rank} closed its connection (it exited, or failed)` : `the connection to rank ${rank} failed (${e.code ?? e.message})`;

  /** Marks `peer`'s connection unusable for `why` (which says more than a close seen before it): its waiting receives fail, the socket is closed. */
  const breakPeer = (peer: Peer, why: string): void => {
    peer.closed = why;
    for (const w of peer.waiting.splice(0)) w.fail(new Error(peer.closed));
    peer.socket.destroy();
  };

  /**
   * Hands buffered bytes to the waiting receives of `peer`, in order, as they
   * come (a header other than the expected one breaks the connection); then
   * stops reading the socket while the bytes no receive asked for reach the
   * limit (the peer's sends wait), or resumes it.
   */
  const pump = (peer: Peer): void => {
    while (peer.waiting.length) {
      const w = peer.waiting[0]!;
      if (w.data === null) {
        if (peer.buffered < HEADER) break;
        const h = take(peer, HEADER, new Uint8Array(HEADER));
        if (new DataView(h.buffer).getUint32(0, true) !== boot.messageMagic) {
          breakPeer(peer, `rank ${peer.rank} sent bytes that are not a message header: the connection is out of step`);
          return;
        }
        if (!h.every((b, i) => b === w.expected[i])) {
          breakPeer(peer, `rank ${peer.rank} sent ${describeHeader(h)} where this rank expected ${describeHeader(w.expected)}: every rank must run the same communication ops in the same order, on arrays of one shape and dtype`);
          return;
        }
        w.data = new Uint8Array(new DataView(h.buffer).getFloat64(8, true));
      }
      const n = Math.min(peer.buffered, w.data.byteLength - w.filled);
      take(peer, n, w.data, w.filled);
      w.filled += n;
      if (w.filled < w.data.byteLength) break;
      peer.waiting.shift();
      w.done(w.data.buffer as ArrayBuffer);
    }
    if (peer.closed !== null) {
      for (const w of peer.waiting.splice(0)) w.fail(new Error(peer.closed));
      return;
    }
    // (only while no receive waits: a waiting receive takes every byte that comes, so reading never stops under it)
    const hold = peer.waiting.length === 0 && peer.buffered >= bufferBytes;
    if (hold && !peer.paused) {
      log(`rank ${peer.rank} sent ${peer.buffered} bytes that no receive has taken: stopped reading from it`);
      peer.socket.pause();
    } else if (!hold && peer.paused) {
      peer.socket.resume();
    }
    peer.paused = hold;
  };

  /** Makes `socket` (hello exchanged) the connection to `rank`; `rest` are bytes that came after the hello. */
  const attach = (rank: number, socket: Socket, rest: Buffer): void => {
    const peer: Peer = { rank, socket, chunks: rest.length ? [rest] : [], buffered: rest.length, paused: false, waiting: [], closed: null };
    peers.set(rank, peer);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      peer.chunks.push(chunk);
      peer.buffered += chunk.length;
      pump(peer);
    });
    socket.on("end", () => {
      peer.closed ??= endOf(rank);
      pump(peer);
    });
    socket.on("error", (e: Error & { code?: string }) => {
      peer.closed ??= endOf(rank, e);
      pump(peer);
    });
    socket.on("close", () => {
      peer.closed ??= endOf(rank);
      pump(peer);
    });
  };

  const hello = (rank: number, size: number): Buffer => {
    const b = Buffer.alloc(HEADER);
    b.writeUInt32LE(boot.helloMagic, 0);
    b.writeUInt32LE(boot.version, 4);
    b.writeUInt32LE(rank, 8);
    b.writeUInt32LE(size, 12);
    return b;
  };

  /** Calls `then` with the peer's hello (rank, size, version) and the bytes after it, once HEADER bytes came; `fail` if the socket ends first. */
  const readHello = (socket: Socket, then: (rank: number, size: number, version: number, rest: Buffer) => void, fail: (why: string) => void): void => {
    let got = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length < HEADER) return;
      socket.off("data", onData);
      socket.off("close", onClose);
      socket.off("error", onError);
      if (got.readUInt32LE(0) !== boot.helloMagic) {
        socket.destroy();
        return fail("it is not an mlx-ts ring process (its first bytes are not a hello)");
      }
      then(got.readUInt32LE(8), got.readUInt32LE(12), got.readUInt32LE(4), got.subarray(HEADER));
    };
    const onClose = () => fail("it closed the connection before its hello");
    // a reset before the hello (a peer that crashed, a port scan): 'close' follows and fails it; unhandled, it would end this thread
    const onError = () => {};
    socket.on("data", onData);
    socket.on("close", onClose);
    socket.on("error", onError);
  };

  /**
   * Opens the connections of rank `rank`: it listens on its own address,
   * connects to every higher rank (retrying until it listens) and accepts
   * every lower one; each side checks the other's hello (version, group size).
   */
  const connect = (rank: number, addresses: readonly { host: string; port: number }[], timeoutMs: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const size = addresses.length;
      const me = addresses[rank]!;
      const where = (r: number) => `${addresses[r]!.host}:${addresses[r]!.port}`;
      const lastError = new Map<number, string>();
      const timers = new Set<ReturnType<typeof setTimeout>>();
      let finished = false;
      const server = net.createServer();
      const finish = (error?: string) => {
        if (finished) return;
        finished = true;
        for (const t of timers) clearTimeout(t);
        server.close();
        if (error === undefined) return resolve();
        for (const p of peers.values()) p.socket.destroy();
        peers.clear();
        reject(new Error(error));
      };
      const settleIfConnected = () => {
        if (peers.size === size - 1) {
          log(`rank ${rank} connected to all ${size - 1} peers`);
          finish();
        }
      };
      const connected = (r: number, socket: Socket, rest: Buffer) => {
        if (finished) return void socket.destroy();
        attach(r, socket, rest);
        settleIfConnected();
      };
      const checkHello = (peerRank: number, peerSize: number, version: number): string | undefined => {
        if (version !== boot.version) return `it speaks protocol version ${version}, this rank ${boot.version} (another mlx-ts version)`;
        if (peerSize !== size) return `it has a group of ${peerSize} ranks, this rank ${size} (different hostfiles?)`;
        if (peerRank >= size) return `it says it is rank ${peerRank}`;
        return undefined;
      };

      server.on("connection", (socket: Socket) => {
        readHello(
          socket,
          (peerRank, peerSize, version, rest) => {
            const bad = checkHello(peerRank, peerSize, version) ?? (peerRank >= rank ? `rank ${peerRank} should accept this rank's connection, not connect` : peers.has(peerRank) ? `rank ${peerRank} is connected already` : undefined);
            if (bad !== undefined) {
              log(`rank ${rank} refused a connection: ${bad}`);
              return void socket.destroy();
            }
            log(`rank ${rank} accepted rank ${peerRank}`);
            socket.write(hello(rank, size));
            connected(peerRank, socket, rest);
          },
          (why) => log(`rank ${rank} dropped a connection: ${why}`),
        );
      });
      server.on("error", (e: Error & { code?: string }) => finish(`rank ${rank} cannot listen on ${where(rank)} (${e.code ?? e.message})`));

      const dial = (r: number, attempt: number) => {
        if (finished) return;
        const socket = net.connect({ host: addresses[r]!.host, port: addresses[r]!.port });
        socket.on("error", (e: Error & { code?: string }) => {
          lastError.set(r, e.code ?? e.message);
          socket.destroy();
          if (finished || peers.has(r)) return;
          const t = setTimeout(() => {
            timers.delete(t);
            dial(r, attempt + 1);
          }, Math.min(1000, 50 * 2 ** attempt));
          timers.add(t);
        });
        socket.on("connect", () => {
          log(`rank ${rank} connected to rank ${r} at ${where(r)}`);
          socket.write(hello(rank, size));
          readHello(
            socket,
            (peerRank, peerSize, version, rest) => {
              const bad = checkHello(peerRank, peerSize, version) ?? (peerRank !== r ? `the process at ${where(r)} says it is rank ${peerRank}, not ${r}` : undefined);
              if (bad !== undefined) return finish(`rank ${rank} cannot use its connection to rank ${r} at ${where(r)}: ${bad}`);
              connected(r, socket, rest);
            },
            (why) => lastError.set(r, `the process at ${where(r)} did not answer: ${why}`),
          );
        });
      };

      server.listen({ host: me.host, port: me.port }, () => {
        log(`rank ${rank} listening on ${where(rank)}`);
        for (let r = rank + 1; r < size; r++) dial(r, 0);
        settleIfConnected();
      });

      if (timeoutMs > 0) {
        const t = setTimeout(() => {
          const missing = [...Array(size).keys()].filter((r) => r !== rank && !peers.has(r));
          const why = missing.map((r) => (r > rank ? `rank ${r} at ${where(r)} did not accept a connection${lastError.has(r) ? ` (${lastError.get(r)})` : ""}` : `rank ${r} did not connect to ${where(rank)}`));
          finish(`rank ${rank} found no connection to ${missing.length === 1 ? "rank" : "ranks"} ${missing.join(", ")} within ${timeoutMs / 1000} s: ${why.join("; ")}`);
        }, timeoutMs);
        timers.add(t);
      }
    });

  /**
   * Writes a message to `peer`; resolves once the OS has taken all its bytes.
   * A connection that closed before that fails it: Node calls the callback of
   * a write that a socket's destruction cut short without an error.
   */
  const sendTo = (peer: Peer, header: ArrayBuffer, data: ArrayBuffer): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (peer.closed !== null) return reject(new Error(peer.closed));
      peer.socket.write(new Uint8Array(header));
      peer.socket.write(new Uint8Array(data), (e) => (e || peer.closed !== null ? reject(new Error(peer.closed ?? endOf(peer.rank, e!))) : resolve()));
    });

  const receiveFrom = (peer: Peer, header: ArrayBuffer): Promise<ArrayBuffer> =>
    new Promise<ArrayBuffer>((done, fail) => {
      const expected = new Uint8Array(header);
      peer.waiting.push({ expected, data: null, filled: 0, done, fail });
      pump(peer);
    });

  const peerOf = (rank: number): Peer => {
    const p = peers.get(rank);
    if (!p) throw new Error(`rank ${rank} is not connected to this rank`);
    return p;
  };

  const handle = async (req: WorkerRequest): Promise<ArrayBuffer[]> => {
    if (req.type === "connect") {
      verbose = req.verbose;
      bufferBytes = req.bufferBytes;
      await connect(req.rank, req.addresses, req.timeoutMs);
      return [];
    }
    // (one Promise.all over both: a receive that fails while a send is pending is handled at once)
    const received = req.receives.map((r) => receiveFrom(peerOf(r.peer), r.header));
    const sent = req.sends.map((s) => sendTo(peerOf(s.peer), s.header, s.data));
    const done = await Promise.all([...received, ...sent]);
    return done.slice(0, received.length) as ArrayBuffer[];
  };

  boot.port.on("message", (req: WorkerRequest) => {
    handle(req).then(
      (data) => reply({ id: req.id, ok: true, data }, data),
      (e: unknown) => reply({ id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
    );
  });
}
