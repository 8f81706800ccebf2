"""The one exception tree. Every FigError is shown to the user as a one-line message (a refusal that names several
things at once, as `deploy --strict`'s, adds an indented line for each)."""

from __future__ import annotations

from collections.abc import Sequence


class FigError(Exception):
    """Anything fig reports to the user as a message: one line, or one line and an indented line per item."""

    exit_code = 1


class ConfigError(FigError):
    """The configuration file is missing, unreadable or invalid."""


class DependencyError(ConfigError):
    """Services depend on each other in a cycle or on a service that does not exist."""


class Unresolved(ConfigError):
    """A service has nothing to run or refers to a service, network, volume, secret, config or model the file does
    not have: as Compose v2, checked only for the services the active profiles enable (or a command names)."""


class UserError(FigError):
    """A command was called with arguments that cannot work."""


class BackendError(FigError):
    """The engine refused or failed an operation."""


class EngineTimeout(BackendError):
    """The engine did not answer a request within the bound (FIG_HTTP_TIMEOUT or COMPOSE_HTTP_TIMEOUT)."""

    def __init__(self, message: str, *, operation: str = "", seconds: float = 0, url: str = "") -> None:
        super().__init__(message)
        self.operation, self.seconds, self.url = operation, seconds, url

    @classmethod
    def of(cls, operation: str, subject: str, seconds: float, url: str) -> EngineTimeout:
        prefix = f"{subject}: " if subject else ""
        return cls(f"{prefix}{operation} timed out: no answer from the Docker daemon at {url} in {seconds:g} s "
                   "(FIG_HTTP_TIMEOUT sets how long to wait)", operation=operation, seconds=seconds, url=url)

    def about(self, subject: str) -> EngineTimeout:
        """The same timeout, naming `subject` (a container's name rather than its id)."""
        if not self.operation:
            return EngineTimeout(f"{subject}: {self}")
        return EngineTimeout.of(self.operation, subject, self.seconds, self.url)


class Conflict(BackendError):
    """The engine refused because something of that name exists or is busy (HTTP 409)."""


class ConnectionFailed(BackendError):
    """The engine cannot be reached."""


class NotFound(BackendError):
    """A container, image, network or volume does not exist."""


class ImageNotFound(NotFound):
    """An image is not present locally and could not be pulled."""


class BuildError(BackendError):
    """An image build failed: `service` is whose, `step` the Dockerfile step that failed ("" when none did)."""

    def __init__(self, message: str, *, service: str = "", step: str = "") -> None:
        super().__init__(message)
        self.service, self.step = service, step


class OperationError(FigError):
    """One or more services failed during a parallel operation."""

    def __init__(self, failures: dict[str, BaseException], skipped: Sequence[str] = ()) -> None:
        self.failures = failures
        self.skipped = list(skipped)
        parts = [f"{name}: {_without_prefix(str(err), name.split()[-1])}" for name, err in failures.items()]
        if self.skipped:
            parts.append("not started because a dependency failed: " + ", ".join(self.skipped))
        super().__init__("; ".join(parts))


class HookFailed(FigError):
    """A lifecycle hook (post_start, pre_stop) ran in a container and exited with a non-zero code."""


class NotReady(FigError):
    """A dependency did not become ready (healthy, completed, answering) in time."""


def _without_prefix(text: str, subject: str) -> str:
    """A message that begins with the container its key names already ("Creating web_1") loses that name."""
    return text[len(subject) + 2:] if text.startswith(f"{subject}: ") else text


class NotConverged(FigError):
    """A deployed service did not reach its desired state: its update paused or rolled back, its tasks kept
    failing, or the wait timed out."""
