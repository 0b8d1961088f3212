#!/usr/bin/env bash
# The MSL execution layer under a sanitizer (CI): records small dispatches of
# every kernel while the metal op tests run, then replays them with
# native/tools/emu_replay built and kernels compiled with -fsanitize=MODE
# (thread: one OS thread per kernel thread, races reported at the .metal
# line; address: exact-size buffers, out-of-bounds accesses reported).
#   bash scripts/sanitize.sh thread|address
# SANITIZE_TESTS="test/a.test.ts ..." records those test files instead (a local run of a part).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:?usage: scripts/sanitize.sh thread|address}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/records" native/build

flags="-fsanitize=$mode -g -fno-omit-frame-pointer"
clang++-19 -std=c++17 -O1 $flags -I native/src native/tools/emu_replay.cc \
  native/src/emu/jit.cc native/src/emu/launcher_gen.cc native/src/emu/runner.cc native/src/emu/record.cc \
  -lboost_context -ldl -pthread -o "native/build/emu_replay-$mode"

tests="${SANITIZE_TESTS:-test/opdb.test.ts test/layout.test.ts test/matmul.test.ts test/random.test.ts test/reduce.test.ts test/linalg-metal.test.ts test/compile-metal.test.ts test/compile-reduce.test.ts}"
# shellcheck disable=SC2086 # the list splits into files
MLX_TS_METAL_RECORD="$work/records" MLX_TS_WEBGPU=0 MLX_TS_REQUIRE_BACKENDS=metal npx vitest run $tests >/dev/null
count=$(ls "$work/records" | wc -l)
echo "sanitize ($mode): replaying $count recorded dispatches"
export TSAN_OPTIONS="halt_on_error=1 report_signal_unsafe=0" ASAN_OPTIONS="detect_leaks=0 halt_on_error=1"
"native/build/emu_replay-$mode" "$PWD/native/src/emu/shim" "$work/cache" "$flags" "$work"/records/*.rec

# one buffer bound at several indices stays one allocation in the replay: a race-free aliased dispatch replays clean
mkdir -p "$work/aliased"
MLX_TS_METAL_RECORD="$work/aliased" node scripts/sanitize-aliased.cjs "$work/cache"
"native/build/emu_replay-$mode" "$PWD/native/src/emu/shim" "$work/cache" "$flags" "$work"/aliased/*.rec || { echo "sanitize ($mode): the aliased dispatch did not replay clean" >&2; exit 1; }

# the replay must catch a planted bug, at its .metal line
mkdir -p "$work/planted"
MLX_TS_METAL_RECORD="$work/planted" node scripts/sanitize-planted.cjs "$mode" "$work/cache"
if "native/build/emu_replay-$mode" "$PWD/native/src/emu/shim" "$work/cache" "$flags" "$work"/planted/*.rec >"$work/planted.log" 2>&1; then
  echo "sanitize ($mode): the planted bug was NOT reported" >&2
  exit 1
fi
grep -q "planted.metal:6" "$work/planted.log" || { echo "sanitize ($mode): the report does not point at planted.metal:6" >&2; cat "$work/planted.log" >&2; exit 1; }
echo "sanitize ($mode): the planted bug is reported at planted.metal:6"
