"""Watcher: follows the `develop.watch` rules of a project's services and updates their containers.

It prints nothing: every batch of changes becomes one Update per service, handed to `on_update`.
"""

from __future__ import annotations

import logging
import os
import shlex
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fig import builds
from fig.backend.specs import ExecSpec
from fig.config.develop import WatchRule
from fig.container import Container
from fig.convergence import Strategy
from fig.errors import FigError, UserError
from fig.logs import logger
from fig.parallel import execute
from fig.project import Project, UpOptions
from fig.records import record
from fig.service import Progress, Service
from fig.watch import sync
from fig.watch.debounce import Debouncer
from fig.watch.rules import EPHEMERAL, Trigger, Verdict

log = logger(__name__)


@record(frozen=True)
class Update:
    """What one batch of changes did to one service (or why it did nothing)."""

    service: str
    action: str  # the rules' action (sync, rebuild, ...), or "none"
    ok: bool
    message: str  # "synced 3 files to /app (12 ms)"
    files: int = 0
    removed: int = 0
    targets: tuple[str, ...] = ()
    seconds: float = 0.0
    output: str = ""  # a failed build's or command's output


def took(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _bind_mounted(service: Service, rule: WatchRule) -> bool:
    target = rule.target or ""
    return any(v.is_bind and v.target and (target == v.target or target.startswith(v.target.rstrip("/") + "/"))
               for v in service.config.volumes)


class Watcher:
    def __init__(self, project: Project, names: Sequence[str] = (), *, on_update: Callable[[Update], None],
                 on_progress: Progress | None = None, prune: bool = False) -> None:
        self.project, self.on_update, self.on_progress, self.prune = project, on_update, on_progress, prune
        self.services = [s for s in project.get_services(names) if s.config.develop]
        if not self.services:
            raise UserError("none of the selected services is configured for watch, consider setting a 'develop' "
                            "section")
        self.triggers: list[Trigger] = []
        for service in self.services:
            build = service.config.build
            for rule in service.config.develop:
                if rule.action == "rebuild" and build is None:
                    raise UserError(f"{rule.origin}: can't watch service '{service.name}' with action rebuild: "
                                    "it has no 'build'")
                if rule.syncs and _bind_mounted(service, rule):
                    log.warning("%s: %s is bind-mounted already, so it is not watched", rule.origin, rule.target)
                    continue
                self.triggers.append(Trigger.of(service.name, rule, build.context if build else None))
        if not self.triggers:
            raise UserError("nothing to watch: every rule syncs to a path the service bind-mounts already")

    def roots(self) -> list[str]:
        """The directories to watch: each rule's path, or its nearest existing parent (for a file, or a path not
        made yet: editors replace a file by renaming a new one over it), none inside another."""
        found = set()
        for trigger in self.triggers:
            path = trigger.rule.path
            while not os.path.isdir(path) and os.path.dirname(path) != path:
                path = os.path.dirname(path)
            found.add(path)
        return sorted(p for p in found if not any(p != q and p.startswith(q.rstrip(os.sep) + os.sep) for q in found))

    def run(self, stop: threading.Event | None = None, *, ready: Callable[[], None] = lambda: None) -> None:
        """Watch until `stop` is set (or Ctrl-C, which is raised)."""
        import watchfiles

        logging.getLogger("watchfiles").setLevel(logging.WARNING)  # its "N changes detected": each Update says more
        self.initial_sync()
        debouncer = Debouncer()
        # watchfiles answers at least every 20 ms (an empty set when nothing changed), so a batch is acted on
        # within 20 ms of being due; its own grouping (`step`) is kept short, the Debouncer does the real work
        roots = self.roots()
        changes = watchfiles.watch(*roots, watch_filter=None, step=10, rust_timeout=20, yield_on_timeout=True,
                                   stop_event=stop)
        try:
            for count, batch in enumerate(changes):
                if count == 0:  # the first answer comes once the watches are in place: nothing is missed after it
                    ready()
                now = time.monotonic()
                # editors' own files (swap files, vim's 4913) would make every save look like a burst
                debouncer.add(sorted(p for _, p in batch if not EPHEMERAL.match_file(p.lstrip(os.sep))), now)
                if debouncer.due(now):
                    self.apply(debouncer.take())
        except OSError as e:  # the kernel's limit of watches reached, a watched directory gone, ...
            raise UserError(f"Cannot watch {', '.join(roots)}: {e}") from None

    def initial_sync(self) -> None:
        """Copy every file of the rules that ask for it, before any change is seen."""
        for service in self.services:
            mine = [t for t in self.triggers if t.service == service.name and t.rule.initial_sync]
            if mine:
                paths = sync.expand([t.rule.path for t in mine])
                self._report(service, lambda s: self._sync_batch(s, {t: self._taken(t, paths) for t in mine},
                                                                 hooks=False))

    @staticmethod
    def _taken(trigger: Trigger, paths: Sequence[str]) -> list[str]:
        return [p for p in paths if trigger.verdict(p) is Verdict.TAKEN]

    def apply(self, paths: Sequence[str]) -> list[Update]:
        """Act on one batch of changed host paths; each service's Update is also given to on_update."""
        paths = sync.expand([os.path.abspath(p) for p in paths])
        found = [self._report(service, lambda s: self._service_batch(s, paths)) for service in self.services]
        return [update for update in found if update is not None]

    def _report(self, service: Service, work: Callable[[Service], Update | None]) -> Update | None:
        """Run one service's part of a batch and hand on its Update. A failure is reported as one (the other
        services are still updated, and watching goes on)."""
        try:
            update = work(service)
        except (FigError, OSError) as e:  # OSError: a changed file that cannot be read, ...
            update = Update(service.name, "none", False, f"update failed: {e}")
        if update is not None:
            self.on_update(update)
        return update

    def _service_batch(self, service: Service, paths: Sequence[str]) -> Update | None:
        mine = [t for t in self.triggers if t.service == service.name]
        taken: dict[Trigger, list[str]] = {}
        ignored: list[tuple[str, Verdict]] = []
        for path in paths:
            verdicts = [(t, t.verdict(path)) for t in mine]
            hits = [t for t, v in verdicts if v is Verdict.TAKEN]
            for trigger in hits:
                taken.setdefault(trigger, []).append(path)
            reasons = [v for _, v in verdicts if v not in (Verdict.OUTSIDE, Verdict.EPHEMERAL, Verdict.TAKEN)]
            if not hits and reasons:
                ignored.append((path, reasons[0]))
        if not taken:
            if not ignored:
                return None
            first, why = ignored[0]
            more = f" and {_plural(len(ignored) - 1, 'other')}" if len(ignored) > 1 else ""
            return Update(service.name, "none", True, f"ignored {os.path.relpath(first)}{more} ({why.value})")
        if any(t.rule.action == "rebuild" for t in taken):
            return self._rebuild(service)
        return self._sync_batch(service, taken, hooks=True)

    def _sync_batch(self, service: Service, taken: dict[Trigger, list[str]], *, hooks: bool) -> Update | None:
        start = time.monotonic()
        action = "+".join(dict.fromkeys(a for t in taken for a in t.rule.action.split("+")))
        syncing = {t: paths for t, paths in taken.items() if t.rule.syncs}
        containers = [c for c in service.containers() if c.is_running]
        if syncing and not containers:
            count = sum(len(p) for p in syncing.values())
            return Update(service.name, action, True, f"{_plural(count, 'change')} not synced: no running container")
        copied, removed, targets = self._copy(containers, syncing)
        if syncing and not (copied or removed) and all(t.rule.syncs for t in taken):
            return None  # only the rule's own directory changed (or what changed is gone again): nothing to do
        parts = []
        if copied or not removed:
            parts.append(f"synced {_plural(copied, 'file')} to {', '.join(targets)}")
        if removed:
            parts.append(f"removed {_plural(removed, 'path')}" + ("" if copied else f" from {', '.join(targets)}"))
        text = ", ".join(parts) if syncing else ""
        if hooks:
            for hook in dict.fromkeys(t.rule.exec for t in syncing if t.rule.exec):
                code, output, where = self._run_hook(containers, ExecSpec(
                    list(hook.command), dict(hook.environment), hook.user, hook.working_dir, hook.privileged))
                if code:
                    return Update(service.name, action, False, f"{text}; `{shlex.join(hook.command)}` failed with "
                                  f"exit code {code} in {where}", copied, removed, tuple(targets),
                                  time.monotonic() - start, output)
                text += f" and ran `{shlex.join(hook.command)}`"
            if any(t.rule.action in ("restart", "sync+restart") for t in taken):
                self.project.restart([service.name])
                text = f"{text} and restarted" if text else "restarted"
        seconds = time.monotonic() - start
        return Update(service.name, action, True, f"{text} ({took(seconds)})", copied, removed, tuple(targets),
                      seconds)

    def _copy(self, containers: list[Container], syncing: dict[Trigger, list[str]]) -> tuple[int, int, list[str]]:
        """Copy what exists and delete what is gone in every container; (files copied, paths removed, targets)."""
        entries: dict[str, str] = {}
        gone: dict[str, None] = {}
        for trigger, paths in syncing.items():
            for path in paths:
                if os.path.lexists(path):
                    entries[path] = trigger.target_of(path)
                else:
                    gone[trigger.target_of(path)] = None
        roots = frozenset(t.rule.path for t in syncing)
        data, count = sync.archive(entries, roots)

        def update(container: Container) -> None:
            if gone:
                sync.remove(container, list(gone))
            if count:
                self.project.backend.put_archive(container.id, "/", data)

        outcome = execute(containers, update, key=lambda c: c.name, limit=self.project.limit)
        outcome.raise_if_failed()
        return count, len(gone), list(dict.fromkeys(t.rule.target or "" for t in syncing))

    def _run_hook(self, containers: list[Container], spec: ExecSpec) -> tuple[int, str, str]:
        """Run the hook in each container; the first failure's (code, output, container), else (0, "", "")."""
        outcome = execute(containers, lambda c: sync.run(c, spec), key=lambda c: c.name,
                          limit=self.project.limit)
        outcome.raise_if_failed()
        for name, (code, output) in sorted(outcome.results.items()):
            if code:
                return code, output, name
        return 0, "", ""

    def _rebuild(self, service: Service) -> Update:
        start = time.monotonic()
        before = service.image_id()
        output: list[str] = []

        def progress(name: str, event: Mapping[str, Any]) -> None:
            output.append(builds.output_of(event))
            if self.on_progress:
                self.on_progress(name, event)

        try:
            after = service.build(on_progress=progress)
            self.project.up([service.name], options=UpOptions(deps=False, strategy=Strategy.ALWAYS, build=False))
        except FigError as e:
            return Update(service.name, "rebuild", False, f"rebuild failed: {e}",
                          seconds=time.monotonic() - start, output="".join(output[-40:]))
        if self.prune and before and before != after:
            try:
                self.project.backend.remove_image(before)
            except FigError as e:
                log.debug("the image %s that %s was built from is kept: %s", before[:19], service.name, e)
        seconds = time.monotonic() - start
        return Update(service.name, "rebuild", True, f"rebuilt and recreated ({took(seconds)})", seconds=seconds)
