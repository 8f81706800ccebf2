"""`config` in Compose v2's normal form: what v2's has (default network, resource names, the default Dockerfile,
implied depends_on), everything the file carries (x-* keys, network and volume options), read back to the same
project; profiles, SERVICE arguments and the listing options as v2 prints them."""

from __future__ import annotations

from pathlib import Path

import yaml

from fig.config import load_project
from fig.config.model import ProjectConfig
from fig.config.render import render
from tests.unit.test_config_render import _fig

FILE = """\
name: demo
x-top: {a: 1, b: [x, y]}
services:
  web:
    build: ./src
    x-svc: {owner: team}
    depends_on: [db]
    links: [cache]
    volumes_from: [db]
    environment: {A: "1"}
  db:
    image: postgres
    volumes: ["data:/var/lib/postgresql/data", "./conf:/etc/conf:z"]
    networks: [back]
  cache:
    image: redis
    network_mode: service:db
    ipc: service:db
  debug:
    image: busybox
    profiles: [debug]
    depends_on: [db]
volumes:
  data:
    driver_opts: {type: tmpfs, device: tmpfs}
  outside: {external: true, name: theirs}
networks:
  back:
    driver: bridge
    attachable: true
    enable_ipv6: true
    internal: true
    driver_opts: {com.docker.network.bridge.name: br-back}
    labels: {tier: back}
    ipam:
      driver: default
      config: [{subnet: 172.28.0.0/16, ip_range: 172.28.5.0/24, gateway: 172.28.0.1, aux_addresses: {h: 172.28.1.5}}]
      options: {o: p}
"""


def _project(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / "Dockerfile").write_text("FROM busybox\n")
    (tmp_path / "compose.yaml").write_text(FILE)
    return tmp_path


def _load(path: Path, **kwargs: object) -> ProjectConfig:
    return load_project([str(path)], environ={}, cwd=str(path.parent), **kwargs)  # type: ignore[arg-type]


def test_the_normal_form_has_what_compose_v2_prints(tmp_path: Path):
    doc = yaml.safe_load(render(_load(_project(tmp_path) / "compose.yaml"), long=True))
    web, db, cache = (doc["services"][n] for n in ("web", "db", "cache"))
    assert doc["networks"]["default"] == {"name": "demo_default"}
    assert doc["networks"]["back"] == {
        "name": "demo_back", "driver": "bridge", "driver_opts": {"com.docker.network.bridge.name": "br-back"},
        "internal": True, "attachable": True, "enable_ipv6": True, "labels": {"tier": "back"},
        "ipam": {"driver": "default", "options": {"o": "p"},
                 "config": [{"subnet": "172.28.0.0/16", "ip_range": "172.28.5.0/24", "gateway": "172.28.0.1",
                             "aux_addresses": {"h": "172.28.1.5"}}]}}
    assert doc["volumes"] == {"data": {"name": "demo_data", "driver_opts": {"type": "tmpfs", "device": "tmpfs"}},
                              "outside": {"name": "theirs", "external": True}}
    assert web["networks"] == {"default": None} and db["networks"] == {"back": None} and "networks" not in cache
    assert web["build"]["dockerfile"] == "Dockerfile"
    started = {"condition": "service_started", "required": True}
    assert web["depends_on"] == {"db": started, "cache": started}  # the link's and volumes_from's, said
    assert cache["depends_on"] == {"db": started}  # network_mode and ipc
    assert db["volumes"][1] == f"{tmp_path}/conf:/etc/conf:z"  # fig reads no long form of z and Z
    assert doc["x-top"] == {"a": 1, "b": ["x", "y"]} and web["x-svc"] == {"owner": "team"}


def test_the_normal_form_reads_back_to_the_same_project(tmp_path: Path):
    original = _load(_project(tmp_path) / "compose.yaml", profiles=["debug"])
    (tmp_path / "again.yaml").write_text(render(original, long=True))
    again = _load(tmp_path / "again.yaml", profiles=["debug"])
    assert again.services == original.services
    assert [s.config_hash("img") for s in again.services] == [s.config_hash("img") for s in original.services]
    assert again.networks == original.networks and again.volumes == original.volumes
    assert again.extensions == original.extensions and again.service("web").extensions == (("x-svc", '{"owner": "team"}'),)
    assert render(again, long=True) == render(original, long=True)


