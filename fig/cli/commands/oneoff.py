"""One-off containers: run."""

from __future__ import annotations

from typing import Any

from fig.cli import attach
from fig.cli.status import Status
from fig.project import Project


class OneOff:
    status: Status

    def run(self, project: Project, options: dict[str, Any]) -> int:
        """
        Run a one-off command on a service.

        For example: fig run web python manage.py shell

        By default, linked services will be started, unless they are already running.

        Usage: run [options] [-e KEY=VAL...] SERVICE [COMMAND] [ARGS...]

        Options:
            -d                    Detached mode: run the container in the background, print its name
            --name NAME           Assign a name to the container
            --entrypoint CMD      Override the entrypoint of the image
            -e KEY=VAL            Set an environment variable (can be used multiple times)
            -u, --user USER       Run as this username or uid
            -w, --workdir DIR     Working directory inside the container
            --no-deps             Don't start linked services
            --rm                  Remove the container when it exits
            --service-ports       Run with the service's ports published on the host
            -T                    Disable pseudo-tty allocation
        """
        return attach.run_one_off(project, options, self.status)
