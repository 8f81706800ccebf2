"""Comparing the trees fig.config reads files into, attribute for attribute."""

from __future__ import annotations

import math
from typing import Any

from fig.config.documents import Sexagesimal, YamlList, YamlMap


def assert_same_tree(a: Any, b: Any, pairs: dict[int, int]) -> None:
    """The same values, types and line bookkeeping, and the same sharing (a YAML alias is one object twice)."""
    assert type(a) is type(b), (a, b)
    if isinstance(a, (YamlMap, YamlList)):
        assert pairs.setdefault(id(a), id(b)) == id(b), "sharing differs"
        if len(pairs) > len(set(pairs.values())):
            raise AssertionError("two objects became one")
        assert (a.line, a.lines, a.file, a.files) == (b.line, b.lines, b.file, b.files)
        if isinstance(a, YamlMap):
            assert a.cleared == b.cleared and list(a) == list(b)
            for key in a:
                assert type(key) is type(next(k for k in b if k == key))
                assert_same_tree(a[key], b[key], pairs)
        else:
            assert len(a) == len(b)
            for x, y in zip(a, b):
                assert_same_tree(x, y, pairs)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b
        if isinstance(a, Sexagesimal):
            assert a.text == b.text
