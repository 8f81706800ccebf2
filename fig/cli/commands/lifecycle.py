"""The commands that change what runs: up, create, down, start, stop, restart, kill, rm, scale, pause, unpause.

Like every module of fig.cli.commands, this one imports what a command needs when the command runs: TopLevelCommand
holds every command, and one command's start-up should not pay for the modules of the others."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from fig.cli import options as opts
from fig.cli.commands import stacks as swarm

if TYPE_CHECKING:
    from fig.cli.dialect import Dialect
    from fig.cli.status import Status
    from fig.project import Project


class Lifecycle(swarm.OnStack):
    status: Status
    dialect: Dialect
    ansi: str

    def up(self, project: Project, options: dict[str, Any]) -> int:
        """
        Build, (re)create, start and attach to containers for a service. Linked services are started too.

        Without -d, the output of every container is shown until they all exit; Ctrl-C stops them.
        Unchanged containers are kept; changed ones are recreated, keeping their anonymous volumes.

        Usage: up [options] [--scale SERVICE=NUM...] [--attach SERVICE...] [--no-attach SERVICE...] [SERVICE...]

        Options:
            -d, --detach           Detached mode: run containers in the background
            --no-color             Produce monochrome output
            --no-deps              Don't start linked services
            --force-recreate       Recreate containers even if their configuration has not changed
            --always-recreate-deps  Recreate the dependencies' containers even if unchanged
            --no-recreate          If containers already exist, don't recreate them
            --build                Build images before starting containers
            --no-build             Don't build an image, even if it's missing
            --pull POLICY          Pull images: always, missing, never or build (instead of each pull_policy)
            --quiet-pull           Don't show pull progress
            --quiet-build          Don't show build output
            --no-start             Create the containers but don't start them
            --remove-orphans       Remove containers of services not in the file (COMPOSE_REMOVE_ORPHANS)
            -V, --renew-anon-volumes  Recreate anonymous volumes instead of keeping their data
            --scale SERVICE=NUM    Scale SERVICE to NUM containers (can be used multiple times)
            -t, --timeout TIMEOUT  Seconds to wait for shutdown when attached or recreating
                                   (default: stop_grace_period or 10)
            --explain              Print what would be done and why, and change nothing
            --dry-run              The same as --explain
            --wait                 Run detached and return once every service runs (and is healthy if it has
                                   a healthcheck); exit 1 naming a service that does not
            --wait-timeout SECS    How long --wait waits (0: no limit; default: 120)
            --attach SERVICE       Show only the output of SERVICE (repeatable)
            --no-attach SERVICE    Don't show the output of SERVICE (repeatable)
            --attach-dependencies  Show the output of the dependencies too
            --timestamps           Put the time each line was read in front of it
            --no-log-prefix        Don't print the "name | " prefix
            --abort-on-container-exit  Stop all containers if any container exits; exit with its code
            --abort-on-container-failure  Stop all containers if any container exits with a failure
            --exit-code-from SERVICE   Like --abort-on-container-exit, but on SERVICE, with its exit code
            --exit-policy POLICY   'all-succeed': wait for every container; fail if any failed
            --format FORMAT        Output format of attached logs: text or json [default: text]
            -y, --yes              Assume yes to prompts (up asks none)
            -w, --watch            Also watch the services' develop.watch rules (as `fig watch` does)
        """
        from fig.cli import up

        return up.run(project, options, self.status, ansi=self.ansi, dialect=self.dialect)

    def create(self, project: Project, options: dict[str, Any]) -> int:
        """
        Create the containers of services (and their networks and volumes) without starting them: `up --no-start`.

        Usage: create [options] [--scale SERVICE=NUM...] [SERVICE...]

        Options:
            --build                Build images before creating containers
            --no-build             Don't build an image, even if it's missing
            --force-recreate       Recreate containers even if their configuration has not changed
            --no-recreate          If containers already exist, don't recreate them
            --remove-orphans       Remove containers of services not in the file (COMPOSE_REMOVE_ORPHANS)
            --scale SERVICE=NUM    Scale SERVICE to NUM containers (can be used multiple times)
            --pull POLICY          Pull images: always, missing, never or build (default: each pull_policy)
            --quiet-pull           Don't show pull progress
            -y, --yes              Assume yes to every question (fig asks none here)
        """
        from fig.cli import up

        settings = up.up_options({**up.CREATE_DEFAULTS, **options}, project)
        progress = up.quieted(self.status, quiet_pull=options["--quiet-pull"], quiet_build=False)
        project.up(options["SERVICE"], options=settings, on_event=self.status, on_progress=progress)
        return 0

    def pause(self, project: Project, options: dict[str, Any]) -> int:
        """
        Pause the running containers of services (every service when none is named).

        Usage: pause [SERVICE...]
        """
        from fig import running

        running.pause(project, options["SERVICE"], on_event=self.status)
        return 0

    def unpause(self, project: Project, options: dict[str, Any]) -> int:
        """
        Unpause the paused containers of services (every service when none is named).

        Usage: unpause [SERVICE...]
        """
        from fig import running

        running.unpause(project, options["SERVICE"], on_event=self.status)
        return 0

    def down(self, project: Project, options: dict[str, Any]) -> int:
        """
        Stop and remove containers and networks of the project. Given services, only their containers and those
        of the services that depend on them.

        Usage: down [options] [SERVICE...]

        Options:
            -v, --volumes            Also remove named volumes declared in the file and anonymous volumes
            --rmi TYPE               Remove images: 'local' (built ones) or 'all'
            --remove-orphans         Remove containers of services not in the file (COMPOSE_REMOVE_ORPHANS)
            -t, --timeout TIMEOUT    Seconds to wait for stop before killing (default: stop_grace_period or 10)
        """
        rmi = None if options["--rmi"] is None else opts.choice(options, "--rmi", ("local", "all"))
        project.down(options["SERVICE"], volumes=options["--volumes"],
                     remove_orphans=opts.remove_orphans(options, project), timeout=opts.timeout(options),
                     remove_images=rmi, on_event=self.status)
        return 0

    def start(self, project: Project, options: dict[str, Any]) -> int:
        """
        Start existing containers.

        Usage: start [options] [SERVICE...]

        Options:
            --wait               Return once the services run (and are healthy if they have a healthcheck)
            --wait-timeout SECS  How long --wait waits (0: no limit; default: 120)
        """
        project.start(options["SERVICE"], wait=opts.wait_for(options, self.dialect), on_event=self.status)
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

    def restart(self, project: Project, options: dict[str, Any]) -> int:
        """
        Restart running containers.

        Usage: restart [options] [SERVICE...]

        Options:
            -t, --timeout TIMEOUT  Seconds to wait for stop before killing (default: stop_grace_period or 10)
            --wait                 Return once the services run again (and are healthy if they have a check)
            --wait-timeout SECS    How long --wait waits (0: no limit; default: 120)
        """
        project.restart(options["SERVICE"], timeout=opts.timeout(options), wait=opts.wait_for(options, self.dialect),
                        on_event=self.status)
        return 0

    def kill(self, project: Project, options: dict[str, Any]) -> int:
        """
        Force stop service containers.

        Usage: kill [options] [SERVICE...]

        Options:
            -s, --signal SIGNAL  Signal to send to the container [default: SIGKILL]
        """
        project.kill(options["SERVICE"], signal=opts.signal_name(options), on_event=self.status)
        return 0

    def rm(self, project: Project, options: dict[str, Any]) -> int:
        """
        Remove stopped service containers.

        Usage: rm [options] [SERVICE...]

        Options:
            -f, --force    Don't ask to confirm removal
            -s, --stop     Stop the containers first, if they are running
            -v, --volumes  Remove anonymous volumes attached to containers
        """
        just_stopped: set[str] = set()
        if options["--stop"]:
            just_stopped = {c.id for c in project.stop(options["SERVICE"], on_event=self.status)}
        stopped = [c for c in project.containers(options["SERVICE"], stopped=True, oneoff=True)
                   if not c.is_running or c.id in just_stopped]
        if not stopped:
            print("No stopped containers")
            return 0
        if not options["--force"]:
            print("Going to remove " + ", ".join(c.name for c in stopped))
            if not _confirm("Are you sure? [yN] "):
                return 0
        project.remove(stopped, volumes=options["--volumes"], on_event=self.status)
        return 0

    def scale(self, project: Project, options: dict[str, Any]) -> int:
        """
        Set the number of containers to run for a service.

        Usage: scale [options] SERVICE=NUM...

        Options:
            -t, --timeout TIMEOUT  Seconds to wait for stop before killing (default: stop_grace_period or 10)
            --stack NAME           Scale the services of a stack on Docker Swarm, from any directory
        """
        if stack := swarm.stack_to_show(project, options):
            return self.stack_scale(stack, options)
        counts = opts.parse_scale(options["SERVICE=NUM"], project)
        project.scale(counts, timeout=opts.timeout(options), on_event=self.status)
        return 0


def _confirm(prompt: str) -> bool:
    sys.stderr.write(prompt)
    sys.stderr.flush()
    answer = sys.stdin.readline() if sys.stdin else ""
    return answer.strip().lower() in ("y", "yes")
