"""fig.config.yamlwrite: the YAML `fig config` prints, written without PyYAML. PyYAML's own output is the reference
(its libyaml emitter, which fig used before), and both YAML 1.1 and fig's compose parser must read it back."""

from __future__ import annotations

import json
import random

import pytest
import yaml

from fig.config import yamlparse
from fig.config.scalars import IMPLICIT, resolve_plain
from fig.config.yamlwrite import dump


def pyyaml(document):
    return yaml.dump(document, Dumper=yaml.CSafeDumper, sort_keys=False, default_flow_style=False, allow_unicode=True,
                     width=1 << 16)


def read_back(text):
    return yaml.safe_load(text), json.loads(json.dumps(yamlparse.parse(text, "x.yaml")[0]))


def test_the_shapes_of_a_configuration():
    document = {"name": "app", "services": {"web": {
        "command": ["sh", "-c", "echo hi"], "ports": [{"target": 80, "published": "8080", "protocol": "tcp"}],
        "environment": {"A": "1", "B": None, "C": "yes"}, "labels": {}, "dns": [], "cpus": 1.5, "init": True,
        "healthcheck": {"test": ["CMD", "true"], "interval": "30s"}, "matrix": [["a", "b"], [], [{"x": 1}]]}}}
    text = dump(document)
    assert text == pyyaml(document)
    assert text.splitlines()[:9] == [
        "name: app", "services:", "  web:", "    command:", "    - sh", "    - -c", "    - echo hi", "    ports:",
        "    - target: 80"]
    assert "    labels: {}" in text and "    dns: []" in text and "      C: 'yes'" in text
    assert "    matrix:\n    - - a\n      - b\n    - []\n    - - x: 1\n" in text
    assert read_back(text) == (document, document)


@pytest.mark.parametrize("text, written", [
    ("plain words", "plain words"), ("yes", "'yes'"), ("off", "'off'"), ("null", "'null'"), ("", "''"),
    ("~", "'~'"), ("123", "'123'"), ("1.5", "'1.5'"), ("1:20", "'1:20'"), ("2001-12-14", "'2001-12-14'"),
    ("- a", "'- a'"), ("a: b", "'a: b'"), ("a:b", "a:b"), ("#x", "'#x'"), ("a #b", "'a #b'"), ("x#y", "x#y"),
    ("it's", "it's"), ("'q'", "'''q'''"), (" lead", "' lead'"), ("trail ", "'trail '"), ("a\tb", '"a\\tb"'),
    ("é ✓", "é ✓"), ("bell\a", '"bell\\a"'), ("smile 😀", '"smile \\U0001F600"'), ("$${HOME}", "$${HOME}"),
    # a compose file (YAML 1.2, as compose-go reads it) would read these as numbers; PyYAML leaves them plain
    ("0o17", "'0o17'"), ("1e5", "'1e5'"), ("09", "'09'"), ("+.5", "'+.5'"),
])
def test_a_text_is_plain_only_where_every_reader_reads_it_as_that_text(text, written):
    assert dump({"k": text}) == f"k: {written}\n"
    assert read_back(dump({"k": text})) == ({"k": text}, {"k": text})


def test_a_text_over_lines_is_single_quoted_and_folds_back():
    document = {"a": {"script": "set -e\necho one\n\necho two\n", "items": ["x\ny"]}}
    text = dump(document)
    assert text == pyyaml(document)
    assert text == "a:\n  script: 'set -e\n\n    echo one\n\n\n    echo two\n\n    '\n  items:\n  - 'x\n\n    y'\n"
    assert read_back(text) == (document, document)


def test_what_single_quotes_cannot_hold_is_double_quoted_with_escapes():
    document = {"a": "trailing space \nline", "b": "nul\0 del\x7f", "c": "line\u2028sep", "multi\nline key": 1}
    text = dump(document)
    assert text.splitlines() == ['a: "trailing space \\nline"', 'b: "nul\\0 del\\x7F"', 'c: "line\\Lsep"',
                                 '"multi\\nline key": 1']
    assert read_back(text) == (document, document)


def test_numbers_booleans_and_nulls():
    document = {"i": -5, "big": 10**20, "f": 3.0, "e": 1e17, "small": 1e-07, "inf": float("inf"), "b": False,
                "n": None, "z": -0.0}
    text = dump(document)
    assert text == pyyaml(document)
    assert "e: 1.0e+17\n" in text and "inf: .inf\n" in text and "n: null\n" in text
    assert dump({"nan": float("nan")}) == "nan: .nan\n"


def test_random_documents_are_written_as_pyyaml_writes_them():
    """Texts built of the characters that decide a style; those PyYAML would write differently on purpose (a
    multi-line or long key, a text a compose file reads as a number) are only checked to read back."""
    chars = list("abz09 -:#'\"\\\n\t{}[],&*!|>%@`?.~=<+_/$") + ["é", "\xa0", "\0", "\x7f", "😀"]
    words = ["yes", "No", "on", "true", "null", "~", "", "1", "0x1F", "0o17", "1e5", "1.5", "1_000", "1:20",
             "2001-12-14", ".inf", "<<", "=", "---", "...", "- a", "a: b", "#x", "? x", "-x", ":x"]
    rng = random.Random(7)
    resolver = yaml.resolver.Resolver()

    def yaml11(v):
        return resolver.resolve(yaml.ScalarNode, v, (True, False))

    def text():
        return rng.choice(words) if rng.random() < 0.3 else "".join(rng.choice(chars) for _ in range(rng.randint(0, 8)))

    def value(depth):
        r = rng.random()
        if depth < 3 and r < 0.2:
            return {text(): value(depth + 1) for _ in range(rng.randint(0, 3))}
        if depth < 3 and r < 0.35:
            return [value(depth + 1) for _ in range(rng.randint(0, 3))]
        if r < 0.45:
            return rng.choice([None, True, False, 0, -5, 10**20, 1.5, 1e17, float("inf")])
        return text()

    def on_purpose(v, key=False):
        if isinstance(v, dict):
            return any(on_purpose(k, key=True) or on_purpose(x) for k, x in v.items())
        if isinstance(v, list):
            return any(on_purpose(x) for x in v)
        return isinstance(v, str) and bool(v) and (
            (key and ("\n" in v or len(v) >= 128))
            or (resolve_plain(v) != IMPLICIT + "str" and yaml11(v) == "tag:yaml.org,2002:str"))

    compared = 0
    for _ in range(3000):
        document = {text(): value(0) for _ in range(rng.randint(1, 3))}
        written = dump(document)
        assert repr(yaml.safe_load(written)) == repr(document), written
        if not on_purpose(document):
            assert written == pyyaml(document), document
            compared += 1
    assert compared > 1500
