// The zip container of .npz files: a writer (stored or deflated entries,
// through node:zlib) and a reader that finds the entries from the central
// directory (zip64 included, as NumPy writes it), bounds-checks every
// offset, refuses entries that share bytes or declare more than deflate can
// give, and inflates with the declared size as the limit.

import { deflateRawSync, inflateRawSync } from "./files.js";
import { BOMB_NOTE, firstOverlap, overlapText } from "./ranges.js";
import { fileError, type ByteSource } from "./source.js";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (the zip checksum) of byte chunks taken in order. */
export function crc32(chunks: readonly Uint8Array[]): number {
  let c = 0xffffffff;
  for (const b of chunks) for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface ZipInput {
  name: string;
  /** The entry's bytes, in pieces (an .npy header and the data). */
  chunks: Uint8Array[];
}

const LIMIT32 = 0xffffffff;

/** A zip archive of `entries` as byte pieces to write in order: stored, or deflated when `compress`. */
export function zipArchive(op: string, label: string, entries: readonly ZipInput[], compress: boolean): Uint8Array[] {
  const out: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = new TextEncoder().encode(e.name);
    const size = e.chunks.reduce((s, c) => s + c.length, 0);
    const crc = crc32(e.chunks);
    const data = compress ? [deflateRawSync(Buffer.concat(e.chunks))] : e.chunks;
    const csize = data.reduce((s, c) => s + c.length, 0);
    if (size > LIMIT32 || csize > LIMIT32 || offset > LIMIT32) throw fileError(op, label, `entry '${e.name}' is past the 4 GiB a zip entry without zip64 holds`);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(8, compress ? 8 : 0, true);
    local.setUint16(12, 0x21, true); // 1980-01-01 00:00
    local.setUint32(14, crc, true);
    local.setUint32(18, csize, true);
    local.setUint32(22, size, true);
    local.setUint16(26, name.length, true);
    const cd = new DataView(new ArrayBuffer(46));
    cd.setUint32(0, 0x02014b50, true);
    cd.setUint16(4, 20, true);
    cd.setUint16(6, 20, true);
    cd.setUint16(10, compress ? 8 : 0, true);
    cd.setUint16(14, 0x21, true);
    cd.setUint32(16, crc, true);
    cd.setUint32(20, csize, true);
    cd.setUint32(24, size, true);
    cd.setUint16(28, name.length, true);
    cd.setUint32(38, 0o100644 << 16, true);
    cd.setUint32(42, offset, true);
    out.push(new Uint8Array(local.buffer), name, ...data);
    central.push(new Uint8Array(cd.buffer), name);
    offset += 30 + name.length + csize;
  }
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  if (entries.length > 0xffff || offset > LIMIT32) throw fileError(op, label, "the archive is past the 65535 entries or 4 GiB a zip without zip64 holds");
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, cdSize, true);
  end.setUint32(16, offset, true);
  return [...out, ...central, new Uint8Array(end.buffer)];
}

export interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  /** Where its (compressed) data starts: past the local header, its name and its extra field. */
  dataOffset: number;
}

/** Deflate's best ratio: a 258-byte match coded in two bits (1 for its length, 1 for its distance) is 1032 bytes per compressed byte. */
export const DEFLATE_MAX_RATIO = 1032;

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const u64 = (v: DataView, at: number) => Number(v.getBigUint64(at, true));

