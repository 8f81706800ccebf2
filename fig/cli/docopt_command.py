"""A generic dispatcher: COMMAND maps to a method whose docstring is its grammar."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from types import MethodType
from typing import Any

from docopt import DocoptExit, docopt

from fig.errors import UserError


class NoSuchCommand(UserError):
    def __init__(self, command: str, known: Sequence[str]) -> None:
        super().__init__(f"No such command: {command}\n\nCommands:\n" + "\n".join(f"  {c}" for c in known))
        self.command = command


# docopt-ng names what it could not place by repr: "... arguments [Option(None, '--bogus', 0, True)]"
_QUOTE = "'"
_UNMATCHED = r"Option\((None|'[^']*'), (None|'[^']*')|Argument\(None, ('[^']*'|\d+)"  # compiled when used


def parse(doc: str, argv: Sequence[str], *, options_first: bool = False) -> dict[str, Any]:
    try:
        return docopt(doc, list(argv), options_first=options_first, default_help=False)
    except DocoptExit as e:
        raise UsageError(_in_words(str(e).strip(), doc)) from None


def _in_words(message: str, doc: str) -> str:
    """docopt's message with what it could not place said plainly: "no such option: --bogus"."""
    head, _, usage = message.partition("\n")
    if not head.startswith("Warning: found unmatched"):
        return message
    problems = []
    for short, long, argument in re.findall(_UNMATCHED, head):
        names = [n.strip("'") for n in (short, long) if n and n != "None"]
        if argument:
            problems.append(f"unexpected argument {argument.strip(_QUOTE)}")
        elif any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", doc) for n in names):
            problems.append(f"option {'/'.join(names)} given more than once")
        else:
            problems.append(f"no such option: {'/'.join(names)}")
    return "; ".join(dict.fromkeys(problems or [head])) + f"\n{usage}"


class UsageError(UserError):
    """The arguments do not match the command's usage; the message is the usage text."""


def docstring(thing: Any) -> str:
    """A docstring with its indentation removed, as inspect.cleandoc gives it (inspect itself takes longer to import
    than the rest of `fig version`)."""
    lines = (getattr(thing, "__doc__", None) or "").expandtabs().split("\n")
    margin = min((len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()), default=0)
    lines = [lines[0].strip(), *(line[margin:].rstrip() for line in lines[1:])]
    return "\n".join(lines).strip("\n")


class DocoptCommand:
    def commands(self) -> list[str]:
        return sorted(n for n in dir(self) if self._is_command(n))

    def _is_command(self, name: str) -> bool:
        """A public method with a docstring (its grammar) is a command."""
        method = getattr(self, name, None)
        return (not name.startswith("_") and isinstance(method, MethodType) and bool(docstring(method))
                and name not in ("commands", "dispatch", "handler", "usage"))

    def handler(self, command: str) -> Callable[..., Any]:
        name = command.replace("-", "_")
        if not self._is_command(name):
            raise NoSuchCommand(command, self.commands())
        return getattr(self, name)  # type: ignore[no-any-return]

    def usage(self, command: str) -> str:
        return docstring(self.handler(command))

    def parse_command(self, command: str, argv: Sequence[str]) -> dict[str, Any]:
        doc = self.usage(command)
        if command == "config":  # Compose v2's `config --hash=web,db` (or `--hash='*'`): the flag and its services
            argv = [part for arg in argv for part in (("--hash", arg[7:]) if arg.startswith("--hash=") else (arg,))]
        for arg in argv:
            if arg in ("-h", "--help"):
                raise HelpRequested(doc)
            if not arg.startswith("-"):
                break
        if "[options]" in doc and "--dry-run" not in doc:  # a global option that may follow the command, too
            doc += "\n\nGlobal options:\n    --dry-run  Show what the command would change, and change nothing"
        return parse(doc, argv, options_first="[ARGS...]" in doc)


class HelpRequested(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text
