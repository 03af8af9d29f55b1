"""The built-in spark-sql module's PySpark code, run for real with pyspark in local mode (one shared session)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

pytest.importorskip("pyspark", reason="pyspark is in the [spark] extra (pip install -e '.[dev]' installs it)")
pd = pytest.importorskip("pandas")

from conftest import ROOT  # noqa: E402

JOB = ROOT / "modules" / "spark-sql" / "spark_sql.py"


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)  # type: ignore[attr-defined]
    session = (
        SparkSession.builder.master("local[2]")
        .appName("mldsl-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def job():
    spec = importlib.util.spec_from_file_location("spark_sql", JOB)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_feature_aggregation(spark, job, tmp_path: Path) -> None:
    events = pd.DataFrame(
        {
            "user": ["a", "a", "b", "b", "b", "c"],
            "amount": [10.0, 5.0, 1.0, 2.0, 3.0, 7.5],
            "kind": ["buy", "view", "buy", "buy", "view", "buy"],
        }
    )
    src = tmp_path / "events.parquet"
    events.to_parquet(src, index=False)
    out = tmp_path / "features"
    query = (
        "SELECT user, COUNT(*) AS events, SUM(amount) AS spend, "
        "SUM(CASE WHEN kind = 'buy' THEN 1 ELSE 0 END) AS buys FROM source GROUP BY user ORDER BY user"
    )
    rows = job.run(spark, str(src), query, str(out), partitions=1)
    assert rows == 3
    result = pd.read_parquet(out).sort_values("user").reset_index(drop=True)
    assert result.to_dict("records") == [
        {"user": "a", "events": 2, "spend": 15.0, "buys": 1},
        {"user": "b", "events": 3, "spend": 6.0, "buys": 2},
        {"user": "c", "events": 1, "spend": 7.5, "buys": 1},
    ]
    assert len(list(out.glob("part-*.parquet"))) == 1  # partitions=1


def test_bad_query_fails(spark, job, tmp_path: Path) -> None:
    src = tmp_path / "t.parquet"
    pd.DataFrame({"x": [1]}).to_parquet(src, index=False)
    from pyspark.errors import AnalysisException

    with pytest.raises(AnalysisException):
        job.run(spark, str(src), "SELECT nope FROM source", str(tmp_path / "o"))


def test_module_compiles_to_a_valid_spark_application(operator_crds, tmp_path: Path) -> None:
    from mldsl.backends import emit_all
    from mldsl.compiler import compile_paths

    from conftest import embedded_manifests

    (tmp_path / "mldsl.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: t}\nspec: {artifacts: {bucket: s3://ml-artifacts}}\n"
    )
    (tmp_path / "p.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  steps:\n"
        "    agg: {uses: spark-sql@1, with: {source: 's3://data/events/', query: 'SELECT * FROM source'}}\n"
    )
    result = compile_paths([tmp_path])
    assert result.ok, [d.render() for d in result.diagnostics]
    [app] = embedded_manifests(emit_all(result.program)[0].body)
    assert app["spec"]["mainApplicationFile"] == "local:///opt/mldsl/spark_sql.py"
    assert operator_crds.check(app) == []
    assert "COPY spark_sql.py /opt/mldsl/spark_sql.py" in (ROOT / "modules" / "spark-sql" / "Dockerfile").read_text()
