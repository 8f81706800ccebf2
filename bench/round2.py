"""Issue 14's workloads: how each tool's cost grows from 10 to 300 services, logs at the engine's speed, the
memory of an attached `up` of 100 containers, and the start-up of the read-only commands on a 300-service file.

Each is measured in rounds of fig, docker-compose and the SDK floor (A B F A B F ...), with a check after every
run; `run.py` calls `measure` and prints `tables`.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import IMAGE, PREFIX, PROMPT_TRAP, BenchError, Runner, Sample, name_of

NAMES = ("growth", "logs-1m", "logs-follow", "up-attached")
SIZES = (10, 30, 100, 300)
GROWTH = ("up-cold", "up-nochange", "ps", "config", "down")
READONLY = ("config", "ps", "port", "images")  # measured on the flat project at the largest size
BIG_LOGS = (20, 50_000)  # containers x lines
FOLLOWED, FOLLOW_SECONDS = 10, 10
ATTACHED = 100
# Numbers as fast as a shell prints them (seq would fill the disk: the engine keeps every line) for SECONDS; the
# loop is not the container's PID 1, which a SIGTERM would not end. $$ is a literal $ in a fig file.
FAST = "exec 2>/dev/null; timeout {seconds} sh -c 'i=0; while :; do i=$$((i+1)); echo $$i; done'; true"
GATED = "echo start; while [ ! -e /gate/open ]; do sleep 0.2; done; echo done"


# -- files ---------------------------------------------------------------------------------------------------

def services(n: int, shape: str) -> list[str]:
    return [f"{shape[0]}{i:03d}" for i in range(1, n + 1)]


def links(n: int, shape: str) -> dict[str, list[str]]:
    """A binary link tree for shape `tree`: t001 links t002 and t003, ...; nothing for `flat`."""
    if shape != "tree":
        return {}
    return {f"t{i:03d}": [f"t{c:03d}" for c in (2 * i, 2 * i + 1) if c <= n] for i in range(1, n + 1)}


def yml(specs: dict[str, dict[str, Any]]) -> str:
    return "".join(f"{name}: {json.dumps(spec)}\n" for name, spec in specs.items())  # YAML is JSON's superset


def growth_file(n: int, shape: str) -> str:
    """n services; the first publishes port 80 (for `port`)."""
    specs: dict[str, dict[str, Any]] = {}
    for i, name in enumerate(services(n, shape)):
        specs[name] = {"image": IMAGE, "command": ["sh", "-c", PROMPT_TRAP]}
        if links(n, shape).get(name):
            specs[name]["links"] = links(n, shape)[name]
        if i == 0:
            specs[name]["ports"] = ["80"]
    return yml(specs)


def command_file(names: Sequence[str], script: Callable[[str], str], **extra: Any) -> str:
    return yml({name: {"image": IMAGE, "command": ["sh", "-c", script(name)], **extra} for name in names})


# -- results -------------------------------------------------------------------------------------------------

@dataclass
class Series:
    """One measured thing: seconds per tool (in round order), other values per tool, failures."""

    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failed: Counter[str] = field(default_factory=Counter)  # per tool, the runs whose check failed (warm-ups too)
    values: dict[str, dict[str, list[float]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))

    def median(self, key: str, what: str = "") -> float | None:
        data = self.values[what][key] if what else self.seconds[key]
        return statistics.median(data) if data else None

    def ratio(self, over: str, what: str = "") -> float | None:
        data = self.values[what] if what else self.seconds
        pairs = [f / o for f, o in zip(data["fig"], data[over]) if o > 0]
        return statistics.median(pairs) if pairs else None


@dataclass
class Results:
    series: dict[tuple[str, ...], Series] = field(default_factory=lambda: defaultdict(Series))
    failures: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    sizes: tuple[int, ...] = SIZES


# -- running -------------------------------------------------------------------------------------------------

class Round2:
    def __init__(self, b: Any, log: Callable[[str], None]) -> None:
        self.b, self.log, self.r = b, log, Results(sizes=tuple(b.args.sizes))
        self.who = tuple(w for w in (b.fig, b.compose, b.sdk) if w.key in b.args.tools)

    def record(self, key: tuple[str, ...], who: Runner, tag: str, seconds: float, problem: str,
               **values: float) -> None:
        line = f"  {' '.join(key):<24} {tag:<9} {who.key:<8} {seconds:8.3f}s"
        line += "".join(f" {k}={v:.4g}" for k, v in values.items())
        self.log(line + (f"  FAILED: {problem.splitlines()[0]}" if problem else ""))
        if problem:
            self.r.failures.append(f"{' '.join(key)} {who.key} {tag}: {problem}")
            self.r.series[key].failed[who.key] += 1
        if tag != "warm-up":
            self.r.series[key].seconds[who.key].append(seconds)
            for k, v in values.items():
                self.r.series[key].values[k][who.key].append(v)

    def timed(self, key: tuple[str, ...], who: Runner, tag: str, kind: str, command: Sequence[str],
              check: Callable[[Sample], str], timeout: float = 0, **kw: Any) -> Sample:
        sample = self.b.run(who, kind, *command, timeout=timeout, **kw)
        problem = sample.failure() if sample.rc or sample.timed_out else check(sample)
        self.record(key, who, tag, sample.seconds, problem, **({"rss_mib": sample.maxrss_kib / 1024}
                                                               if sample.maxrss_kib else {}))
        return sample

    def floor(self, key: tuple[str, ...], tag: str, work: Callable[[], Any], check: Callable[[Any], str]) -> None:
        start = time.perf_counter()
        out = work()
        self.record(key, self.b.sdk, tag, time.perf_counter() - start, check(out))

    # -- SDK work ------------------------------------------------------------------------------------------

    def sdk_make(self, kind: str, service: str, command: list[str], *, start: bool = True,
                 links_to: Sequence[str] = (), port: bool = False, binds: Sequence[str] = ()) -> str:
        api, project = self.b.engine.api, self.b.sdk.project(kind)
        host = api.create_host_config(links=[(f"{project}_{t}_1", t) for t in links_to] or None,
                                      port_bindings={80: None} if port else None, binds=list(binds) or None)
        cid = api.create_container(IMAGE, command=command, name=f"{project}_{service}_1", ports=[80] if port else None,
                                   labels={"figbench": project, "figbench.service": service}, host_config=host)["Id"]
        if start:
            api.start(cid)
        return cid

    # -- growth --------------------------------------------------------------------------------------------

    def growth(self) -> None:
        sizes = self.r.sizes
        images = self.b.run(self.b.fig, "main", "help", "images")
        fig_has_images = images.rc == 0
        if not fig_has_images:
            said = (images.stderr or images.stdout).strip().splitlines()
            self.r.missing.append(f"images with fig (`fig help images`: {said[0] if said else images.rc})")
        for n in sizes:
            for shape in self.b.args.shapes:
                kind = f"{shape}{n}"
                self.b.add_file(kind, growth_file(n, shape))
                rounds = ["warm-up"] * (n == sizes[0]) + [f"run {i}/{self.b.args.rounds}"
                                                          for i in range(1, self.b.args.rounds + 1)]
                for tag in rounds:
                    for who in self.who:
                        readonly = shape == "flat" and n == sizes[-1]
                        self.growth_round(who, kind, n, shape, tag, readonly, fig_has_images or who.key != "fig")

    def growth_round(self, who: Runner, kind: str, n: int, shape: str, tag: str, readonly: bool,
                     images: bool) -> None:
        b, names, graph = self.b, services(n, shape), links(n, shape)
        want = [f"{s}_1" for s in names]
        b.reset(who, kind)
        timeout = b.args.timeout * max(1.0, n / 30)
        key = lambda step: ("growth", shape, step, str(n))  # noqa: E731
        if who is b.sdk:
            return self.growth_floor(kind, names, graph, key, tag)
        self.timed(key("up-cold"), who, tag, kind, ["up", "-d"], lambda s: b.has(who, kind, want), timeout)
        ids = {c["Id"] for c in b.ps(who, kind)}
        self.timed(key("up-nochange"), who, tag, kind, ["up", "-d"],
                   lambda s: b.has(who, kind, want) or ("" if {c["Id"] for c in b.ps(who, kind)} == ids
                                                        else "containers were replaced"), timeout)
        self.timed(key("ps"), who, tag, kind, ["ps"], lambda s: self.check_ps(who, kind, s), timeout)
        self.timed(key("config"), who, tag, kind, ["config"],
                   lambda s: "" if all(f"{x}:" in s.stdout for x in names) else "a service is missing", timeout)
        if readonly:
            self.timed(("startup", "port"), who, tag, kind, ["port", names[0], "80"],
                       lambda s: "" if s.stdout.strip().rsplit(":", 1)[-1].isdigit() else f"port said {s.stdout!r}")
            if images:
                self.timed(("startup", "images"), who, tag, kind, ["images"],
                           lambda s: "" if "busybox" in s.stdout else "busybox is not listed")
        self.timed(key("down"), who, tag, kind, ["down"], lambda s: b.has(who, kind, []), timeout)

    def check_ps(self, who: Runner, kind: str, s: Sample) -> str:
        names = {name_of(c) for c in self.b.ps(who, kind)}
        shown = {line.split()[0] for line in s.stdout.splitlines() if line.startswith(PREFIX)}
        return "" if shown == names else f"ps shows {sorted(shown ^ names)[:3]} wrongly ({len(shown ^ names)})"

    def growth_floor(self, kind: str, names: list[str], graph: dict[str, list[str]],
                     key: Callable[[str], tuple[str, ...]], tag: str) -> None:
        b, api = self.b, self.b.engine.api
        want = [f"{s}_1" for s in names]
        command = ["sh", "-c", PROMPT_TRAP]
        self.floor(key("up-cold"), tag, lambda: b.engine.graph(names, lambda s: graph.get(s, []), lambda s: self.sdk_make(
            kind, s, command, links_to=graph.get(s, []), port=s == names[0])), lambda _: b.has(b.sdk, kind, want))
        for step in ("up-nochange", "ps"):
            self.floor(key(step), tag, lambda: b.ps(b.sdk, kind),
                       lambda cs: "" if len(cs) == len(names) else f"{len(cs)} containers listed")
        parent = {child: name for name, children in graph.items() for child in children}
        ids = {c["Labels"]["figbench.service"]: c["Id"] for c in b.ps(b.sdk, kind)}

        def stop_remove(s: str) -> None:  # dependents first, as both tools stop them
            api.stop(ids[s], timeout=10)
            api.remove_container(ids[s], v=True)
        self.floor(key("down"), tag, lambda: b.engine.graph(list(ids), lambda s: [parent[s]] if s in parent else [],
                                                            stop_remove), lambda _: b.has(b.sdk, kind, []))

    # -- logs of 1,000,000 lines -----------------------------------------------------------------------------

    def logs_1m(self) -> None:
        count, lines = BIG_LOGS
        names = [f"log{i:02d}" for i in range(1, count + 1)]
        script = lambda s: f"seq 1 {lines} | sed 's/^/{s} /'"  # noqa: E731
        self.b.add_file("logs1m", command_file(names, script))
        want = [f"{s}_1" for s in names]
        for who in self.who:  # made once, read every round
            self.b.reset(who, "logs1m")
            if who is self.b.sdk:
                self.b.engine.each(lambda s: self.sdk_make("logs1m", s, ["sh", "-c", script(s)]), names)
            else:
                self.b.prep(who, "logs1m", "up", "-d")
            self.b.engine.each(lambda c: self.b.engine.api.wait(c["Id"], timeout=120), self.b.ps(who, "logs1m"))
            problem = self.b.has(who, "logs1m", want, running=False)
            if problem:
                raise BenchError(f"preparing logs1m with {who.key}: {problem}")
        expected = {f"{s} {i}" for s in names for i in range(1, lines + 1)}

        def check(text: str) -> str:
            counts = Counter(line.split(" | ", 1)[1].strip() for line in text.splitlines() if " | " in line)
            missing, doubled = len(expected - counts.keys()), sum(1 for k, n in counts.items() if n > 1)
            return "" if not (missing or doubled) else f"{missing} lines missing, {doubled} repeated"

        def read(c: dict[str, Any]) -> list[str]:
            return self.b.engine.api.logs(c["Id"], stdout=True, stderr=True).decode().splitlines()

        def floor() -> str:
            return "".join(f"sdk | {x}\n" for chunk in self.b.engine.each(read, self.b.ps(self.b.sdk, "logs1m"))
                           for x in chunk)
        for i in range(1, self.b.args.rounds + 1):
            tag = f"run {i}/{self.b.args.rounds}"
            for who in (w for w in self.who if w is not self.b.sdk):
                self.timed(("logs-1m",), who, tag, "logs1m", ["logs", "--no-color"], lambda s: check(s.stdout),
                           timeout=self.b.args.timeout * 3)
            if self.b.sdk in self.who:
                self.floor(("logs-1m",), tag, floor, check)

    # -- logs -f of containers printing as fast as they can ------------------------------------------------------

    def logs_follow(self) -> None:
        names = [f"f{i:02d}" for i in range(1, FOLLOWED + 1)]
        self.b.add_file("follow", command_file(names, lambda s: FAST.format(seconds=FOLLOW_SECONDS)))
        for i in range(1, self.b.args.rounds + 1):
            tag = f"run {i}/{self.b.args.rounds}"
            for who in self.who:
                self.follow_round(who, names, tag)

    def follow_round(self, who: Runner, names: list[str], tag: str) -> None:
        b, api = self.b, self.b.engine.api
        b.reset(who, "follow")
        command = ["sh", "-c", FAST.format(seconds=FOLLOW_SECONDS).replace("$$", "$")]
        if who is b.sdk:
            ids = b.engine.each(lambda s: self.sdk_make("follow", s, command, start=False), names)
        else:
            b.prep(who, "follow", "up", "--no-start")
            ids = [c["Id"] for c in b.ps(who, "follow")]
        with ThreadPoolExecutor(len(ids)) as pool:  # the floor follows them on a thread each
            list(pool.map(api.start, ids))
            start = time.perf_counter()
            if who is b.sdk:
                text, rc, failure = "".join(pool.map(self.sdk_follow, ids)), 0, ""
                seconds = time.perf_counter() - start
        if who is not b.sdk:
            sample = b.run(who, "follow", "logs", "-f", "--no-color", timeout=FOLLOW_SECONDS * 30)
            text, seconds, failure = sample.stdout, sample.seconds, sample.failure()
            rc = sample.rc or sample.timed_out
        # the last line each container printed, read once they have all ended
        last = {name_of(c).rsplit("_", 2)[-2]: int(api.logs(c["Id"], tail=1).strip() or 0) for c in b.ps(who, "follow")}
        problem, seen = self.follow_check(text, last)
        self.record(("logs-follow",), who, tag, seconds, failure if rc else problem, lines_per_s=seen / seconds)

    def sdk_follow(self, cid: str) -> str:
        """One container's log as the SDK streams it, each line prefixed with the container's service."""
        api = self.b.engine.api
        service = api.inspect_container(cid)["Config"]["Labels"]["figbench.service"]
        data = b"".join(api.logs(cid, stream=True, follow=True)).decode()
        return "".join(f"{service}_1 | {line}\n" for line in data.splitlines())

    @staticmethod
    def follow_check(text: str, last: dict[str, int]) -> tuple[str, int]:
        """Every container's lines 1..last, each once and in order; (problem or '', lines seen)."""
        upto: dict[str, int] = defaultdict(int)
        wrong, seen = 0, 0
        for line in io.StringIO(text):
            head, sep, number = line.partition(" | ")
            if not sep or not number.strip().isdigit():
                continue
            service, seen = head.rstrip()[-5:-2], seen + 1
            if int(number) != upto[service] + 1:
                wrong += 1
            upto[service] = int(number)
        short = sorted(s for s, n in last.items() if upto.get(s, 0) != n)
        problem = (f"{wrong} lines out of order, repeated or missing" if wrong else "") + \
            (f"; {', '.join(f'{s} {upto.get(s, 0)} of {last[s]}' for s in short)} lines seen" if short else "")
        return problem.strip("; "), seen

    # -- attached up of 100 ------------------------------------------------------------------------------------

    def up_attached(self) -> None:
        names = [f"a{i:03d}" for i in range(1, ATTACHED + 1)]
        gate = self.b.dir / "gate"
        gate.mkdir(exist_ok=True)
        self.b.add_file("attached", command_file(names, lambda s: GATED, volumes=[f"{gate}:/gate"]))
        for i in range(1, self.b.args.rounds + 1):
            tag = f"run {i}/{self.b.args.rounds}"
            for who in (w for w in self.who if w is not self.b.sdk):
                self.attached_round(who, names, gate, tag)

    def attached_round(self, who: Runner, names: list[str], gate: Path, tag: str) -> None:
        """`up` attached; once all 100 run, the gate opens and they end. Peak threads sampled from /proc."""
        b = self.b
        b.reset(who, "attached")
        (gate / "open").unlink(missing_ok=True)
        peak = {"threads": 0}

        def watch(pid: int, ended: threading.Event) -> None:
            opened = False
            while not ended.wait(0.2):
                peak["threads"] = max(peak["threads"], threads_of(pid))
                if not opened and sum(c["State"] == "running" for c in b.ps(who, "attached")) == len(names):
                    (gate / "open").touch()
                    opened = True

        def check(s: Sample) -> str:
            said = Counter(line.rsplit("| ", 1)[-1].strip() for line in s.stdout.splitlines() if "| " in line)
            problem = b.has(who, "attached", [f"{x}_1" for x in names], running=False)
            return problem or ("" if said["start"] == said["done"] == len(names) else f"printed {dict(said)}")
        sample = b.run(who, "attached", "up", "--no-color", timeout=b.args.timeout * 3, watch=watch)
        problem = sample.failure() if sample.rc or sample.timed_out else check(sample)
        self.record(("up-attached",), who, tag, sample.seconds, problem, rss_mib=sample.maxrss_kib / 1024,
                    threads=peak["threads"])
        b.reset(who, "attached")


