"""``mldsl.util.yamlout.dump`` builds PyYAML's nodes itself (issue #15): it must write what PyYAML's representer would."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mldsl.util.yamlout import _Dumper, dump

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["y", "on", "1e-05", "12:30", "2024-06-01", "{{inputs.parameters.x}}", "a: b", "- x", "#", "", " x "]),
    st.text(max_size=30),
)
data = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=12), inner, max_size=5)),
    max_leaves=40,
)


def through_the_representer(obj: Any) -> str:
    text: str = yaml.dump(
        obj, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=2**31 - 1, indent=2
    )
    return text if text.endswith("\n") else text + "\n"


@settings(max_examples=300, deadline=None)
@given(obj=data)
def test_dump_writes_what_the_representer_writes(obj: Any) -> None:
    assert dump(obj) == through_the_representer(obj)
