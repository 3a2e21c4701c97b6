"""The engines of the cross-engine suite, behind one interface: create a typed table from rows,
run a query, return (column names, rows). Every engine runs locally: DuckDB and ClickHouse (chdb)
in-process, Spark SQL in local mode, PostgreSQL on a throwaway loopback server
(scripts/postgres.sh). The dialects no engine here runs (BigQuery, Snowflake, Redshift, Trino)
are read by sqlglot into DuckDB's dialect and run on DuckDB (SqlglotDuckDb). Timestamps are
TIMESTAMP without time zone everywhere (UTC sessions).
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
    # The dialects read by sqlglot: the types the tables would have on the vendor, given to
    # sqlglot so that it types each expression as the vendor does (integer division in Trino and
    # Redshift, for one). The rows themselves are loaded into DuckDB with DuckDB's types.
    "bigquery": {"bigint": "INT64", "double": "FLOAT64", "varchar": "STRING",
                 "boolean": "BOOL", "timestamp": "DATETIME", "date": "DATE"},
    "snowflake": {"bigint": "BIGINT", "double": "DOUBLE", "varchar": "VARCHAR",
                  "boolean": "BOOLEAN", "timestamp": "TIMESTAMP_NTZ", "date": "DATE"},
    "redshift": {"bigint": "BIGINT", "double": "DOUBLE PRECISION", "varchar": "VARCHAR",
                 "boolean": "BOOLEAN", "timestamp": "TIMESTAMP", "date": "DATE"},
    "trino": {"bigint": "BIGINT", "double": "DOUBLE", "varchar": "VARCHAR",
              "boolean": "BOOLEAN", "timestamp": "TIMESTAMP", "date": "DATE"},
}


class DuckDb:
    name = "duckdb"

    def __init__(self):
        import duckdb
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        # One thread: the tables are tiny, and parallel plans cost ~30% more CPU for the same
        # time (the suite shares two cores with the other engines).
        self.con.execute("SET threads = 1")

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


_SCHEMAS = {}


def sqlglot_to_duckdb(job):
    """(dialect, sql, schema) -> (the statement in DuckDB's dialect, None) or (None, the error).

    Strict: the parser raises on any error, every column must resolve against `schema` (the
    tables with the vendor's types), and the generator raises on any construct it has no DuckDB
    translation for (`unsupported_level=RAISE`), so nothing is dropped or approximated silently.
    The statement is qualified and typed first (sqlglot's `qualify` and `annotate_types`), so
    that operators whose meaning depends on types are translated with the vendor's meaning:
    without types, Trino's and Redshift's integer division would read as DuckDB's `/`."""
    import sqlglot
    from sqlglot.errors import ErrorLevel
    from sqlglot.optimizer.annotate_types import annotate_types
    from sqlglot.optimizer.qualify import qualify
    from sqlglot.schema import MappingSchema
    dialect, sql, schema = job
    try:
        key = (dialect, repr(schema))  # the schema, built once per process and set of tables
        if key not in _SCHEMAS:
            _SCHEMAS[key] = MappingSchema(schema, dialect=dialect)
        schema = _SCHEMAS[key]
        trees = [t for t in sqlglot.parse(sql, read=dialect, error_level=ErrorLevel.RAISE) if t]
        if len(trees) != 1:
            return None, f"{len(trees)} statements"
        tree = qualify(trees[0], dialect=dialect, schema=schema, validate_qualify_columns=True)
        tree = annotate_types(tree, schema=schema, dialect=dialect)
        return tree.sql(dialect="duckdb", unsupported_level=ErrorLevel.RAISE), None
    except Exception as e:
        return None, f"sqlglot cannot read it as {dialect} into duckdb: {str(e).strip()[:1000]}"


class SqlglotDuckDb(DuckDb):
    """A dialect no engine here runs, read by sqlglot (read=the dialect, write=duckdb, strict,
    typed with the vendor's column types) and executed on DuckDB with the same typed rows: an
    independent reading of what the vendor's SQL means, as far as sqlglot models the vendor.
    Translation is pure Python and runs in `pool` (one process per core) when given."""

    def __init__(self, dialect, pool=None):
        super().__init__()
        self.dialect = dialect
        self.name = f"sqlglot:{dialect}"
        self.pool = pool
        self.schema = {}  # schema -> table -> column -> the vendor's type, for sqlglot
        self.translated = {}  # the last statements -> DuckDB's (for messages)

    def load(self, schema, table, columns, rows):
        super().load(schema, table, columns, rows)
        t = TYPES[self.dialect]
        self.schema.setdefault(schema, {})[table] = {c: t[ty] for c, ty in columns}

    def query(self, sql):
        return self.query_all([sql])[0]

    def query_all(self, sqls):
        """Each statement's (columns, rows), or the exception: a statement sqlglot cannot read
        or write fails like a statement an engine rejects, with sqlglot's message."""
        jobs = [(self.dialect, q, self.schema) for q in sqls]
        self.translated = {}
        # In order, as they come: DuckDB runs one statement while the pool translates the next.
        res = self.pool.imap(sqlglot_to_duckdb, jobs, chunksize=4) if self.pool else \
            map(sqlglot_to_duckdb, jobs)
        out = []
        for q, (duck, err) in zip(sqls, res):
            self.translated[q] = duck
            try:
                if err is not None:
                    raise RuntimeError(err)
                cur = self.con.execute(duck)
                # Snowflake folds unquoted names to upper case, and the compiled SQL names its
                # output columns in upper case there ("PERIOD", "VALUE"): compare without case.
                out.append(([d[0].lower() for d in cur.description], cur.fetchall()))
            except Exception as e:
                out.append(e)
        return out

    def explain(self, sql):
        """The DuckDB statement sqlglot made of `sql`, if it made one (for messages)."""
        return self.translated.get(sql)


ENGINES = {"duckdb": DuckDb, "postgres": Postgres, "clickhouse": ClickHouse, "spark": Spark}
