#!/usr/bin/env python3
"""Round three (issue 22): fig beside Compose v2 on a compose-format project, each tool on its own project.

Run by hand, never as a timed test in CI (see bench/README.md):

    script/engine                                   # an engine and busybox:latest
    python bench/round3.py                          # the 30-service workloads, 1 warm-up + 5 rounds
    python bench/round3.py --only growth --runs 2   # the 300-service workloads
    python bench/round3.py --only deploy --swarm-host unix:///run/other/docker.sock   # an engine that may be a swarm
    python bench/round3.py --requests               # what each tool asks the engine, per workload

Each round runs every workload with fig (`fig compose ...`), then Compose v2 (and docker-compose 1.29.2 with
`--tools fig,v2,compose`), each preceded by the state it needs (made outside the clock) and followed by a check.
A start-up-bound workload is followed by `python -c pass` on fig's interpreter, so fig's time less the
interpreter's start is taken pairwise, in the same round. Printed per workload: the medians, the median of the
pairwise ratios, the target of issue 22 and whether it was met, and the checks.
Exit status: 0 when every check of fig held (a rival's failures are shown, not fatal), 1 when one failed, 2 when
the benchmark could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import IMAGE, PREFIX, PROMPT_TRAP, STACK_LABEL, BenchError, Engine, Runner, Sample, exclusive, run_timed
from round2 import Round2

PROJECT, SERVICE = "com.docker.compose.project", "com.docker.compose.service"
NUMBER, ONEOFF = "com.docker.compose.container-number", "com.docker.compose.oneoff"
MAIN = ["web"] + [f"s{i:02d}" for i in range(1, 15)] + [f"t{i:02d}" for i in range(1, 16)]  # 30 services
TREE = {f"t{i:02d}": [f"t{c:02d}" for c in (2 * i, 2 * i + 1) if c <= 15] for i in range(1, 16)}  # depends_on
LOGS, LOG_LINES = [f"log{i}" for i in range(1, 9)], 2500  # 20,000 lines
FOLLOWED, FOLLOW_LINES = [f"f{i:02d}" for i in range(1, 11)], 20_000
# A shell's own loop, as fast as it prints ($$ is a literal $ in a compose file)
COUNT = "i=0; while [ $$i -lt {n} ]; do i=$$((i+1)); echo $$i; done"
ROOT = Path(__file__).resolve().parent.parent


# -- files ---------------------------------------------------------------------------------------------------

def compose(services: dict[str, dict[str, Any]]) -> str:
    return json.dumps({"services": services}, indent=1)  # YAML is JSON's superset


def main_file() -> str:
    """15 services alone (web publishes port 80) and 15 in a binary depends_on tree, 4 deep; each stops at once."""
    spec = {"image": IMAGE, "command": ["sh", "-c", PROMPT_TRAP]}
    return compose({s: {**spec, **({"ports": ["80"]} if s == "web" else {}),
                        **({"depends_on": TREE[s]} if TREE.get(s) else {})} for s in MAIN})


def printer_file(names: Sequence[str], script: Callable[[str], str]) -> str:
    return compose({s: {"image": IMAGE, "command": ["sh", "-c", script(s)]} for s in names})


def growth_file(n: int) -> str:
    spec = {"image": IMAGE, "command": ["sh", "-c", PROMPT_TRAP]}
    return compose({f"g{i:03d}": {**spec, **({"ports": ["80"]} if i == 1 else {})} for i in range(1, n + 1)})


# -- the benchmark -----------------------------------------------------------------------------------------------

class Round3:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.engine = Engine(8)
        self.swarm = Engine(8, args.swarm_host) if args.swarm_host else None
        self.dir = Path(tempfile.mkdtemp(prefix=PREFIX))
        self.files: dict[str, Path] = {}
        for kind, text in (("main", main_file()), ("logs", printer_file(LOGS, log_script)),
                           ("follow", printer_file(FOLLOWED, lambda s: COUNT.format(n=FOLLOW_LINES))),
                           (f"g{args.size}", growth_file(args.size))):
            self.files[kind] = self.dir / kind / "compose.yaml"
            self.files[kind].parent.mkdir()
            self.files[kind].write_text(text)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "FIG_", "PYTHON", "DOCKER_"))}
        self.tools = {
            "fig": Runner("fig", PROJECT, [*args.fig, "compose"],
                          {"PYTHONPATH": args.fig_pythonpath} if args.fig_pythonpath else {}),
            "v2": Runner("v2", PROJECT, [args.v2]),
            "compose": Runner("compose", PROJECT, ["docker-compose"]),
            "stack": Runner("stack", STACK_LABEL, ["docker"]),
        }
        self.python = fig_python(args.fig[0])

    def chosen(self, w: Workload) -> list[Runner]:
        if w.rival == "stack":
            return [self.tools["fig"], self.tools["stack"]]
        return [self.tools[k] for k in self.args.tools]

    def engine_of(self, w: Workload) -> Engine:
        return self.swarm if w.rival == "stack" and self.swarm else self.engine

    # -- running a tool ---------------------------------------------------------------------------------

    def argv(self, who: Runner, kind: str, command: Sequence[str]) -> list[str]:
        if who.key == "stack":  # the rival of `fig deploy --detach`: submit and return, no registry lookups
            return [*who.argv, "stack", "deploy", "-c", str(self.files[kind]), "--detach=true",
                    "--resolve-image", "never", who.project(kind)]
        return [*who.argv, "-f", str(self.files[kind]), "-p", who.project(kind), *command]

    def run(self, who: Runner, kind: str, command: Sequence[str], *, host: str | None = None,
            timeout: float = 0) -> Sample:
        env = {**self.env, **who.env, **({"DOCKER_HOST": host} if host else {})}
        return run_timed(self.argv(who, kind, command), cwd=str(self.files[kind].parent), env=env,
                         timeout=timeout or self.args.timeout * (self.args.size / 30 if kind[0] == "g" else 1))

    def prep(self, who: Runner, kind: str, *command: str) -> None:
        sample = self.run(who, kind, command)
        if sample.rc or sample.timed_out:
            raise BenchError(f"preparing {who.project(kind)} with {who.key} failed: {sample.failure()}")

    # -- state ---------------------------------------------------------------------------------------------

    def containers(self, who: Runner, kind: str, *, oneoff: bool = False) -> list[dict[str, Any]]:
        found = self.engine.containers(PROJECT, who.project(kind))
        return [c for c in found if (c["Labels"].get(ONEOFF) == "True") == oneoff]

    def state(self, who: Runner, kind: str) -> dict[str, str]:
        """'service number' -> state of the project's containers (one-offs left out)."""
        return {f"{c['Labels'].get(SERVICE)} {c['Labels'].get(NUMBER)}": c["State"] for c in self.containers(who, kind)}

    def has(self, who: Runner, kind: str, names: Iterable[str], *, running: bool = True) -> str:
        """'' when the project holds exactly these containers ('service number'), all running (or none); else why."""
        want, found = set(names), self.state(who, kind)
        missing, extra = sorted(want - set(found)), sorted(set(found) - want)
        wrong = sorted(n for n in want & set(found) if (found[n] == "running") != running)
        parts = [f"{label} {', '.join(v[:4])}{' ...' if len(v) > 4 else ''} ({len(v)})"
                 for label, v in (("missing", missing), ("unexpected", extra),
                                  ("not running" if running else "still running", wrong)) if v]
        return "; ".join(parts)

    def reset(self, who: Runner, kind: str) -> None:
        """Nothing of the project left: its containers (one-offs too) and its networks."""
        self.engine.remove(c["Id"] for c in self.engine.containers(PROJECT, who.project(kind)))
        for n in self.engine.api.networks(filters={"label": f"{PROJECT}={who.project(kind)}"}):
            self.engine.remove_network(n["Id"])

    def ensure(self, who: Runner, kind: str, names: Sequence[str], *command: str, running: bool = True) -> None:
        """The project holds exactly `names`, made by the tool itself with `command` when it did not."""
        if self.has(who, kind, names, running=running):
            self.reset(who, kind)
            self.prep(who, kind, *command)
            problem = self.has(who, kind, names, running=running)
            if problem:
                raise BenchError(f"preparing {who.project(kind)} with {who.key}: {problem}")


