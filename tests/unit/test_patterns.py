"""fig.patterns: a pattern is compiled at its first use, and then used as the compiled one is."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from fig.patterns import pattern

ROOT = Path(__file__).resolve().parents[2]


def test_a_deferred_pattern_answers_as_the_compiled_one():
    source, text = r"(?P<key>\w+)=(\d+)", "a=1, bb=22; C=3"
    deferred, compiled = pattern(source, re.IGNORECASE), re.compile(source, re.IGNORECASE)
    assert deferred.match(text).groupdict() == compiled.match(text).groupdict() == {"key": "a"}
    assert deferred.fullmatch("bb=22")[2] == "22" and deferred.fullmatch(text) is None
    assert deferred.search("; C=3").span() == compiled.search("; C=3").span()
    assert [m.group(0) for m in deferred.finditer(text)] == ["a=1", "bb=22", "C=3"]
    assert deferred.findall(text) == compiled.findall(text)
    assert deferred.sub(r"\g<key>", text) == "a, bb; C"
    assert deferred.split(text) == compiled.split(text)
    assert (deferred.pattern, deferred.flags) == (source, re.IGNORECASE)


def test_compiled_at_the_first_use_of_a_method_and_not_again(monkeypatch):
    compiled = []
    real = re.compile

    def counting(source, flags=0):
        compiled.append(source)
        return real(source, flags)

    monkeypatch.setattr(re, "compile", counting)
    deferred = pattern(r"x+")
    assert compiled == []
    assert deferred.match("xx") and deferred.match("y") is None and deferred.match("x")
    assert compiled == [r"x+"]
    assert deferred.sub("-", "axxb") == "a-b"
    assert compiled == [r"x+", r"x+"]  # a new method looks the pattern up again (re's cache has it)
    assert deferred.sub("-", "x") == "-" and len(compiled) == 2


def test_fig_compiles_no_pattern_when_a_module_is_imported():
    """A module-level re.compile costs every command that imports the module (see fig.patterns)."""
    found = []
    for path in sorted((ROOT / "fig").rglob("*.py")):
        module = ast.parse(path.read_text())
        top = [s for s in module.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        top += [s for c in module.body if isinstance(c, ast.ClassDef) for s in c.body
                if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
        found += [f"{path.relative_to(ROOT)}:{node.lineno}" for s in top for node in ast.walk(s)
                  if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "compile"
                  and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"]
    assert found == []
