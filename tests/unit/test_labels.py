"""fig/labels.py: container names and project-name normalisation."""

from __future__ import annotations

import pytest

from fig import labels as L


@pytest.mark.parametrize("project, service, number, oneoff, expected", [
    ("figtest", "web", 1, False, "figtest_web_1"),
    ("figtest", "web", 12, False, "figtest_web_12"),
    ("figtest", "web", 1, True, "figtest_web_run_1"),
    ("app", "my-db", 3, True, "app_my-db_run_3"),
])
def test_container_name(project, service, number, oneoff, expected):
    assert L.container_name(project, service, number, oneoff=oneoff) == expected


@pytest.mark.parametrize("raw, expected", [
    ("figtest", "figtest"),
    ("FigTest", "figtest"),
    ("my-app_1.0", "myapp10"),
    ("My Project", "myproject"),
    ("déjà-vu", "djvu"),
    ("---", ""),
])
def test_normalize_project_name(raw, expected):
    assert L.normalize_project_name(raw) == expected


def test_service_labels():
    assert L.service_labels("p", "web") == {L.LABEL_PROJECT: "p", L.LABEL_SERVICE: "web", L.LABEL_ONEOFF: "False"}
    assert L.service_labels("p", "web", oneoff=True)[L.LABEL_ONEOFF] == "True"
    assert L.project_labels("p") == {L.LABEL_PROJECT: "p"}


@pytest.mark.parametrize("separator, oneoff, number, expected", [
    ("_", False, 1, "app_web_1"),
    ("-", False, 2, "app-web-2"),
    ("-", True, "0a1b2c3d4e5f", "app-web-run-0a1b2c3d4e5f"),
    ("_", True, "0a1b2c3d4e5f", "app_web_run_0a1b2c3d4e5f"),
])
def test_container_name_in_either_dialect(separator, oneoff, number, expected):
    assert L.container_name("app", "web", number, oneoff=oneoff, separator=separator) == expected


@pytest.mark.parametrize("name, expected", [
    ("app_web_1", "web_1"), ("app-web-1", "web-1"), ("other_web_1", "other_web_1"), ("app", "app")])
def test_strip_project(name, expected):
    assert L.strip_project(name, "app") == expected


def test_compose_keys_are_the_identity_and_fig_1_1_keys_are_read_as_a_fallback():
    assert L.LABEL_PROJECT == "com.docker.compose.project"
    legacy = {"io.fig.project": "p", "io.fig.service": "web", "io.fig.container-number": "2"}
    assert L.read(legacy, L.LABEL_SERVICE) == "web" and L.read(legacy, L.LABEL_NUMBER) == "2"
    assert L.read({L.LABEL_SERVICE: "new", "io.fig.service": "old"}, L.LABEL_SERVICE) == "new"
    assert L.read({}, L.LABEL_NUMBER, "0") == "0"
    assert L.legacy_query({L.LABEL_PROJECT: "p", L.LABEL_ONEOFF: "False"}) == {
        "io.fig.project": "p", "io.fig.oneoff": "False"}


def test_depends_on_label_is_composes_format():
    assert L.depends_on([("db", "service_healthy", False), ("cache", "service_started", True)]) == \
        "db:service_healthy:false,cache:service_started:true"
    assert L.depends_on([]) == ""
