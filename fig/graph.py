"""A dependency graph over service names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from fig.errors import DependencyError


class DependencyGraph:
    """Edges point from a service to the services it needs started first."""

    def __init__(self, edges: Mapping[str, Iterable[str]]) -> None:
        self._deps = {name: tuple(dict.fromkeys(deps)) for name, deps in edges.items()}
        for name, deps in self._deps.items():
            for dep in deps:
                if dep not in self._deps:
                    raise DependencyError(f"Service '{name}' depends on service '{dep}' which is undefined.")
        self._order = self._sort()

    def _sort(self) -> tuple[str, ...]:
        order: list[str] = []
        state: dict[str, int] = {}  # 1 = visiting, 2 = done

        def visit(name: str, path: list[str]) -> None:
            if state.get(name) == 2:
                return
            if state.get(name) == 1:
                cycle = path[path.index(name):] + [name]
                raise DependencyError("Circular dependency between services: " + " -> ".join(cycle))
            state[name] = 1
            for dep in self._deps[name]:
                visit(dep, path + [name])
            state[name] = 2
            order.append(name)

        for name in self._deps:
            visit(name, [])
        return tuple(order)

    def order(self) -> tuple[str, ...]:
        """All names, each after everything it depends on."""
        return self._order

    def deps(self, name: str) -> tuple[str, ...]:
        return self._deps[name]

    def dependents(self, name: str) -> tuple[str, ...]:
        return tuple(n for n in self._order if name in self._deps[n])

    def closure(self, names: Iterable[str], *, upward: bool = False) -> tuple[str, ...]:
        """The names plus everything they depend on (with `upward`: everything that depends on them),
        transitively, in dependency order."""
        wanted: set[str] = set()
        stack = list(names)
        while stack:
            name = stack.pop()
            if name not in wanted:
                wanted.add(name)
                stack.extend(self.dependents(name) if upward else self._deps[name])
        return tuple(n for n in self._order if n in wanted)
