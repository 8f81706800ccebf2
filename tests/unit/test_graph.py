"""fig/graph.py: order, deps, dependents, closure and cycle errors."""

from __future__ import annotations

import pytest

from fig.errors import DependencyError
from fig.graph import DependencyGraph

#   web -> app -> db
#   web -> cache
#   worker -> db
EDGES = {"web": ["app", "cache"], "app": ["db"], "db": [], "cache": [], "worker": ["db"]}


@pytest.fixture
def graph() -> DependencyGraph:
    return DependencyGraph(EDGES)


def test_order_puts_every_name_after_its_dependencies(graph):
    order = graph.order()
    assert sorted(order) == sorted(EDGES)
    for name, deps in EDGES.items():
        for dep in deps:
            assert order.index(dep) < order.index(name), (dep, name)


def test_order_is_stable_and_follows_definition_order(graph):
    assert graph.order() == ("db", "app", "cache", "web", "worker")
    assert DependencyGraph({"b": [], "a": []}).order() == ("b", "a")


@pytest.mark.parametrize("name, deps, dependents", [
    ("web", ("app", "cache"), ()),
    ("app", ("db",), ("web",)),
    ("db", (), ("app", "worker")),
    ("cache", (), ("web",)),
])
def test_deps_and_dependents(graph, name, deps, dependents):
    assert graph.deps(name) == deps
    assert graph.dependents(name) == dependents


def test_duplicate_edges_are_collapsed():
    assert DependencyGraph({"a": ["b", "b"], "b": []}).deps("a") == ("b",)


@pytest.mark.parametrize("names, expected", [
    (["web"], ("db", "app", "cache", "web")),
    (["app"], ("db", "app")),
    (["worker", "cache"], ("db", "cache", "worker")),
    (["db"], ("db",)),
    ([], ()),
])
def test_closure(graph, names, expected):
    assert graph.closure(names) == expected


@pytest.mark.parametrize("edges, cycle", [
    ({"a": ["a"]}, "a -> a"),
    ({"a": ["b"], "b": ["a"]}, "a -> b -> a"),
    ({"a": ["b"], "b": ["c"], "c": ["a"]}, "a -> b -> c -> a"),
    ({"x": ["a"], "a": ["b"], "b": ["c"], "c": ["a"]}, "a -> b -> c -> a"),
])
def test_cycle_message_shows_the_cycle(edges, cycle):
    with pytest.raises(DependencyError) as info:
        DependencyGraph(edges)
    assert str(info.value) == f"Circular dependency between services: {cycle}"


def test_undefined_dependency_names_both():
    with pytest.raises(DependencyError) as info:
        DependencyGraph({"web": ["db"]})
    assert str(info.value) == "Service 'web' depends on service 'db' which is undefined."
