"""Images: build, pull, push."""

from __future__ import annotations

from typing import Any

from fig.cli.status import Status
from fig.project import Project


class Images:
    status: Status

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
