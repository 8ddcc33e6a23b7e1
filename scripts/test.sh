#!/usr/bin/env bash
# `npm test`: type check, unit and integration tests, build, then end-to-end
# tests in Debian's Chromium against the built server.
set -euo pipefail
cd "$(dirname "$0")/.."
export ASTRO_TELEMETRY_DISABLED=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ ! -x "$chromium" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Chromium is missing; installing Debian's chromium package…"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "Chromium is missing: run 'sudo apt-get install chromium' (or set CHROMIUM_PATH), then npm test again." >&2
    exit 1
  fi
fi

npx astro check --minimumSeverity warning
npx tsc --noEmit -p tsconfig.json
npx vitest run --coverage
npx astro build >/dev/null
npx playwright test -c tests/e2e/playwright.config.ts
