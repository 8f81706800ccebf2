"""docker contexts for fig run directly: which context applies, and the engine its endpoint names."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from fig.backend import contexts
from fig.backend.docker import DockerBackend
from fig.errors import UserError


def write_context(config: Path, name: str, host: str, *, tls: bool = False, skip_verify: bool = False) -> None:
    """A context as `docker context create` stores it."""
    digest = hashlib.sha256(name.encode()).hexdigest()
    meta = config / "contexts" / "meta" / digest
    meta.mkdir(parents=True)
    endpoint = {"Host": host, "SkipTLSVerify": skip_verify}
    (meta / "meta.json").write_text(json.dumps({"Name": name, "Metadata": {}, "Endpoints": {"docker": endpoint}}))
    if tls:
        certs = config / "contexts" / "tls" / digest / "docker"
        certs.mkdir(parents=True)
        for name in ("ca.pem", "cert.pem", "key.pem"):
            (certs / name).write_text(name)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    write_context(tmp_path, "remote", "tcp://remote.example:2376", tls=True)
    write_context(tmp_path, "local", "unix:///run/other/docker.sock")
    write_context(tmp_path, "insecure", "tcp://lab:2376", tls=True, skip_verify=True)
    (tmp_path / "config.json").write_text(json.dumps({"auths": {}, "currentContext": "local"}))
    return tmp_path


def engine(env: dict[str, str]) -> dict[str, str]:
    found = contexts.engine_environment(env)
    return {k: v for k, v in found.items() if k.startswith("DOCKER_") and k != "DOCKER_CONFIG"}


def test_the_current_context_of_the_config_names_the_engine(config):
    assert engine({"DOCKER_CONFIG": str(config)}) == {"DOCKER_HOST": "unix:///run/other/docker.sock",
                                                      "DOCKER_CONTEXT": "local"}
    assert DockerBackend.from_env({"DOCKER_CONFIG": str(config)}).url == "unix:///run/other/docker.sock"


def test_docker_context_beats_the_config_and_docker_host_beats_both(config):
    env = {"DOCKER_CONFIG": str(config), "DOCKER_CONTEXT": "remote"}
    assert engine(env)["DOCKER_HOST"] == "tcp://remote.example:2376"
    mine = {**env, "DOCKER_HOST": "unix:///mine.sock", "DOCKER_TLS_VERIFY": "1"}
    assert engine(mine) == {"DOCKER_HOST": "unix:///mine.sock", "DOCKER_TLS_VERIFY": "1", "DOCKER_CONTEXT": "remote"}


def test_the_default_context_is_the_default_socket(config):
    env = {"DOCKER_CONFIG": str(config), "DOCKER_CONTEXT": "default"}
    assert engine(env) == {"DOCKER_CONTEXT": "default"}
    assert DockerBackend.from_env(env).url == "unix:///var/run/docker.sock"
    assert DockerBackend.from_env({"DOCKER_CONFIG": str(config / "none")}).url == "unix:///var/run/docker.sock"


def test_a_contexts_tls_material_is_its_cert_path(config):
    env = engine({"DOCKER_CONFIG": str(config), "DOCKER_CONTEXT": "remote", "DOCKER_CERT_PATH": "/elsewhere"})
    digest = hashlib.sha256(b"remote").hexdigest()
    assert env == {"DOCKER_HOST": "tcp://remote.example:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CONTEXT": "remote",
                   "DOCKER_CERT_PATH": str(config / "contexts" / "tls" / digest / "docker")}
    insecure = engine({"DOCKER_CONFIG": str(config), "DOCKER_CONTEXT": "insecure"})
    assert insecure["DOCKER_TLS"] == "1" and "DOCKER_TLS_VERIFY" not in insecure


def test_the_default_contexts_tls_variables_do_not_follow_into_a_named_one(config):
    env = engine({"DOCKER_CONFIG": str(config), "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "/certs"})
    assert env == {"DOCKER_HOST": "unix:///run/other/docker.sock", "DOCKER_CONTEXT": "local"}


def test_reading_the_result_again_changes_nothing(config):
    once = contexts.engine_environment({"DOCKER_CONFIG": str(config), "DOCKER_CONTEXT": "remote"})
    assert contexts.engine_environment(once) == once


def test_a_context_that_does_not_exist_is_one_line_naming_where_it_came_from(config):
    store = config / "contexts"
    with pytest.raises(UserError, match=f"^docker context 'gone' does not exist in {store}: `docker context ls` "
                                        "lists them$"):
        DockerBackend.from_env({"DOCKER_CONFIG": str(config), "DOCKER_CONTEXT": "gone"})
    (config / "config.json").write_text(json.dumps({"currentContext": "stale"}))
    with pytest.raises(UserError, match=rf"^docker context 'stale' \(currentContext in {config}/config.json\) "):
        contexts.engine_environment({"DOCKER_CONFIG": str(config)})


def test_home_is_the_default_config_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    write_context(tmp_path / ".docker", "local", "unix:///run/home/docker.sock")
    (tmp_path / ".docker" / "config.json").write_text(json.dumps({"currentContext": "local"}))
    assert engine({})["DOCKER_HOST"] == "unix:///run/home/docker.sock"
