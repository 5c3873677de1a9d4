#!/usr/bin/env bash
# Make sure Debian's Chromium is on PATH for the browser tests (pytest -m browser).
#
#   scripts/ensure-chromium.sh
#
# Idempotent: does nothing when `chromium` is already installed. Otherwise installs the
# distribution's `chromium` package with apt (sudo when not root). Playwright drives this
# browser through `executable_path`; `playwright install` (a browser download) is never used.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
    echo "chromium already installed: $(command -v chromium)"
    exit 0
fi

echo "chromium not found; installing Debian's chromium with apt"
if [[ "$(id -u)" -ne 0 ]]; then sudo=sudo; else sudo=; fi
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null 2>&1 || { echo "chromium installation failed" >&2; exit 1; }
echo "installed chromium: $(command -v chromium) ($(chromium --version 2>/dev/null || echo 'version unknown'))"
