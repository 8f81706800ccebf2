"""Regular expressions compiled when first used, not when their module is imported.

fig's modules define about fifty patterns, for checks of values that most files never have. Compiling them all at
import cost each command about 8 ms before its first request, while a run of `ps` uses five. `pattern()` takes what
`re.compile` takes and returns an object used as the compiled pattern is: its first use of a method compiles the
pattern (through `re`'s cache) and keeps that method, so later uses cost what a compiled pattern's do."""

from __future__ import annotations

import re
from typing import Any, cast


class _Deferred:
    def __init__(self, source: str, flags: int) -> None:
        self.pattern = source
        self.flags = flags

    def __getattr__(self, name: str) -> Any:  # only for what is not set yet: each method once
        found = getattr(re.compile(self.pattern, self.flags), name)
        setattr(self, name, found)
        return found

    def __repr__(self) -> str:
        return f"pattern({self.pattern!r})"


def pattern(source: str, flags: int = 0) -> re.Pattern[str]:
    """A regular expression, compiled at its first use."""
    return cast("re.Pattern[str]", _Deferred(source, flags))
