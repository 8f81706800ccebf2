"""The configuration files: config, convert."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fig.cli.status import Status
    from fig.project import Project


class Files:
    status: Status

    def config(self, project: Project, options: dict[str, Any]) -> int:
        """
        Validate and print the resolved configuration in Compose's normal form: variables substituted, files,
        `extends` and `env_file` merged, paths absolute, ports, volumes and depends_on in their long syntax, sizes
        in bytes, networks and volumes with their names. Read again by fig, the output means the same (the same
        config hashes). Services of inactive profiles are left out; a SERVICE comes with what it depends on.

        The hash (with the hash option) is the one stored in the com.docker.compose.config-hash label of a service's
        containers: it covers the service's resolved configuration and its image, taken as the local image
        id when the image is present, else its name. A container whose label differs is recreated by up.

        Usage: config [options] [SERVICE...]

        Options:
            -q, --quiet           Only validate, print nothing
            --services            Print the service names, one per line
            --volumes             Print the names of the volumes declared in the file, one per line
            --networks            Print the names of the networks, one per line
            --images              Print the image of each service, one per line
            --profiles            Print the profile names used by services, one per line
            --environment         Print the variables values are interpolated from, NAME=VALUE
            --variables           Print the variables the files refer to, with their defaults
            --hash                Print each service's configuration hash: "SERVICE HASH", one per line
                                  (as Compose v2: --hash=web,db for some, --hash='*' for every service)
            --format FORMAT       yaml or json [default: yaml]
            --no-interpolate      Print the files merged as written, variables not substituted
            --no-normalize        Print fig's short form (as fig convert does) instead of Compose's normal form
            --no-path-resolution  Keep paths relative to the project directory
            -o, --output FILE     Write to FILE instead of standard output
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
