"""ANSI colours for log prefixes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import cycle

_CODES = {"grey": 90, "red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35, "cyan": 36, "white": 37}
_RAINBOW = ("cyan", "yellow", "green", "magenta", "blue", "red")


def color(name: str) -> Callable[[str], str]:
    code = _CODES[name]

    def paint(text: str) -> str:
        return f"\033[{code}m{text}\033[0m"

    return paint


def rainbow() -> Iterator[Callable[[str], str]]:
    """An endless sequence of colour functions: normal, then bright variants."""
    bright = [lambda t, c=_CODES[n] + 60: f"\033[{c}m{t}\033[0m" for n in _RAINBOW]
    return cycle([color(n) for n in _RAINBOW] + bright)


def plain(text: str) -> str:
    return text
