"""The commands that look at what runs: ps, logs, port, images, top, events, ls, stats."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fig.cli import options as opts
from fig.cli.commands import stacks as swarm
from fig.errors import UserError

if TYPE_CHECKING:
    from fig.cli.dialect import Dialect
    from fig.cli.status import Status
    from fig.container import Container
    from fig.project import Project


class Looking(swarm.OnStack):
    status: Status
    dialect: Dialect
    ansi: str

    def ps(self, project: Project, options: dict[str, Any]) -> int:
        """
        List containers. fig lists stopped and one-off containers too; `fig compose ps` lists the running ones
        unless given -a, as docker compose does.

        Usage: ps [options] [--status STATE...] [--filter FILTER...] [SERVICE...]

        Options:
            -a, --all          Show all containers: stopped and one-off ones too
            -q, --quiet        Only display IDs
            --services         Display the services of the containers, one per line
            --status STATE     Only containers in STATE: created, running, paused, restarting, removing,
                               exited or dead (repeatable)
            --filter FILTER    Filter by a property: status=STATE (repeatable)
            --format FORMAT    table, or json: one object per line [default: table]
            --no-trunc         Don't truncate output
            --orphans BOOL     Include containers of services not in the file: true or false
            --stack NAME       The tasks of a stack on Docker Swarm, from any directory (the project's stack
                               is shown when the project has no containers but is deployed)
        """
        from fig.cli import tables
        from fig.cli.formatter import ps_json, table

        query = opts.ps_query(options, self.dialect)
        containers = [c for c in project.containers(options["SERVICE"], stopped=query.all, oneoff=query.all,
                                                    orphans=query.orphans)
                      if not query.states or c.state.value in query.states]
        if not containers and (stack := swarm.stack_to_show(project, options)):  # one listing when there are some
            return self.stack_ps(stack, options)
        if options["--quiet"]:
            lines = [c.id for c in containers]
        elif options["--services"]:
            lines = sorted({c.service for c in containers})
        elif query.json:
            lines = [json.dumps(ps_json(c.info, project=project.name, service=c.service), separators=(",", ":"))
                     for c in containers]
        elif self.dialect.ps_table == "compose":
            rows = [tables.ps_row(c, trunc=not query.no_trunc) for c in containers]
            sys.stdout.write(tables.aligned(tables.PS_HEADERS, rows, minwidth=10, padding=3))
            return 0
        else:
            width = None if query.no_trunc else 30
            rows = [[c.name, _ellipsis(c.info.command, width), c.human_state, c.human_ports] for c in containers]
            sys.stdout.write(table(["Name", "Command", "State", "Ports"], rows))
            return 0
        sys.stdout.write("".join(f"{line}\n" for line in lines))
        return 0

    def logs(self, project: Project, options: dict[str, Any]) -> int:
        """
        View output from containers.

        Usage: logs [options] [SERVICE...]

        Options:
            --no-color          Produce monochrome output
            -f, --follow        Follow log output, including containers that restart or are added
            -n, --tail N        Number of lines to show from the end of each container's log (or all)
            --since TIME        Lines since TIME: 2013-01-02T13:23:37Z, unix seconds, or a duration like 42m
            --until TIME        Lines before TIME (the same forms)
            -t, --timestamps    Show the engine's time of each line
            --no-log-prefix     Don't print the "name | " prefix
            --index N           Only the container of that number (needs exactly one SERVICE)
            --format FORMAT     text, or json: one object per line [default: text]
            --stack NAME        The output of a stack's tasks on Docker Swarm, from any directory
        """
        from fig.cli.attached import Session
        from fig.cli.log_printer import LogPrinter, LogSource

        tail = None if options["--tail"] in (None, "all") else opts.integer(options, "--tail")
        names = options["SERVICE"]
        index = None if options["--index"] is None else opts.integer(options, "--index", minimum=1)
        if index is not None and len(names) != 1:
            raise UserError("--index needs exactly one SERVICE")
        since, until = opts.moment(options, "--since"), opts.moment(options, "--until")
        style = opts.log_style(options, self.ansi, timestamps="engine")

        def chosen() -> list[Container]:
            return [c for c in project.containers(names, stopped=True) if index is None or c.number == index]

        containers = chosen()
        if not containers and (stack := swarm.stack_to_show(project, options)):  # one listing when there are some
            return self.stack_logs(stack, options)
        if options["--follow"] and until is None:
            session = Session(sys.stdout, style=style, history=True, tail=tail, since=since, discover=chosen)
            session.run(containers)
            session.check()
            return 0
        stamped = style.json_lines or style.timestamps == "engine"
        sources = [LogSource(c.name_without_project, c.logs(follow=False, tail=tail, since=since, until=until,
                                                            timestamps=stamped),
                             full_name=c.name, service=c.service) for c in containers]
        LogPrinter(sys.stdout, style=style).run(sources)
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
        index = opts.integer(options, "--index", minimum=1)
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
        if binding is None and self.dialect.port_unpublished_fails:
            raise UserError(f"No public port for {private}/{protocol} on {containers[0].name}")
        print(binding or "")  # Fig: an empty line for an unpublished port
        return 0

    def images(self, project: Project, options: dict[str, Any]) -> int:
        """
        List the images the containers of services were created from.

        Usage: images [options] [SERVICE...]

        Options:
            -q, --quiet        Only display image IDs
            --format FORMAT    table, or json: one array [default: table]
        """
        from fig import running
        from fig.cli import tables

        json_out = _table_or_json(options)
        found = running.images(project, options["SERVICE"])
        if options["--quiet"]:
            for image_id in dict.fromkeys(image.id.removeprefix("sha256:") for _, image in found):
                print(image_id)
        elif json_out:
            print(tables.image_json(found))
        else:
            headers = ["CONTAINER", "REPOSITORY", "TAG", "PLATFORM", "IMAGE ID", "SIZE", "CREATED"]
            sys.stdout.write(tables.aligned(headers, tables.image_rows(found), minwidth=20, padding=3))
        return 0

    def top(self, project: Project, options: dict[str, Any]) -> int:
        """
        Display the running processes of the services' containers, in one table.

        Usage: top [options] [SERVICE...]

        Options:
            --stack NAME  The processes of a stack's tasks on Docker Swarm (those this engine runs), from any
                          directory
        """
        from fig import running
        from fig.cli import tables

        if stack := swarm.stack_to_show(project, options):
            return self.stack_top(stack, options)
        found = running.processes(project, options["SERVICE"])
        if found:
            headers, rows = tables.process_table(found)
            sys.stdout.write(tables.aligned(headers, rows, minwidth=4, padding=2))
        return 0

    def events(self, project: Project, options: dict[str, Any]) -> int:
        """
        Stream the engine's events about the services' containers, until Ctrl-C (or --until).

        Usage: events [options] [SERVICE...]

        Options:
            --json          One JSON object a line
            --since TIME    Events since TIME: RFC 3339, unix seconds, or a duration back from now like 10m
            --until TIME    Events until TIME (then stop), in the same forms
        """
        from fig import running
        from fig.cli import tables

        since, until = opts.moment(options, "--since"), opts.moment(options, "--until")
        for service, event in running.events(project, options["SERVICE"], since=since, until=until):
            print(tables.event_json(service, event) if options["--json"] else tables.event_line(event) + "\n",
                  flush=True)
        return 0

    def ls(self, project: None, options: dict[str, Any]) -> int:
        """
        List the projects on the engine, fig's and docker compose's alike. Needs no fig file.

        Usage: ls [options]

        Options:
            -a, --all          Also list projects whose containers are all stopped
            -q, --quiet        Only display project names
            --filter FILTER    Only the projects whose name is NAME or matches it as a regular expression:
                               name=NAME
            --format FORMAT    table, or json: one array [default: table]
        """
        from fig import listing
        from fig.cli import tables
        from fig.cli.bootstrap import engine

        json_out = _table_or_json(options)
        matches = _name_filter(options["--filter"])
        found = [p for p in listing.projects(engine(), stopped=options["--all"]) if matches(p.name)]
        if options["--quiet"]:
            for p in found:
                print(p.name)
        elif json_out:
            print(json.dumps([{"Name": p.name, "Status": p.status, "ConfigFiles": ",".join(p.config_files or ())
                               if p.config_files is not None else "N/A"} for p in found], separators=(",", ":")))
        else:
            rows = [[p.name, p.status, ",".join(p.config_files) if p.config_files is not None else "N/A"]
                    for p in found]
            sys.stdout.write(tables.aligned(["NAME", "STATUS", "CONFIG FILES"], rows, minwidth=20, padding=3))
        return 0

    def stats(self, project: Project, options: dict[str, Any]) -> int:
        """
        Display the resource use of the services' containers (CPU, memory, network and block I/O, pids), as
        `docker stats` does: a live table until Ctrl-C, or one reading with --no-stream.

        Usage: stats [options] [SERVICE...]

        Options:
            -a, --all          Show every container (by default only the running ones)
            --no-stream        Print one reading and exit
            --format FORMAT    table, or json: one object per container and reading [default: table]
        """
        from fig import running
        from fig.cli import tables

        json_out = _table_or_json(options)
        readings = running.usage(project, options["SERVICE"], stopped=options["--all"],
                                 stream=not options["--no-stream"])
        for round_ in readings:
            cells = [tables.stats_cells(c, use) for c, use in round_]
            if json_out:
                text = "".join(json.dumps(c, separators=(",", ":")) + "\n" for c in cells)
            else:
                text = tables.aligned(tables.STATS_HEADERS, [tables.stats_row(c) for c in cells], minwidth=10,
                                      padding=3)
                if not options["--no-stream"] and sys.stdout.isatty():
                    text = "\x1b[2J\x1b[H" + text  # redraw the screen, as docker stats does
            sys.stdout.write(text)
            sys.stdout.flush()
        return 0


def _table_or_json(options: dict[str, Any]) -> bool:
    return opts.choice(options, "--format", ("table", "json")) == "json"


def _name_filter(text: str | None) -> Callable[[str], bool]:
    """ls --filter name=X: the name itself, or a regular expression it matches."""
    if text is None:
        return lambda name: True
    key, sep, value = text.partition("=")
    if key != "name" or not sep:
        raise UserError(f"invalid filter {key!r}: ls takes --filter name=NAME")
    try:
        pattern = re.compile(value)
    except re.error as e:
        raise UserError(f"--filter name={value}: not a regular expression: {e}") from None
    return lambda name: name == value or pattern.search(name) is not None


def _ellipsis(text: str, width: int | None) -> str:
    return text if width is None or len(text) <= width else text[: width - 3] + "..."
