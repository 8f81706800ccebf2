"""The commands that put the project on Docker Swarm: deploy and undeploy (of the project's stack; those given
--stack NAME alone are fig.cli.commands.stacks')."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fig.cli.commands.stacks import OnStack, seconds, waiting
from fig.errors import UserError

if TYPE_CHECKING:  # imported when a command needs it
    from fig.cli.status import Status
    from fig.project import Project
    from fig.swarm.stack import Stack


def stack_of(project: Project, options: dict[str, Any]) -> Stack:
    from fig.swarm.stack import Stack

    return Stack(project.config, project.backend, options.get("--stack"), limit=project.limit)  # type: ignore[arg-type]


class Deploy(OnStack):
    status: Status

    def deploy(self, project: Project, options: dict[str, Any]) -> int:
        """
        Deploy the project to Docker Swarm as a stack: services <stack>_<service>, an overlay network per
        network, secrets and configs named by their content. Only what changed is updated; the command waits
        until the changed services run (healthy, where they have a healthcheck) and fails naming those that do
        not. Deploying the whole file also removes the stack's services the file no longer has.

        Usage: deploy [options] [SERVICE...]

        Options:
            --stack NAME      The stack's name (default: the project name); with --rollback it is all
                              that is needed: no project file is read
            --dry-run         Print what would change, field by field, and change nothing
            --rollback        Roll the stack's services (or those named) back to their previous spec
            --strict          Refuse keys Swarm cannot honour instead of warning about them
            --ignore-host-ip  Publish a port given with a host address (127.0.0.1:8080:80) on every
                              address, with a warning, instead of refusing it
            --build           Build the images of services with `build:` first (with --push)
            --push            Push those images to the registry their names point at and pin the digests
            --timeout SECS    How long to wait for the services to converge [default: 300]
            -d, --detach      Return once the changes are submitted, without waiting
        """
        stack = stack_of(project, options)
        if options["--rollback"]:
            return self.stack_rollback(stack, options)
        names, timeout, detach = options["SERVICE"], seconds(options), options["--detach"]
        if options["--build"] != options["--push"]:
            raise UserError("--build and --push go together: Swarm's nodes pull the images from a registry")
        checks = {"strict": options["--strict"], "ignore_host_ip": options["--ignore-host-ip"]}
        images = None
        if options["--push"]:
            built = [n for n in project.config.selected(names) if project.config.service(n).build]
            images = {n: project.config.service(n).image or "" for n in built}  # the digests are not known yet
            stack.check(names, images=images, **checks)  # the file's errors first, not after a long build
            stack.require_manager()
            if not options["--dry-run"]:
                if built:
                    project.build(built, on_progress=self.status.progress)
                images = stack.push(built)
        plan = stack.plan(names, images=images, **checks)
        if options["--dry-run"]:
            for change in plan.changes:
                print(change)
            return 0
        return waiting(stack, lambda: stack.deploy(plan, detach=detach, timeout=timeout))

    def undeploy(self, project: Project, options: dict[str, Any]) -> int:
        """
        Remove the stack from Docker Swarm: its services, then its networks, secrets and configs. Volumes are
        kept unless --volumes is given.

        Usage: undeploy [options]

        Options:
            --stack NAME    The stack's name (default: the project's); no project file is read then
            -v, --volumes   Also remove the stack's volumes (their data is lost)
        """
        return self.stack_undeploy(stack_of(project, options), options)

