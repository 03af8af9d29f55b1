"""#29 item 1, run for real: a pipeline's artifact param, passed through a ``pipeline:`` step into a Spark step
that reads it by URI, reaches the job with ``mldsl run`` (pyspark in local mode), from its default ``s3://``
location (mapped by the Project's mounts) and from a local path given with ``-p`` (as ``file://``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_run import run_json

from conftest import EXAMPLES

FEATURES = """apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: spark-features}
spec:
  params:
    raw: {type: artifact, format: parquet}
  steps:
    features:
      uses: spark-sql@1
      with:
        source: "${{ params.raw }}"
        query: "SELECT *, support_calls / GREATEST(tenure_months, 1) AS calls_per_month FROM source"
        partitions: 1
  outputs:
    table: "${{ steps.features.outputs.table }}"
"""
NIGHTLY = """apiVersion: mldsl/v1
kind: Pipeline
metadata: {name: nightly}
spec:
  params:
    customers: {type: artifact, format: parquet, default: "s3://ml-data/churn/customers.parquet"}
  steps:
    features:
      pipeline: spark-features
      with: {raw: "${{ params.customers }}"}
    split:
      uses: split-dataset@1
      with: {table: "${{ steps.features.outputs.table }}"}
  outputs:
    rows: "${{ steps.split.outputs.train_rows }}"
"""


def test_an_artifact_param_reaches_a_spark_step_through_a_sub_pipeline(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyspark")
    root = tmp_path / "lab"
    shutil.copytree(EXAMPLES / "churn-notebook", root, ignore=shutil.ignore_patterns(".mldsl"))
    table = pd.read_csv(root / "data" / "churn" / "customers.csv")
    table.head(200).to_parquet(root / "data" / "churn" / "customers.parquet")
    table.to_parquet(tmp_path / "all.parquet")
    (root / "pipelines" / "features.yaml").write_text(FEATURES, encoding="utf-8")
    (root / "pipelines" / "nightly.yaml").write_text(NIGHTLY, encoding="utf-8")
    code, record, err = run_json(root / "pipelines" / "nightly.yaml", tmp_path / "home")
    assert code == 0, err
    assert record["outputs"]["rows"] == 160  # the default: 200 rows mapped from s3://ml-data, 80 % to train
    code, record, err = run_json(
        root / "pipelines" / "nightly.yaml", tmp_path / "home", "-p", f"customers={tmp_path / 'all.parquet'}"
    )
    assert code == 0, err
    assert record["outputs"]["rows"] == 320  # the local file given with -p: all 400 rows
