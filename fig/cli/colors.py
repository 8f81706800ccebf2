"""ANSI colours for log prefixes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import cycle

_CODES = {"grey": 90, "red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35, "cyan": 36, "white": 37}
_RAINBOW = ("cyan", "yellow", "green", "magenta", "blue", "red")


def _painter(code: int) -> Callable[[str], str]:
    def paint(text: str) -> str:
        return f"\033[{code}m{text}\033[0m"

    return paint


def color(name: str) -> Callable[[str], str]:
    return _painter(_CODES[name])


def rainbow() -> Iterator[Callable[[str], str]]:
    """An endless sequence of colour functions: normal, then bright variants."""
    return cycle([_painter(_CODES[n]) for n in _RAINBOW] + [_painter(_CODES[n] + 60) for n in _RAINBOW])


def plain(text: str) -> str:
    return text
