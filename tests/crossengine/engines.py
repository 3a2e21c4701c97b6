"""The engines of the cross-engine suite, behind one interface: create a typed table from rows,
run a query, return (column names, rows). Every engine runs locally: DuckDB and ClickHouse (chdb)
in-process, Spark SQL in local mode, PostgreSQL on a throwaway loopback server
(scripts/postgres.sh). Timestamps are TIMESTAMP without time zone everywhere (UTC sessions).
"""
import datetime as dt
import os
import tempfile

# Canonical column types (as written in a spec's `columns` map) per engine.
TYPES = {
    "duckdb": {"bigint": "BIGINT", "double": "DOUBLE", "varchar": "VARCHAR",
               "boolean": "BOOLEAN", "timestamp": "TIMESTAMP", "date": "DATE"},
    "postgres": {"bigint": "BIGINT", "double": "DOUBLE PRECISION", "varchar": "TEXT",
                 "boolean": "BOOLEAN", "timestamp": "TIMESTAMP WITHOUT TIME ZONE", "date": "DATE"},
    "clickhouse": {"bigint": "Nullable(Int64)", "double": "Nullable(Float64)",
                   "varchar": "Nullable(String)", "boolean": "Nullable(Bool)",
                   "timestamp": "Nullable(DateTime64(6, 'UTC'))", "date": "Nullable(Date32)"},
    "spark": {"bigint": "BIGINT", "double": "DOUBLE", "varchar": "STRING",
              "boolean": "BOOLEAN", "timestamp": "TIMESTAMP_NTZ", "date": "DATE"},
}


class DuckDb:
    name = "duckdb"

    def __init__(self):
        import duckdb
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")

    def load(self, schema, table, columns, rows):
        t = TYPES["duckdb"]
        self.con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        cols = ", ".join(f'"{c}" {t[ty]}' for c, ty in columns)
        self.con.execute(f'CREATE OR REPLACE TABLE "{schema}"."{table}" ({cols})')
        if rows:
            import pyarrow as pa
            arrow = {"bigint": pa.int64(), "double": pa.float64(), "varchar": pa.string(),
                     "boolean": pa.bool_(), "timestamp": pa.timestamp("us"), "date": pa.date32()}
            data = pa.table({c: pa.array([r[i] for r in rows], type=arrow[ty])
                             for i, (c, ty) in enumerate(columns)})
            self.con.register("lodestar_rows", data)
            self.con.execute(f'INSERT INTO "{schema}"."{table}" SELECT * FROM lodestar_rows')
            self.con.unregister("lodestar_rows")

    def query(self, sql):
        cur = self.con.execute(sql)
        return [d[0] for d in cur.description], cur.fetchall()

    def close(self):
        self.con.close()


class Postgres:
    """Connects to the server of scripts/postgres.sh (PGHOST/PGPORT/PGUSER in the environment)."""

    name = "postgres"

    def __init__(self):
        import psycopg
        self.con = psycopg.connect(autocommit=True)
        self.con.execute("SET TimeZone = 'UTC'")

    def load(self, schema, table, columns, rows):
        t = TYPES["postgres"]
        self.con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        self.con.execute(f'DROP TABLE IF EXISTS "{schema}"."{table}"')
        cols = ", ".join(f'"{c}" {t[ty]}' for c, ty in columns)
        self.con.execute(f'CREATE TABLE "{schema}"."{table}" ({cols})')
        with self.con.cursor() as cur:
            with cur.copy(f'COPY "{schema}"."{table}" FROM STDIN') as copy:
                for r in rows:
                    copy.write_row(r)

    def query(self, sql):
        with self.con.cursor() as cur:
            cur.execute(sql)
            return [d.name for d in cur.description], cur.fetchall()

    def close(self):
        self.con.close()


def ch_literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, (dt.datetime, dt.date)):
        return f"'{v.isoformat(sep=' ') if isinstance(v, dt.datetime) else v.isoformat()}'"
    return "'" + str(v).replace("\\", "\\\\").replace("'", "\\'") + "'"


