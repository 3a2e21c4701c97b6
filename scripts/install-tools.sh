#!/usr/bin/env bash
# Installs what the tests need beyond cargo, when missing: Chromium (docs are tested in a real
# headless browser) and the cross-engine test engines.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# ccache lets an interrupted DuckDB C++ build resume (see .cargo/config.toml).
command -v ccache >/dev/null 2>&1 || missing+=(ccache)
# The PostgreSQL client's TLS (native-tls) links OpenSSL, found by pkg-config.
dpkg -s libssl-dev >/dev/null 2>&1 || missing+=(libssl-dev)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-tools: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
