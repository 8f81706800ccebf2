"""develop.watch: read in both file formats, every mistake one line naming the file, service and rule."""

from __future__ import annotations

import pytest

from fig.config.develop import ExecHook
from fig.errors import ConfigError


def test_rules_are_read_with_paths_from_the_files_directory(load, tmp_path):
    config = load("""
        services:
          web:
            image: busybox
            develop:
              watch:
                - {path: ./src, action: sync, target: /app/, ignore: "*.tmp", include: ["*.py"], initial_sync: true}
                - path: src
                  action: sync+exec
                  target: /app
                  exec: {command: "kill -HUP 1", user: root, working_dir: /app, environment: [A=1]}
                - {path: Dockerfile, action: rebuild}
    """)
    sync, hook, rebuild = config.service("web").develop
    assert (sync.path, sync.target, sync.ignore, sync.include, sync.initial_sync) == (
        str(tmp_path / "src"), "/app", ("*.tmp",), ("*.py",), True)
    assert hook.exec == ExecHook(("kill", "-HUP", "1"), "root", False, "/app", (("A", "1"),))
    assert (rebuild.action, rebuild.target, rebuild.path) == ("rebuild", None, str(tmp_path / "Dockerfile"))
    assert "item 3" in rebuild.origin


def test_a_fig_yml_service_has_develop_too(load, tmp_path):
    config = load("web:\n  image: busybox\n  develop:\n    watch: [{path: ., action: restart}]\n")
    assert [(r.path, r.action) for r in config.service("web").develop] == [(str(tmp_path), "restart")]


def test_develop_is_not_part_of_the_containers_configuration(load):
    plain = load("web: {image: busybox}").service("web")
    watched = load("web: {image: busybox, develop: {watch: [{path: ., action: restart}]}}").service("web")
    assert plain.config_hash("i") == watched.config_hash("i")


@pytest.mark.parametrize("rule, message", [
    ("{path: ., action: sink, target: /a}", "'develop.watch' item 1 'action' is the string 'sink', expected one of"),
    ("{path: ., actoin: sync, target: /a}", "'develop.watch' item 1: unknown key 'actoin' (did you mean 'action'?)"),
    ("{action: sync, target: /a}", "'develop.watch' item 1: missing required key 'path'"),
    ("{path: ., action: sync}", "'develop.watch' item 1 (path .): action sync needs a 'target'"),
    ("{path: ., action: sync, target: app}", "'target' 'app' must be an absolute path in the container"),
    ("{path: ., action: rebuild, target: /a}", "'target' applies only to the sync actions, not rebuild"),
    ("{path: ., action: sync+exec, target: /a}", "action sync+exec needs 'exec'"),
    ("{path: ., action: sync, target: /a, exec: {command: x}}", "action sync+exec needs 'exec'"),
    ("{path: ., action: sync+exec, target: /a, exec: {user: x}}", "'develop.watch' item 1 'exec': missing required"),
    ("{path: ., action: restart, initial_sync: true}", "'initial_sync' applies only to the sync actions"),
    ("{path: ., action: sync, target: /a, ignore: 3}", "'develop.watch' item 1 'ignore' must be a pattern or a list"),
])
def test_a_bad_rule_is_one_line_naming_file_service_and_rule(load, rule, message):
    with pytest.raises(ConfigError) as e:
        load(f"services:\n  web:\n    image: busybox\n    develop:\n      watch:\n        - {rule}\n")
    text = str(e.value)
    assert text.startswith("fig.yml:6: service 'web': ") and "\n" not in text
    assert message in text


def test_develop_takes_only_watch(load):
    with pytest.raises(ConfigError, match=r"service 'web': 'develop': unknown key 'wach' \(did you mean 'watch'\?\)"):
        load("web: {image: busybox, develop: {wach: []}}")


def test_an_override_file_adds_rules_and_the_same_rule_is_kept_once(load, write):
    write("fig.override.yml", """
        services:
          web:
            develop:
              watch:
                - {path: ./b, action: sync, target: /b}
                - {path: ./a, action: sync, target: /a, ignore: "*.tmp"}
    """)
    config = load("""
        services:
          web:
            image: busybox
            develop:
              watch:
                - {path: ./a, action: sync, target: /a}
    """, files=())
    assert [(r.target, r.ignore) for r in config.service("web").develop] == [("/a", ("*.tmp",)), ("/b", ())]
