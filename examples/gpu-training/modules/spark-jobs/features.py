"""Per-(user, item) features from a day of click events (the code of ghcr.io/acme/spark-jobs).

spark-submit features.py --events DIR --day YYYY-MM-DD --window-days N --output DIR --rows-out URI
"""

import argparse

from pyspark.sql import SparkSession
from pyspark.sql import functions as F  # noqa: N812 (the PySpark convention)


def write_text(spark: SparkSession, uri: str, text: str) -> None:
    """One small file at ``uri`` through Hadoop's FileSystem: s3a:// on the cluster, a local path here."""
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    out = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).create(path, True)
    out.write(bytearray(text.encode()))
    out.close()


def main() -> None:
    ap = argparse.ArgumentParser(prog="features")
    ap.add_argument("--events", required=True)
    ap.add_argument("--day", required=True)
    ap.add_argument("--window-days", type=int, default=28)
    ap.add_argument("--output", required=True)
    ap.add_argument("--rows-out", required=True)
    a = ap.parse_args()
    spark = SparkSession.builder.appName(f"features-{a.day}").getOrCreate()
    events = spark.read.parquet(a.events)
    features = events.groupBy("user_id", "item_id").agg(
        F.count("*").alias("views"),
        F.round(F.avg("dwell_seconds"), 3).alias("avg_dwell"),
        F.min("position").alias("min_position"),
        F.max("clicked").alias("label"),
    )
    features.coalesce(1).write.mode("overwrite").parquet(a.output)
    rows = features.count()
    print(f"features: {rows} (user, item) rows for {a.day} (window {a.window_days} days) -> {a.output}")
    write_text(spark, a.rows_out, str(rows))  # the step's `rows` output: a metric later steps can test
    spark.stop()


if __name__ == "__main__":
    main()
