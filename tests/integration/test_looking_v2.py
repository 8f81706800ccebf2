"""Compose v2's looking commands against the real engine: images, top, stats, events, ls."""

from __future__ import annotations

import json
import os
import re
import signal
import time

import pytest

from tests.integration.conftest import sleepers, wait_until
from tests.integration.test_attached import Reader


@pytest.fixture
def up(project):
    """web and db running"""
    project.write(sleepers("web", "db"))
    project.fig("up", "-d", check=True)
    return project


def test_images_lists_each_containers_image(up):
    image = up.client.inspect_image("busybox")
    table = up.fig("images", check=True).stdout.splitlines()
    assert table[0].split() == ["CONTAINER", "REPOSITORY", "TAG", "PLATFORM", "IMAGE", "ID", "SIZE", "CREATED"]
    rows = [line.split() for line in table[1:]]
    assert [r[:5] for r in rows] == [[up.container_name(s), "busybox", "latest", "linux/amd64",
                                      image["Id"][7:19]] for s in ("db", "web")]
    assert rows[0][5].endswith("MB")
    parsed = json.loads(up.fig("images", "--format", "json", "web", check=True).stdout)
    assert parsed == [{"ID": image["Id"], "ContainerName": up.container_name("web"), "Repository": "busybox",
                       "Tag": "latest", "Platform": "linux/amd64", "Size": image["Size"],
                       "LastTagTime": parsed[0]["LastTagTime"]}]
    assert up.fig("images", "-q", check=True).stdout == image["Id"][7:] + "\n", "one line per image"
    bad = up.fig("images", "--format", "yaml")
    assert bad.returncode == 1 and bad.stderr.strip() == "ERROR: --format must be table or json, not 'yaml'"


def test_top_is_one_table_with_the_service_and_number_first_and_cmd_last(up):
    up.fig("up", "-d", "--scale", "web=2", check=True)
    up.fig("stop", "-t", "1", "db", check=True)
    lines = up.fig("top", check=True).stdout.splitlines()
    header = lines[0].split()
    assert header[:2] == ["SERVICE", "#"] and header[-1] == "CMD" and "PID" in header
    rows = [re.split(r"\s{2,}", line.strip()) for line in lines[1:]]
    assert {(r[0], r[1]) for r in rows} == {("web", "1"), ("web", "2")}, "db is stopped"
    assert any("trap" in r[-1] for r in rows)
    up.fig("stop", "-t", "1", check=True)
    assert up.fig("top", check=True).stdout == "", "no rows: nothing at all"


def test_stats_no_stream_reads_each_running_container(up):
    up.fig("stop", "-t", "1", "db", check=True)
    lines = up.fig("stats", "--no-stream", check=True).stdout.splitlines()
    assert re.split(r"\s{2,}", lines[0]) == ["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %",
                                             "NET I/O", "BLOCK I/O", "PIDS"]
    [row] = [re.split(r"\s{2,}", line.strip()) for line in lines[1:]]
    web = up.inspect(up.container_name("web"))
    assert row[:2] == [web["Id"][:12], up.container_name("web")]
    assert re.fullmatch(r"\d+\.\d\d%", row[2]) and re.fullmatch(r"[\d.]+[KMG]?i?B / [\d.]+[KMGT]iB", row[3])
    assert int(row[7]) >= 1
    objects = [json.loads(line) for line in up.fig("stats", "--no-stream", "-a", "--format", "json",
                                                     check=True).stdout.splitlines()]
    assert sorted(objects[0]) == ["BlockIO", "CPUPerc", "Container", "ID", "MemPerc", "MemUsage", "Name", "NetIO",
                                  "PIDs"]
    by_name = {o["Name"]: o for o in objects}
    assert by_name[up.container_name("db")]["CPUPerc"] == "--" and by_name[up.container_name("web")]["PIDs"] != "--"


def test_stats_streams_until_ctrl_c(up):
    reader = Reader(up.popen("stats", "web"))
    wait_until(lambda: reader.stdout.count("CONTAINER ID") >= 2, timeout=30, message="the table redrawn")
    os.killpg(reader.proc.pid, signal.SIGINT)
    assert reader.finish(20) == 130