def test_config_service_prints_it_with_what_it_depends_on(tmp_path: Path):
    default = yaml.safe_load(_fig("compose", "config", cwd=_project(tmp_path)).stdout)
    assert sorted(default["services"]) == ["cache", "db", "web"]  # debug's profile is not active
    out = _fig("compose", "config", "debug", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert sorted(yaml.safe_load(out.stdout)["services"]) == ["db", "debug"]
    everything = yaml.safe_load(_fig("compose", "--profile", "*", "config", cwd=tmp_path).stdout)
    assert sorted(everything["services"]) == ["cache", "db", "debug", "web"]


def test_listings_print_as_compose_v2_prints_them(tmp_path: Path):
    _project(tmp_path)

    def lines(*args: str) -> list[str]:
        out = _fig("compose", "config", *args, cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        return out.stdout.splitlines()

    assert lines("--services") == ["db", "cache", "web"]  # by name, each after what it depends on
    assert [line.split()[0] for line in lines("--hash", "*")] == ["cache", "db", "web"]
    assert [line.split()[0] for line in lines("--hash=web,db")] == ["web", "db"]
    assert all(len(line.split()) == 2 and len(line.split()[1]) == 64 for line in lines("--hash=*"))
    assert lines("--networks") == ["default", "back"] and lines("--volumes") == ["data", "outside"]
    assert lines("--profiles") == ["debug"]


def test_variables_are_laid_out_as_compose_v2_does(tmp_path: Path):
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: 'nginx:${TAG:-latest}'\n"
                                           "    environment: {A: '${A:?need A}', B: '${B+alt}'}\n")
    out = _fig("compose", "config", "--variables", cwd=tmp_path, env={"A": "1"})
    assert out.stdout.splitlines() == [
        "NAME                REQUIRED            DEFAULT VALUE       ALTERNATE VALUE",
        "A                   true                                    ",
        "B                   false                                   alt",
        "TAG                 false               latest              "]


def test_no_interpolate_leaves_every_variable_as_written(tmp_path: Path):
    (tmp_path / "base.yaml").write_text("services:\n  base:\n    image: busybox\n    command: echo ${FROM_BASE}\n")
    (tmp_path / "compose.yaml").write_text(
        "x-top: {b: '${TOP:-d}'}\nservices:\n  web:\n    extends: {file: base.yaml, service: base}\n"
        "    environment: {A: '${A:?need A}', B: $$LITERAL}\n    x-svc: ${SVC}\n")
    out = _fig("compose", "config", "--no-interpolate", cwd=tmp_path, env={"A": "1", "FROM_BASE": "x", "SVC": "s"})
    assert out.returncode == 0 and "WARNING" not in out.stderr, out.stderr
    doc = yaml.safe_load(out.stdout)
    web = doc["services"]["web"]
    assert web["command"] == ["echo", "${FROM_BASE}"] and web["environment"] == {"A": "${A:?need A}", "B": "$$LITERAL"}
    assert web["x-svc"] == "${SVC}" and doc["x-top"] == {"b": "${TOP:-d}"}
    assert web["networks"] == {"default": None}  # the normal form, extends resolved


def test_no_interpolate_prints_the_files_as_written_where_a_variable_stands_for_a_checked_value(tmp_path: Path):
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: 'nginx:${TAG:-1}'\n    user: ${U:-me}\n")
    out = _fig("compose", "config", "--no-interpolate", cwd=tmp_path)
    assert out.returncode == 0 and out.stderr.startswith("WARNING: Printing the files merged as written")
    assert yaml.safe_load(out.stdout)["services"]["web"] == {"image": "nginx:${TAG:-1}", "user": "${U:-me}"}
