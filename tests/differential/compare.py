"""Field-by-field comparison of the two normalised outputs, and the known differences (known.yaml) that explain
what differs."""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.differential.normal import normal
from tests.differential.runner import Outcome

OUTCOMES = ("fig-refuses", "v2-refuses", "fields")


@dataclass(frozen=True)
class Difference:
    file: str
    outcome: str  # one of OUTCOMES
    path: str = ""  # for "fields": where, e.g. services.web.environment.FOO
    v2: Any = None
    fig: Any = None

    def __str__(self) -> str:
        if self.outcome == "fields":
            return f"{self.file}: {self.path}: v2 {_short(self.v2)}, fig {_short(self.fig)}"
        return f"{self.file}: {self.outcome}: {_short(self.fig if self.outcome == 'fig-refuses' else self.v2)}"


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) < 160 else text[:157] + "..."


@dataclass
class Known:
    owner: str
    reason: str
    outcome: str
    files: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    error: str = ""  # for the refusals: a pattern the refusing tool's message must match
    used: int = 0

    def explains(self, diff: Difference) -> bool:
        if diff.outcome != self.outcome:
            return False
        if self.files and not any(fnmatch.fnmatchcase(diff.file, pattern) for pattern in self.files):
            return False
        if self.paths and not any(re.fullmatch(pattern, diff.path) for pattern in self.paths):
            return False
        return not self.error or bool(re.search(self.error, str(diff.fig if diff.outcome == "fig-refuses" else diff.v2)))


def load_known(path: Path) -> list[Known]:
    entries = [Known(**entry) for entry in yaml.safe_load(path.read_text(encoding="utf-8"))]
    for entry in entries:
        assert entry.outcome in OUTCOMES, f"{entry.reason}: outcome {entry.outcome!r} is not one of {OUTCOMES}"
        assert entry.files or entry.paths or entry.error, f"{entry.reason}: says neither files, paths nor error"
    return entries


def _walk(v2: Any, fig: Any, path: str, out: list[tuple[str, Any, Any]]) -> None:
    if isinstance(v2, dict) and isinstance(fig, dict):
        for key in sorted(set(v2) | set(fig), key=str):
            _walk(v2.get(key), fig.get(key), f"{path}.{key}" if path else str(key), out)
    elif isinstance(v2, list) and isinstance(fig, list) and len(v2) == len(fig):
        for index, (a, b) in enumerate(zip(v2, fig)):
            _walk(a, b, f"{path}[{index}]", out)
    elif v2 != fig:
        out.append((path, v2, fig))


def _message(outcome: Outcome) -> str:
    lines = [line for line in outcome.err.strip().splitlines() if line.strip()]
    return lines[-1] if lines else f"exit {outcome.code}, nothing said"


def differences(file: str, v2: Outcome, fig: Outcome) -> list[Difference]:
    """What differs between the two tools on one file (nothing when both refuse it)."""
    if not v2.ok and not fig.ok:
        return []
    if not fig.ok:
        return [Difference(file, "fig-refuses", v2=None, fig=_message(fig))]
    if not v2.ok:
        return [Difference(file, "v2-refuses", v2=_message(v2), fig=None)]
    found: list[tuple[str, Any, Any]] = []
    _walk(normal(json.loads(v2.out), v2=True), normal(json.loads(fig.out), v2=False), "", found)
    return [Difference(file, "fields", path, a, b) for path, a, b in found]


def refusal_problems(file: str, v2: Outcome, fig: Outcome) -> list[str]:
    """A refusal by fig is one line, `ERROR: ...`, exit 1, no traceback; where v2 refuses the YAML itself,
    fig's line says so too (the kind of error, compared loosely)."""
    if fig.ok:
        return []
    lines = [line for line in fig.err.splitlines() if line.strip() and not line.startswith("WARNING: ")]
    problems = []
    if fig.code != 1 or len(lines) != 1 or not lines[0].startswith("ERROR: ") or "Traceback" in fig.err:
        problems.append(f"{file}: fig's refusal is not one ERROR line with exit 1: exit {fig.code}: {fig.err!r}")
    if not v2.ok and re.search(r"(^|\s)yaml: ", v2.err) and not re.search(r"YAML|tab character|duplicate key", fig.err):
        problems.append(f"{file}: Compose v2 refuses the YAML ({_message(v2)}), fig says: {_message(fig)}")
    return problems
