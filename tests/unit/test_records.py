"""fig.records: records behave as dataclasses do (checked against twins made by `dataclasses`), without compiling
methods when they are defined and without loading `dataclasses`."""

from __future__ import annotations

import builtins
import copy
import dataclasses
import pickle
import re
from pathlib import Path
from typing import ClassVar

import pytest

from fig import records
from fig.records import FrozenInstanceError, field, record
from tests.unit.test_startup import loaded, offending

ROOT = Path(__file__).resolve().parents[2]


@record(frozen=True, slots=True)
class Point:
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    secret: str = field(default="", repr=False)
    seen: int = field(default=0, compare=False)


@record
class Counter:
    name: str
    hits: dict[str, int] = field(default_factory=dict)


@record(frozen=True, eq=False)
class Handle:
    name: str


@record(frozen=True)
class Shown:
    value: int

    def __repr__(self) -> str:
        return f"<{self.value}>"


# The same classes as plain dataclasses: what `record` must match
@dataclasses.dataclass(frozen=True, slots=True)
class PointDC:
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()
    notes: list[str] = dataclasses.field(default_factory=list)
    secret: str = dataclasses.field(default="", repr=False)
    seen: int = dataclasses.field(default=0, compare=False)


def test_arguments_by_position_and_by_name_with_defaults_and_factories():
    p = Point(1, tags=("a",), secret="s")
    assert (p.x, p.y, p.tags, p.notes, p.secret, p.seen) == (1, 0, ("a",), [], "s", 0)
    assert Point(1, 2).y == 2
    assert Point(1).notes is not Point(1).notes  # a fresh list from the factory each time


@pytest.mark.parametrize("call, message", [
    (lambda: Point(), "missing required argument: 'x'"),
    (lambda: Point(1, z=2), "unexpected keyword argument 'z'"),
    (lambda: Point(1, x=2), "multiple values for argument 'x'"),
    (lambda: Point(1, 2, (), [], "", 0, 7), "takes 6 positional arguments but 7 were given"),
])
def test_wrong_arguments_are_a_type_error_as_for_any_class(call, message):
    with pytest.raises(TypeError, match=re.escape(message)):
        call()


def test_repr_equality_and_hash_as_a_dataclass_has_them():
    for cls in (Point, PointDC):
        a, b = cls(1, 2, secret="x", seen=1), cls(1, 2, secret="x", seen=5)
        assert repr(a).replace("PointDC", "Point") == "Point(x=1, y=2, tags=(), notes=[], seen=1)"
        assert a == b  # `seen` is not compared
        assert a != cls(1, 3) and a != (1, 2)
        with pytest.raises(TypeError, match="unhashable type: 'list'"):
            hash(a)  # frozen, so hashed by its compared fields, and one of them is a list
    assert Point(1) != PointDC(1)
    assert hash(Shown(3)) == hash(Shown(3)) and len({Shown(3), Shown(3), Shown(4)}) == 2
    assert Counter("a") == Counter("a") and Counter.__hash__ is None  # mutable and compared: unhashable
    h = Handle("a")
    assert h != Handle("a") and h == h and hash(h) == object.__hash__(h)  # eq=False: identity
    assert repr(Shown(3)) == "<3>" and Shown(3) == Shown(3)  # the class's own method is kept


def test_frozen_refuses_changes_and_mutable_allows_them():
    p = Point(1)
    for twin in (p, PointDC(1)):
        with pytest.raises(AttributeError, match="cannot assign to field 'x'"):
            twin.x = 2  # type: ignore[misc]
        with pytest.raises(AttributeError, match="cannot delete field 'x'"):
            del twin.x  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        p.y = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        object.__setattr__(p, "other", 1)  # slots: no attribute beyond the fields
    c = Counter("a")
    c.name = "b"
    assert c == Counter("b")


