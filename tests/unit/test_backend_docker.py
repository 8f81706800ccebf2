"""DockerBackend's conversions from engine JSON, without an engine."""

from fig.backend.docker import DockerBackend


def summary(names: list[str]) -> dict:
    return {"Id": "c1", "Names": names, "State": "running", "Labels": {}}


def test_summary_name_skips_legacy_link_aliases():
    # the engine lists the names other containers link it by, in any order
    info = DockerBackend._from_summary(summary(["/p_db_1/p_web_1", "/p_web_1", "/p_db_1/web"]))
    assert info.name == "p_web_1"


def test_summary_name_without_names():
    assert DockerBackend._from_summary(summary([])).name == ""
