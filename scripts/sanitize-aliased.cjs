// Records one race-free dispatch that binds one buffer at three indices (two
// the same view, one a later view overlapping the first), so scripts/sanitize.sh
// can check that the replay keeps them one allocation and reports nothing.
//   MLX_TS_METAL_RECORD=<dir> node scripts/sanitize-aliased.cjs <cache dir>
const { join } = require("node:path");
const { constants } = require("node:buffer");
const root = join(__dirname, "..");
const { Device } = require(join(root, "native/build/Release/mlx_ts_metal.node"));
const device = new Device({ shimDir: join(root, "native/src/emu/shim"), cacheDir: process.argv[2], emulate: true, maxArrayBufferLength: constants.MAX_LENGTH });
// thread t writes element t through `out` after reading it through `same`, and reads element 64 + t (no thread writes it) through `later`
const source = `#include <metal_stdlib>
using namespace metal;
kernel void aliased(device float* out [[buffer(0)]], device const float* same [[buffer(1)]], device const float* later [[buffer(2)]],
                    uint t [[thread_position_in_grid]]) {
  out[t] = same[t] * 2.0f + later[32 + t];
}
`;
const lib = device.newLibrary("aliased.metal", source);
const buffer = device.newBuffer(128 * 4);
new Float32Array(buffer).forEach((_, i, a) => (a[i] = i));
const bindings = [
  { index: 0, buffer, length: 64 * 4 },
  { index: 1, buffer, length: 64 * 4 },
  { index: 2, buffer, offset: 32 * 4, length: 96 * 4 },
];
device.encode(device.newPipeline(lib, "aliased"), bindings, [64, 1, 1], [64, 1, 1]);
device.commit();
