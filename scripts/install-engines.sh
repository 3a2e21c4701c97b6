#!/usr/bin/env bash
# Installs what the cross-engine tests need: PostgreSQL (Debian packages), and a Python virtual
# environment with chdb (ClickHouse in-process), pyspark (Spark SQL, local mode), sqlglot (parses
# the dialects no engine here runs) and duckdb. Reuses $LODESTAR_VENV (default
# ~/.cache/lodestar/venv) and pip's cache when they exist; works without them.
set -euo pipefail

venv="${LODESTAR_VENV:-$HOME/.cache/lodestar/venv}"

need_apt=()
command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install-engines: apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x "$venv/bin/python" ]; then
  echo "install-engines: creating $venv"
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import chdb, pyspark, sqlglot, duckdb' >/dev/null 2>&1; then
  echo "install-engines: pip install chdb pyspark sqlglot duckdb"
  "$venv/bin/pip" install -q --disable-pip-version-check chdb pyspark sqlglot duckdb
fi
echo "install-engines: ready (venv $venv)"
