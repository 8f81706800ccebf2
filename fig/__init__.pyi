from typing import Any

from fig.api import ExecResult as ExecResult
from fig.api import Project as Project
from fig.api import RunResult as RunResult
from fig.container import Container as Container
from fig.errors import BackendError as BackendError
from fig.errors import BuildError as BuildError
from fig.errors import ConfigError as ConfigError
from fig.errors import ConnectionFailed as ConnectionFailed
from fig.errors import FigError as FigError
from fig.errors import ImageNotFound as ImageNotFound
from fig.errors import NotFound as NotFound
from fig.errors import NotReady as NotReady
from fig.errors import OperationError as OperationError
from fig.errors import UserError as UserError

__version__: str
__all__: list[str]

def __getattr__(name: str) -> Any: ...
