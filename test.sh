#!/usr/bin/env bash
# Runs every test, after installing what the tests need and a fresh machine may lack: protoc (Debian's
# protobuf-compiler) and Node.js, which the interop tests run as other implementations of the protocol.
# Extra arguments go to dotnet test, e.g. ./test.sh --filter WireSchema
set -uo pipefail
cd "$(dirname "$0")"

missing=()
command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  if command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y "${missing[@]}" \
      || { $sudo apt-get update && $sudo apt-get install -y "${missing[@]}"; } \
      || echo "test.sh: could not install ${missing[*]}; the interop tests will fail and say how to install them" >&2
  else
    echo "test.sh: ${missing[*]} missing and there is no apt-get here; install protoc and Node.js, or the interop tests fail" >&2
  fi
fi

exec dotnet test -c Release --blame-hang-timeout 5m "$@"
