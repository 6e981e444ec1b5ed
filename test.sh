#!/usr/bin/env bash
# Runs every test, after installing what the tests need and a fresh machine may lack: protoc (Debian's
# protobuf-compiler) and Node.js, which the interop tests run as other implementations of the protocol, and Debian's
# chromium, which the browser tests of the chat page drive (clients/typescript/test/browser-chat.test.ts).
# First the .NET tests (dotnet test), then the TypeScript client's (clients/typescript: npm ci when its node_modules
# is missing or older than package-lock.json, npm run build, npm test, the browser tests among them). Exits non-zero
# when either fails.
# Extra arguments go to dotnet test, e.g. ./test.sh --filter WireSchema; WORMHOLE_SKIP_TS=1 skips the TypeScript tests.
set -uo pipefail
cd "$(dirname "$0")"

missing=()
command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ -z "${WORMHOLE_SKIP_TS:-}" ] && [ -z "${WORMHOLE_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  missing+=(chromium)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  if command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y "${missing[@]}" \
      || { $sudo apt-get update && $sudo apt-get install -y "${missing[@]}"; } \
      || echo "test.sh: could not install ${missing[*]}; the interop and browser tests will fail and say how to install them" >&2
  else
    echo "test.sh: ${missing[*]} missing and there is no apt-get here; install protoc, Node.js and chromium, or the interop and browser tests fail" >&2
  fi
fi

dotnet test -c Release --blame-hang-timeout 5m "$@"
dotnet_status=$?

ts_status=0
if [ -z "${WORMHOLE_SKIP_TS:-}" ]; then
  echo "test.sh: the TypeScript client (clients/typescript)"
  (
    cd clients/typescript || exit 1
    if [ ! node_modules/.package-lock.json -nt package-lock.json ]; then
      npm ci --no-audit --no-fund || exit 1
    fi
    npm run build && npm test
  )
  ts_status=$?
fi

if [ "$dotnet_status" -ne 0 ]; then
  exit "$dotnet_status"
fi
exit "$ts_status"
