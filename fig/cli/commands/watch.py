"""`fig watch`: follow the services' develop.watch rules, updating their containers as files change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fig.cli import options as opts

if TYPE_CHECKING:
    from fig.cli.status import Status
    from fig.project import Project


class Watch:
    status: Status

    def watch(self, project: Project, options: dict[str, Any]) -> int:
        """
        Start the services (unless --no-up), then watch the paths of their `develop.watch` rules and update
        the running containers when files change: sync copies them in, rebuild builds and recreates, restart
        restarts, sync+exec runs a command after the copy. One line per update; Ctrl-C stops watching and
        leaves the containers running.

        Usage: watch [options] [SERVICE...]

        Options:
            --no-up          Don't build and start the services before watching
            --prune          After a rebuild, remove the image it replaced
            --quiet          Hide build output
            --format FORMAT  Format of the update lines: text or json [default: text]
        """
        from fig.cli import watching

        names = options["SERVICE"]
        watch = watching.watcher(project, names, self.status, json_lines=opts.json_format(options),
                                 prune=options["--prune"], quiet=options["--quiet"])
        with watching.only_watcher(project):
            if not options["--no-up"]:
                watching.start(project, watch, names, self.status, quiet=options["--quiet"])
            try:
                watch.run(ready=watching.announce)
            except KeyboardInterrupt:
                return 130
        return 0
