"""Artifact locations, paths, labels and selectors as the controller checks them."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from mldsl.argo.validate.fields import _d, _l, _str

# -- artifacts ------------------------------------------------------------------------------------

_LOCATIONS = ("artifactory", "azure", "git", "gcs", "hdfs", "http", "oss", "raw", "s3", "plugin")


def _has_location_or_key(art: Mapping[str, Any]) -> bool:
    """ArtifactLocation.HasLocationOrKey (workflow_types.go l. 1477): the first configured kind
    (Get, l. 1420-1447) has a full location or a key."""
    for kind in _LOCATIONS:
        loc = art.get(kind)
        if loc is None:
            continue
        v = _d(loc)
        if kind in ("artifactory", "http"):
            url = _str(v.get("url"))
            full = _has(v, "url", "usernameSecret") if kind == "artifactory" else bool(url)
            try:
                url_key = urlsplit(url).path  # GetKey: the URL's path (l. 3015-3021, 3224-3230)
            except ValueError:
                url_key = ""
            return full or bool(url_key)
        location = _has(v, *_LOCATION_FIELDS[kind])
        key_field = {"azure": "blob", "gcs": "key", "hdfs": "path", "oss": "key", "s3": "key", "plugin": "key"}.get(kind)
        return location or (key_field is not None and bool(_str(v.get(key_field))))
    return False


# each kind's HasLocation (workflow_types.go l. 2935-3396): the fields it needs
_LOCATION_FIELDS: dict[str, tuple[str, ...]] = {
    "azure": ("endpoint", "container", "blob"),
    "git": ("repo",),
    "gcs": ("bucket", "key"),
    "hdfs": ("addresses",),
    "oss": ("bucket", "endpoint", "key"),
    "raw": (),
    "s3": ("endpoint", "bucket", "key"),
    "plugin": ("name", "configuration", "key"),
}


def _has(v: Mapping[str, Any], *keys: str) -> bool:
    return all(v.get(k) not in (None, "", [], {}) for k in keys)


def _go_clean(path: str) -> str:
    """Go's filepath.Clean on a slash path."""
    if not path:
        return "."
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def _clean_path_error(art: Mapping[str, Any]) -> str | None:
    """Artifact.CleanPath (workflow_types.go l. 1212-1248)."""
    name, path = _str(art.get("name")), _str(art.get("path"))
    if not path:
        return f"Artifact '{name}' did not specify a path"
    safe = ""
    if "/../" in path:
        safe = path.split("/../", 1)[0]
    elif path.endswith("/.."):
        safe = path[:-3]
    cleaned = _go_clean(path)
    if safe and (not cleaned.startswith(safe + "/") or len(cleaned) <= len(safe) + 1):
        return f"Artifact '{name}' attempted to use a path containing '..'. Directory traversal is not permitted"
    return None


def _artifact_location_error(prefix: str, art: Mapping[str, Any]) -> str | None:
    """validateArtifactLocation (validate.go l. 780-794) with hdfs.ValidateArtifact (hdfs.go l. 53-75)."""
    if art.get("git") is not None and not _str(_d(art.get("git")).get("repo")):
        return f"{prefix}.git.repo is required"
    if art.get("hdfs") is not None:
        h, p = _d(art.get("hdfs")), f"{prefix}.hdfs"
        if not _l(h.get("addresses")):
            return f"{p}.addresses is required"
        path = _str(h.get("path"))
        if not path:
            return f"{p}.path is required"
        if not path.startswith("/"):
            return f"{p}.path must be a absolute file path"
        ccache, keytab = h.get("krbCCacheSecret") is not None, h.get("krbKeytabSecret") is not None
        if not _str(h.get("hdfsUser")) and not ccache and not keytab:
            return f"either {p}.hdfsUser, {p}.krbCCacheSecret or {p}.krbKeytabSecret is required"
        spn, conf = _str(h.get("krbServicePrincipalName")), h.get("krbConfigConfigMap")
        if keytab and (not spn or conf is None or not _str(h.get("krbUsername")) or not _str(h.get("krbRealm"))):
            return (
                f"{p}.krbServicePrincipalName, {p}.krbConfigConfigMap, {p}.krbUsername and {p}.krbRealm"
                f" are required with {p}.krbKeytabSecret"
            )
        if ccache and (not spn or conf is None):
            return f"{p}.krbServicePrincipalName and {p}.krbConfigConfigMap are required with {p}.krbCCacheSecret"
    return None


# -- label selectors (k8s.io/apimachinery metav1.LabelSelectorAsSelector) ------------------------

_ALNUM_RULE = "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
_LABEL_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def _label_key_error(key: str) -> str | None:
    prefix, _, name = key.rpartition("/")
    if "/" in prefix or (key.count("/") == 1 and (not prefix or len(prefix) > 253 or not _DNS_SUBDOMAIN.fullmatch(prefix))):
        return f"invalid label key {key!r}: prefix part must be a DNS-1123 subdomain"
    if not name or len(name) > 63 or not _LABEL_NAME.fullmatch(name):
        return f"invalid label key {key!r}: name part must consist of {_ALNUM_RULE}"
    return None


def _label_value_error(value: str) -> str | None:
    if value and (len(value) > 63 or not _LABEL_NAME.fullmatch(value)):
        return f"invalid label value: {value!r}: a valid label must be an empty string or consist of {_ALNUM_RULE}"
    return None


def _selector_error(sel: Mapping[str, Any]) -> str | None:
    for k, v in _d(sel.get("matchLabels")).items():
        why = _label_key_error(_str(k)) or _label_value_error(_str(v))
        if why:
            return why
    for e in _l(sel.get("matchExpressions")):
        e = _d(e)
        op, values = _str(e.get("operator")), [_str(v) for v in _l(e.get("values"))]
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return f'"{op}" is not a valid label selector operator'
        why = _label_key_error(_str(e.get("key")))
        if why:
            return why
        if op in ("In", "NotIn") and not values:
            return "for 'in', 'notin' operators, values set can't be empty"
        if op in ("Exists", "DoesNotExist") and values:
            return "values set must be empty for exists and does not exist"
        for v in values:
            why = _label_value_error(v)
            if why:
                return why
    return None