def threads_of(pid: int) -> int:
    """The most threads of any process under `pid` (GNU time, then the tool), `pid` included."""
    most, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            most = max(most, int(status.split("Threads:", 1)[1].split()[0]))
            for task in os.listdir(f"/proc/{p}/task"):
                todo += [int(c) for c in Path(f"/proc/{p}/task/{task}/children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return most


def measure(b: Any, names: Sequence[str], log: Callable[[str], None]) -> Results:
    r2 = Round2(b, log)
    steps = {"growth": r2.growth, "logs-1m": r2.logs_1m, "logs-follow": r2.logs_follow, "up-attached": r2.up_attached}
    for name in names:
        steps[name]()
    return r2.r


# -- output ------------------------------------------------------------------------------------------------

def fmt(value: float | None, spec: str = ".2f") -> str:
    return "-" if value is None else f"{value:{spec}}"


def markdown(head: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in rows])


def check(s: Series) -> str:
    """ok, or which tools' runs failed their check: `FAIL (compose 1, sdk 2)`."""
    failed = ", ".join(f"{who} {n}" for who, n in sorted(s.failed.items()) if n)
    return f"FAIL ({failed})" if failed else "ok"


def verdict(*met: bool | None) -> str:
    known = [m for m in met if m is not None]
    return "-" if not known else "yes" if all(known) else "NO"


def _over(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def growth_rows(r: Results) -> list[list[str]]:
    rows = []
    big, base = r.sizes[-1], 30 if 30 in r.sizes else r.sizes[0]
    for step in GROWTH:
        for shape in ("flat", "tree"):
            series = {n: r.series.get(("growth", shape, step, str(n))) for n in r.sizes}
            if not any(series.values()):
                continue
            times = {k: [s.median(k) if s else None for s in series.values()] for k in ("fig", "compose")}
            top, low = series[big] or Series(), series[base] or Series()
            factor = {k: _over(top.median(k), low.median(k)) for k in times}
            vs_compose, vs_floor = top.ratio("compose"), top.ratio("sdk") if step in ("up-cold", "down") else None
            target = f"t{big}/t{base} <= 11" + {"up-nochange": ", <= 0.3x compose", "ps": ", <= 0.3x compose",
                                                "up-cold": ", <= 1.1x floor", "down": ", <= 1.1x floor"}.get(step, "")
            ratio_met = (vs_compose <= 0.3 if vs_compose is not None else None) if "compose" in target else \
                (vs_floor <= 1.1 if vs_floor is not None else None) if "floor" in target else None
            rows.append([step, shape, " / ".join(fmt(t) for t in times["fig"]), fmt(factor["fig"], ".1f"),
                         " / ".join(fmt(t) for t in times["compose"]), fmt(factor["compose"], ".1f"),
                         fmt(top.median("sdk")), fmt(vs_compose), fmt(vs_floor), target,
                         verdict(factor["fig"] <= 11 if factor["fig"] is not None else None, ratio_met),
                         check(Series(failed=sum((s.failed for s in series.values() if s), Counter())))])
    return rows


def tables(r: Results) -> str:
    out = []
    sizes = "/".join(map(str, r.sizes))
    rows = growth_rows(r)
    if rows:
        out.append(markdown(["growth", "shape", f"fig s at {sizes}", "fig factor", f"compose s at {sizes}",
                             "compose factor", f"floor s at {r.sizes[-1]}", "fig/compose", "fig/floor", "target",
                             "met", "check"], rows))
        startup = [[c, fmt(s.median("fig"), ".3f"), fmt(s.median("compose"), ".3f"), fmt(s.ratio("compose")), check(s)]
                   for c in READONLY
                   for s in [r.series.get(("growth", "flat", c, str(r.sizes[-1])) if c in GROWTH else ("startup", c))]
                   if s]
        out.append(markdown([f"read-only, {r.sizes[-1]} services", "fig s", "compose s", "fig/compose", "check"],
                            startup))
    logs = r.series.get(("logs-1m",))
    if logs:
        floor, compose = logs.ratio("sdk"), logs.ratio("compose")
        out.append(markdown(
            [f"logs --no-color, {BIG_LOGS[0]} x {BIG_LOGS[1]:,} lines", "fig s", "compose s", "floor s", "fig/floor", "fig/compose",
             "RSS fig / compose MiB", "target", "met", "check"],
            [["", fmt(logs.median("fig")), fmt(logs.median("compose")), fmt(logs.median("sdk")), fmt(floor),
              fmt(compose), f"{fmt(logs.median('fig', 'rss_mib'), '.0f')} / {fmt(logs.median('compose', 'rss_mib'), '.0f')}",
              "<= 1.3x floor, <= 0.4x compose",
              verdict(floor <= 1.3 if floor else None, compose <= 0.4 if compose else None, not logs.failed["fig"]),
              check(logs)]]))
    follow = r.series.get(("logs-follow",))
    if follow:
        share = follow.ratio("sdk", "lines_per_s")
        out.append(markdown(
            [f"logs -f, {FOLLOWED} x {FOLLOW_SECONDS} s", "fig lines/s", "compose lines/s", "floor lines/s",
             "fig/floor", "fig s", "target", "met", "check"],
            [["", *(fmt(follow.median(k, "lines_per_s"), ".0f") for k in ("fig", "compose", "sdk")), fmt(share),
              fmt(follow.median("fig")), ">= 0.8x floor, none lost",
              verdict(share >= 0.8 if share else None, not follow.failed["fig"]), check(follow)]]))
    attached = r.series.get(("up-attached",))
    if attached:
        rss = attached.median("fig", "rss_mib")
        out.append(markdown(
            [f"up (attached), {ATTACHED} containers", "fig s", "compose s", "RSS fig / compose MiB",
             "threads fig / compose", "target", "met", "check"],
            [["", fmt(attached.median("fig")), fmt(attached.median("compose")),
              f"{fmt(rss, '.0f')} / {fmt(attached.median('compose', 'rss_mib'), '.0f')}",
              f"{fmt(attached.median('fig', 'threads'), '.0f')} / {fmt(attached.median('compose', 'threads'), '.0f')}",
              "RSS <= 60 MiB", verdict(rss <= 60 if rss else None), check(attached)]]))
    out += [f"not measured: {m}" for m in r.missing]
    return "\n\n".join(out)


def as_json(r: Results) -> dict[str, Any]:
    return {"sizes": list(r.sizes), "failures": r.failures, "missing": r.missing, "series": [
        {"key": list(key), "seconds": dict(s.seconds), "values": {k: dict(v) for k, v in s.values.items()}}
        for key, s in r.series.items()]}
