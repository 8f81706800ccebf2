"""Where fig keeps what it worked out once and can use again: $XDG_CACHE_HOME/fig (or ~/.cache/fig)."""

from __future__ import annotations

import os


def cache_file(kind: str, key: str) -> str:
    """The path of entry `key` (a hex digest) of one kind of cache entry."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "fig", kind, key[:2], key)
