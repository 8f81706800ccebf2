"""fig.cli.tables: docker's units, times and tabwriter layout, and the rows of images, top, stats and events."""

from __future__ import annotations

import datetime
import json
import time

import pytest

from fig.backend.answers import EngineEvent, ImageInfo
from fig.backend.base import ContainerInfo, ContainerState
from fig.backend.ports import PortBinding
from fig.cli import tables
from fig.container import Container
from fig.running import Usage
from tests.fakes import FakeBackend


def container(name: str, service: str, number: int, *, oneoff: bool = False) -> Container:
    labels = {"io.fig.service": service, "io.fig.container-number": str(number),
              "io.fig.oneoff": "True" if oneoff else "False", "io.fig.project": "p"}
    info = ContainerInfo(id=f"{name:x<64}", name=name, image="busybox", image_id="sha256:" + "a" * 64,
                         labels=labels, state=ContainerState.RUNNING)
    return Container(FakeBackend(), info)


def test_aligned_pads_every_column_but_the_last():
    text = tables.aligned(["A", "LONGER"], [["x" * 6, "y"], ["z", "w"]], minwidth=4, padding=2)
    assert text == "A       LONGER\nxxxxxx  y\nz       w\n"
    assert tables.aligned(["NAME", "STATUS"], [], minwidth=20, padding=3) == "NAME" + " " * 16 + "STATUS\n"


@pytest.mark.parametrize("size, decimal, binary", [
    (0, "0B", "0B"), (266, "266B", "266B"), (1985472, "1.99MB", "1.893MiB"), (1 << 34, "17.2GB", "16GiB"),
    (544 * 1024, "557kB", "544KiB")])
def test_sizes_as_docker_writes_them(size, decimal, binary):
    assert (tables.decimal_size(size), tables.binary_size(size)) == (decimal, binary)


@pytest.mark.parametrize("seconds, text", [
    (0.5, "Less than a second"), (1, "1 second"), (42, "42 seconds"), (90, "About a minute"),
    (600, "10 minutes"), (3600, "About an hour"), (5 * 3600, "5 hours"), (3 * 86400, "3 days"),
    (20 * 86400, "2 weeks"), (100 * 86400, "3 months"), (800 * 86400, "2 years")])
def test_ago(seconds, text):
    now = datetime.datetime(2024, 6, 1, tzinfo=datetime.timezone.utc)
    then = (now - datetime.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"  # nanoseconds
    assert tables.ago(then, now.timestamp()) == text + " ago"
    assert tables.ago("0001-01-01T00:00:00Z", now.timestamp()) == "N/A"


def test_ago_counts_from_now():
    then = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=10)
    assert tables.ago(then.strftime("%Y-%m-%dT%H:%M:%S.%fZ")) == "10 minutes ago"


def test_unix_seconds_are_those_datetime_reckons():
    """The days around each year's turn and its February of 1600 to 2400 (leap years, centuries), with the engine's
    nanoseconds, and zones either way."""
    days = [datetime.date(year, month, day) for year in range(1600, 2401)
            for month, day in ((1, 1), (2, 28), (3, 1), (6, 15), (12, 31))]
    days += [datetime.date(year, 2, 29) for year in range(1600, 2401, 4) if year % 100 or not year % 400]
    for day in days:
        for clock, zone, offset in (("00:00:00", "Z", 0), ("23:59:59.123456789", "+05:30", 19800),
                                    ("12:30:01", "-08:00", -28800), ("07:08:09", "", 0)):
            stamp = f"{day:%Y-%m-%d}T{clock}{zone}"
            expected = datetime.datetime.fromisoformat(f"{day:%Y-%m-%d}T{clock[:15]}+00:00").timestamp()  # to the us
            assert abs(tables.unix_seconds(stamp) - (expected - offset)) < 1e-5, stamp


@pytest.mark.parametrize("stamp, seconds", [("1717200000", 1717200000.0), ("", None), ("0001-01-01T00:00:00Z", None),
                                            ("2023-02-29T00:00:00Z", None), ("2024-13-01T00:00:00Z", None),
                                            ("2024-06-01T24:00:00Z", None), ("yesterday", None),
                                            ("2024-06-01T00:00:00Zjunk", None)])
def test_unix_seconds_of_what_is_not_a_day_of_the_calendar(stamp, seconds):
    assert tables.unix_seconds(stamp) == seconds


