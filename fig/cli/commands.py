"""TopLevelCommand: one docstring'd method per subcommand; options in, one Project call, output out."""

from __future__ import annotations

import logging
import sys
from typing import Any

from fig.cli import attach, up
from fig.cli import options as opts
from fig.cli.options import parse_scale
from fig.cli.docopt_command import DocoptCommand
from fig.cli.formatter import table
from fig.cli.attached import Session
from fig.cli.log_printer import LogPrinter, LogSource
from fig.cli.status import Status
from fig.errors import UserError
from fig.project import Project

log = logging.getLogger(__name__)


class TopLevelCommand(DocoptCommand):
    """Define and run multi-container applications with Docker.

    Usage:
      fig [-f FILE]... [--profile NAME]... [options] [COMMAND] [ARGS...]
      fig -h|--help

    Options:
      -f, --file FILE           Specify an alternate fig file (default: fig.yml); repeatable
      --profile NAME            Enable the services of a profile (default: COMPOSE_PROFILES); repeatable
      -p, --project-name NAME   Specify an alternate project name (default: directory name)
      --parallel N              How many engine operations to run at once [default: 8]
      --progress MODE           How to show progress: auto, tty, plain, json or quiet [default: auto]
      --verbose                 Show more output
      -v, --version             Print version and exit

    Commands:
      build    Build or rebuild services
      config   Validate and print the configuration
      convert  Write the configuration as a compose-format file
      down     Stop and remove containers and networks
      help     Get help on a command
      kill     Kill containers
      logs     View output from containers
      port     Print the public port for a port binding
      ps       List containers
      pull     Pull service images
      push     Push service images
      restart  Restart services
      rm       Remove stopped containers
      run      Run a one-off command
      scale    Set number of containers for a service
      start    Start services
      stop     Stop services
      up       Create and start containers
      version  Show the version
    """

    def __init__(self, progress: str = "auto") -> None:
        self.status = Status(mode=progress)

    def build(self, project: Project, options: dict[str, Any]) -> int:
        """
        Build or rebuild services. Services are built once and tagged <project>_<service>.

        Usage: build [options] [SERVICE...]

        Options:
            --no-cache  Do not use cache when building the image
            --pull      Always attempt to pull a newer version of the base image
        """
        project.build(options["SERVICE"], no_cache=options["--no-cache"], pull=options["--pull"],
                      on_progress=self.status.progress)
        return 0

    def config(self, project: Project, options: dict[str, Any]) -> int:
        """
        Validate and print the resolved configuration, in the compose format: variables substituted, files,
        `extends` and `env_file` merged, paths absolute. Read again by fig, the output means the same.

        The hash (with the hash option) is the one stored in the io.fig.config-hash label of a service's
        containers: it covers the service's resolved configuration and its image, taken as the local image
        id when the image is present, else its name. A container whose label differs is recreated by up.

        Usage: config [options] [SERVICE...]

        Options:
            -q, --quiet        Only validate, print nothing
            --services         Print the service names, one per line
            --volumes          Print the names of the volumes declared in the file, one per line
            --profiles         Print the profile names used by services, one per line
            --hash             Print each service's configuration hash: "SERVICE HASH", one per line
            --format FORMAT    yaml or json [default: yaml]
        """
        from fig.cli.configs import print_config

        return print_config(project, options)

    def convert(self, project: Project, options: dict[str, Any]) -> int:
        """
        Write the configuration (a fig.yml, say) as an equivalent compose-format file with a `services:`
        section: what `fig config` prints, with paths relative to the project directory.

        Usage: convert [options]

        Options:
            -o, --output FILE  Write to FILE instead of standard output
        """
        from fig.cli.configs import convert

        return convert(project, options)

    def down(self, project: Project, options: dict[str, Any]) -> int:
        """
        Stop and remove containers and networks of the project.

        Usage: down [options]

        Options:
            -v, --volumes            Also remove named volumes declared in the file and anonymous volumes
            --rmi TYPE               Remove images: 'local' (built ones) or 'all'
            --remove-orphans         Remove containers of services not in the file
            -t, --timeout TIMEOUT    Seconds to wait for stop before killing (default: stop_grace_period or 10)
        """
        rmi = options["--rmi"]
        if rmi not in (None, "local", "all"):
            raise UserError("--rmi takes 'local' or 'all'")
        project.down(volumes=options["--volumes"], remove_orphans=options["--remove-orphans"],
                     timeout=opts.timeout(options), remove_images=rmi, on_event=self.status)
        return 0

    def kill(self, project: Project, options: dict[str, Any]) -> int:
        """
        Force stop service containers.

        Usage: kill [options] [SERVICE...]

        Options:
            -s SIGNAL  Signal to send to the container [default: SIGKILL]
        """
        project.kill(options["SERVICE"], signal=options["-s"], on_event=self.status)
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

    def pull(self, project: Project, options: dict[str, Any]) -> int:
        """
        Pull images of services.

        Usage: pull [options] [SERVICE...]

        Options:
            --ignore-pull-failures  Pull what can be pulled and ignore images that cannot
        """
        project.pull(options["SERVICE"], on_progress=self.status.progress,
                     ignore_failures=options["--ignore-pull-failures"],
                     on_event=lambda e: self.status(type(e)(f"Pulling {e.key}", e.phase, e.error)))
        return 0

    def push(self, project: Project, options: dict[str, Any]) -> int:
        """
        Push images of services to their registry.

        Usage: push [SERVICE...]
        """
        project.push(options["SERVICE"], on_progress=self.status.progress)
        return 0

    def restart(self, project: Project, options: dict[str, Any]) -> int:
        """
        Restart running containers.

        Usage: restart [options] [SERVICE...]

        Options:
            -t, --timeout TIMEOUT  Seconds to wait for stop before killing (default: stop_grace_period or 10)
        """
        project.restart(options["SERVICE"], timeout=opts.timeout(options), on_event=self.status)
        return 0

    def rm(self, project: Project, options: dict[str, Any]) -> int:
        """
        Remove stopped service containers.

        Usage: rm [options] [SERVICE...]

        Options:
            -f, --force   Don't ask to confirm removal
            -s, --stop    Stop the containers first, if they are running
            -v            Remove anonymous volumes attached to containers
        """
        if options["--stop"]:
            project.stop(options["SERVICE"], on_event=self.status)
        stopped = [c for c in project.containers(options["SERVICE"], stopped=True, oneoff=True) if not c.is_running]
        if not stopped:
            print("No stopped containers")
            return 0
        if not options["--force"]:
            print("Going to remove " + ", ".join(c.name for c in stopped))
            if not _confirm("Are you sure? [yN] "):
                return 0
        project.remove(stopped, volumes=options["-v"], on_event=self.status)
        return 0

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

    def scale(self, project: Project, options: dict[str, Any]) -> int:
        """
        Set the number of containers to run for a service.

        Usage: scale [options] SERVICE=NUM...

        Options:
            -t, --timeout TIMEOUT  Seconds to wait for stop before killing (default: stop_grace_period or 10)
        """
        counts = parse_scale(options["SERVICE=NUM"], project)
        project.scale(counts, timeout=opts.timeout(options), on_event=self.status)
        return 0

    def start(self, project: Project, options: dict[str, Any]) -> int:
        """
        Start existing containers.

        Usage: start [SERVICE...]
        """
        project.start(options["SERVICE"], on_event=self.status)
        return 0

    def stop(self, project: Project, options: dict[str, Any]) -> int:
        """
        Stop running containers without removing them. They can be started again with `fig start`.

        Usage: stop [options] [SERVICE...]

        Options:
            -t, --timeout TIMEOUT  Seconds to wait for stop before killing (default: stop_grace_period or 10)
        """
        project.stop(options["SERVICE"], timeout=opts.timeout(options), on_event=self.status)
        return 0

    def up(self, project: Project, options: dict[str, Any]) -> int:
        """
        Build, (re)create, start and attach to containers for a service. Linked services are started too.

        Without -d, the output of every container is shown until they all exit; Ctrl-C stops them.
        Unchanged containers are kept; changed ones are recreated, keeping their anonymous volumes.

        Usage: up [options] [--scale SERVICE=NUM...] [SERVICE...]

        Options:
            -d                     Detached mode: run containers in the background
            --no-color             Produce monochrome output
            --no-deps              Don't start linked services
            --force-recreate       Recreate containers even if their configuration has not changed
            --no-recreate          If containers already exist, don't recreate them
            --build                Build images before starting containers
            --no-build             Don't build an image, even if it's missing
            --no-start             Create the containers but don't start them
            --remove-orphans       Remove containers for services not defined in the file
            -V, --renew-anon-volumes  Recreate anonymous volumes instead of keeping their data
            --scale SERVICE=NUM    Scale SERVICE to NUM containers (can be used multiple times)
            -t, --timeout TIMEOUT  Seconds to wait for shutdown when attached or recreating
                                   (default: stop_grace_period or 10)
            --explain              Print what would be done and why, and change nothing
            --dry-run              The same as --explain
            --wait                 With -d, wait until every service runs (and is healthy if it has a check)
            --wait-timeout SECS    How long --wait waits [default: 120]
            --abort-on-container-exit  Stop all containers if any container exits; exit with its code
            --exit-code-from SERVICE   Like --abort-on-container-exit, but on SERVICE, with its exit code
            --exit-policy POLICY   'all-succeed': wait for every container; fail if any failed
            --format FORMAT        Output format of attached logs: text or json [default: text]
        """
        return up.run(project, options, self.status)

    def version(self, project: None, options: dict[str, Any]) -> int:
        """
        Show the version information.

        Usage: version
        """
        from fig import __version__

        print(f"fig version {__version__}")
        return 0


NO_PROJECT = {"help", "version"}


def _ellipsis(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _confirm(prompt: str) -> bool:
    sys.stderr.write(prompt)
    sys.stderr.flush()
    answer = sys.stdin.readline() if sys.stdin else ""
    return answer.strip().lower() in ("y", "yes")
