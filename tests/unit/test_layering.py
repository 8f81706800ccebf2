"""The import table of the architecture guide, checked by parsing fig/ with `ast` (imports inside functions count)."""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "fig"
MODULES = sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.cache
def imports(path: Path) -> frozenset[str]:
    """Every module a file imports, absolute, including `from fig import labels` as fig.labels."""
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    found: set[str] = set()
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return frozenset(found)


def under(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def offenders(rule) -> list[str]:
    return [f"{module_name(path)} imports {name}" for path in MODULES for name in sorted(imports(path))
            if rule(module_name(path), name)]


def test_the_table_sees_the_package():
    names = {module_name(p) for p in MODULES}
    assert {"fig.project", "fig.config.loader", "fig.backend.docker", "fig.cli.main"} <= names
    assert "fig.labels" in imports(PACKAGE / "specs.py")  # `from fig import labels as L` counts


def test_only_the_docker_backend_and_its_transport_import_docker_or_requests():
    assert offenders(lambda mod, name: under(name, "docker", "requests", "urllib3")
                     and mod not in ("fig.backend.docker", "fig.backend.transport")) == []


def test_nothing_outside_cli_imports_cli():
    # `python -m fig` is the one door in from outside
    assert offenders(lambda mod, name: under(name, "fig.cli") and not under(mod, "fig.cli", "fig.__main__")) == []


def test_only_the_composition_root_imports_the_docker_backend():
    # fig.api.connect puts a configuration on the engine, for the library and for cli/bootstrap alike
    assert offenders(lambda mod, name: under(name, "fig.backend.docker") and mod != "fig.api") == []


def test_import_fig_loads_nothing_heavy_until_the_library_is_used():
    code = ("import sys, fig\n"
            "before = sorted(m for m in sys.modules if m.startswith('fig.') or m in ('yaml', 'jsonschema'))\n"
            "fig.Project, fig.FigError\n"
            "print(before, 'fig.api' in sys.modules, issubclass(fig.ConfigError, fig.FigError))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == "[] True True"


# What the bottom layers may import from fig (third-party parsers and the stdlib are free).
BOTTOM = {
    "fig.errors": (),
    "fig.labels": (),
    "fig.records": (),
    "fig.logs": (),
    "fig.patterns": (),
    "fig.graph": ("fig.errors",),
    "fig.config": ("fig.config", "fig.graph", "fig.errors", "fig.labels", "fig.records", "fig.logs",
                   "fig.patterns"),
}


@pytest.mark.parametrize("layer", sorted(BOTTOM))
def test_bottom_layers_import_no_domain_modules(layer):
    allowed = BOTTOM[layer]

    def bad(mod: str, name: str) -> bool:
        own = under(mod, layer) if layer == "fig.config" else mod == layer
        return own and under(name, "fig") and name != "fig" and not under(name, *allowed) \
            and name != "fig.__version__"

    assert offenders(bad) == []


DOMAIN = ("fig.project", "fig.service", "fig.container", "fig.backend", "fig.specs", "fig.convergence",
          "fig.parallel")


def test_config_graph_labels_errors_never_reach_the_domain():
    bottom = ("fig.config", "fig.graph", "fig.labels", "fig.errors", "fig.records", "fig.logs", "fig.patterns")
    assert offenders(lambda mod, name: under(mod, *bottom) and under(name, *DOMAIN)) == []


@functools.cache
def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), str(path))


def _calls_outside_cli() -> list[str]:
    found = []
    for path in MODULES:
        if under(module_name(path), "fig.cli") or path.name == "__main__.py":
            continue
        for node in ast.walk(tree(path)):
            where = f"{module_name(path)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Call):
                fn = node.func
                if isinstance(fn, ast.Name) and fn.id in ("print", "exit", "quit"):
                    found.append(f"{where} calls {fn.id}()")
                if isinstance(fn, ast.Attribute) and fn.attr in ("exit", "_exit") and \
                        isinstance(fn.value, ast.Name) and fn.value.id in ("sys", "os"):
                    found.append(f"{where} calls {fn.value.id}.{fn.attr}()")
            if isinstance(node, ast.Attribute) and node.attr == "stdout" and \
                    isinstance(node.value, ast.Name) and node.value.id == "sys":
                found.append(f"{where} uses sys.stdout")
    return found


def test_nothing_outside_cli_prints_or_exits():
    assert _calls_outside_cli() == []


def test_version_imports_no_yaml_jsonschema_or_docker():
    code = (
        "import sys\n"
        "import fig.cli.main\n"
        "code = fig.cli.main.main(['--version'])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'yaml', 'jsonschema', 'docker', 'requests'})\n"
        "print('HEAVY', heavy, code)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("fig version ")
    assert lines[-1] == "HEAVY [] 0"


def test_python_dash_m_fig_version():
    result = subprocess.run([sys.executable, "-m", "fig", "--version"], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("fig version ")


def module_edges(path: Path) -> frozenset[str]:
    """The fig modules a file imports; `from fig.config import checks` is fig.config.checks, not the package."""
    modules = {module_name(p) for p in MODULES}
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    found: set[str] = set()
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in modules else base)
    return frozenset(found & modules)


def import_cycles() -> list[list[str]]:
    """Every circle of imports inside fig/ (TYPE_CHECKING and function-level imports count)."""
    graph = {module_name(p): sorted(module_edges(p) - {module_name(p)}) for p in MODULES}
    cycles, done = [], set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            cycles.append(path[path.index(name):] + [name])
            return
        if name in done:
            return
        for target in graph.get(name, ()):
            visit(target, path + [name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    return cycles


def test_no_import_cycles_inside_fig():
    assert import_cycles() == []


def test_the_cycle_check_sees_a_circle(tmp_path, monkeypatch):
    module = PACKAGE / "config" / "items.py"
    fake = {**{module_name(p): module_edges(p) for p in MODULES},
            "fig.config.model": module_edges(PACKAGE / "config" / "model.py") | {"fig.config.items"}}
    monkeypatch.setattr(sys.modules[__name__], "module_edges", lambda p: fake[module_name(p)])
    assert module_name(module) in {m for cycle in import_cycles() for m in cycle}
