"""TopLevelCommand: one docstring'd method per subcommand, grouped in modules the way the commands group."""

from __future__ import annotations

import os
from typing import Any

from fig.cli.commands.deploy import Deploy
from fig.cli.commands.files import Files
from fig.cli.commands.images import Images
from fig.cli.commands.lifecycle import Lifecycle
from fig.cli.commands.looking import Looking
from fig.cli.commands.oneoff import OneOff
from fig.cli.commands.tools import Tools
from fig.cli.commands.watch import Watch
from fig.cli.dialect import FIG, Dialect
from fig.cli.docopt_command import DocoptCommand
from fig.cli.status import Status


class TopLevelCommand(Lifecycle, Looking, OneOff, Images, Files, Watch, Deploy, Tools, DocoptCommand):
    """Define and run multi-container applications with Docker.

    Usage:
      fig [-f FILE]... [--profile NAME]... [--env-file PATH]... [options] [COMMAND] [ARGS...]
      fig -h|--help

    Options:
      -f, --file FILE           Specify an alternate fig file (default: fig.yml); repeatable
      --profile NAME            Enable the services of a profile (default: COMPOSE_PROFILES); repeatable
      -p, --project-name NAME   Specify an alternate project name (default: directory name)
      --project-directory DIR   Read relative paths and .env from DIR, and look for the file there
                                (default: the first file's directory)
      --env-file PATH           Read variables from PATH instead of .env; repeatable
      --ansi WHEN               Colour and control characters: never, always or auto (default: auto;
                                NO_COLOR turns colour off)
      --dry-run                 Show what the command would change, and change nothing
      --parallel N              How many engine operations to run at once (default: COMPOSE_PARALLEL_LIMIT,
                                else every one that is ready, in dependency order)
      --progress MODE           How to show progress: auto, tty, plain, json or quiet [default: auto]
      --verbose                 Show more output
      -v, --version             Print version and exit

    Commands:
      attach   Attach to a service's running container
      build    Build or rebuild services
      compose  Speak Compose v2's command line: fig compose [-f FILE]... [options] COMMAND [ARGS...]
      completion  Print a shell completion script (bash, zsh or fish)
      config   Validate and print the configuration
      convert  Write the configuration as a compose-format file
      cp       Copy files between a container and this machine
      create   Create containers without starting them
      deploy   Deploy the project to Docker Swarm as a stack
      down     Stop and remove containers and networks
      events   Stream the engine's events about the containers
      exec     Run a command in a running container
      help     Get help on a command
      images   List the images the containers use
      kill     Kill containers
      logs     View output from containers
      ls       List the projects on the engine
      pause    Pause services
      plugin   Install or remove fig as a Docker CLI plugin (docker fig, docker compose)
      port     Print the public port for a port binding
      ps       List containers
      pull     Pull service images
      push     Push service images
      restart  Restart services
      rm       Remove stopped containers
      run      Run a one-off command
      scale    Set number of containers for a service
      start    Start services
      stats    Display the containers' resource use
      stop     Stop services
      top      Display the running processes
      undeploy Remove the project's stack from Docker Swarm
      unpause  Unpause services
      up       Create and start containers
      version  Show the version
      wait     Wait for containers to exit
      watch    Update running containers as their files change
    """

    def __init__(self, progress: str = "auto", *, ansi: str = "auto", dialect: Dialect = FIG) -> None:
        self.ansi = ansi
        self.status = Status(mode=progress, colored=ansi != "never" and not os.environ.get("NO_COLOR"))
        self.dialect = dialect

    def version(self, project: None, options: dict[str, Any]) -> int:
        """
        Show the version information.

        Usage: version [options]

        Options:
            --short               Only the version number
            -f, --format FORMAT   pretty, or json: {"version": ...} [default: pretty]
        """
        import json

        from fig import __version__
        from fig.errors import UserError

        fmt = options.get("--format") or "pretty"
        if fmt not in ("pretty", "json"):  # fig.cli.options would load the config modules: `version` stays light
            raise UserError(f"--format must be pretty or json, not {fmt!r}")
        if options.get("--short"):
            print(__version__)
        elif fmt == "json":
            print(json.dumps({"version": __version__}, separators=(",", ":")))
        else:
            print(f"fig version {__version__}")
        return 0


NO_PROJECT = {"help", "version", "ls", "plugin", "completion"}
SWARM = {"deploy", "undeploy"}  # read the file for Swarm: its Swarm-only keys are wanted


def compose_doc(doc: str) -> str:
    """The top-level grammar as `fig compose` (and `docker compose` through the plugin) takes it: Compose v2's
    global options, given after the word `compose`; the same options as fig's, and --compatibility."""
    usage = doc.replace("\n  fig [", "\n  fig compose [")
    usage = usage.replace("\n  fig -h|--help", "\n  fig compose -h|--help")
    flag = "  --compatibility           Name containers proj_web_1, as docker-compose 1.x did (COMPOSE_COMPATIBILITY)\n"
    usage = "\n".join(line for line in usage.split("\n") if not line.startswith("  compose  "))
    return usage.replace("\nOptions:\n", "\nOptions:\n" + flag, 1)
