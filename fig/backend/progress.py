"""BuildKit's progress (buildx's rawjson objects) handed on per service, and what a failed build says.

Step names carry the service: bake names them `[target 2/3] RUN ...`, the engine `[2/3] RUN ...`; both are shown as
`[service 2/3] RUN ...`. The logs of each step are kept, so a failure can say which step failed and show its
output."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from typing import Any

from fig.backend.specs import BuildProgress
from fig.errors import BuildError
from fig.patterns import pattern

_PREFIX = pattern(r"^\[(?P<target>[A-Za-z0-9_-]+)(?P<rest>(?: [^\]]*)?)\] ?")
_OWN = pattern(r"^\[(?P<rest>[^\]]*)\] ?")


class Splitter:
    """Feeds rawjson objects in, hands each service its share; `targets` maps bake target names to services,
    or `service` names the one service of an engine build."""

    def __init__(self, targets: Mapping[str, str] | None, on_progress: BuildProgress | None, *,
                 service: str = "") -> None:
        self.targets, self.on_progress, self.service = targets or {}, on_progress, service
        self.owner: dict[str, str] = {}  # vertex digest -> service
        self.names: dict[str, str] = {}  # vertex digest -> its name as shown
        self.logs: dict[str, list[bytes]] = {}  # vertex digest -> its output
        self.failed: tuple[str, str, str] | None = None  # (service, step name, error) of the first failed step

    def _name(self, vertex: Mapping[str, Any]) -> str | None:
        """The vertex's service (remembered by digest), and its name with the service in the brackets."""
        digest, name = str(vertex.get("digest", "")), str(vertex.get("name", ""))
        if self.service:
            self.owner[digest] = self.service
            m = _OWN.match(name)
            return f"[{self.service} {m['rest']}] {name[m.end():]}".replace(" ]", "]") if m else \
                f"[{self.service}] {name}"
        m = _PREFIX.match(name)
        if not m or m["target"] not in self.targets:
            return None
        self.owner[digest] = self.targets[m["target"]]
        return f"[{self.targets[m['target']]}{m['rest']}] {name[m.end():]}"

    def feed(self, status: Mapping[str, Any]) -> None:
        share: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for vertex in status.get("vertexes") or ():
            name = self._name(vertex)
            if name is None:
                continue
            digest = str(vertex.get("digest", ""))
            self.names[digest] = name
            if vertex.get("error") and self.failed is None and "context canceled" not in str(vertex["error"]):
                self.failed = (self.owner[digest], name, str(vertex["error"]))
            share.setdefault(self.owner[digest], {}).setdefault("vertexes", []).append({**vertex, "name": name})
        for key in ("statuses", "logs", "warnings"):
            for item in status.get(key) or ():
                digest = str(item.get("vertex", ""))
                if digest not in self.owner:
                    continue
                if key == "logs":
                    self.logs.setdefault(digest, []).append(base64.b64decode(item.get("data") or ""))
                share.setdefault(self.owner[digest], {}).setdefault(key, []).append(item)
        if self.on_progress:
            for service, part in share.items():
                self.on_progress(service, part)

    def output_of(self, name: str) -> str:
        """Everything a step printed."""
        digests = [d for d, n in self.names.items() if n == name]
        return b"".join(b for d in digests for b in self.logs.get(d, ())).decode("utf-8", "replace")


def failure(splitter: Splitter, text: Sequence[str], services: Sequence[str]) -> BuildError:
    """The error of a failed build: the failed step's, else the builder's last words."""
    if splitter.failed:
        service, step, error = splitter.failed
        return BuildError(_clean(error), service=service, step=re.sub(rf"^\[{re.escape(service)} ?", "[", step))
    message = next((t for t in reversed(text) if t.startswith("ERROR")), text[-1] if text else "the build failed")
    message = _clean(message.removeprefix("ERROR:").strip())
    named = [s for s in services if re.search(rf"\b{re.escape(s)}\b", message)]
    return BuildError(message, service=(named or services)[0] if len(services) == 1 or named else ", ".join(services))


def _clean(message: str) -> str:
    """One line: BuildKit's error without its `failed to solve:` preamble."""
    first = message.strip().splitlines()[0] if message.strip() else "the build failed"
    return re.sub(r"^(?:failed to solve(?: with frontend dockerfile\.v0)?: )+", "", first)
