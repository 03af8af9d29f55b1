"""Container image references, read as the registry client reads them: the grammar of distribution/reference
(``regexp.go`` at 0965666, l. 42-142; ``NameTotalLengthMax = 255`` in ``reference.go``; ``ParseNormalizedNamed`` in
``normalize.go`` l. 66-90, which reads a capitalised first component as a registry host), as containerd, the kubelet
(``InvalidImageName``) and Docker apply it.

A reference that does not parse is refused when compiling rather than when a pod is scheduled; one with ``${{ }}``
parts is checked with each part standing for a valid word, then again where a step binds them to known values.
"""

from __future__ import annotations

import re

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = f"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[(?:[a-fA-F0-9:]+)\])"
_DOMAIN_AND_PORT = _HOST + r"(?::[0-9]+)?"
_NAME = f"(?:{_DOMAIN_AND_PORT}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"  # Go's \w is ASCII
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
REFERENCE = re.compile(f"({_NAME})(?::({_TAG}))?(?:@({_DIGEST}))?")
NAME_MAX = 255
#: what stands for a ``${{ }}`` part when the text around it is checked: a valid path component and tag
PLACEHOLDER = "x0"


def reference_problem(text: str) -> str | None:
    """Why ``text`` is not an image reference a registry client accepts, or None when it is one."""
    if not text:
        return "an image reference cannot be empty"
    m = REFERENCE.fullmatch(text)
    if m is None:
        if REFERENCE.fullmatch(text.lower()) is not None and "@" not in text:
            return "a repository name must be lowercase (only a registry host and a tag may hold capitals)"
        if text.count(":") > 1 + text.count("@") and "[" not in text:
            return "a reference has at most one tag (':tag'), after the repository's last '/'"
        return "not a reference of the form [registry[:port]/]path[:tag][@digest]"
    if len(m.group(1)) > NAME_MAX:
        return f"the repository name is {len(m.group(1))} characters long (at most {NAME_MAX})"
    return None