def log_script(service: str) -> str:
    return f"seq 1 {LOG_LINES} | sed 's/^/{service} /'"


def fig_python(argv0: str) -> str:
    """The interpreter fig's script runs on (its #! line)."""
    try:
        first = Path(shutil.which(argv0) or argv0).read_text(errors="replace").splitlines()[0]
        return first[2:].strip().split()[0] if first.startswith("#!") else sys.executable
    except (OSError, IndexError, UnicodeDecodeError):
        return sys.executable


def one(services: Iterable[str]) -> list[str]:
    return [f"{s} 1" for s in services]


# -- preparations ---------------------------------------------------------------------------------------------

def nothing(r: Round3, who: Runner) -> None:
    pass


def empty(kind: str) -> Callable[[Round3, Runner], None]:
    return lambda r, who: r.reset(who, kind) if r.state(who, kind) or kind == "main" else None


def running(kind: str, services: Sequence[str]) -> Callable[[Round3, Runner], None]:
    return lambda r, who: r.ensure(who, kind, one(services), "up", "-d")


def web_alone(r: Round3, who: Runner) -> None:
    r.ensure(who, "main", one(["web"]), "up", "-d", "web")


def logs_done(r: Round3, who: Runner) -> None:
    if r.has(who, "logs", one(LOGS), running=False):
        r.reset(who, "logs")
        r.prep(who, "logs", "up", "-d")
        r.engine.each(lambda c: r.engine.api.wait(c["Id"], timeout=120), r.containers(who, "logs"))


