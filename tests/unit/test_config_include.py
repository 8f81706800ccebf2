"""The top-level `include`: another compose file's services and resources join the project, its relative paths
and its `.env` taken from its own directory; a name both files define is an error."""

from __future__ import annotations

import pytest

from fig.config.model import FileMount, VolumeSpec
from fig.errors import ConfigError

MAIN = """\
    include:
      - sub/compose.yml
    services:
      web:
        image: busybox
        depends_on: [db]
"""
SUB = """\
    services:
      db:
        image: busybox:${TAG}
        volumes: [./data:/data, dbdata:/var/lib/db]
        secrets: [pw]
    volumes:
      dbdata: {}
    secrets:
      pw:
        file: ./pw.txt
"""


def test_an_included_file_adds_its_services_with_its_own_paths_and_variables(load, write, tmp_path):
    write("sub/compose.yml", SUB)
    write("sub/.env", "TAG=1.36\n")
    write("sub/pw.txt", "secret\n")
    write(".env", "TAG=main-value\n")
    config = load(MAIN)
    assert [s.name for s in config.services] == ["web", "db"]
    db = config.service("db")
    assert db.image == "busybox:1.36"  # the included file's own .env
    assert db.volumes == (VolumeSpec("/data", str(tmp_path / "sub/data")), VolumeSpec("/var/lib/db", "figtest_dbdata"))
    assert db.secrets == (FileMount("pw", "/run/secrets/pw", str(tmp_path / "sub/pw.txt")),)
    assert [v.key for v in config.volumes] == ["dbdata"]
    assert config.selected(["web"]) == ["web", "db"]


def test_a_service_defined_in_both_files_is_an_error(load, write):
    write("sub/compose.yml", "services:\n  web:\n    image: other\n")
    with pytest.raises(ConfigError, match=r"^fig\.yml: service 'web' is defined both here and in the included "
                                          r"sub/compose\.yml$"):
        load(MAIN)


def test_a_missing_included_file_names_the_including_one(load, tmp_path):
    with pytest.raises(ConfigError, match=r"^fig\.yml: 'include' item 'sub/compose\.yml' is not a file"):
        load(MAIN)


def test_a_file_that_includes_itself_is_stopped(load, write):
    with pytest.raises(ConfigError, match="'include' nests deeper than 10 files"):
        load("include: [fig.yml]\nservices:\n  web:\n    image: busybox\n")


def test_an_included_fig_yml_is_refused(load, write):
    write("sub/compose.yml", "db:\n  image: busybox\n")
    with pytest.raises(ConfigError, match="an included file must be a compose file"):
        load(MAIN)
