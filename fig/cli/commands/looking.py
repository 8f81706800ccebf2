"""The commands that look at what runs: ps, logs, port."""

from __future__ import annotations

import sys
from typing import Any

from fig.cli import options as opts
from fig.cli.attached import Session
from fig.cli.formatter import table
from fig.cli.log_printer import LogPrinter, LogSource
from fig.cli.status import Status
from fig.errors import UserError
from fig.project import Project


class Looking:
    status: Status

    def ps(self, project: Project, options: dict[str, Any]) -> int:
        """
        List containers.

        Usage: ps [options] [SERVICE...]

        Options:
            -q    Only display IDs
        """
        containers = project.containers(options["SERVICE"], stopped=True, oneoff=True)
        if options["-q"]:
            for c in containers:
                print(c.id)
            return 0
        rows = [[c.name, _ellipsis(c.info.command, 30), c.human_state, c.human_ports] for c in containers]
        sys.stdout.write(table(["Name", "Command", "State", "Ports"], rows))
        return 0

    def logs(self, project: Project, options: dict[str, Any]) -> int:
        """
        View output from containers.

        Usage: logs [options] [SERVICE...]

        Options:
            --no-color      Produce monochrome output
            -f, --follow    Follow log output, including containers that restart or are added
            --tail N        Number of lines to show from the end of each container's log
            --format FORMAT  text, or json: one object per line [default: text]
        """
        tail = None if options["--tail"] in (None, "all") else opts.integer(options, "--tail")
        names = options["SERVICE"]
        containers = project.containers(names, stopped=True)
        if options["--follow"]:
            session = Session(sys.stdout, colored=opts.colored(options), json_lines=opts.json_format(options),
                              history=True, tail=tail, discover=lambda: project.containers(names))
            session.run(containers)
            return 0
        json_lines = opts.json_format(options)
        sources = [LogSource(c.name_without_project, c.logs(follow=False, tail=tail, timestamps=json_lines),
                             full_name=c.name, service=c.service) for c in containers]
        LogPrinter(sys.stdout, colored=opts.colored(options), json_lines=json_lines).run(sources)
        return 0

    def port(self, project: Project, options: dict[str, Any]) -> int:
        """
        Print the public port for a port binding.

        Usage: port [options] SERVICE PRIVATE_PORT

        Options:
            --protocol=proto  tcp or udp [default: tcp]
            --index=index     index of the container if there are multiple instances of a service [default: 1]
        """
        service = project.service(options["SERVICE"])
        index = opts.integer(options, "--index")
        containers = [c for c in service.containers(stopped=True) if c.number == index]
        if not containers:
            raise UserError(f"No container found for {service.name}_{index}")
        private, _, protocol = options["PRIVATE_PORT"].partition("/")  # 53/udp is the same as --protocol=udp 53
        protocol = protocol or options["--protocol"]
        if not private.isdigit():
            raise UserError(f"PRIVATE_PORT must be a port number, not {options['PRIVATE_PORT']!r}")
        if protocol not in ("tcp", "udp"):
            raise UserError(f"--protocol must be tcp or udp, not {protocol!r}")
        binding = containers[0].port(int(private), protocol)
        if binding is None:
            raise UserError(f"No public port for {private}/{protocol} on {containers[0].name}")
        print(binding)
        return 0


def _ellipsis(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