def followed_created(r: Round3, who: Runner) -> None:
    """The printers made by the tool (`up --no-start`), then started together just before the tool follows them."""
    r.reset(who, "follow")
    r.prep(who, "follow", "up", "--no-start")
    r.engine.each(lambda c: r.engine.api.start(c["Id"]), r.containers(who, "follow"))


def undeployed(r: Round3, who: Runner) -> None:
    assert r.swarm is not None
    if r.swarm.api.info()["Swarm"]["LocalNodeState"] != "active":
        raise BenchError(f"{r.args.swarm_host} is not a swarm: run `docker swarm init` there (never on a shared engine)")
    r.swarm.remove_stacks(who.project("main"))


# -- checks ---------------------------------------------------------------------------------------------------

Check = Callable[[Round3, Runner, Sample, Any], str]


def said(pattern: str) -> Check:
    return lambda r, who, s, _: "" if re.search(pattern, s.stdout, re.M) else f"printed {s.stdout[:80]!r}"


def holds(kind: str, names: Sequence[str], *, running: bool = True) -> Check:
    return lambda r, who, s, _: r.has(who, kind, names, running=running)


def gone(kind: str) -> Check:
    def check(r: Round3, who: Runner, s: Sample, _: Any) -> str:
        left = r.engine.containers(PROJECT, who.project(kind))
        nets = r.engine.api.networks(filters={"label": f"{PROJECT}={who.project(kind)}"})
        return f"{len(left)} containers and {len(nets)} networks left" if left or nets else ""
    return check


def ids(kind: str) -> Callable[[Round3, Runner], Any]:
    return lambda r, who: {c["Id"] for c in r.containers(who, kind)}


def kept(kind: str, services: Sequence[str]) -> Check:
    def check(r: Round3, who: Runner, s: Sample, before: Any) -> str:
        problem = r.has(who, kind, one(services))
        return problem or ("" if ids(kind)(r, who) == before else "containers were replaced")
    return check


def listed(kind: str) -> Check:
    """ps names every container of the project, by its real name."""
    def check(r: Round3, who: Runner, s: Sample, _: Any) -> str:
        names = {c["Names"][0].lstrip("/") for c in r.containers(who, kind)}
        shown = {line.split()[0] for line in s.stdout.splitlines() if line.startswith(PREFIX)}
        return "" if shown == names else f"ps shows {sorted(shown ^ names)[:3]} wrongly ({len(shown ^ names)})"
    return check


