"""fig.listing on a FakeBackend: every project on the engine, fig's and Compose's, with state counts and files."""

from __future__ import annotations

from fig import labels as L
from fig import listing
from fig.backend.specs import ContainerSpec
from fig.project import UpOptions
from tests.fakes import FakeBackend


def test_projects_of_both_tools_sorted_with_their_states_and_files(project, backend: FakeBackend, tmp_path,
                                                                   monkeypatch):
    monkeypatch.chdir(tmp_path)  # the files are named from where fig runs, as the CLI loads them
    p = project("web:\n  image: busybox\ndb:\n  image: busybox\n")
    p.up(options=UpOptions(scale={"web": 2}))
    p.stop(["db"])
    backend.start(backend.create(ContainerSpec(
        name="other-web-1", image="busybox", labels={L.LABEL_PROJECT: "other",
                                                     L.LABEL_CONFIG_FILES: "/a.yaml,/b.yaml"})))
    backend.create(ContainerSpec(name="stopped-web-1", image="busybox", labels={L.LABEL_PROJECT: "stopped"}))
    running = listing.projects(backend)
    assert [(s.name, s.status, s.config_files) for s in running] == [
        ("figtest", "running(2)", (str(tmp_path / "fig.yml"),)), ("other", "running(1)", ("/a.yaml", "/b.yaml"))]
    everything = listing.projects(backend, stopped=True)
    assert [(s.name, s.status) for s in everything] == [
        ("figtest", "exited(1), running(2)"), ("other", "running(1)"), ("stopped", "created(1)")]
    assert everything[2].config_files is None, "a container that does not say: N/A"


def test_fig_1_1_projects_are_listed_and_a_container_with_both_label_sets_counts_once(backend: FakeBackend):
    backend.start(backend.create(ContainerSpec(
        name="both", image="busybox", labels={L.LABEL_PROJECT: "composeside", "io.fig.project": "figside"})))
    backend.start(backend.create(ContainerSpec(name="old", image="busybox", labels={"io.fig.project": "old"})))
    assert [(s.name, s.status) for s in listing.projects(backend)] == [("composeside", "running(1)"),
                                                                     ("old", "running(1)")]
