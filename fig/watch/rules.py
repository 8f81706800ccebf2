"""Which changed host paths a `develop.watch` rule takes, and where they go in the container.

Patterns (`ignore`, `include`, a build context's `.dockerignore`) have .dockerignore's syntax: relative to their
root (the rule's path, the build context), `*` stays within one directory, `**` spans any, a pattern that names
a directory covers what is under it, `!` re-includes, and the last matching pattern decides. They are read with
`pathspec`, each pattern anchored at its root as .dockerignore anchors it.
"""

from __future__ import annotations

import enum
import os
import posixpath
from collections.abc import Iterable

import pathspec

from fig.config.develop import WatchRule
from fig.records import record

Patterns = pathspec.PathSpec[pathspec.Pattern]

# Editors' temporary files and version control, ignored by every rule (as compose ignores them): at any depth.
EPHEMERAL: Patterns = pathspec.PathSpec.from_lines("gitignore", [
    ".git/", ".hg/", ".svn/", ".idea/", "*___jb_tmp___", "*___jb_old___", ".#*", "#*#", "4913", "*~",
    ".*.swp", ".*.swx", ".*.swo", ".*.swn", ".*.kate-swp", "*-go-tmp-umask",
])


def docker_patterns(lines: Iterable[str]) -> Patterns:
    """A PathSpec that reads .dockerignore lines as `docker build` does (anchored at the root, `#` comments)."""
    anchored = []
    for line in lines:
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        negate = text.startswith("!")
        text = posixpath.normpath(text.lstrip("!").strip()).lstrip("/")
        if text in ("", "."):
            continue
        anchored.append(("!" if negate else "") + "/" + text)
    return pathspec.PathSpec.from_lines("gitignore", anchored)


def read_dockerignore(context: str) -> Patterns | None:
    try:
        with open(os.path.join(context, ".dockerignore"), encoding="utf-8") as f:
            return docker_patterns(f)
    except FileNotFoundError:
        return None


class Verdict(enum.Enum):
    """Whether a rule takes a path; the values complete "ignored src/x.log (...)"."""

    TAKEN = "taken"
    OUTSIDE = "outside the rule's path"
    EPHEMERAL = "an editor's temporary file"  # or .git/ ...
    IGNORED = "matched by ignore"
    DOCKERIGNORED = "matched by .dockerignore"
    NOT_INCLUDED = "not matched by include"


@record(frozen=True, eq=False)
class Trigger:
    """One rule of one service, with its patterns read."""

    service: str
    rule: WatchRule
    ignore: Patterns
    include: Patterns | None
    context: str | None = None  # the service's build context, when its .dockerignore applies
    dockerignore: Patterns | None = None

    @classmethod
    def of(cls, service: str, rule: WatchRule, context: str | None) -> Trigger:
        dockerignore = read_dockerignore(context) if context else None
        return cls(service, rule, docker_patterns(rule.ignore),
                   docker_patterns(rule.include) if rule.include else None, context, dockerignore)

    def verdict(self, path: str) -> Verdict:
        """Does this rule take the changed host path `path` (absolute), and if not, why not."""
        if not _under(path, self.rule.path):
            return Verdict.OUTSIDE
        relative = os.path.relpath(path, self.rule.path).replace(os.sep, "/")
        if EPHEMERAL.match_file(relative if relative != "." else os.path.basename(path)):
            return Verdict.EPHEMERAL
        if relative != "." and self.ignore.match_file(relative):
            return Verdict.IGNORED
        if self.dockerignore is not None and self.context is not None and _under(path, self.context):
            in_context = os.path.relpath(path, self.context).replace(os.sep, "/")
            if in_context != "." and self.dockerignore.match_file(in_context):
                return Verdict.DOCKERIGNORED
        if self.include is not None and relative != "." and not self.include.match_file(relative):
            return Verdict.NOT_INCLUDED
        return Verdict.TAKEN

    def target_of(self, path: str) -> str:
        """Where a host path under the rule's path goes in the container."""
        assert self.rule.target is not None
        relative = os.path.relpath(path, self.rule.path).replace(os.sep, "/")
        return self.rule.target if relative == "." else posixpath.join(self.rule.target, relative)


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
