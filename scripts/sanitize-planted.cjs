// Records one dispatch of a kernel with a planted bug (a missing barrier for
// the thread sanitizer, a write past the array's end, inside its pooled block,
// for the address sanitizer), so scripts/sanitize.sh can check that the
// replay reports it.
//   MLX_TS_METAL_RECORD=<dir> node scripts/sanitize-planted.cjs thread|address <cache dir>
const { join } = require("node:path");
const root = join(__dirname, "..");
const { Device } = require(join(root, "native/build/Release/mlx_ts_metal.node"));
const mode = process.argv[2];
const { constants } = require("node:buffer");
const device = new Device({ shimDir: join(root, "native/src/emu/shim"), cacheDir: process.argv[3], emulate: true, maxArrayBufferLength: constants.MAX_LENGTH });
const source = `#include <metal_stdlib>
using namespace metal;
kernel void planted(device float* out [[buffer(0)]], uint t [[thread_index_in_threadgroup]]) {
  threadgroup float s[64];
  s[t] = float(t);
  out[MODE_THREAD ? t : t + 1] = MODE_THREAD ? s[(t + 1) % 64] : 1.0f;
}
`.replace(/MODE_THREAD/g, mode === "thread" ? "true" : "false");
const lib = device.newLibrary("planted.metal", source);
// the array holds 64 floats inside a larger pooled block: the write past its end stays inside the block, and the replay must still catch it
device.encode(device.newPipeline(lib, "planted"), [{ index: 0, buffer: device.newBuffer(128 * 4), length: 64 * 4 }], [64, 1, 1], [64, 1, 1]);
device.commit();
