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
