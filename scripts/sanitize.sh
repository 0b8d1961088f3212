#!/usr/bin/env bash
# The MSL execution layer under sanitizers (CI): records small dispatches of
# every kernel once while the metal op tests run, then replays them with
# native/tools/emu_replay built and kernels compiled with -fsanitize=MODE, one
# replay per mode, the modes side by side (thread: one OS thread per kernel
# thread, races reported at the .metal line; address: exact-size buffers,
# out-of-bounds accesses reported).
#   bash scripts/sanitize.sh thread address   (or one of them)
# SANITIZE_TESTS="test/a.test.ts ..." records those test files instead (a local run of a part).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo "usage: scripts/sanitize.sh thread|address..." >&2; exit 2; }
for mode in "$@"; do
  case "$mode" in thread | address) ;; *) echo "sanitize: unknown mode '$mode' (thread or address)" >&2; exit 2 ;; esac
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/records" native/build

tests="${SANITIZE_TESTS:-test/opdb.test.ts test/layout.test.ts test/matmul.test.ts test/random.test.ts test/reduce.test.ts test/linalg-metal.test.ts test/compile-metal.test.ts test/compile-reduce.test.ts}"
# shellcheck disable=SC2086 # the list splits into files
MLX_TS_METAL_RECORD="$work/records" MLX_TS_WEBGPU=0 MLX_TS_REQUIRE_BACKENDS=metal npx vitest run $tests >/dev/null
echo "sanitize: recorded $(ls "$work/records" | wc -l) dispatches"

# one buffer bound at several indices stays one allocation in the replay: a race-free aliased dispatch replays clean
mkdir -p "$work/aliased"
MLX_TS_METAL_RECORD="$work/aliased" node scripts/sanitize-aliased.cjs "$work/cache"

export TSAN_OPTIONS="halt_on_error=1 report_signal_unsafe=0" ASAN_OPTIONS="detect_leaks=0 halt_on_error=1"

# Builds the replay tool under `mode`, replays every record, the aliased one and a planted bug, which must be reported at its .metal line.
replay() {
  local mode="$1" flags="-fsanitize=$1 -g -fno-omit-frame-pointer"
  clang++-19 -std=c++17 -O1 $flags -I native/src native/tools/emu_replay.cc \
    native/src/emu/jit.cc native/src/emu/launcher_gen.cc native/src/emu/runner.cc native/src/emu/record.cc \
    -lboost_context -ldl -pthread -o "native/build/emu_replay-$mode"
  echo "sanitize ($mode): replaying the recorded dispatches"
  "native/build/emu_replay-$mode" "$PWD/native/src/emu/shim" "$work/cache-$mode" "$flags" "$work"/records/*.rec
  "native/build/emu_replay-$mode" "$PWD/native/src/emu/shim" "$work/cache-$mode" "$flags" "$work"/aliased/*.rec || { echo "sanitize ($mode): the aliased dispatch did not replay clean" >&2; return 1; }
  mkdir -p "$work/planted-$mode"
  MLX_TS_METAL_RECORD="$work/planted-$mode" node scripts/sanitize-planted.cjs "$mode" "$work/cache"
  if "native/build/emu_replay-$mode" "$PWD/native/src/emu/shim" "$work/cache-$mode" "$flags" "$work/planted-$mode"/*.rec >"$work/planted-$mode.log" 2>&1; then
    echo "sanitize ($mode): the planted bug was NOT reported" >&2
    return 1
  fi
  grep -q "planted.metal:6" "$work/planted-$mode.log" || { echo "sanitize ($mode): the report does not point at planted.metal:6" >&2; cat "$work/planted-$mode.log" >&2; return 1; }
  echo "sanitize ($mode): the planted bug is reported at planted.metal:6"
}

pids=()
for mode in "$@"; do
  (set -euo pipefail; replay "$mode") >"$work/$mode.log" 2>&1 &
  pids+=($!)
done
status=0
i=0
for mode in "$@"; do
  wait "${pids[$i]}" || status=1
  cat "$work/$mode.log"
  i=$((i + 1))
done
exit $status
