"""The commands that fit fig into other tools: the Docker CLI plugin and shell completion."""

from __future__ import annotations

import os
import sys
from typing import Any

from fig.errors import UserError
from fig.logs import logger

log = logger(__name__)


class Tools:
    def completion(self, project: None, options: dict[str, Any]) -> int:
        """
        Print a completion script for the shell: commands, their flags, and service names from the project file.

        bash: eval "$(fig completion bash)" (in ~/.bashrc); zsh: eval "$(fig completion zsh)" (in ~/.zshrc);
        fish: fig completion fish > ~/.config/fish/completions/fig.fish

        Usage: completion SHELL
        """
        from inspect import getdoc

        from fig.cli.completion import SHELLS, grammar

        shell = options["SHELL"]
        if shell not in SHELLS:
            raise UserError(f"SHELL must be bash, zsh or fish, not {shell!r}")
        usage = {name: getdoc(getattr(self, name)) or "" for name in self.commands()}  # type: ignore[attr-defined]
        usage["help"] = "Usage: help [COMMAND]"
        sys.stdout.write(SHELLS[shell](*grammar(getdoc(type(self)) or "", usage)))
        return 0

    def plugin(self, project: None, options: dict[str, Any]) -> int:
        """
        Install fig as a Docker CLI plugin, so that `docker fig ...` (or, with --as compose, `docker compose ...`)
        runs fig in Compose v2's dialect; or remove it. The plugin is written to $DOCKER_CONFIG/cli-plugins
        (~/.docker/cli-plugins when DOCKER_CONFIG is unset).

        Usage:
          plugin install [--as NAME] [--force]
          plugin uninstall [--as NAME]

        Options:
            --as NAME  The docker command: fig or compose [default: fig]
            --force    Replace a plugin of that name that fig did not write
        """
        from fig.backend.contexts import config_dir
        from fig.cli import plugin as docker_plugin

        name = options["--as"]
        if options["install"]:
            path = docker_plugin.install(name, force=options["--force"], environ=os.environ)
            log.info("Installed %s: `docker %s ...` now runs fig", path, name)
        elif docker_plugin.uninstall(name, environ=os.environ) is None:
            log.info("No docker-%s plugin to remove in %s", name, config_dir(os.environ))
        else:
            log.info("Removed the docker-%s plugin", name)
        return 0