def configured(names: Sequence[str]) -> Check:
    return lambda r, who, s, _: "" if all(f"{n}:" in s.stdout for n in names) else "a service is missing"


def ran_once(r: Round3, who: Runner, s: Sample, before: Any) -> str:
    left = r.containers(who, "main", oneoff=True)
    return f"{len(left)} one-off containers left" if left else kept("main", MAIN)(r, who, s, before)


def every_line(r: Round3, who: Runner, s: Sample, _: Any) -> str:
    counts = Counter(line.split(" | ", 1)[1].strip() for line in s.stdout.splitlines() if " | " in line)
    want = {f"{svc} {i}" for svc in LOGS for i in range(1, LOG_LINES + 1)}
    missing, doubled = len(want - set(counts)), sum(1 for line, n in counts.items() if line in want and n > 1)
    return f"{missing} lines missing, {doubled} repeated" if missing or doubled else ""


def followed(r: Round3, who: Runner, s: Sample, _: Any) -> str:
    return Round2.follow_check(s.stdout, {name: FOLLOW_LINES for name in FOLLOWED})[0]


def deployed(r: Round3, who: Runner, s: Sample, _: Any) -> str:
    """Every service submitted to the swarm (their tasks are not waited for: both tools return on submission)."""
    assert r.swarm is not None
    stack = who.project("main")
    names = {sv["Spec"]["Name"] for sv in r.swarm.api.services(filters={"label": f"{STACK_LABEL}={stack}"})}
    missing = sorted({f"{stack}_{n}" for n in MAIN} - names)
    return f"services missing: {', '.join(missing[:4])} ({len(missing)})" if missing else ""


# -- workloads ----------------------------------------------------------------------------------------------

@dataclass
class Workload:
    name: str
    command: tuple[str, ...]
    kind: str  # the file and project: main, logs, follow, g<size>
    startup: bool  # judged as (fig - python -c pass) / v2; otherwise fig / v2
    prepare: Callable[[Round3, Runner], None]
    check: Check
    snapshot: Callable[[Round3, Runner], Any] = lambda r, who: None
    group: str = "main"  # --only takes groups (main, growth, deploy) and names
    rival: str = "v2"  # or "stack": `docker stack deploy` of the same file


def workloads(size: int) -> list[Workload]:
    g, names = f"g{size}", [f"g{i:03d}" for i in range(1, size + 1)]
    up30, upg = running("main", MAIN), running(g, names)
    return [
        Workload("up-cold", ("up", "-d"), "main", False, empty("main"), holds("main", one(MAIN))),
        Workload("up-nochange", ("up", "-d"), "main", True, up30, kept("main", MAIN), ids("main")),
        Workload("ps", ("ps",), "main", True, up30, listed("main")),
        Workload("exec", ("exec", "-T", "web", "true"), "main", True, up30, holds("main", one(MAIN))),
        Workload("port", ("port", "web", "80"), "main", True, up30, said(r":\d+\s*\Z")),
        Workload("images", ("images",), "main", True, up30, said("busybox")),
        Workload("ls", ("ls",), "main", True, up30, lambda r, who, s, _: said(who.project("main"))(r, who, s, _)),
        Workload("config", ("config",), "main", True, nothing, configured(MAIN)),
        Workload("version", ("version",), "main", True, nothing, said("version")),
        Workload("run-rm", ("run", "--rm", "-T", "web", "true"), "main", False, up30, ran_once, ids("main")),
        Workload("stop", ("stop",), "main", False, up30, holds("main", one(MAIN), running=False)),
        Workload("down", ("down",), "main", False, up30, gone("main")),
        Workload("scale", ("scale", "web=20"), "main", False, web_alone,
                 holds("main", [f"web {n}" for n in range(1, 21)])),
        Workload("logs", ("logs", "--no-color"), "logs", False, logs_done, every_line),
        Workload("logs-f", ("logs", "-f", "--no-color"), "follow", False, followed_created, followed),
        Workload(f"{g}-up-cold", ("up", "-d"), g, False, empty(g), holds(g, one(names)), group="growth"),
        Workload(f"{g}-up-nochange", ("up", "-d"), g, False, upg, kept(g, names), ids(g), group="growth"),
        Workload(f"{g}-ps", ("ps",), g, False, upg, listed(g), group="growth"),
        Workload(f"{g}-config", ("config",), g, False, nothing, configured(names), group="growth"),
        Workload(f"{g}-down", ("down",), g, False, upg, gone(g), group="growth"),
        Workload("deploy", ("deploy", "--detach"), "main", True, undeployed, deployed, group="deploy", rival="stack"),
    ]


