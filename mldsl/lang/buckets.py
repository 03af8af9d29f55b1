"""Bucket names in object-store URIs: a URI whose bucket the store would refuse is refused before a run.

``s3://Bücket/k`` passed the URI rule (any host) and failed minutes later in a pod; the stores' own naming
rules are short, so they are checked here, by the CLI, the compiler and the forms (``backends/forms/form.js``
``bucketProblem`` mirrors this module; ``tests/test_forms_values.py`` runs both on the same URIs).
"""

from __future__ import annotations

import re

#: Amazon S3, "General purpose bucket naming rules" (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html):
#: 3-63 characters; lowercase letters, digits, '.' and '-'; begins and ends with a letter or digit; no two adjacent
#: periods; not formatted as an IP address; no prefix 'xn--', 'sthree-', 'amzn-s3-demo-'; no suffix '-s3alias',
#: '--ol-s3', '.mrap', '--x-s3', '--table-s3'.
_S3 = (
    re.compile(r"^[a-z0-9.-]+$"),
    ("xn--", "sthree-", "amzn-s3-demo-"),
    ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"),
)
#: Google Cloud Storage, "Bucket naming requirements" (cloud.google.com/storage/docs/buckets#naming): lowercase
#: letters, digits, '-', '_' and '.'; begins and ends with a letter or digit; 3-63 characters (up to 222 with
#: dots, each dot-separated part at most 63); not an IP address; no prefix 'goog', no 'google' in it.
_GCS = (re.compile(r"^[a-z0-9._-]+$"), ("goog",), ())
#: Alibaba Cloud OSS, "Bucket naming conventions" (alibabacloud.com/help/en/oss/user-guide/bucket-naming-conventions):
#: 3-63 characters; lowercase letters, digits and '-'; begins and ends with a letter or digit.
_OSS = (re.compile(r"^[a-z0-9-]+$"), (), ())
#: Azure Blob Storage container names (learn.microsoft.com/rest/api/storageservices/
#: naming-and-referencing-containers--blobs--and-metadata): 3-63 characters; lowercase letters, digits and '-';
#: begins with a letter or digit; no two adjacent '-'.
_AZURE = (re.compile(r"^[a-z0-9-]+$"), (), ())

STORES = {"s3": ("S3", _S3), "gs": ("GCS", _GCS), "gcs": ("GCS", _GCS), "oss": ("OSS", _OSS), "az": ("Azure", _AZURE)}
_IP = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_ENDS = re.compile(r"^[a-z0-9](.*[a-z0-9])?$", re.DOTALL)


def bucket_uri(bucket: str) -> str:
    """The Project's ``artifacts.bucket`` as a URI: a bare name is an S3 bucket (``ml-artifacts`` is
    ``s3://ml-artifacts``); no trailing '/'."""
    bucket = bucket.rstrip("/")
    return bucket if "://" in bucket else "s3://" + bucket


def bucket_problem(uri: str) -> str | None:
    """Why the bucket of ``uri`` is one its store refuses (None when it is fine or ``uri`` names no bucket)."""
    scheme, sep, rest = uri.partition("://")
    if not sep or scheme not in STORES:
        return None
    store, (chars, prefixes, suffixes) = STORES[scheme]
    bucket = rest.split("/", 1)[0]
    why = _why(bucket, store, chars, prefixes, suffixes)
    noun = "container" if store == "Azure" else "bucket"
    return None if why is None else f"{bucket!r} is not a valid {store} {noun} name: {why}"


def _why(bucket: str, store: str, chars: re.Pattern[str], prefixes: tuple[str, ...], suffixes: tuple[str, ...]) -> str | None:
    longest = 222 if store == "GCS" and "." in bucket else 63
    if not chars.match(bucket):
        allowed = {"S3": "'.' and '-'", "GCS": "'-', '_' and '.'"}.get(store, "'-'")
        return f"use only lowercase ASCII letters, digits, {allowed}"
    if not 3 <= len(bucket) <= longest or any(len(part) > 63 for part in bucket.split(".")):
        return f"it has {len(bucket)} character{'s' * (len(bucket) != 1)}, and a name has 3 to 63"
    if not _ENDS.match(bucket):
        return "it must begin and end with a letter or a digit"
    if ".." in bucket or (store == "Azure" and "--" in bucket):
        return "no two '-' may be adjacent" if store == "Azure" else "no two '.' may be adjacent"
    if store in ("S3", "GCS") and _IP.match(bucket):
        return "it must not look like an IP address"
    bad = next((p for p in prefixes if bucket.startswith(p)), None) or next((s for s in suffixes if bucket.endswith(s)), None)
    if bad or (store == "GCS" and "google" in bucket):
        return f"{store} reserves {bad or 'google'!r}"
    return None
