"""The entry point: logging, dispatch, and the only mapping from errors and interrupts to exit codes.

Logging is set up for a command before it runs (fig.logs applies it when the first message is logged, so a command
that logs nothing never loads the logging module), except for `version` (and help), which only print. An error sets
it up on its way out."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from fig.logs import Logger


def _logger(verbose: bool) -> Logger:
    """fig's logger, with logging set up for the process (at once when verbose, so that the libraries' messages are
    shown too) writing to this call's stderr (the library's callers and tests run main() more than once)."""
    from fig.logs import configure, logger

    configure(lambda: _set_up(verbose), debug=verbose)
    return logger("fig")


def _set_up(verbose: bool) -> None:
    import logging

    class Plain(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            message = record.getMessage()
            if record.levelno >= logging.ERROR:
                return f"ERROR: {message}"
            if record.levelno >= logging.WARNING:
                return f"WARNING: {message}"
            return message

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s: %(message)s") if verbose
                         else Plain())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("urllib3", "docker"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)
    for frames in ("hpack", "h2"):  # every HTTP/2 frame of a build session
        logging.getLogger(frames).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv in (["--version"], ["-v"]):
        from fig import __version__

        print(f"fig version {__version__}")
        return 0
    verbose = "--verbose" in argv
    from fig.cli.docopt_command import HelpRequested, NoSuchCommand, UsageError
    from fig.errors import FigError

    try:
        return _dispatch(argv, verbose=verbose)
    except HelpRequested as e:
        try:
            print(e.text)
        except BrokenPipeError:  # `fig help run | head`
            pass
        return 0
    except NoSuchCommand as e:
        _logger(verbose).error("%s", e)
        return 1
    except UsageError as e:
        sys.stderr.write(f"{e}\n")
        return 1
    except FigError as e:
        if verbose:
            _logger(verbose).debug("details", exc_info=True)
        _logger(verbose).error("%s", e)
        return e.exit_code
    except KeyboardInterrupt as e:
        from fig.cli.signals import interrupt_code

        _logger(verbose).error("Aborting.")
        return interrupt_code(e)
    except BrokenPipeError:  # the reader went away (`fig logs -f | head`): nothing more to say, to anyone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def run(entry: Callable[[], int] | None = None) -> NoReturn:
    """The `fig` program: `entry` (main, or the Docker CLI plugin's), then the process ends without Python tearing
    down what fig loaded, which took 15 to 20 ms of every command (issue 22). Output is flushed first. The cyclic
    garbage collector waits until start-up is over (fig.cli.bootstrap.start_up_done). fig's own
    threads are daemons; should another thread still run (a caller's pool), Python's exit waits for it as usual."""
    gc.disable()  # until fig.cli.bootstrap.engine: see start_up_done
    code = (entry or main)()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away: what was left to say has no one to go to
        pass
    threading = sys.modules.get("threading")
    if threading is not None and any(t.is_alive() and not t.daemon for t in threading.enumerate()
                                     if t is not threading.main_thread()):
        sys.exit(code)
    os._exit(code)


def _dispatch(argv: list[str], *, verbose: bool, compose: bool = False, outer: dict[str, Any] | None = None) -> int:
    """Run one command line; `compose` when argv came after the word `compose` (Compose v2's dialect); and
    `outer` holds the options given before the word (`fig -p x compose ps`), which those after it override."""
    if argv[:1] == ["compose"] and not compose:  # no options before the word: fig's grammar would find only it
        return _dispatch(argv[1:], verbose=verbose, compose=True)
    from fig.cli.commands import NO_PROJECT, SWARM, TopLevelCommand, compose_doc
    from fig.cli.dialect import FIG, compose_dialect
    from fig.cli.docopt_command import HelpRequested, UsageError, docstring, parse
    from fig.cli.options import ANSI, choice

    doc = docstring(TopLevelCommand)
    doc = compose_doc(doc) if compose else doc
    try:
        options = parse(doc.replace("\n  fig compose ", "\n  fig "), argv, options_first=True)  # docopt: one word
    except UsageError as e:
        raise UsageError(str(e).replace("\n  fig ", "\n  fig compose ") if compose else str(e)) from None
    if options["COMMAND"] == "compose" and not compose:
        return _dispatch(options["ARGS"], verbose=verbose, compose=True, outer=options)
    for key, value in (outer or {}).items():
        if key.startswith("-") and value and not options.get(key):
            options[key] = value
    dialect = compose_dialect(options["--compatibility"], os.environ) if compose else FIG
    ansi = choice(options, "--ansi", ANSI, default="auto")
    command = TopLevelCommand(progress="plain" if ansi == "never" and options["--progress"] == "auto"
                              else options["--progress"], ansi=ansi, dialect=dialect)
    if options["--version"] and not options["--help"]:  # `fig -p x --version` too, not only `fig --version`
        return command.version(None, {})
    if options["--help"] or not options["COMMAND"]:
        raise HelpRequested(doc)
    name = options["COMMAND"]
    if name == "help":
        topic = options["ARGS"][0] if options["ARGS"] else None
        if topic == "compose":
            raise HelpRequested(compose_doc(docstring(TopLevelCommand)))
        raise HelpRequested(command.usage(topic) if topic else doc)
    if name != "version":
        _logger(verbose)
    handler = command.handler(name)
    sub_options = command.parse_command(name, options["ARGS"])
    if name not in ("up", "deploy") and sub_options.pop("--dry-run", False):  # `up --dry-run` is up's own
        options["--dry-run"] = True                                              # (--explain), deploy's its plan
    if name == "deploy" and options.get("--dry-run"):
        sub_options["--dry-run"], options["--dry-run"] = True, False
    if name in NO_PROJECT:
        return int(handler(None, sub_options))
    from fig.cli.bootstrap import project_from_options, stack_from_options
    from fig.cli.commands.stacks import by_name
    from fig.cli.signals import signals_as_interrupt

    signals_as_interrupt()
    if by_name(name, sub_options):  # --stack NAME is all these need: no project file is read
        return int(command.on_stack(name)(stack_from_options(options, sub_options["--stack"]), sub_options))
    project = project_from_options(options, swarm=name in SWARM, naming=dialect.naming,
                                   strict_name=dialect.strict_name)
    return int(handler(project, sub_options))
