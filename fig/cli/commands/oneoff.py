"""Commands in and about one container: run, exec, attach, cp, wait."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from fig.cli import options as opts

if TYPE_CHECKING:
    from fig.cli.dialect import Dialect
    from fig.cli.status import Status
    from fig.project import Project


class OneOff:
    status: Status
    dialect: Dialect

    def run(self, project: Project, options: dict[str, Any]) -> int:
        """
        Run a one-off command on a service.

        For example: fig run web python manage.py shell

        By default, linked services will be started, unless they are already running.

        Usage: run [options] [-e KEY=VAL...] [-l KEY=VAL...] [-v VOLUME...] [-p PORT...] [--cap-add CAP...]
                   [--cap-drop CAP...] SERVICE [COMMAND] [ARGS...]

        Options:
            -d, --detach          Detached mode: run the container in the background, print its name
            --name NAME           Assign a name to the container
            --entrypoint CMD      Override the entrypoint of the image
            -e, --env KEY=VAL     Set an environment variable (can be used multiple times)
            -l, --label KEY=VAL   Add or override a label (can be used multiple times)
            -u, --user USER       Run as this username or uid
            -w, --workdir DIR     Working directory inside the container
            -v, --volume VOLUME   Bind mount a volume, SOURCE:TARGET[:MODE] (added to the service's)
            -p, --publish PORT    Publish a port, [IP:][HOST:]CONTAINER (instead of the service's)
            -P, --service-ports   Run with the service's ports published on the host
            --cap-add CAP         Add a Linux capability
            --cap-drop CAP        Drop a Linux capability
            --use-aliases         Join the networks under the service's aliases
            --no-deps             Don't start linked services
            --rm                  Remove the container when it exits
            --build               Build the image before starting the container
            --pull POLICY         Pull the image: always, missing, never or build
            --quiet-pull          Don't show pull progress
            -i, --interactive     Keep stdin open (it is, unless detached)
            -T, --no-TTY          Disable pseudo-tty allocation
            --no-tty              The same as -T
        """
        from fig.cli import run as one_off

        return one_off.run_one_off(project, options, self.status, prints=self.dialect.run_detached_prints)

    def exec(self, project: Project, options: dict[str, Any]) -> int:
        """
        Run a command in a running container of a service, and exit with its exit code.

        With a terminal on stdin and stdout, the command gets a TTY; otherwise its stdin, stdout and stderr
        are plain pipes.

        Usage: exec [options] [-e KEY=VAL...] SERVICE COMMAND [ARGS...]

        Options:
            -d, --detach          Run the command in the background, print nothing
            -e, --env KEY=VAL     Set an environment variable (can be used multiple times); a bare KEY
                                  takes its value from this environment
            --index N             The container of the service to use: its number (default: the lowest) [default: 0]
            -T, --no-TTY          Do not allocate a TTY, even on a terminal
            --no-tty              The same as -T
            -t, --tty             Allocate a TTY on a terminal (the default)
            -i, --interactive     Keep stdin open (the default)
            --privileged          Give the command extended privileges
            -u, --user USER       Run the command as this user (name or uid[:gid])
            -w, --workdir DIR     The command's working directory
        """
        from fig.cli import interact

        return interact.exec_command(project, options)

    def attach(self, project: Project, options: dict[str, Any]) -> int:
        """
        Attach this terminal to a service's running container: its output, and its stdin unless --no-stdin.

        Exits with the container's exit code when it stops, or 0 when you detach (the detach keys, by default
        ctrl-p,ctrl-q, on a terminal).

        Usage: attach [options] SERVICE

        Options:
            --index N           The container of the service: its number (default: the lowest) [default: 0]
            --no-stdin          Do not attach stdin
            --sig-proxy BOOL    Pass Ctrl-C and SIGTERM on to the container's process: true or false
                                (default: true)
            --detach-keys KEYS  The keys that detach, e.g. ctrl-p,ctrl-q (the engine's default)
        """
        from fig.cli import interact

        return interact.attach_command(project, options)

    def cp(self, project: Project, options: dict[str, Any]) -> int:
        """
        Copy files or directories between a service's container and this machine, as `docker cp` does.

        SERVICE:PATH names a path in the service's container; - as the other side is a tar archive on stdout
        (copying out) or stdin (copying in, unpacked into the directory PATH). Copying in reaches every
        container of the service; copying out, the first.

        Usage:
            cp [options] SERVICE:SRC_PATH DEST_PATH
            cp [options] SRC_PATH SERVICE:DEST_PATH

        Options:
            --index N          The container of the service: its number (default: every one, or the first)
                               [default: 0]
            --all              Include the one-off containers of `run`
            -a, --archive      Keep the owners: the archive's uid/gid out, the container user's in
            -L, --follow-link  Copy what a symbolic link SRC_PATH points to
        """
        from fig import copying  # tarfile and tempfile: loaded only for cp

        # docopt places any two paths in the first form's names; which one names a service is in the text
        copying.copy(project, options["SERVICE:SRC_PATH"], options["DEST_PATH"],
                     index=opts.integer(options, "--index"), oneoff=options["--all"], keep_owners=options["--archive"],
                     follow_link=options["--follow-link"], stdin=sys.stdin.buffer, stdout=sys.stdout.buffer)
        return 0

    def wait(self, project: Project, options: dict[str, Any]) -> int:
        """
        Wait for the running containers of services to exit; exit with the code of the last one to exit.

        Usage: wait [options] SERVICE...

        Options:
            --down-project  Then stop and remove the project (as `down --remove-orphans`)
        """
        from fig import running

        code = 0
        for container, code in running.wait(project, options["SERVICE"]):
            print(f'container "{container.id}" exited with status code {code}', flush=True)
        if options["--down-project"]:
            project.down(remove_orphans=True, on_event=self.status)
        return code
