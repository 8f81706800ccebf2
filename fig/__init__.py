"""fig: run multi-container applications on one Docker engine.

As a library: `fig.Project.from_files([...])` (see fig.api). The names below load on first use, so that
`import fig` (and `fig --version`) stays quick; `__init__.pyi` gives type checkers their real types.
"""

from __future__ import annotations

from typing import Any

__version__ = "1.1.0"

_LAZY = {
    "Project": "fig.api", "RunResult": "fig.api", "ExecResult": "fig.api", "Container": "fig.container",
    "FigError": "fig.errors", "ConfigError": "fig.errors", "UserError": "fig.errors", "BackendError": "fig.errors",
    "ConnectionFailed": "fig.errors", "NotFound": "fig.errors", "ImageNotFound": "fig.errors",
    "BuildError": "fig.errors", "OperationError": "fig.errors", "NotReady": "fig.errors",
}
__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'fig' has no attribute {name!r}")
