"""What a local step inherits from the shell that started ``mldsl run``: an allow-list, not the whole environment.

On a cluster a pod sees its declared ``env``, the secrets it references and its image's variables, never
the submitter's shell. A local step gets the same: its declared env and referenced secrets, plus the
variables below, which running on this machine needs (finding programs and the interpreter, the locale,
the time zone, a temporary folder, Java and Spark for a SparkApplication). Anything else
(``AWS_SECRET_ACCESS_KEY``, ``GITHUB_TOKEN``, ``ARGO_TOKEN``, another step's ``MLDSL_SECRET_*``, proxies that
may carry a password) stays with the runner. README ("Local runs: the step's environment") lists the same.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

#: variables a step gets from the runner's environment, by exact name
PASSED = frozenset(
    {
        # finding programs, the user, the terminal
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "NO_COLOR",
        # locale and time
        "LANG", "LANGUAGE", "TZ",
        # temporary files
        "TMPDIR", "TEMP", "TMP",
        # the python that runs python steps (a virtualenv or conda env, its path and its encoding)
        "VIRTUAL_ENV", "CONDA_PREFIX", "CONDA_DEFAULT_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONIOENCODING",
        "PYTHONUTF8", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PYTHONHASHSEED",
        # native libraries and devices
        "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES",
        # Java and Spark for a SparkApplication (spark-submit in local mode)
        "JAVA_HOME", "SPARK_HOME", "SPARK_LOCAL_IP", "SPARK_LOCAL_HOSTNAME", "HADOOP_HOME",
        # certificate bundles (no secrets: public certificates)
        "SSL_CERT_FILE", "SSL_CERT_DIR",
    }
)  # fmt: skip
#: variables a step gets by prefix: every locale category, pyspark's interpreters, OpenMP's thread count
PASSED_PREFIXES = ("LC_", "PYSPARK_", "OMP_")


def passed(name: str) -> bool:
    """Whether a step inherits the runner's variable ``name``."""
    return name in PASSED or name.startswith(PASSED_PREFIXES)


def host_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The part of the runner's environment every step gets (before its own env and secrets)."""
    src = os.environ if environ is None else environ
    return {k: v for k, v in src.items() if passed(k)}
