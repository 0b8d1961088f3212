#!/usr/bin/env bash
# Type-checks MetalDevice (native/src/metal, the Metal side of the native
# addon) on a machine without macOS: clang-19 in syntax-only mode against the
# Objective-C runtime stubs in native/stubs. CI runs it; a Mac compiles the
# same file for real.
set -euo pipefail
cd "$(dirname "$0")/.."
for f in native/src/metal/*.cc; do
  clang++-19 -std=c++17 -fsyntax-only -fblocks -Wall -Wextra -Werror -DMLXTS_METAL_SYNTAX_CHECK -I native/stubs -I native/src "$f"
done
echo "MetalDevice type-checks against the Objective-C runtime stubs"
