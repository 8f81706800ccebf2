"""fig/cli/log_printer.py: many line iterators into one TextIO, whole lines only."""

from __future__ import annotations

import io
import json
import re
import threading

from fig.backend.base import LogLine
from fig.cli.log_printer import LogPrinter, LogSource


def _print(sources, **kwargs) -> tuple[str, dict[str, int]]:
    out = io.StringIO()
    codes = LogPrinter(out, **kwargs).run(sources)
    return out.getvalue(), codes


def test_one_source_with_exit_notice():
    text, codes = _print([LogSource("web_1", iter(["hello\n"]), wait=lambda: 0, full_name="figtest_web_1")])
    assert text == "web_1 | hello\nfigtest_web_1 exited with code 0\n"
    assert codes == {"figtest_web_1": 0}


def test_exit_notice_names_the_full_name_and_code():
    text, codes = _print([LogSource("web_1", iter([]), wait=lambda: 3, full_name="figtest_web_1")])
    assert text == "figtest_web_1 exited with code 3\n"
    assert codes == {"figtest_web_1": 3}


def test_no_wait_means_no_exit_notice():
    text, codes = _print([LogSource("web_1", iter(["a\n"]))])
    assert text == "web_1 | a\n"
    assert codes == {}


def test_prefixes_are_padded_to_one_width():
    text, _ = _print([LogSource("web_1", iter(["w\n"])), LogSource("database_1", iter(["d\n"]))])
    assert sorted(text.splitlines()) == ["database_1 | d", "web_1      | w"]


def test_no_colour_when_not_colored():
    text, _ = _print([LogSource("web_1", iter(["w\n"])), LogSource("db_1", iter(["d\n"]))], colored=False)
    assert "\033" not in text


def test_colour_when_colored_and_each_source_differs():
    text, _ = _print([LogSource("web_1", iter(["w\n"])), LogSource("db_1", iter(["d\n"]))], colored=True)
    prefixes = {line.split("|")[0] for line in text.splitlines()}
    assert all(p.startswith("\033[") for p in prefixes)
    assert len({p.split("m")[0] for p in prefixes}) == 2  # two different colour codes
    assert {line.split("|", 1)[1] for line in text.splitlines()} == {" \033[0mw", " \033[0md"}


def test_a_last_line_without_newline_is_printed_with_one():
    text, _ = _print([LogSource("web_1", iter(["first\n", "no newline"]), wait=lambda: 0, full_name="p_web_1")])
    assert text == "web_1 | first\nweb_1 | no newline\np_web_1 exited with code 0\n"


def test_log_line_objects_are_accepted():
    lines = iter([LogLine("out\n"), LogLine("err\n", "stderr")])
    text, _ = _print([LogSource("web_1", lines)])
    assert text == "web_1 | out\nweb_1 | err\n"


def test_nothing_lost_or_merged_across_two_sources_of_2000_lines():
    count = 2000

    def numbered(name: str):
        return (f"{name} {i}\n" for i in range(1, count + 1))

    sources = [LogSource(name, numbered(name), wait=lambda: 0, full_name=f"p_{name}") for name in ("web_1", "db_1")]
    text, codes = _print(sources)
    lines = text.splitlines()
    assert len(lines) == 2 * count + 2
    seen: dict[str, list[int]] = {"web_1": [], "db_1": []}
    for line in lines:
        if line.endswith("exited with code 0"):
            continue
        m = re.fullmatch(r"(web_1|db_1 ) \| (web_1|db_1) (\d+)", line)
        assert m, line
        assert m[1].strip() == m[2]
        seen[m[2]].append(int(m[3]))
    assert seen == {"web_1": list(range(1, count + 1)), "db_1": list(range(1, count + 1))}
    assert codes == {"p_web_1": 0, "p_db_1": 0}
    # each exit notice comes after that source's last line
    for name in ("web_1", "db_1"):
        assert lines.index(f"p_{name} exited with code 0") > max(
            i for i, line in enumerate(lines) if line.endswith(f"{name} {count}"))


def test_stop_ends_a_run_whose_sources_never_end():
    release = threading.Event()

    def forever():
        yield "started\n"
        release.wait(5)

    stop = threading.Event()
    out = io.StringIO()
    stop.set()
    try:
        LogPrinter(out).run([LogSource("web_1", forever())], stop=stop)
    finally:
        release.set()
    assert out.getvalue() in ("", "web_1 | started\n")


def test_json_lines():
    out = io.StringIO()
    LogPrinter(out, json_lines=True).run(
        [LogSource("web_1", iter([LogLine("hi\n", "stderr", "2024-01-01T00:00:00Z")]), wait=lambda: 2,
                   full_name="p_web_1", service="web")])
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert records[0] == {"service": "web", "container": "p_web_1", "stream": "stderr",
                          "timestamp": "2024-01-01T00:00:00Z", "line": "hi"}
    assert records[1] == {"service": "web", "container": "p_web_1", "event": "exit", "exit_code": 2}