class ClickHouse:
    """ClickHouse in-process (chdb), one session in a temporary directory."""

    name = "clickhouse"

    def __init__(self):
        from chdb import session
        self.dir = tempfile.TemporaryDirectory(prefix="lodestar-chdb-")
        self.s = session.Session(self.dir.name)
        self.s.query("SELECT 1")

    def _run(self, sql, fmt="CSV"):
        r = self.s.query(sql, fmt)
        err = getattr(r, "error_message", None)
        if callable(err):
            err = err()
        if err:
            raise RuntimeError(err)
        return r

    def load(self, schema, table, columns, rows):
        t = TYPES["clickhouse"]
        self._run(f"CREATE DATABASE IF NOT EXISTS `{schema}`")
        self._run(f"DROP TABLE IF EXISTS `{schema}`.`{table}`")
        cols = ", ".join(f"`{c}` {t[ty]}" for c, ty in columns)
        self._run(f"CREATE TABLE `{schema}`.`{table}` ({cols}) ENGINE = Memory")
        for i in range(0, len(rows), 5000):
            values = ",".join("(" + ",".join(ch_literal(v) for v in r) + ")" for r in rows[i:i + 5000])
            self._run(f"INSERT INTO `{schema}`.`{table}` VALUES {values}")

    def query(self, sql):
        import json
        sql = sql.rstrip().rstrip(";")
        settings = "session_timezone = 'UTC', output_format_json_quote_64bit_integers = 0, " \
                   "output_format_json_quote_denormals = 0"
        sql += (", " if " SETTINGS " in sql else " SETTINGS ") + settings
        out = json.loads(self._run(sql, "JSONCompact").bytes() or b"{}")
        return [c["name"] for c in out.get("meta", [])], out.get("data", [])

    def close(self):
        try:
            self.s.close()
        finally:
            self.dir.cleanup()


class Spark:
    """Spark SQL in local mode: one session per harness run, loopback only, no UI."""

    name = "spark"
    # Queries are submitted from this many threads at once: planning happens on the driver, one
    # query at a time per thread, so concurrent queries keep both cores busy.
    threads = 4

    def __init__(self):
        from pyspark.sql import SparkSession
        self.dir = tempfile.TemporaryDirectory(prefix="lodestar-spark-")
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        self.spark = (
            SparkSession.builder.master("local[2]")
            .appName("lodestar-crossengine")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "1")
            .config("spark.sql.autoBroadcastJoinThreshold", str(64 << 20))
            # Tiny tables: whole-stage code generation and adaptive re-planning cost more than
            # they save.
            .config("spark.sql.codegen.wholeStage", "false")
            .config("spark.sql.adaptive.enabled", "false")
            .config("spark.default.parallelism", "2")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.timestampType", "TIMESTAMP_NTZ")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.warehouse.dir", os.path.join(self.dir.name, "warehouse"))
            .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={self.dir.name}")
            .getOrCreate()
        )
        self.spark.sparkContext.setLogLevel("ERROR")

    def load(self, schema, table, columns, rows):
        t = TYPES["spark"]
        ddl = ", ".join(f"`{c}` {t[ty]}" for c, ty in columns)
        self.spark.sql(f"CREATE DATABASE IF NOT EXISTS `{schema}`")
        df = self.spark.createDataFrame(rows, schema=ddl)
        df.write.mode("overwrite").saveAsTable(f"`{schema}`.`{table}`")
        self.spark.sql(f"CACHE TABLE `{schema}`.`{table}`")

    def query(self, sql):
        df = self.spark.sql(sql.rstrip().rstrip(";"))
        return df.columns, [tuple(r) for r in df.collect()]

    def close(self):
        try:
            self.spark.stop()
        finally:
            self.dir.cleanup()


ENGINES = {"duckdb": DuckDb, "postgres": Postgres, "clickhouse": ClickHouse, "spark": Spark}
