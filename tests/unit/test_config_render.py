"""`fig config` and `fig convert`: the rendering of a ProjectConfig, and the commands as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from fig.config import load_project
from fig.config.render import as_document, render
from fig.config.values import format_duration, format_size, parse_duration, parse_size


def _fig(*args: str, cwd: Path, input: str | None = None, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "FIG_"))}
    environ.update({"DOCKER_HOST": "tcp://127.0.0.1:9", **(env or {})})  # no engine is needed, none is asked
    proc = subprocess.run([sys.executable, "-m", "fig", *args], cwd=cwd, capture_output=True, text=True,
                          input=input, env=environ, timeout=60)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_sizes_and_durations_print_in_their_shortest_exact_form():
    for text in ("64m", "1g", "1536k", "512", "1t"):
        assert str(format_size(parse_size(text, "size"))) == text
    for text in ("1m30s", "500ms", "2h", "10s", "1h1m1s1ms"):
        assert format_duration(parse_duration(text, "d")) == text


def test_dollars_are_escaped_so_the_output_reads_back_the_same(load):
    config = load("services:\n  web:\n    image: busybox\n    command: echo $$HOME '$${X}'\n")
    assert config.service("web").command == ("echo", "$HOME", "${X}")
    assert as_document(config)["services"]["web"]["command"] == ["echo", "$$HOME", "$${X}"]


def test_a_fig_yml_renders_as_a_compose_file_with_its_named_volumes_declared(load):
    doc = as_document(load("web:\n  image: busybox\n  volumes: [cache:/cache, /data]\n  net: host\n"))
    assert doc == {"name": "figtest", "services": {"web": {
        "image": "busybox", "network_mode": "host", "volumes": ["cache:/cache", "/data"]}},
        "volumes": {"cache": {}}}


def test_secret_values_are_never_printed(load):
    text = render(load("""\
        services:
          web:
            image: busybox
            secrets: [token]
        secrets:
          token:
            environment: TOKEN
    """, environ={"TOKEN": "very-secret"}))
    assert "very-secret" not in text and "environment: TOKEN" in text


def test_the_implicit_default_network_is_not_printed_but_declared_ones_are(load):
    doc = as_document(load("""\
        services:
          web:
            image: busybox
            networks: [default, back]
        networks:
          back:
            internal: true
    """))
    assert doc["networks"] == {"back": {"internal": True}}
    assert doc["services"]["web"]["networks"] == {"default": None, "back": None}


def test_config_prints_yaml_and_json(tmp_path: Path):
    (tmp_path / "fig.yml").write_text("web:\n  image: busybox\n  mem_limit: 64m\n  environment: [A=1]\n")
    out = _fig("-p", "demo", "config", cwd=tmp_path)
    assert out.returncode == 0
    assert yaml.safe_load(out.stdout) == {"name": "demo", "services": {"web": {
        "environment": {"A": "1"}, "image": "busybox", "mem_limit": 64 * 1024 * 1024}}}
    short = _fig("-p", "demo", "config", "--no-normalize", cwd=tmp_path)
    assert yaml.safe_load(short.stdout)["services"]["web"]["mem_limit"] == "64m"
    as_json = _fig("-p", "demo", "config", "--format", "json", cwd=tmp_path)
    assert json.loads(as_json.stdout) == yaml.safe_load(out.stdout)


def test_config_output_read_again_by_fig_gives_the_same_output(tmp_path: Path):
    (tmp_path / "src").mkdir()
    (tmp_path / "fig.yml").write_text("web:\n  build: src\n  ports: ['8000:80']\n  volumes: [./src:/code]\n"
                                      "  env_file: web.env\n")
    (tmp_path / "web.env").write_text("A=1\n")
    converted = _fig("config", cwd=tmp_path).stdout  # the fig.yml as a compose file: its services join a network
    first = _fig("-f", "-", "config", cwd=tmp_path / "src", input=converted).stdout
    again = _fig("-f", "-", "config", cwd=tmp_path / "src", input=first)
    assert again.returncode == 0 and again.stdout == first


def test_services_volumes_profiles_and_quiet(tmp_path: Path):
    (tmp_path / "compose.yml").write_text("""\
services:
  web: {image: busybox}
  debug: {image: busybox, profiles: [debug, tools]}
volumes:
  data:
