#!/usr/bin/env bash
# Installs what the cross-engine tests (tests/integration/cross_engine.rs) need: PostgreSQL server binaries and
# Java (Debian packages, only when missing), and a Python virtual environment with chdb
# (ClickHouse in-process), pyspark (Spark SQL, local mode), sqlglot (reads the dialects no engine
# here runs into DuckDB's, and parses the others), duckdb and pyarrow (the reference engine, and the
# engine that runs what sqlglot read), psycopg (the PostgreSQL client), numpy and scipy (the
# independent check of `lodestar analyze`'s statistics).
# Reuses $LODESTAR_VENV (default ~/.cache/lodestar/venv) and pip's cache when they exist; works
# without them. Idempotent: a second run with everything present only checks.
set -euo pipefail

venv="${LODESTAR_VENV:-$HOME/.cache/lodestar/venv}"
# Pinned below the next major versions: new majors are adopted deliberately.
packages=("chdb>=3,<5" "pyspark>=4,<5" "sqlglot>=30,<31" "duckdb>=1.1,<3" "pyarrow>=15" "psycopg[binary]>=3.1,<4" "numpy>=1.26" "scipy>=1.11" "metricflow==0.213.*" "pyyaml>=6")
modules="chdb, pyspark, sqlglot, duckdb, pyarrow, psycopg, numpy, scipy, metricflow, yaml"

need_apt=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install-engines: apt-get install ${need_apt[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >/dev/null
  $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -x "$venv/bin/python" ]; then
  echo "install-engines: creating $venv"
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import $modules" >/dev/null 2>&1; then
  echo "install-engines: pip install ${packages[*]}"
  "$venv/bin/pip" install -q --disable-pip-version-check "${packages[@]}"
fi
"$venv/bin/python" -c "import $modules"
echo "install-engines: ready (venv $venv)"