def test_fields_replace_and_asdict_as_the_dataclasses_functions():
    p, twin = Point(1, notes=["n"]), PointDC(1, notes=["n"])
    def described(fields, missing):
        return [(f.name, None if f.default is missing else f.default,
                 None if f.default_factory is missing else f.default_factory, f.repr, f.compare) for f in fields]

    assert described(records.fields(p), records.MISSING) == described(records.fields(Point), records.MISSING) == \
        described(dataclasses.fields(twin), dataclasses.MISSING)
    assert records.replace(p, y=5) == Point(1, 5, notes=["n"]) and records.replace(p, y=5).notes is p.notes
    assert records.asdict(p) == dataclasses.asdict(twin) == \
        {"x": 1, "y": 0, "tags": (), "notes": ["n"], "secret": "", "seen": 0}
    nested = Counter("c", {"a": 1})
    shelf = Shelf([nested], (Point(2),), {"k": Point(3, tags=("t",))})
    plain = records.asdict(shelf)
    assert plain == {"items": [{"name": "c", "hits": {"a": 1}}], "points": (records.asdict(Point(2)),),
                     "by_name": {"k": records.asdict(Point(3, tags=("t",)))}}
    assert plain["items"][0]["hits"] is not nested.hits  # copies, as dataclasses.asdict makes
    with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
        records.replace(p, z=1)
    for call in (records.fields, records.asdict):
        with pytest.raises(TypeError, match="record"):
            call(object())
    assert Point.__match_args__ == PointDC.__match_args__


@pytest.mark.parametrize("make, error, message", [
    (lambda: record(type("Bad", (), {"__annotations__": {"items": "list[int]"}, "items": []})),
     ValueError, "mutable default <class 'list'> for field items is not allowed"),
    (lambda: record(type("Bad", (), {"__annotations__": {"a": "int", "b": "int"}, "a": 1})),
     TypeError, "non-default argument 'b' follows default argument"),
    (lambda: field(default=1, default_factory=list), ValueError, "cannot specify both default and default_factory"),
])
def test_the_mistakes_dataclasses_refuse_are_refused(make, error, message):
    with pytest.raises(error, match=re.escape(message)):
        make()


@record(frozen=True)
class Shelf:
    items: list[Counter]
    points: tuple[Point, ...] = ()
    by_name: dict[str, Point] = field(default_factory=dict)
    kind: ClassVar[str] = "shelf"  # a class variable, not a field


@record(frozen=True)
class LabelledShelf(Shelf):
    label: str = "x"
    points: tuple[Point, ...] = (Point(0),)  # a base field given another default keeps its place


def test_inheritance_and_class_variables_as_in_dataclasses():
    assert [f.name for f in records.fields(LabelledShelf)] == ["items", "points", "by_name", "label"]
    s = LabelledShelf([], label="y")
    assert (s.points, s.label, s.kind) == ((Point(0),), "y", "shelf")
    assert repr(s) == "LabelledShelf(items=[], points=(Point(x=0, y=0, tags=(), notes=[], seen=0),), by_name={}, " \
                      "label='y')"
    assert s != Shelf([], (Point(0),)) and s == LabelledShelf([], label="y")  # equal only within its own class
    assert Shelf.__doc__ == "Shelf(items, points, by_name)"


def test_importing_records_loads_no_dataclasses(tmp_path):
    assert offending(loaded("import fig.records", tmp_path), ("dataclasses", "inspect")) == []


def test_copies_and_pickles_of_frozen_records():
    p = Point(1, 2, ("t",), ["n"], "s", 3)
    for twin in (copy.copy(p), copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert twin == p and twin is not p
        assert (twin.secret, twin.seen) == ("s", 3)
    assert copy.deepcopy(p).notes is not p.notes


def test_defining_a_record_compiles_nothing(monkeypatch):
    """The point of records: no source is compiled when the class is defined (dataclass compiles each method)."""
    def refuse(*args, **kwargs):
        raise AssertionError("compiled at definition")

    monkeypatch.setattr(builtins, "exec", refuse)
    monkeypatch.setattr(builtins, "compile", refuse)

    @record(frozen=True, slots=True)
    class Defined:
        a: int
        b: str = "x"
        c: list[int] = field(default_factory=list)

    monkeypatch.undo()
    assert Defined(1) == Defined(1, "x", [])


def test_fig_defines_its_dataclasses_as_records():
    """A plain @dataclass costs start-up time on every command that imports it (see fig.records)."""
    plain = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "fig").rglob("*.py"))
             for n, line in enumerate(path.read_text().splitlines(), 1)
             if re.match(r"\s*@(dataclasses\.)?dataclass\b", line)]
    assert plain == []
