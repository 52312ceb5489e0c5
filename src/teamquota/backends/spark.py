"""PySpark: the same plan on a cluster (or local mode). Tables are registered as temporary
views; the session is configurable (master URL, memory) or passed in ready-made."""

from __future__ import annotations

import tempfile
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from teamquota.backends.base import Backend


def local_session(master: str = "local[2]", driver_memory: str = "2g",
                  config: dict[str, str] | None = None) -> Any:
    from pyspark.sql import SparkSession

    builder = (SparkSession.builder.appName("teamquota").master(master)
               .config("spark.driver.memory", driver_memory)
               .config("spark.ui.enabled", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="tq-spark-")))
    for key, value in (config or {}).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkBackend(Backend):
    name = "spark"

    def __init__(self, session: Any = None, master: str = "local[2]",
                 driver_memory: str = "2g", config: dict[str, str] | None = None):
        self.session = session or local_session(master, driver_memory, config)
        self.con = ibis.pyspark.connect(self.session)

    def load(self, name: str, table: pa.Table) -> ir.Table:
        view = self.table_name(name)
        if table.num_rows == 0:
            from pyspark.sql.pandas.types import from_arrow_schema
            frame = self.session.createDataFrame([], from_arrow_schema(table.schema))
        else:
            frame = self.session.createDataFrame(table)
        frame.createOrReplaceTempView(view)
        return self.con.table(view)

    def materialize(self, expr: ir.Table, name: str) -> ir.Table:
        view = self.table_name(name)
        frame = self.con._session.sql(ibis.to_sql(expr, dialect="pyspark")).cache()
        frame.createOrReplaceTempView(view)
        return self.con.table(view)
