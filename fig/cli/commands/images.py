"""Images: build, pull, push."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fig.cli import options as opts

if TYPE_CHECKING:
    from fig.cli.status import Status
    from fig.project import Project


class Images:
    status: Status

    def build(self, project: Project, options: dict[str, Any]) -> int:
        """
        Build or rebuild services. Services are built once and tagged <project>_<service>.

        Usage: build [options] [--build-arg KEY=VAL...] [SERVICE...]

        Options:
            --no-cache             Do not use cache when building the image
            --pull                 Always attempt to pull a newer version of the base image
            --build-arg KEY=VAL    Set a build argument (KEY alone takes your environment's value); repeatable
            -q, --quiet            Don't show the build output
            --with-dependencies    Also build the services the named ones depend on
        """
        from fig.imaging import BuildOptions

        settings = BuildOptions(no_cache=options["--no-cache"], pull=options["--pull"],
                                args=dict(opts.key_values(options["--build-arg"], "--build-arg")), deps=options["--with-dependencies"])
        project.build(options["SERVICE"], options=settings,
                      on_progress=None if options["--quiet"] else self.status.progress)
        return 0

    def pull(self, project: Project, options: dict[str, Any]) -> int:
        """
        Pull images of services.

        Usage: pull [options] [SERVICE...]

        Options:
            --ignore-pull-failures  Pull what can be pulled and ignore images that cannot
            --include-deps          Also pull the images of the services the named ones depend on
            --policy POLICY         always (the default), or missing: only images that are not here
            -q, --quiet             Don't show progress
        """
        policy = opts.choice(options, "--policy", ("always", "missing"), default="always")
        from fig.imaging import PullOptions

        settings = PullOptions(ignore_failures=options["--ignore-pull-failures"], deps=options["--include-deps"],
                               missing_only=policy == "missing")
        quiet = options["--quiet"]
        project.pull(options["SERVICE"], options=settings, on_progress=None if quiet else self.status.progress,
                     on_event=(lambda e: None) if quiet else
                     (lambda e: self.status(type(e)(f"Pulling {e.key}", e.phase, e.error))))
        return 0

    def push(self, project: Project, options: dict[str, Any]) -> int:
        """
        Push images of services to their registry.

        Usage: push [options] [SERVICE...]

        Options:
            --ignore-push-failures  Push what can be pushed and ignore images that cannot
            -q, --quiet             Don't show progress
        """
        project.push(options["SERVICE"], ignore_failures=options["--ignore-push-failures"],
                     on_progress=None if options["--quiet"] else self.status.progress)
        return 0
