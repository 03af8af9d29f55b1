"""The diagnostic code and hint of a problem ``check_value`` found, wherever a value is checked (a step's
``with:``, a params file): one place, so that a blank or a bad bucket reads the same in each."""

from __future__ import annotations

import re

from mldsl.lang.constraints import BLANK_MESSAGE

_BUCKET = re.compile(r" is not a valid \w+ (bucket|container) name: ")

BLANK_HINT = "give the text meant; if blanks are meant, the declaration needs a pattern that allows them (e.g. '^\\s+$')"
BUCKET_HINT = "a bucket name is 3 to 63 lowercase ASCII letters, digits, '-' and '.' (GCS also '_'), e.g. s3://ml-data/churn"


def code_of(problem: str) -> tuple[str, str | None]:
    """(code, hint) of one ``check_value`` problem: a type (MLD303), a blank (MLD312), a bucket (MLD313), else
    a constraint (MLD308)."""
    if problem.startswith("expected"):
        return "MLD303", None
    if f" is {BLANK_MESSAGE}: " in problem:
        return "MLD312", BLANK_HINT
    if _BUCKET.search(problem):
        return "MLD313", BUCKET_HINT
    return "MLD308", None
