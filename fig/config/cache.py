"""Where fig keeps what it worked out once and can use again: $XDG_CACHE_HOME/fig (or ~/.cache/fig)."""

from __future__ import annotations

import os


def cache_file(kind: str, key: str) -> str:
    """The path of entry `key` (a hex digest) of one kind of cache entry."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "fig", kind, key[:2], key)


def digest(data: bytes) -> str:
    """The SHA-256 of `data`, in hex. hashlib loads OpenSSL, about 3 ms of every command that keys a cache entry;
    CPython's own implementation of the same hash loads in a tenth of that."""
    try:
        from _sha256 import sha256  # CPython 3.11's; 3.12 renamed it
    except ImportError:
        from hashlib import sha256
    return sha256(data).hexdigest()