# -- measuring ---------------------------------------------------------------------------------------------

@dataclass
class Result:
    workload: Workload
    seconds: dict[str, list[float]] = field(default_factory=dict)  # per tool, and "python", in round order
    failures: list[str] = field(default_factory=list)
    requests: dict[str, Counter[str]] = field(default_factory=dict)  # per tool: "METHOD /path" -> count

    def median(self, key: str) -> float | None:
        return statistics.median(self.seconds[key]) if self.seconds.get(key) else None

    def ratio(self, key: str, over: str, *, less: str = "") -> float | None:
        """The median of the pairwise ratios key/over (with `less`: (key - less)/over)."""
        pairs = [(k - (self.seconds[less][i] if less else 0)) / o
                 for i, (k, o) in enumerate(zip(self.seconds.get(key, []), self.seconds.get(over, []))) if o > 0]
        return statistics.median(pairs) if pairs else None

    def judged(self) -> float | None:
        rival = "stack" if self.workload.rival == "stack" else "v2"
        return self.ratio("fig", rival, less="python" if self.workload.startup else "")


def measure(r: Round3, chosen: list[Workload], log: Callable[[str], None]) -> list[Result]:
    """Round by round (round 0 warms up), each workload with each tool in turn, in the order of `chosen`."""
    results = [Result(w) for w in chosen]
    for i in range(r.args.runs + 1):
        tag = "warm-up" if i == 0 else f"run {i}/{r.args.runs}"
        for result in results:
            w = result.workload
            for who in r.chosen(w):
                w.prepare(r, who)
                before = w.snapshot(r, who)
                sample = r.run(who, w.kind, w.command, host=r.args.swarm_host if w.rival == "stack" else None)
                problem = sample.failure() if sample.rc or sample.timed_out else w.check(r, who, sample, before)
                log(f"  {w.name:<16} {tag:<9} {who.key:<8} {sample.seconds:7.3f}s"
                    + (f"  FAILED: {problem.splitlines()[0]}" if problem else ""))
                if problem:
                    result.failures.append(f"{who.key} {tag}: {problem}")
                if i:
                    result.seconds.setdefault(who.key, []).append(sample.seconds)
                if w.startup and who.key == "fig" and i:  # the interpreter's own start, in the same round
                    result.seconds.setdefault("python", []).append(
                        run_timed([r.python, "-c", "pass"], cwd="/", env=r.env, timeout=30).seconds)
    return results