""")
    assert _fig("config", "--services", cwd=tmp_path).stdout == "web\n"  # as Compose v2: the enabled services
    assert _fig("--profile", "debug", "config", "--services", cwd=tmp_path).stdout == "debug\nweb\n"  # by name
    assert _fig("config", "--volumes", cwd=tmp_path).stdout == "data\n"
    assert _fig("config", "--profiles", cwd=tmp_path).stdout == "debug\ntools\n"
    quiet = _fig("config", "-q", cwd=tmp_path)
    assert (quiet.returncode, quiet.stdout) == (0, "")


def test_an_invalid_file_is_one_line_on_stderr_and_exit_1(tmp_path: Path):
    (tmp_path / "fig.yml").write_text("web:\n  image: busybox\n  ports:\n    - '70000'\n")
    out = _fig("config", "-q", cwd=tmp_path)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr == "ERROR: fig.yml:4: service 'web': 'ports' item \"70000\" is not a valid port\n"


def test_hash_is_the_services_config_hash_of_its_image(tmp_path: Path):
    (tmp_path / "fig.yml").write_text("web:\n  image: busybox\ndb:\n  image: busybox\n  command: \"true\"\n")
    out = _fig("-p", "demo", "config", "--hash", "web", cwd=tmp_path)
    config = load_project(project_name="demo", environ={}, cwd=str(tmp_path))
    # no engine answers here, so the image is taken by its name (and the command says so)
    assert out.stdout == f"web {config.service('web').config_hash('busybox')}\n"
    assert "hashing image names instead" in out.stderr


def test_profile_option_and_variable(tmp_path: Path):
    (tmp_path / "compose.yml").write_text("services:\n  web: {image: busybox}\n  debug: {image: busybox, "
                                          "profiles: [debug]}\n")
    assert _fig("--profile", "debug", "config", "-q", cwd=tmp_path).returncode == 0
    assert "--profile NAME" in _fig("--help", cwd=tmp_path).stdout


def test_convert_writes_an_equivalent_compose_file(tmp_path: Path):
    (tmp_path / "app").mkdir()
    (tmp_path / "fig.yml").write_text("web:\n  build: app\n  links: [db]\n  volumes: [./app:/app]\ndb:\n"
                                      "  image: busybox\n")
    out = _fig("convert", "-o", "compose.yml", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    text = (tmp_path / "compose.yml").read_text()
    # the directory's name has '_', which a compose file's project keeps: `name:` keeps the fig.yml's project
    assert text.startswith("# Converted by fig convert from fig.yml\nname: testconvertwritesanequival0\nservices:\n")
    assert "context: ./app" in text and "./app:/app" in text
    # read again (as the compose file it now is), it names the same services, paths and links
    converted = load_project(["compose.yml"], environ={}, cwd=str(tmp_path))
    original = load_project(["fig.yml"], environ={}, cwd=str(tmp_path))
    assert converted.name == original.name and not converted.legacy
    for name in ("web", "db"):
        a, b = converted.service(name), original.service(name)
        assert (a.build, a.volumes, a.links, a.image) == (b.build, b.volumes, b.links, b.image)


def test_convert_refuses_to_overwrite_its_input(tmp_path: Path):
    (tmp_path / "fig.yml").write_text("web:\n  image: busybox\n")
    out = _fig("convert", "-o", "fig.yml", cwd=tmp_path)
    assert out.returncode == 1 and "it is one of the files being converted" in out.stderr
    assert (tmp_path / "fig.yml").read_text() == "web:\n  image: busybox\n"


def test_normal_form_has_long_ports_volumes_depends_on_and_bytes(load):
    doc = as_document(load("""\
        services:
          web:
            build: .
            ports: ["127.0.0.1:8000:80", "53/udp"]
            volumes: [./code:/code:ro, data:/data:nocopy, /anon]
            depends_on: [db]
            mem_limit: 64m
          db:
            image: busybox
        volumes:
          data: {}
    """), long=True)
    web = doc["services"]["web"]
    assert web["ports"] == [{"mode": "ingress", "host_ip": "127.0.0.1", "target": 80, "published": "8000",
                             "protocol": "tcp"}, {"mode": "ingress", "target": 53, "protocol": "udp"}]
    assert web["volumes"][0]["type"] == "bind" and web["volumes"][0]["read_only"] is True
    assert web["volumes"][1] == {"type": "volume", "source": "data", "target": "/data", "volume": {"nocopy": True}}
    assert web["volumes"][2] == {"type": "volume", "target": "/anon"}
    assert web["depends_on"] == {"db": {"condition": "service_started", "required": True}}
    assert web["build"]["context"].endswith(os.sep) is False and web["mem_limit"] == 64 * 1024 * 1024
