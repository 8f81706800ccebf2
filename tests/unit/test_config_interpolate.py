"""fig/config/interpolate.py: $VAR substitution with the environment passed in."""

from __future__ import annotations

import logging

import pytest

from fig.config.interpolate import interpolate, interpolate_string
from fig.errors import ConfigError

ENV = {"SET": "value", "EMPTY": "", "PORT": "8000"}


def _sub(text: str, environ=ENV) -> tuple[str, list[str]]:
    missing: list[str] = []
    return interpolate_string(text, environ, "fig.yml.web.image", missing.append), missing


@pytest.mark.parametrize("text, expected", [
    ("plain", "plain"),
    ("$SET", "value"),
    ("${SET}", "value"),
    ("pre-${SET}-post", "pre-value-post"),
    ("$SET$SET", "valuevalue"),
    ("${PORT}:80", "8000:80"),
    # ${VAR:-default}: default when unset or empty
    ("${SET:-d}", "value"),
    ("${EMPTY:-d}", "d"),
    ("${UNSET:-d}", "d"),
    # ${VAR-default}: default only when unset
    ("${SET-d}", "value"),
    ("${EMPTY-d}", ""),
    ("${UNSET-d}", "d"),
    # defaults are interpolated too
    ("${UNSET:-$SET}", "value"),
    ("${UNSET:-a b:c}", "a b:c"),
    # ${VAR:+alt} / ${VAR+alt}
    ("${SET:+alt}", "alt"),
    ("${EMPTY:+alt}", ""),
    ("${EMPTY+alt}", "alt"),
    # $$ is a literal $
    ("$$", "$"),
    ("$$SET", "$SET"),
    ("a$$b", "a$b"),
    ("$${SET}", "${SET}"),
    ("${SET?msg}", "value"),
    ("${EMPTY?msg}", ""),
    ("${SET:?msg}", "value"),
    # a $ that starts no reference stays as written, as Compose v2 leaves it: shell and regular expressions
    ("$", "$"), ("cost: 5$", "cost: 5$"), ("echo $(date) $! $1 $- $@ $? $ x", "echo $(date) $! $1 $- $@ $? $ x"),
    ("HostRegexp(`^.+$`)", "HostRegexp(`^.+$`)"),
    # a default holding braces runs to the brace that closes the reference, not to the first one
    ('${UNSET:-{"json":1}}', '{"json":1}'), ("${UNSET:-{a}{b}}", "{a}{b}"), ("${SET:-a}}", "value}"),
    ("${SET:-a} and ${UNSET:-b} $SET", "value and b value"),
])
def test_substitution(text, expected):
    assert _sub(text) == (expected, [])


@pytest.mark.parametrize("text", ["$UNSET", "${UNSET}", "x${UNSET}y"])
def test_missing_variable_is_blank_and_reported(text):
    result, missing = _sub(text)
    assert result == text.replace("$UNSET", "").replace("${UNSET}", "")
    assert missing == ["UNSET"]


@pytest.mark.parametrize("text, message", [
    ("${UNSET:?the image is needed}", "required variable UNSET is missing a value: the image is needed"),
    ("${EMPTY:?must not be empty}", "required variable EMPTY is missing a value: must not be empty"),
    ("${UNSET?gone}", "required variable UNSET is missing a value: gone"),
    ("${UNSET:?}", "required variable UNSET is missing a value: variable UNSET is not set"),
])
def test_required_variables(text, message):
    with pytest.raises(ConfigError) as info:
        _sub(text)
    assert str(info.value) == f"fig.yml.web.image: {message}"


@pytest.mark.parametrize("text", ["${", "${}", "${1BAD}", "${A B}", "x ${A:-multi\nline}"])
def test_invalid_format_names_where_and_suggests_escaping(text):
    with pytest.raises(ConfigError, match=r"^fig\.yml\.web\.image: invalid interpolation format"):
        _sub(text)


def test_tree_keeps_keys_non_strings_and_x_sections():
    tree = {"web": {"image": "$SET", "ports": ["${PORT}:80", 81], "privileged": True},
            "x-template": {"image": "$UNSET"}}
    missing: list[str] = []
    out = interpolate(tree, ENV, "fig.yml", missing.append)
    assert out == {"web": {"image": "value", "ports": ["8000:80", 81], "privileged": True},
                   "x-template": {"image": "$UNSET"}}
    assert missing == []


def test_tree_error_names_the_path():
    with pytest.raises(ConfigError, match=r"^fig\.yml\.web\.ports\[1\]: required variable"):
        interpolate({"web": {"ports": ["80", "${P:?}"]}}, {}, "fig.yml", lambda _: None)


def test_load_warns_once_per_missing_variable(load, caplog):
    caplog.set_level(logging.WARNING)
    config = load("""\
        web:
          image: busybox$TAG
          command: echo $TAG ${OTHER}
          environment:
            - A=$TAG
    """)
    assert config.service("web").image == "busybox"
    assert config.service("web").command == ("echo",)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["The TAG variable is not set. Defaulting to a blank string.",
                        "The OTHER variable is not set. Defaulting to a blank string."]


def test_load_takes_variables_from_environ_then_dotenv(load, write):
    write(".env", "TAG=from-dotenv\nOTHER=dotenv-other\n")
    config = load("""\
        web:
          image: busybox:$TAG
          command: echo $OTHER $$HOME
    """, environ={"TAG": "from-environ"})
    assert config.service("web").image == "busybox:from-environ"
    assert config.service("web").command == ("echo", "dotenv-other", "$HOME")


def test_engine_variables_in_dotenv_are_ignored(load, write, caplog):
    write(".env", "DOCKER_HOST=tcp://elsewhere:2375\n")
    load("web:\n  image: ${DOCKER_HOST:-busybox}\n")
    assert any("Ignoring DOCKER_HOST from .env" in r.getMessage() for r in caplog.records)
