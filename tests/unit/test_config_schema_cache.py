"""A document found valid once is not validated again until it, the schema or fig's version changes."""

import pytest

from fig.config import schema
from fig.errors import ConfigError


@pytest.fixture(autouse=True)
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path


def forbid_validation(monkeypatch):
    def boom():
        raise AssertionError("validated again")
    monkeypatch.setattr(schema, "_validator", boom)


def test_a_valid_document_is_validated_once(cache_home, monkeypatch):
    schema.validate({"web": {"image": "busybox"}}, "fig.yml", legacy=True)
    assert list((cache_home / "fig" / "valid").rglob("*"))
    forbid_validation(monkeypatch)
    schema.validate({"web": {"image": "busybox"}}, "fig.yml", legacy=True)


def test_a_changed_document_is_validated(monkeypatch):
    schema.validate({"web": {"image": "busybox"}}, "fig.yml", legacy=True)
    forbid_validation(monkeypatch)
    with pytest.raises(AssertionError, match="validated again"):
        schema.validate({"web": {"image": "busybox", "ports": ["80"]}}, "fig.yml", legacy=True)


def test_another_fig_version_validates_again(monkeypatch):
    schema.validate({"web": {"image": "busybox"}}, "fig.yml", legacy=True)
    monkeypatch.setattr("fig.__version__", "0.0.0-other")
    forbid_validation(monkeypatch)
    with pytest.raises(AssertionError, match="validated again"):
        schema.validate({"web": {"image": "busybox"}}, "fig.yml", legacy=True)


def test_an_invalid_document_is_never_remembered(cache_home):
    for _ in range(2):
        with pytest.raises(ConfigError):
            schema.validate({"web": {"image": "busybox", "prots": ["80"]}}, "fig.yml", legacy=True)
    assert not (cache_home / "fig").exists()


def test_an_unwritable_cache_only_costs_a_validation(cache_home):
    (cache_home / "fig").write_text("not a directory")
    schema.validate({"web": {"image": "busybox"}}, "fig.yml", legacy=True)
    schema.validate({"web": {"image": "busybox"}}, "fig.yml", legacy=True)
