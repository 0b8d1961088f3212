// The .npy header parser against malformed headers (a review's findings): a
// duplicate key (NumPy would keep the last and read the data as another
// dtype), an unknown key (a header that is code, not a dict of three
// entries), missing keys and values of the wrong kind are `[load]` errors
// naming the file and the problem; headers NumPy writes still load.

import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as mx from "../index.js";

const dir = mkdtempSync(join(tmpdir(), "mlx-ts-npy-header-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

/** An .npy (version 1.0) file with header dict `dict` (padded as NumPy pads it) and `data` after it. */
function npy(dict: string, data: Uint8Array): string {
  const prefix = 10;
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  const text = dict + " ".repeat(total - prefix - dict.length - 1) + "\n";
  const out = new Uint8Array(total + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, text.length, true);
  for (let i = 0; i < text.length; i++) out[prefix + i] = text.charCodeAt(i);
  out.set(data, total);
  const file = join(dir, `h${fileNo++}.npy`);
  writeFileSync(file, out);
  return file;
}

const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const eight = new Uint8Array(new Float32Array([1.5, -2]).buffer);

describe(".npy header keys", () => {
  it("a duplicate key is an error (not the first or the last descr kept)", () => {
    const file = npy("{'descr': '<f4', 'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", eight);
    expect(() => mx.load(file)).toThrow(new RegExp(`^\\[load\\] ${escaped(file)}: the .npy header has the key 'descr' twice`));
    const shapes = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'shape': (1,)}", eight);
    expect(() => mx.load(shapes)).toThrow(/the .npy header has the key 'shape' twice/);
  });

  it("an unknown key is an error naming it, before its value is read", () => {
    const file = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': __import__('os')}", eight);
    expect(() => mx.load(file)).toThrow(new RegExp(`^\\[load\\] ${escaped(file)}: the .npy header has a key 'x' that is not descr, fortran_order or shape`));
    expect(() => mx.load(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'version': '1'}", eight))).toThrow(/a key 'version' that is not descr/);
  });

  it("a missing key is an error naming the keys missing", () => {
    expect(() => mx.load(npy("{'descr': '<f4', 'shape': (2,)}", eight))).toThrow(/^\[load\] .*: the .npy header lacks the key 'fortran_order'/);
    expect(() => mx.load(npy("{'descr': '<f4'}", eight))).toThrow(/the .npy header lacks the keys 'fortran_order', 'shape'/);
    expect(() => mx.load(npy("{}", eight))).toThrow(/lacks the keys 'descr', 'fortran_order', 'shape'/);
  });

  it("values of the wrong kind, text that is no dict, and text after it are errors", () => {
    expect(() => mx.load(npy("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", eight))).toThrow(/^\[load\] .*: the .npy header is not a Python dict .*the value of 'fortran_order' at character \d+ is not a string, True, False or a tuple/);
    expect(() => mx.load(npy("{'descr': '<f4', 'fortran_order': 'False', 'shape': (2,)}", eight))).toThrow(/the .npy header's fortran_order is not True or False/);
    expect(() => mx.load(npy("{'descr': '<f4', 'fortran_order': False, 'shape': '(2,)'}", eight))).toThrow(/the .npy header's shape is not a tuple/);
    expect(() => mx.load(npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", eight))).toThrow(/the value of 'descr' .* is not a string/);
    expect(() => mx.load(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} + 1", eight))).toThrow(/characters after the dict/);
    expect(() => mx.load(npy("['descr', '<f4']", eight))).toThrow(/expected '\{' at character 0/);
    expect(() => mx.load(npy("{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}", eight))).toThrow(/expected ',' or '\}'/);
    expect(() => mx.load(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,,)}", eight))).toThrow(/the tuple of 'shape' \(2,,\) has an empty item/);
    expect(() => mx.load(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x)}", eight))).toThrow(/a dimension 'x' that is not an integer/);
  });

  it("the headers NumPy writes still load: either quote, no trailing comma, (), (n,) and (a, b), True", async () => {
    expect(await (mx.load(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", eight)) as mx.MxArray).tolist()).toEqual([1.5, -2]);
    expect(await (mx.load(npy('{"shape": (2,), "descr": "<f4", "fortran_order": False}', eight)) as mx.MxArray).tolist()).toEqual([1.5, -2]);
    expect(await (mx.load(npy("{'descr': '<f4', 'fortran_order': False, 'shape': ()}", eight.subarray(0, 4))) as mx.MxArray).tolist()).toBe(1.5);
    expect(await (mx.load(npy("{'descr':'<f4','fortran_order':True,'shape':(1, 2)}", eight)) as mx.MxArray).tolist()).toEqual([[1.5, -2]]);
  });
});