def test_ps_rows_as_compose_v2_shows_them():
    created = str(int(time.time()) - 150)
    info = ContainerInfo(id="a" * 64, name="p-web-1", image="busybox", image_id="sha256:" + "b" * 64,
                         labels={"com.docker.compose.service": "web"}, state=ContainerState.RUNNING,
                         command="docker-entrypoint.sh redis-server", created=created, status="Up 2 minutes",
                         ports=(PortBinding(80, "tcp", "0.0.0.0", 8080), PortBinding(80, "tcp", "::", 8080)))
    web = Container(FakeBackend(), info)
    assert tables.ps_row(web, trunc=True) == [
        "p-web-1", "busybox", '"docker-entrypoint.s\u2026"', "web", "2 minutes ago", "Up 2 minutes",
        "0.0.0.0:8080->80/tcp, :::8080->80/tcp"]
    assert tables.ps_row(web, trunc=False)[2] == '"docker-entrypoint.sh redis-server"'


@pytest.mark.parametrize("ports, shown", [
    ((), ""),
    ((PortBinding(80), PortBinding(81), PortBinding(83, "udp")), "80-81/tcp, 83/udp"),
    ((PortBinding(8000, "tcp", "0.0.0.0", 8000), PortBinding(8001, "tcp", "0.0.0.0", 8001)),
     "0.0.0.0:8000-8001->8000-8001/tcp"),
    ((PortBinding(80, "tcp", "127.0.0.1", 49153), PortBinding(443)), "443/tcp, 127.0.0.1:49153->80/tcp")])
def test_displayable_ports_groups_runs_as_docker_does(ports, shown):
    assert tables.displayable_ports(ports) == shown


@pytest.mark.parametrize("reference, expected", [
    ("busybox", ("busybox", "latest")), ("busybox:1.36", ("busybox", "1.36")),
    ("localhost:5000/app", ("localhost:5000/app", "latest")), ("localhost:5000/app:v2", ("localhost:5000/app", "v2")),
    ("app@sha256:" + "b" * 64, ("app", "<none>")), ("sha256:" + "c" * 64, ("<none>", "<none>"))])
def test_repository_and_tag(reference, expected):
    assert tables.repository_and_tag(reference) == expected


def test_image_rows_and_json():
    web = container("p_web_1", "web", 1)
    image = ImageInfo("sha256:" + "d" * 64, ("busybox:latest",), 1985472, "2024-01-01T00:00:00Z", "linux/amd64")
    [row] = tables.image_rows([(web, image)])
    assert row[:6] == ["p_web_1", "busybox", "latest", "linux/amd64", "d" * 12, "1.99MB"]
    assert json.loads(tables.image_json([(web, image)])) == [{
        "ID": image.id, "ContainerName": "p_web_1", "Repository": "busybox", "Tag": "latest",
        "Platform": "linux/amd64", "Size": 1985472, "LastTagTime": "2024-01-01T00:00:00Z"}]


def test_process_table_puts_cmd_last_and_fills_missing_columns():
    web, run = container("p_web_1", "web", 1), container("p_web_run_1", "web", 1, oneoff=True)
    headers, rows = tables.process_table([
        (web, ["UID", "PID", "CMD", "TIME"], [["root", "1", "sh", "0:00"]]),
        (run, ["PID", "CMD", "%CPU"], [["7", "sleep 9", "0.0"]])])
    assert headers == ["SERVICE", "#", "UID", "PID", "TIME", "%CPU", "CMD"]
    assert rows == [["web", "1", "root", "1", "0:00", "-", "sh"], ["web", "", "-", "7", "-", "0.0", "sleep 9"]]


def test_stats_cells():
    web = container("p_web_1", "web", 1)
    use = Usage(12.345, 512 << 20, 2 << 30, 25.0, 1200, 34, 4096, 0, 3)
    cells = tables.stats_cells(web, use)
    assert cells == {"BlockIO": "4.1kB / 0B", "CPUPerc": "12.35%", "Container": web.short_id, "ID": web.short_id,
                     "MemPerc": "25.00%", "MemUsage": "512MiB / 2GiB", "Name": "p_web_1", "NetIO": "1.2kB / 34B",
                     "PIDs": "3"}
    assert tables.stats_row(tables.stats_cells(web, None))[2:] == ["--"] * 6


def test_events_leave_fig_and_compose_labels_out(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    event = EngineEvent("container", "start", "e" * 64, {"io.fig.service": "web", "com.docker.compose.x": "1",
                                                          "name": "p_web_1", "image": "busybox"},
                        1_704_067_200_123_456_789)
    assert tables.event_line(event) == f"2024-01-01 00:00:00.123456 container start {'e' * 64} " \
                                       "(image=busybox, name=p_web_1)"
    assert json.loads(tables.event_json("web", event)) == {
        "action": "start", "attributes": {"image": "busybox", "name": "p_web_1"}, "id": "e" * 64,
        "service": "web", "time": "2024-01-01T00:00:00.123456789Z", "type": "container"}