/** The entries of the zip archive in `src`, from its central directory. */
export function zipEntries(op: string, src: ByteSource): ZipEntry[] {
  const fail = (m: string) => fileError(op, src.label, m);
  const tailLen = Math.min(src.size, 22 + 0xffff);
  if (tailLen < 22) throw fail("not a zip archive (too short for an end of central directory record)");
  const tail = src.read(src.size - tailLen, tailLen, "the end of the zip archive");
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 5 && tail[i + 3] === 6) { eocd = i; break; }
  if (eocd < 0) throw fail("not a zip archive (no end of central directory record)");
  const end = dv(tail.subarray(eocd, eocd + 22));
  let count = end.getUint16(10, true);
  let cdSize = end.getUint32(12, true);
  let cdOffset = end.getUint32(16, true);
  const eocdAt = src.size - tailLen + eocd;
  if (count === 0xffff || cdSize === LIMIT32 || cdOffset === LIMIT32) {
    const loc = dv(src.read(eocdAt - 20, 20, "the zip64 end of central directory locator"));
    if (loc.getUint32(0, true) !== 0x07064b50) throw fail("the zip64 end of central directory locator is missing");
    const z = dv(src.read(u64(loc, 8), 56, "the zip64 end of central directory record"));
    if (z.getUint32(0, true) !== 0x06064b50) throw fail("the zip64 end of central directory record is corrupt");
    count = u64(z, 32);
    cdSize = u64(z, 40);
    cdOffset = u64(z, 48);
  }
  const cd = src.read(cdOffset, cdSize, "the zip central directory");
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length) throw fail(`the zip central directory ends inside entry ${i}`);
    const h = dv(cd.subarray(p, p + 46));
    if (h.getUint32(0, true) !== 0x02014b50) throw fail(`zip central directory entry ${i} has a bad signature`);
    const nameLen = h.getUint16(28, true), extraLen = h.getUint16(30, true), commentLen = h.getUint16(32, true);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) throw fail(`zip central directory entry ${i} runs past the directory`);
    const name = new TextDecoder().decode(cd.subarray(p + 46, p + 46 + nameLen));
    let size = h.getUint32(24, true), compressedSize = h.getUint32(20, true), localOffset = h.getUint32(42, true);
    // zip64: the 32-bit fields that are 0xffffffff follow in the extra field 0x0001, in this order
    const extra = cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
    for (let q = 0; q + 4 <= extra.length; ) {
      const x = dv(extra.subarray(q));
      const id = x.getUint16(0, true), len = x.getUint16(2, true);
      if (id === 1) {
        let r = 4;
        const next = () => {
          if (r + 8 > 4 + len || q + r + 8 > extra.length) throw fail(`zip entry '${name}' has a short zip64 field`);
          const v = u64(x, r);
          r += 8;
          return v;
        };
        if (size === LIMIT32) size = next();
        if (compressedSize === LIMIT32) compressedSize = next();
        if (localOffset === LIMIT32) localOffset = next();
      }
      q += 4 + len;
    }
    const method = h.getUint16(10, true);
    if (method === 0 && size !== compressedSize) throw fail(`zip entry '${name}' is stored (not compressed) but declares ${size} bytes from ${compressedSize}`);
    if (method === 8 && size > DEFLATE_MAX_RATIO * compressedSize) {
      throw fail(`zip entry '${name}' declares ${size} bytes inflated from ${compressedSize}, past the ${DEFLATE_MAX_RATIO}:1 that deflate can reach; the file is corrupt or a zip bomb`);
    }
    const local = dv(src.read(localOffset, 30, `the local header of zip entry '${name}'`));
    if (local.getUint32(0, true) !== 0x04034b50) throw fail(`zip entry '${name}': bad local header signature`);
    const dataOffset = localOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
    entries.push({ name, method, crc: h.getUint32(16, true), compressedSize, size, localOffset, dataOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  // each entry (local header to the end of its data) owns its bytes: entries sharing them are the overlapping-entries zip bomb
  const shared = firstOverlap([
    ...entries.map((e) => ({ what: `zip entry '${e.name}'`, start: e.localOffset, end: e.dataOffset + e.compressedSize })),
    { what: "the central directory", start: cdOffset, end: cdOffset + cdSize },
    { what: "the end of central directory record", start: eocdAt, end: eocdAt + 22 },
  ]);
  if (shared) throw fail(`${overlapText(shared)}; ${BOMB_NOTE}`);
  return entries;
}

/** The bytes of one entry, inflated and checked against its size and CRC. */
export function zipEntryBytes(op: string, src: ByteSource, e: ZipEntry): Uint8Array {
  const fail = (m: string) => fileError(op, src.label, `zip entry '${e.name}': ${m}`);
  const raw = src.read(e.dataOffset, e.compressedSize, `the data of zip entry '${e.name}'`);
  let data: Uint8Array;
  if (e.method === 0) data = raw;
  else if (e.method === 8) {
    if (e.size > 2 ** 31) throw fail(`declares ${e.size} bytes, more than one entry may inflate to`);
    try {
      data = inflateRawSync(raw, { maxOutputLength: Math.max(1, e.size) });
    } catch (err) {
      throw fail(`the deflated data is corrupt or inflates past its declared ${e.size} bytes (${(err as Error).message})`);
    }
  } else throw fail(`unsupported compression method ${e.method} (stored and deflate are read)`);
  if (data.length !== e.size) throw fail(`holds ${data.length} bytes but declares ${e.size}`);
  if (crc32([data]) !== e.crc) throw fail("the CRC-32 does not match its data");
  return data;
}
