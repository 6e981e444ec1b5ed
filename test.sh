#!/usr/bin/env bash
# Runs every test, after installing what the tests need and a fresh machine lacks: protoc (Debian's
# protobuf-compiler), which the schema interop tests run as a second protobuf implementation.
# Extra arguments go to dotnet test, e.g. ./test.sh --filter WireSchema
set -uo pipefail
cd "$(dirname "$0")"

if ! command -v protoc >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  if command -v apt-get >/dev/null 2>&1; then
    echo "protoc is missing: installing protobuf-compiler"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y protobuf-compiler \
      || { $sudo apt-get update && $sudo apt-get install -y protobuf-compiler; } \
      || echo "test.sh: could not install protobuf-compiler; the protoc tests will fail and say how to install it" >&2
  else
    echo "test.sh: protoc is missing and there is no apt-get here; install the Protocol Buffers compiler (e.g. brew install protobuf), or the protoc tests fail" >&2
  fi
fi

exec dotnet test -c Release --blame-hang-timeout 5m "$@"
