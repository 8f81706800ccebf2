"""The one exception tree. Every FigError is shown to the user as a one-line message."""

from __future__ import annotations

from collections.abc import Sequence


class FigError(Exception):
    """Anything fig reports to the user as a one-line message."""

    exit_code = 1


class ConfigError(FigError):
    """The configuration file is missing, unreadable or invalid."""


class DependencyError(ConfigError):
    """Services depend on each other in a cycle or on a service that does not exist."""


class UserError(FigError):
    """A command was called with arguments that cannot work."""


class BackendError(FigError):
    """The engine refused or failed an operation."""


class ConnectionFailed(BackendError):
    """The engine cannot be reached."""


class NotFound(BackendError):
    """A container, image, network or volume does not exist."""


class ImageNotFound(NotFound):
    """An image is not present locally and could not be pulled."""


class BuildError(BackendError):
    """An image build failed."""


class OperationError(FigError):
    """One or more services failed during a parallel operation."""

    def __init__(self, failures: dict[str, BaseException], skipped: Sequence[str] = ()) -> None:
        self.failures = failures
        self.skipped = list(skipped)
        parts = [f"{name}: {_without_prefix(str(err), name.split()[-1])}" for name, err in failures.items()]
        if self.skipped:
            parts.append("not started because a dependency failed: " + ", ".join(self.skipped))
        super().__init__("; ".join(parts))


class NotReady(FigError):
    """A dependency did not become ready (healthy, completed, answering) in time."""


def _without_prefix(text: str, subject: str) -> str:
    """A message that begins with the container its key names already ("Creating web_1") loses that name."""
    return text[len(subject) + 2:] if text.startswith(f"{subject}: ") else text
