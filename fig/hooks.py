"""Lifecycle hooks: a service's `post_start` commands run in each of its containers once it has started, its
`pre_stop` commands before it is stopped; each by exec, in order, with its own user, privileges, directory and
variables. A hook that fails stops the rest: a failed post_start fails the `up` (the container keeps running, as
Compose leaves it), a failed pre_stop leaves its container running and fails the stop."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from fig.backend.streams import frames, lines, received
from fig.config.hooks import ExecHook
from fig.config.model import ServiceConfig
from fig.container import Container, Execution
from fig.errors import Conflict, HookFailed, NotFound
from fig.logs import logger

if TYPE_CHECKING:  # loaded by the commands that make or run something
    from fig.backend.specs import ExecSpec

log = logger(__name__)

Show = Callable[[Container, str], None]
TAIL_LINES = 10  # of a failing hook's output, kept to say why it failed


def _to_debug_log(container: Container, line: str) -> None:
    log.debug("%s -> | %s", container.name_without_project, line)


class Hooks:
    """Runs services' hooks. `show` gets each line of their output, as it comes: attached `up` prints it as
    Compose does (`web_1 -> | line`); otherwise it goes to the debug log (`--verbose`), and a failing hook's
    last line of output is in its error."""

    def __init__(self) -> None:
        self.show: Show = _to_debug_log

    def post_start(self, container: Container, config: ServiceConfig) -> None:
        run(container, config.post_start, kind="post_start", service=config.name, show=self.show)

    def pre_stop(self, container: Container, config: ServiceConfig | None) -> None:
        """Before a stop: nothing for a container that no longer runs (or belongs to no service of the file)."""
        if config is None or not config.pre_stop or not container.is_running:
            return
        try:
            run(container, config.pre_stop, kind="pre_stop", service=config.name, show=self.show)
        except (NotFound, Conflict) as e:  # it stopped or went away meanwhile: there is nothing left to stop
            log.debug("%s: pre_stop skipped: %s", container.name, e)


def run(container: Container, hooks: Sequence[ExecHook], *, kind: str, service: str, show: Show) -> None:
    from fig.backend.specs import ExecSpec

    for number, hook in enumerate(hooks, 1):
        spec = ExecSpec(hook.command, dict(hook.environment), hook.user, hook.working_dir, hook.privileged)
        execution = Execution.create(container, spec)
        tail: dict[str, deque[str]] = {"stdout": deque(maxlen=TAIL_LINES), "stderr": deque(maxlen=TAIL_LINES)}
        for line in lines(frames(received(execution.attach()), tty=False)):
            text = line.text.rstrip("\r\n")
            show(container, text)
            if text.strip():
                tail.setdefault(line.stream, deque(maxlen=TAIL_LINES)).append(text)
        code = execution.exit_code()
        if code:
            said = (tail["stderr"] or tail["stdout"] or [""])[-1].strip()
            raise HookFailed(f"service '{service}': {kind} hook {number} ({_shown(hook.command)}) exited with code "
                             f"{code} in container {container.name}" + (f": {said[:300]}" if said else ""))


def _shown(command: Sequence[str]) -> str:
    import shlex

    text = shlex.join(command)
    return text if len(text) <= 60 else text[:57] + "..."
