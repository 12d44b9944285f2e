"""Helpers shared by the tests of several packages."""

from __future__ import annotations

import copy

from hypothesis import strategies as st

#: Values of every YAML type (and none of the usual ones where a setting expects another).
WRONG_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5),
    st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=3)), max_size=3),
    st.dictionaries(st.text(min_size=1, max_size=3), st.one_of(st.none(), st.integers(), st.lists(st.none())),
                    max_size=2),
)


def _key_paths(document, prefix: tuple = ()) -> list[tuple]:
    found = []
    items = document.items() if isinstance(document, dict) else enumerate(document) \
        if isinstance(document, list) else ()
    for key, value in items:
        found.append(prefix + (key,))
        found.extend(_key_paths(value, prefix + (key,)))
    return found


@st.composite
def with_a_wrong_value(draw, document: dict) -> tuple[dict, tuple, object]:
    """``document`` (a parsed YAML file) with the value at one key, at any depth, replaced by a value of any type:
    the new document, the key's path and the value."""
    path = draw(st.sampled_from(_key_paths(document)))
    value = draw(WRONG_VALUES)
    changed = copy.deepcopy(document)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed, path, value
