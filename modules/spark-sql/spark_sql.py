"""spark-sql: run a Spark SQL query over a Parquet table and write the result as Parquet.

Usage (what the SparkApplication runs):
    spark_sql.py --source URI --query SQL --output URI [--partitions N]
The input table is registered as the view ``source``.
"""

from __future__ import annotations

import argparse
import sys


def run(spark, source: str, query: str, output: str, partitions: int = 0) -> int:  # type: ignore[no-untyped-def]
    """Execute ``query`` with ``source`` registered as a view; return the number of rows written."""
    spark.read.parquet(source).createOrReplaceTempView("source")
    result = spark.sql(query)
    if partitions > 0:
        result = result.repartition(partitions)
    result.write.mode("overwrite").parquet(output)
    return spark.read.parquet(output).count()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True)
    parser.add_argument("--query", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--partitions", type=int, default=0)
    args = parser.parse_args(argv)
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName("mldsl-spark-sql").getOrCreate()
    try:
        rows = run(spark, args.source, args.query, args.output, args.partitions)
    finally:
        spark.stop()
    print(f"spark-sql: wrote {rows} rows to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
