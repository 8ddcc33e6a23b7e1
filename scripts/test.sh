#!/usr/bin/env bash
# `npm test`: type check, unit and integration tests, build, then end-to-end
# tests in Debian's Chromium against the built server, and behind Debian's
# nginx and Caddy (deploy/).
set -euo pipefail
cd "$(dirname "$0")/.."
export ASTRO_TELEMETRY_DISABLED=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"

# The real programs the end-to-end suite drives, from Debian's packages: the
# browser, the proxies and service manager of deploy/ (tests/e2e/proxies.spec.ts),
# and Prometheus (tests/e2e/metrics.spec.ts).
missing=()
[ -x "$chromium" ] || missing+=(chromium)
command -v nginx >/dev/null || missing+=(nginx)
command -v caddy >/dev/null || missing+=(caddy)
command -v systemd-analyze >/dev/null || missing+=(systemd)
command -v openssl >/dev/null || missing+=(openssl)
command -v prometheus >/dev/null || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's ${missing[*]} for the end-to-end tests…"
    # policy-rc.d keeps the packages' own services from starting: the tests start their own, on free ports.
    if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && added_policy=1; fi
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    [ -z "${added_policy:-}" ] || rm -f /usr/sbin/policy-rc.d
  else
    echo "The end-to-end tests need Debian's ${missing[*]}: run 'sudo apt-get install ${missing[*]}' (or set CHROMIUM_PATH), then npm test again." >&2
    exit 1
  fi
fi

npx astro check --minimumSeverity warning
npx tsc --noEmit -p tsconfig.json
npx vitest run --coverage
npx astro build >/dev/null
npx playwright test -c tests/e2e/playwright.config.ts