def count_requests(r: Round3, chosen: list[Workload], log: Callable[[str], None]) -> list[Result]:
    """One run of each workload per tool through a logging proxy in front of the engine (tests/faultproxy.py):
    the requests each tool made, by method and path (ids and queries left out)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from faultproxy import FaultProxy

    results = [Result(w) for w in chosen]
    for result in results:
        w = result.workload
        upstream = (r.args.swarm_host if w.rival == "stack" and r.args.swarm_host else "unix:///var/run/docker.sock")
        for who in r.chosen(w):
            w.prepare(r, who)
            before = w.snapshot(r, who)
            (r.dir / "proxy.sock").unlink(missing_ok=True)
            with FaultProxy(r.dir / "proxy.sock", upstream=upstream.removeprefix("unix://")) as proxy:
                sample = r.run(who, w.kind, w.command, host=proxy.url)
                seen = list(proxy.seen)
            problem = sample.failure() if sample.rc or sample.timed_out else w.check(r, who, sample, before)
            if problem:
                result.failures.append(f"{who.key}: {problem}")
            result.requests[who.key] = Counter(f"{m} {request_shape(t)}" for m, t in seen)
            log(f"  {w.name:<16} {who.key:<8} {len(seen)} requests" + (f"  FAILED: {problem}" if problem else ""))
    return results


def request_shape(target: str) -> str:
    """/v1.41/containers/<64 hex>/json?x=1 -> /containers/ID/json."""
    path = re.sub(r"^/v[0-9.]+", "", target.split("?", 1)[0])
    return re.sub(r"/[0-9a-f]{64}(?=/|$)", "/ID", path)


# -- output ------------------------------------------------------------------------------------------------

def fmt(value: float | None, spec: str = ".3f") -> str:
    return "-" if value is None else f"{value:{spec}}"


def markdown(head: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(row) for row in rows])


def table(results: list[Result], tools: Sequence[str]) -> str:
    extra = [k for k in tools if k not in ("fig", "v2")]
    head = ["workload", "fig s", "Compose v2 s", "fig/v2", "python s", "(fig - python)/v2", "target", "met",
            "check", *[f"{k} s" for k in extra]]
    rows = []
    for res in results:
        w, rival = res.workload, "stack" if res.workload.rival == "stack" else "v2"
        judged = res.judged()
        target = "(fig - python) <= 1.0x" if w.startup else "<= 1.0x"
        rows.append([f"`{' '.join(w.command)}`" + (" (`docker stack deploy`)" if rival == "stack" else "")
                     + f" [{w.name}]", fmt(res.median("fig")), fmt(res.median(rival)), fmt(res.ratio("fig", rival), ".2f"),
                     fmt(res.median("python")) if w.startup else "", fmt(judged, ".2f") if w.startup else "", target,
                     "-" if judged is None else "yes" if judged <= 1.0 else "NO", checked(res),
                     *[fmt(res.median(k)) for k in extra]])
    return markdown(head, rows)


def checked(res: Result) -> str:
    """ok, or how many runs of which tool failed their check: `FAIL (fig 1)`, `ok (v2 2 failed)`."""
    failed = Counter(f.split(" ", 1)[0] for f in res.failures)
    others = ", ".join(f"{who} {n}" for who, n in sorted(failed.items()) if who != "fig")
    return (f"FAIL (fig {failed['fig']})" if failed["fig"] else "ok") + (f" ({others} failed)" if others else "")


def request_table(results: list[Result]) -> str:
    rows = []
    for res in results:
        counts = {who: sum(c.values()) for who, c in res.requests.items()}
        detail = {who: "; ".join(f"{n} {k}" for k, n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))
                  for who, c in res.requests.items()}
        rival = "stack" if res.workload.rival == "stack" else "v2"
        rows.append([res.workload.name, str(counts.get("fig", "-")), str(counts.get(rival, "-")),
                     detail.get("fig", ""), detail.get(rival, "")])
    return markdown(["workload", "fig requests", "rival requests", "fig's", "the rival's"], rows)


def as_json(results: list[Result], meta: dict[str, Any]) -> str:
    return json.dumps({**meta, "workloads": [{
        "name": res.workload.name, "command": list(res.workload.command), "startup": res.workload.startup,
        "seconds": res.seconds, "median": {k: res.median(k) for k in res.seconds}, "judged_ratio": res.judged(),
        "requests": {k: dict(v) for k, v in res.requests.items()}, "failures": res.failures,
    } for res in results]}, indent=2)


# -- command line ---------------------------------------------------------------------------------------------

def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    here = Path(sys.executable).with_name("fig")
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--runs", type=int, default=5, help="timed rounds after one warm-up (5)")
    p.add_argument("--only", default="main", help="groups (main, growth, deploy, all) or workload names (main)")
    p.add_argument("--size", type=int, default=300, help="services of the growth project (300)")
    p.add_argument("--tools", default="fig,v2", help="fig, v2, and compose (docker-compose 1.29.2) (fig,v2)")
    p.add_argument("--requests", action="store_true", help="count each tool's engine requests (one run each) instead")
    p.add_argument("--json", action="store_true", help="print the results as JSON on stdout (progress on stderr)")
    p.add_argument("--timeout", type=float, default=180, help="seconds before a tool run is killed (180)")
    p.add_argument("--fig", default=str(here) if here.exists() else f"{sys.executable} -m fig",
                   help="how to run fig (default: the fig script beside this python)")
    p.add_argument("--fig-pythonpath", default="", metavar="DIR", help="import fig from DIR instead")
    p.add_argument("--v2", default="", help="Compose v2's binary (default: script/peers --path compose)")
    p.add_argument("--swarm-host", default="", metavar="unix://PATH",
                   help="an engine that is a swarm, for deploy (never make a shared engine one)")
    args = p.parse_args(argv)
    args.fig, args.tools = args.fig.split(), args.tools.split(",")
    if not args.v2:
        found = subprocess.run([str(ROOT / "script" / "peers"), "--path", "compose"], capture_output=True, text=True)
        args.v2 = found.stdout.strip()
    names = {w.name: w.group for w in workloads(args.size)}
    only = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in only if n not in names and n not in ("main", "growth", "deploy", "all")]
    if unknown:
        p.error(f"unknown workload {', '.join(unknown)}: choose from main, growth, deploy, all, {', '.join(names)}")
    args.only = {n for n, group in names.items() if n in only or group in only or "all" in only}
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    try:
        lock = exclusive()  # noqa: F841 (held until exit)
        for tool in (args.fig[0], args.v2, *(["docker-compose"] if "compose" in args.tools else [])):
            if not tool or not shutil.which(tool):
                raise BenchError(f"{tool or 'Compose v2'} is not installed (--v2 PATH names Compose v2's binary)")
        r = Round3(args)
    except BenchError as e:
        log(f"bench: error: {e}")
        return 2
    chosen = [w for w in workloads(args.size) if w.name in args.only]
    if r.swarm is None and any(w.rival == "stack" for w in chosen):
        log("deploy: not measured without --swarm-host (an engine of its own that is a swarm)")
        chosen = [w for w in chosen if w.rival != "stack"]
    try:
        for engine in (r.engine, r.swarm):
            if engine and engine.cleanup():
                log("removed what an earlier run left")
        versions = {k: r.run(r.tools[k], "main", ["version"]).stdout.strip() for k in args.tools}
        meta = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "load": os.getloadavg()[0], "cores": os.cpu_count(),
                "engine": r.engine.api.version().get("Version"), "versions": versions, "runs": args.runs}
        log(f"{meta['date']}, load {meta['load']:.2f}; engine {meta['engine']}; {'; '.join(versions.values())}")
        results = (count_requests if args.requests else measure)(r, chosen, log)
    except BenchError as e:
        log(f"bench: error: {e}")
        return 2
    except KeyboardInterrupt:
        log("bench: interrupted")
        return 2
    finally:
        for engine in (r.engine, r.swarm):
            if engine:
                engine.cleanup()
        shutil.rmtree(r.dir, ignore_errors=True)
    meta["load_after"] = os.getloadavg()[0]
    if args.json:
        print(as_json(results, meta))
    else:
        print(f"{meta['date']}, {meta['cores']} cores, load {meta['load']:.1f} -> {meta['load_after']:.1f}, engine "
              f"{meta['engine']}, " + ("requests of one run each" if args.requests else f"medians of {args.runs}"))
        print("; ".join(versions.values()) + "\n")
        print(request_table(results) if args.requests else table(results, args.tools))
    failed = [f"{res.workload.name}: {f}" for res in results for f in res.failures]
    if failed:
        log("\ncorrectness failures:\n" + "\n".join(failed))
    return 1 if any(f.startswith("fig ") for res in results for f in res.failures) else 0


if __name__ == "__main__":
    sys.exit(main())
