"""The checks of the document models, free of pydantic: each runs inside pydantic's validation.

The models (``base.py`` and the kinds) attach these functions as validators; the frozen core schemas
(``frozen.py``) name them, so a document can be validated with ``pydantic_core`` alone (``fast.py``)
without importing pydantic or building the model classes: a check lives here once for both.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from mldsl.lang.models.core import core

if TYPE_CHECKING:
    import pydantic_core

PydanticCustomError: type[pydantic_core.PydanticCustomError] = core.PydanticCustomError

#: document kinds this version reads (``mldsl.lang.models.KIND_MODELS`` has their models)
KINDS = ("Project", "Module", "Pipeline", "Sweep", "Serving")
RUN_KINDS = ("container", "python", "spark", "distributed", "notebook")
DISTRIBUTIONS = ("values", "range", "uniform", "loguniform", "int_uniform", "normal")
#: union tags that pydantic puts into error locations; the loader strips them
UNION_TAGS = frozenset({"short", "long"})

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
    r"(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)


def dns_label(value: str) -> str:
    if len(value) > 63 or not DNS_LABEL.match(value):
        raise PydanticCustomError(
            "MLD105",
            "invalid name '{value}': names are DNS-1123 labels (lowercase letters, digits and '-', at most 63)",
            {"value": value, "hint": "for example 'churn-train'"},
        )
    return value


def identifier(value: str) -> str:
    if not IDENTIFIER.match(value):
        raise PydanticCustomError(
            "MLD105",
            "invalid name '{value}': must be an identifier (letters, digits and '_')",
            {"value": value, "hint": "names are used in expressions such as steps.<name>; use '_' instead of '-'"},
        )
    return value


def semver(value: str) -> str:
    if not SEMVER.match(value):
        raise PydanticCustomError(
            "MLD106",
            "invalid version '{value}': versions are semantic versions MAJOR.MINOR.PATCH",
            {"value": value, "hint": "for example 1.2.0 (quote it in YAML if it looks like a number)"},
        )
    return value


def number_to_text(value: Any) -> Any:
    # YAML reads `version: 1.2` as a number; report it as a bad version, with the quoting hint
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$")


def quantity(value: str) -> str:
    if not QUANTITY.match(value):
        raise PydanticCustomError(
            "MLD107",
            "invalid size '{value}': a Kubernetes quantity is a number with a unit",
            {"value": value, "hint": "for example 8Gi, 512Mi or 50Gi"},
        )
    return value


def quantity_or_reference(value: str) -> str:
    # "${{ inputs.x }}" / "${{ params.x }}" are checked where they are bound (SPEC §1.10)
    return value if "${{" in value else quantity(value)


def cpu(value: str | int | float) -> str | int | float:
    if isinstance(value, str):
        return quantity_or_reference(value)
    if value < 0:
        raise PydanticCustomError(
            "MLD107", "invalid cpu {value}: it cannot be negative", {"value": value, "hint": "for example 2 or 500m"}
        )
    return value


#: Kubernetes label names and values (apimachinery validation.IsQualifiedName / IsValidLabelValue)
_LABEL_NAME = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def reserved_key(key: str) -> bool:
    """Keys mldsl writes and ``apply --prune`` selects by: a user's copy would claim objects for a project."""
    prefix = key.rpartition("/")[0].lower()
    return key.lower() == "app.kubernetes.io/managed-by" or prefix == "mldsl.io" or prefix.endswith(".mldsl.io")


def label_key(key: str) -> str:
    if reserved_key(key):
        raise PydanticCustomError(
            "MLD110",
            "label or annotation key '{value}' is reserved: mldsl sets it",
            {
                "value": key,
                "hint": "mldsl writes app.kubernetes.io/managed-by and the mldsl.io/ keys itself (prune selects by "
                "them); use a key of your own, e.g. example.com/team",
            },
        )
    prefix, slash, name = key.rpartition("/")
    ok = bool(name) and len(name) <= 63 and bool(_LABEL_NAME.match(name))
    if slash:
        ok = ok and "/" not in prefix and 0 < len(prefix) <= 253 and bool(_DNS_SUBDOMAIN.match(prefix))
    if not ok:
        raise PydanticCustomError(
            "MLD110",
            "invalid label or annotation key '{value}': Kubernetes would refuse it",
            {
                "value": key,
                "hint": "an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.' "
                "that start and end with a letter or digit (e.g. team or example.com/cost-center)",
            },
        )
    return key


