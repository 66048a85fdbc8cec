#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (Playwright's own browser downloads do not work here).
# Installs it when missing and we may (root with apt-get); otherwise says exactly what to run.
set -euo pipefail
if [ -x /usr/bin/chromium ] || [ -n "${CHROMIUM_PATH:-}" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The browser tests need Chromium at /usr/bin/chromium: run 'sudo apt-get install chromium' (Debian/Ubuntu)," >&2
echo "or set CHROMIUM_PATH to a Chromium binary." >&2
exit 1
