// The ring backend's wire format, shared by the main thread and the socket
// worker: each message on a connection is a 16-byte header (magic, the op
// that sent it, the dtype, the group's tag, the byte count) and then its bytes,
// so a rank that runs another op, in another group, or on an array of another
// size, is an error naming both.

import { ALL_DTYPES, type DType } from "../../dtype.js";

/** One rank's listening address, from the hostfile. */
export interface RingAddress {
  readonly host: string;
  readonly port: number;
}

export const HEADER_BYTES = 16;
/** "MXTR" little-endian: the first word of every message header. */
export const MESSAGE_MAGIC = 0x5254584d;
/** "MXTH": the first word of the hello each side of a new connection sends. */
export const HELLO_MAGIC = 0x4854584d;
export const PROTOCOL_VERSION = 2;

/** The ops that put messages on a connection; a header holds the index. */
export const MESSAGE_KINDS = ["allSum", "allMax", "allMin", "allGather", "sumScatter", "send", "split"] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** The dtype names in header order. */
export const DTYPE_NAMES: readonly string[] = ALL_DTYPES.map((d) => d.name);

/** The header of a message of `nbytes` bytes of `dtype` sent by op `kind` of the group of tag `tag` (16 bits). */
export function messageHeader(kind: MessageKind, dtype: DType, tag: number, nbytes: number): ArrayBuffer {
  const header = new ArrayBuffer(HEADER_BYTES);
  const v = new DataView(header);
  v.setUint32(0, MESSAGE_MAGIC, true);
  v.setUint8(4, MESSAGE_KINDS.indexOf(kind));
  v.setUint8(5, ALL_DTYPES.indexOf(dtype));
  v.setUint16(6, tag, true);
  v.setFloat64(8, nbytes, true);
  return header;
}
