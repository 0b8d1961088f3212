// The zip container of .npz files: a writer (stored or deflated entries,
// through node:zlib; zip64 records past Python's zipfile limits, UTF-8 names
// flagged as such) and a reader that finds the entries from the central
// directory (zip64 included), decodes names as Python's zipfile does,
// bounds-checks every offset, refuses entries that share bytes or declare
// more than deflate can give, and inflates with the declared size as the limit.

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

/** The 32-bit and 16-bit fields' "see the zip64 record" values. */
const LIMIT32 = 0xffffffff;
const LIMIT16 = 0xffff;
/** General purpose flag bit 11: the entry's name is UTF-8 (else CP437). */
const UTF8_NAME = 0x800;

/** Past these an archive gets zip64 records: a size or offset past `bytes`, or `entries` entries or more. */
export interface Zip64Limits {
  bytes: number;
  entries: number;
}

/** Python's zipfile limits (which MLX and NumPy write through): sizes and offsets past 2^31 - 1 bytes, 65535 entries. */
export const ZIP64_LIMITS: Zip64Limits = { bytes: 2 ** 31 - 1, entries: LIMIT16 };

/** A little-endian record of `length` bytes whose fields `fill` sets. */
function record(length: number, fill: (v: DataView) => void): Uint8Array {
  const b = new Uint8Array(length);
  fill(new DataView(b.buffer));
  return b;
}

/** The zip64 extended information extra field (id 1) holding `values`. */
const zip64Extra = (values: readonly number[]) =>
  values.length === 0
    ? new Uint8Array(0)
    : record(4 + 8 * values.length, (v) => {
        v.setUint16(0, 1, true);
        v.setUint16(2, 8 * values.length, true);
        values.forEach((x, i) => v.setBigUint64(4 + 8 * i, BigInt(x), true));
      });

/**
 * A zip archive of `entries` as byte pieces to write in order: stored, or
 * deflated when `compress`. Names are ASCII, or UTF-8 with flag bit 11 set
 * (as Python's zipfile writes them); an entry's sizes or offset past
 * `limits.bytes`, or `limits.entries` entries, get zip64 records, as Python's
 * zipfile writes them (the tests pass smaller limits to reach them cheaply).
 */
export function zipArchive(op: string, label: string, entries: readonly ZipInput[], compress: boolean, limits: Zip64Limits = ZIP64_LIMITS): Uint8Array[] {
  const utf8 = new TextEncoder();
  const out: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const ascii = /^[\x00-\x7f]*$/.test(e.name);
    const name = utf8.encode(e.name);
    if (name.length > LIMIT16) throw fileError(op, label, `entry name '${e.name.slice(0, 40)}...' is ${name.length} bytes long, past the ${LIMIT16} a zip entry's name holds`);
    const flags = ascii ? 0 : UTF8_NAME;
    const size = e.chunks.reduce((s, c) => s + c.length, 0);
    const crc = crc32(e.chunks);
    const data = compress ? [deflateRawSync(Buffer.concat(e.chunks))] : e.chunks;
    const csize = data.reduce((s, c) => s + c.length, 0);
    const big = size > limits.bytes || csize > limits.bytes, far = offset > limits.bytes;
    const localExtra = zip64Extra(big ? [size, csize] : []);
    const centralExtra = zip64Extra([...(big ? [size, csize] : []), ...(far ? [offset] : [])]);
    const version = big || far ? 45 : 20; // 4.5: zip64
    const local = record(30, (v) => {
      v.setUint32(0, 0x04034b50, true);
      v.setUint16(4, version, true);
      v.setUint16(6, flags, true);
      v.setUint16(8, compress ? 8 : 0, true);
      v.setUint16(12, 0x21, true); // 1980-01-01 00:00
      v.setUint32(14, crc, true);
      v.setUint32(18, big ? LIMIT32 : csize, true);
      v.setUint32(22, big ? LIMIT32 : size, true);
      v.setUint16(26, name.length, true);
      v.setUint16(28, localExtra.length, true);
    });
    const cd = record(46, (v) => {
      v.setUint32(0, 0x02014b50, true);
      v.setUint16(4, version, true);
      v.setUint16(6, version, true);
      v.setUint16(8, flags, true);
      v.setUint16(10, compress ? 8 : 0, true);
      v.setUint16(14, 0x21, true);
      v.setUint32(16, crc, true);
      v.setUint32(20, big ? LIMIT32 : csize, true);
      v.setUint32(24, big ? LIMIT32 : size, true);
      v.setUint16(28, name.length, true);
      v.setUint16(30, centralExtra.length, true);
      v.setUint32(38, 0o100644 << 16, true);
      v.setUint32(42, far ? LIMIT32 : offset, true);
    });
    out.push(local, name, localExtra, ...data);
    central.push(cd, name, centralExtra);
    offset += local.length + name.length + localExtra.length + csize;
  }
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  const zip64 = entries.length >= limits.entries || offset > limits.bytes || cdSize > limits.bytes;
  const tail: Uint8Array[] = [];
  if (zip64) {
    const recordAt = offset + cdSize;
    tail.push(
      record(56, (v) => {
        v.setUint32(0, 0x06064b50, true);
        v.setBigUint64(4, 44n, true); // the record's size past this field
        v.setUint16(12, 45, true);
        v.setUint16(14, 45, true);
        v.setBigUint64(24, BigInt(entries.length), true);
        v.setBigUint64(32, BigInt(entries.length), true);
        v.setBigUint64(40, BigInt(cdSize), true);
        v.setBigUint64(48, BigInt(offset), true);
      }),
      record(20, (v) => {
        v.setUint32(0, 0x07064b50, true);
        v.setBigUint64(8, BigInt(recordAt), true);
        v.setUint32(16, 1, true); // disks
      }),
    );
  }
  tail.push(
    record(22, (v) => {
      v.setUint32(0, 0x06054b50, true);
      v.setUint16(8, zip64 ? LIMIT16 : entries.length, true);
      v.setUint16(10, zip64 ? LIMIT16 : entries.length, true);
      v.setUint32(12, zip64 ? LIMIT32 : cdSize, true);
      v.setUint32(16, zip64 ? LIMIT32 : offset, true);
    }),
  );
  return [...out, ...central, ...tail];
}

/** CP437, the zip names' encoding without flag bit 11, from 0x80 up (0x00 to 0x7f are ASCII, as Python's codec has them). */
const CP437_HIGH =
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";

/** An entry's name as Python's zipfile reads it: UTF-8 when flag bit 11 is set (invalid UTF-8 is an error), CP437 otherwise; undefined for invalid UTF-8. */
function entryName(bytes: Uint8Array, flags: number): string | undefined {
  if (flags & UTF8_NAME) {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      return undefined;
    }
  }
  let s = "";
  for (const b of bytes) s += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80]!;
  return s;
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
  // as Python's zipfile: a zip64 locator just before the end record points at the zip64 end record, whose values hold
  const loc = eocdAt >= 20 ? dv(src.read(eocdAt - 20, 20, "the zip64 end of central directory locator")) : undefined;
  if (loc?.getUint32(0, true) === 0x07064b50) {
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
    const name = entryName(cd.subarray(p + 46, p + 46 + nameLen), h.getUint16(8, true));
    if (name === undefined) throw fail(`zip central directory entry ${i} flags its name as UTF-8 but it is not`);
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
