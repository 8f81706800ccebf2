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
    config = load(MAIN)
    assert [s.name for s in config.services] == ["web", "db"]
    db = config.service("db")
    assert db.image == "busybox:1.36"  # the included file's own .env
    assert db.volumes == (VolumeSpec("/data", str(tmp_path / "sub/data")), VolumeSpec("/var/lib/db", "figtest_dbdata"))
    assert db.secrets == (FileMount("pw", "/run/secrets/pw", str(tmp_path / "sub/pw.txt")),)
    assert [v.key for v in config.volumes] == ["dbdata"]
    assert config.selected(["web"]) == ["web", "db"]


def test_the_including_projects_variables_win_over_the_included_env(load, write):
    write("sub/compose.yml", SUB)
    write("sub/.env", "TAG=1.36\n")
    write("sub/pw.txt", "secret\n")
    write(".env", "TAG=main-value\n")
    assert load(MAIN).service("db").image == "busybox:main-value"  # as Compose v2 reads it


def test_an_include_item_with_several_files_merges_them_first(load, write, tmp_path):
    write("sub/a.yml", "services:\n  db:\n    image: busybox\n    environment: {A: a, B: a}\n")
    write("sub/b.yml", "services:\n  db:\n    environment: {B: b}\n")
    write("sub/db.env", "TAG=from-env-file\n")
    config = load("include:\n  - path: [sub/a.yml, sub/b.yml]\n    env_file: sub/db.env\n"
                  "services:\n  web:\n    image: busybox:${TAG:-none}\n")
    assert dict(config.service("db").environment) == {"A": "a", "B": "b"}
    assert config.service("web").image == "busybox:none"  # the include's env_file is its own


def test_an_include_env_file_gives_the_included_files_their_variables(load, write):
    write("sub/compose.yml", "services:\n  db:\n    image: busybox:${TAG}\n")
    write("sub/db.env", "TAG=from-env-file\n")
    config = load("include:\n  - path: sub/compose.yml\n    env_file: sub/db.env\nservices:\n  web:\n    image: x\n")
    assert config.service("db").image == "busybox:from-env-file"


def test_an_override_file_may_change_an_included_service(load, write):
    write("sub/compose.yml", "services:\n  db:\n    image: busybox\n")
    write("fig.override.yml", "services:\n  db:\n    image: other\n")
    assert load(MAIN).service("db").image == "other"


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
