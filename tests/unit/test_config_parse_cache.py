"""A file's tree comes back from the cache exactly as the parser made it, and the cache is only ever a shortcut:
changed text, another name, a damaged or unwritable cache all mean a parse."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fig.config import loader, yamlparse
from fig.config.cache import digest
from fig.errors import ConfigError
from tests.trees import assert_same_tree

COMPOSE = """\
x-env: &env {A: '1', B: 2}
x-base: &base
  image: busybox
  environment: *env
services:
  web:
    <<: *base
    ports: ['80:80', 8080]
    environment: *env
    healthcheck: {test: [CMD, 'true'], interval: 10s}
    x-floats: [.nan, -.inf, 1.5e3, 0x1F, 0o17, 1_000, yes, ~]
  db:
    image: postgres
    environment: *env
"""
OVERRIDE = """\
services:
  web:
    ports: !override ['81:81']
    healthcheck: !reset
  db:
    command: [run, !reset x]
"""
FIG = "web:\n  image: busybox\n  ports: [22:22, '80']\n  privileged: yes\n  2: two\n"


@pytest.fixture(autouse=True)
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path


def never_parse(monkeypatch):
    def boom(text, name):
        raise AssertionError("parsed again")
    monkeypatch.setattr(yamlparse, "parse", boom)


@pytest.mark.parametrize("text, name", [(COMPOSE, "compose.yaml"), (OVERRIDE, "compose.override.yaml"),
                                        (FIG, "fig.yml"), ("", "empty.yml"), ("services: {}\n", "c.yml")])
def test_a_cached_tree_is_the_parsed_tree(text, name, monkeypatch):
    parsed = loader.parse_document(text, name)
    never_parse(monkeypatch)
    cached = loader.parse_document(text, name)
    assert cached[1] == parsed[1]
    assert_same_tree(parsed[0], cached[0], {})
    assert cached[0] is not parsed[0] or cached[0] is None  # a fresh tree each time: callers change theirs


def test_the_tree_s_sharing_and_marks_survive():
    loader.parse_document(COMPOSE, "c.yaml")
    data, _ = loader.parse_document(COMPOSE, "c.yaml")
    services = data["services"]
    assert services["web"]["environment"] is services["db"]["environment"] is data["x-env"]
    assert services["web"]["ports"].lines == [8, 8] and services["web"].lines["ports"] == 8
    loader.parse_document(OVERRIDE, "o.yaml")
    data, _ = loader.parse_document(OVERRIDE, "o.yaml")
    assert data.cleared == (("services", "web", "ports"), ("services", "web", "healthcheck"))
    assert data["services"]["db"]["command"] == ["run"] and data["services"]["db"]["command"].lines == [6]


def test_changed_text_or_another_name_is_parsed(monkeypatch):
    loader.parse_document(COMPOSE, "compose.yaml")
    never_parse(monkeypatch)
    with pytest.raises(AssertionError, match="parsed again"):
        loader.parse_document(COMPOSE + "# a comment\n", "compose.yaml")
    with pytest.raises(AssertionError, match="parsed again"):
        loader.parse_document(COMPOSE, "other.yaml")  # the tree names its file


def test_a_tree_the_cache_cannot_hold_exactly_is_parsed_every_time(cache_home):
    text = "web:\n  image: busybox\n  labels: {when: 2001-12-14}\n"  # a Fig-format file: YAML 1.1's timestamp
    for _ in range(2):
        data, compose = loader.parse_document(text, "fig.yml")
        assert not compose and str(data["web"]["labels"]["when"]) == "2001-12-14"
    assert not (cache_home / "fig" / "parsed").exists()


def test_errors_are_not_cached_and_stay_one_line():
    for _ in range(2):
        with pytest.raises(ConfigError, match=r"^c.yaml:3: invalid YAML"):
            loader.parse_document("services:\n  web: [\n", "c.yaml")


def test_a_damaged_entry_is_parsed_again_and_replaced(cache_home):
    loader.parse_document(COMPOSE, "c.yaml")
    [entry] = [p for p in (cache_home / "fig" / "parsed").rglob("*") if p.is_file()]
    for damage in ("{not json", '{"compose": true, "data": ["m", 1]}', '{"compose": true, "data": ["q"]}', "[]"):
        entry.write_text(damage)
        data, compose = loader.parse_document(COMPOSE, "c.yaml")
        assert compose and data["services"]["web"]["image"] == "busybox"
    assert entry.read_text().startswith('{"compose":true')


def test_an_unwritable_cache_only_costs_the_parse(cache_home: Path):
    (cache_home / "fig").write_text("not a directory")
    for _ in range(2):
        assert loader.parse_document("services: {}\n", "c.yaml") == ({"services": {}}, True)


def test_a_new_parser_makes_new_entries(monkeypatch):
    """The key holds fig's version and its parser modules' files, so a changed parser never reads old trees."""
    loader.parse_document(COMPOSE, "c.yaml")
    monkeypatch.setattr("fig.__version__", "0.0.0-other")
    never_parse(monkeypatch)
    with pytest.raises(AssertionError, match="parsed again"):
        loader.parse_document(COMPOSE, "c.yaml")


def test_an_entry_others_can_write_is_not_read(cache_home, monkeypatch):
    loader.parse_document(COMPOSE, "c.yaml")
    [entry] = [p for p in (cache_home / "fig" / "parsed").rglob("*") if p.is_file()]
    assert entry.stat().st_mode & 0o777 == 0o600
    entry.chmod(0o666)
    never_parse(monkeypatch)
    with pytest.raises(AssertionError, match="parsed again"):
        loader.parse_document(COMPOSE, "c.yaml")


@pytest.mark.parametrize("data", [b"", b"abc", "services:\n  web: {image: \u00e9}\n".encode(), bytes(range(256)) * 300])
def test_the_digest_is_sha256(data):
    """Cache keys, config hashes (in every container's labels) and swarm object names use it: it must stay SHA-256."""
    assert digest(data) == hashlib.sha256(data).hexdigest()