def label_value(value: str) -> str:
    if len(value) > 63 or not _LABEL_NAME.match(value):
        raise PydanticCustomError(
            "MLD110",
            "invalid label value '{value}': Kubernetes would refuse it",
            {
                "value": value,
                "hint": "at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or "
                "digit (or empty); put free text in an annotation",
            },
        )
    return value


def project_id(value: str) -> str:
    if not 8 <= len(value) <= 63 or not _ID.match(value):
        raise PydanticCustomError(
            "MLD107",
            "invalid project id '{value}'",
            {
                "value": value,
                "hint": "8 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit; "
                "a UUID is a good id (python -c 'import uuid; print(uuid.uuid4())')",
            },
        )
    return value


_ID = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


# --- rules over a whole object (pydantic ``model_validator``s) ---------------------------


def python_one_source(run: Any) -> Any:
    if (run.source is None) == (run.file is None):
        raise PydanticCustomError(
            "MLD601",
            "a python run needs exactly one of 'source' and 'file'",
            {"hint": "inline the code with 'source: |' or point 'file:' at a .py file beside the module"},
        )
    return run


def given(obj: Any, names: tuple[str, ...]) -> list[str]:
    """Which of the alternative fields ``names`` an object sets (a run's kind, a search dimension's distribution)."""
    return [n for n in names if getattr(obj, n) is not None]


def _exactly_one(obj: Any, names: tuple[str, ...], code: str, message: str, hint: str) -> Any:
    """``obj`` when it sets exactly one of ``names``; else ``code`` with ``message`` (its {kinds} and {given})."""
    found = given(obj, names)
    if len(found) != 1:
        raise PydanticCustomError(code, message, {"kinds": ", ".join(names), "given": ", ".join(found) or "none", "hint": hint})
    return obj


def run_exactly_one(run: Any) -> Any:
    return _exactly_one(
        run,
        RUN_KINDS,
        "MLD600",
        "'run' needs exactly one of {kinds}, got {given}",
        "a module runs one thing; split it into two modules to run two",
    )


def module_versioned(doc: Any) -> Any:
    if doc.metadata.version is None:
        raise PydanticCustomError(
            "MLD103",
            "a Module needs metadata.version",
            {"hint": "add 'version: 1.0.0' under metadata; pipelines pick modules by version"},
        )
    return doc


def exit_one_form(handler: Any) -> Any:
    if (handler.uses is None) == (handler.steps is None) or (handler.steps is not None and handler.with_):
        raise PydanticCustomError(
            "MLD420",
            "on_exit takes either 'uses' (with 'with') or 'steps', not both and not neither",
            {"hint": "on_exit: {uses: notify-webhook@1, with: {...}}, or on_exit: {steps: {name: {uses: ..., when: ...}}}"},
        )
    return handler


def space_one(space: Any) -> Any:
    return _exactly_one(
        space,
        DISTRIBUTIONS,
        "MLD700",
        "a search dimension needs exactly one of {kinds}, got {given}",
        "for example {values: [4, 6, 8]} or {loguniform: [1.0e-4, 1.0e-1]}",
    )


def exclusive_bounds(data: Any) -> Any:
    """``exclusive_min: 0`` (JSON Schema's number form) is read as ``min: 0`` with ``exclusive_min: true``."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for side in ("min", "max"):
        given = out.get(f"exclusive_{side}")
        if isinstance(given, bool) or not isinstance(given, (int, float)):
            continue
        if out.get(side) is not None:
            raise PydanticCustomError(
                "MLD202",
                "'{side}' and a number for 'exclusive_{side}' say the bound twice",
                {
                    "side": side,
                    "hint": f"write {side}: {given} with exclusive_{side}: true, or only exclusive_{side}: {given}",
                },
            )
        out[side], out[f"exclusive_{side}"] = given, True
    return out


def decl_tag(value: Any) -> str:
    """A type declaration's form: ``short`` (``list[str]``) or ``long`` (a mapping)."""
    return "short" if isinstance(value, str) else "long"
