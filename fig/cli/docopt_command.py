"""A generic dispatcher: COMMAND maps to a method whose docstring is its grammar."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from inspect import getdoc
from typing import Any

from docopt import DocoptExit, docopt

from fig.errors import UserError


class NoSuchCommand(UserError):
    def __init__(self, command: str, known: Sequence[str]) -> None:
        super().__init__(f"No such command: {command}\n\nCommands:\n" + "\n".join(f"  {c}" for c in known))
        self.command = command


def parse(doc: str, argv: Sequence[str], *, options_first: bool = False) -> dict[str, Any]:
    try:
        return docopt(doc, list(argv), options_first=options_first, default_help=False)
    except DocoptExit as e:
        raise UsageError(str(e).strip()) from None


class UsageError(UserError):
    """The arguments do not match the command's usage; the message is the usage text."""


class DocoptCommand:
    def commands(self) -> list[str]:
        return sorted(n for n in dir(self) if not n.startswith("_") and getdoc(getattr(self, n)) and
                      callable(getattr(self, n)) and n not in ("commands", "dispatch", "handler", "usage"))

    def handler(self, command: str) -> Callable[..., Any]:
        name = command.replace("-", "_")
        if name not in self.commands():
            raise NoSuchCommand(command, self.commands())
        return getattr(self, name)  # type: ignore[no-any-return]

    def usage(self, command: str) -> str:
        return getdoc(self.handler(command)) or ""

    def parse_command(self, command: str, argv: Sequence[str]) -> dict[str, Any]:
        doc = self.usage(command)
        for arg in argv:
            if arg in ("-h", "--help"):
                raise HelpRequested(doc)
            if not arg.startswith("-"):
                break
        return parse(doc, argv, options_first="[ARGS...]" in doc)


class HelpRequested(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text
