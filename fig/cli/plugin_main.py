"""The Docker CLI plugin's entry (`python -m fig.cli.plugin_main`, run by the script `fig plugin install` writes):
the metadata for the docker CLI, else fig in Compose v2's dialect with the docker CLI's flags as environment."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence

from fig.cli import main as cli
from fig.cli.plugin import engine_environment, metadata, split_docker_flags
from fig.errors import UserError


def main(argv: Sequence[str] | None = None) -> int:
    """The plugin's entry: metadata for the docker CLI, else fig in Compose v2's dialect."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["docker-cli-plugin-metadata"]:
        print(json.dumps(metadata()))
        return 0
    try:
        flags, rest = split_docker_flags(argv)
        with engine_environment(flags, os.environ) as env:
            os.environ.clear()  # a variable the context replaces (DOCKER_TLS_VERIFY, say) must go, too
            os.environ.update(env)
            return cli.main(["compose", *rest])
    except UserError as e:
        sys.stderr.write(f"ERROR: {e}\n")
        return 1


if __name__ == "__main__":
    cli.run(main)