def test_events_json_sees_a_start_and_ctrl_c_ends_it(up):
    proc = up.popen("events", "--json", "web")
    time.sleep(1.5)
    up.fig("restart", "-t", "1", check=True)
    wait_until(lambda: up.fig("ps").ok, timeout=5)
    time.sleep(1)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130 and "Traceback" not in err
    events = [json.loads(line) for line in out.splitlines()]
    starts = [e for e in events if e["action"] == "start"]
    web = up.inspect(up.container_name("web"))
    assert starts and starts[0]["id"] == web["Id"] and starts[0]["service"] == "web"
    assert starts[0]["attributes"]["name"] == up.container_name("web") and starts[0]["type"] == "container"
    assert sorted(starts[0]) == ["action", "attributes", "id", "service", "time", "type"]
    assert not any(k.startswith("io.fig.") for e in events for k in e["attributes"])
    assert {e["service"] for e in events} == {"web"}


def test_events_since_and_until_replay_the_past_and_end(up):
    up.fig("stop", "-t", "1", "web", check=True)
    result = up.fig("events", "--since", "1m", "--until", str(int(time.time()) + 1), timeout=30)
    assert result.returncode == 0
    lines = [line for line in result.stdout.splitlines() if line]
    assert any(re.fullmatch(rf"\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{{6}} container stop [0-9a-f]{{64}} "
                            rf"\(image=busybox, name={up.container_name('web')}\)", line) for line in lines)
    bad = up.fig("events", "--since", "yesterday")
    assert bad.returncode == 1 and "--since must be a time" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


def test_ls_lists_fig_and_compose_projects_without_a_file(up, tmp_path):
    up.fig("stop", "-t", "1", "db", check=True)
    # a container with both label sets (Compose's and fig 1.1.0's) counts once, under Compose's project
    compose = up.client.create_container("busybox", command=["sleep", "60"], name=up.name + "_compose",
                                         labels={"com.docker.compose.project": up.name + "c",
                                                 "com.docker.compose.project.config_files": "/srv/compose.yaml",
                                                 "io.fig.project": up.name + "c-owned"})
    try:
        up.client.start(compose)
        elsewhere = tmp_path / "nofile"
        elsewhere.mkdir()
        table = up.raw("ls", "--filter", f"name={up.name}", cwd=elsewhere, check=True).stdout.splitlines()
        assert table[0].split() == ["NAME", "STATUS", "CONFIG", "FILES"]
        rows = {line.split()[0]: line.split()[1:] for line in table[1:]}
        assert rows[up.name] == ["running(1)", str(up.dir / "fig.yml")]
        everything = json.loads(up.raw("ls", "-a", "--format", "json", "--filter", f"name=^{up.name}$",
                                       cwd=elsewhere, check=True).stdout)
        assert everything == [{"Name": up.name, "Status": "exited(1), running(1)",
                               "ConfigFiles": str(up.dir / "fig.yml")}]
        quiet = up.raw("ls", "-q", cwd=elsewhere, check=True).stdout.split()
        assert up.name in quiet and up.name + "c" in quiet and up.name + "c-owned" not in quiet
    finally:
        up.client.remove_container(compose, force=True)
    bad = up.raw("ls", "--filter", "status=running")
    assert bad.returncode == 1 and bad.stderr.strip() == "ERROR: invalid filter 'status': ls takes --filter name=NAME"


def test_ls_lists_a_compose_only_project(engine, project):
    name = project.name + "compose"
    cid = engine.create_container("busybox", command=["sleep", "60"], name=name + "-web-1",
                                  labels={"com.docker.compose.project": name,
                                          "com.docker.compose.project.config_files": "/srv/a.yaml,/srv/b.yaml"})
    try:
        engine.start(cid)
        rows = json.loads(project.raw("ls", "--format", "json", "--filter", f"name={name}", check=True).stdout)
        assert rows == [{"Name": name, "Status": "running(1)", "ConfigFiles": "/srv/a.yaml,/srv/b.yaml"}]
    finally:
        engine.remove_container(cid, force=True)
