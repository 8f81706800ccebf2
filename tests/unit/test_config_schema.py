"""fig/config/schema.py: every schema error is one line naming file:line, service and key."""

from __future__ import annotations

import pytest

from fig.config.loader import parse_yaml
from fig.config.schema import validate
from fig.errors import ConfigError


def _error(load, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load(text)
    message = str(info.value)
    assert "\n" not in message
    return message


# (fig.yml text, how the one-line message starts: file:line and service, what else it must say)
@pytest.mark.parametrize("text, head, needles", [
    # unknown keys, with a suggestion when one is close
    ("web:\n  image: busybox\n  enviroment:\n    - A=1\n",
     "fig.yml:3: service 'web'", ["unknown key 'enviroment'", "did you mean 'environment'"]),
    ("web:\n  image: busybox\n  port: ['80']\n",
     "fig.yml:3: service 'web'", ["unknown key 'port'", "did you mean 'ports'"]),
    ("web:\n  image: busybox\n  zzqqxx: 1\n",
     "fig.yml:3: service 'web'", ["unknown key 'zzqqxx'"]),
    ("web:\n  build:\n    contxt: .\n",
     "fig.yml:3: service 'web'", ["'build'", "unknown key 'contxt'", "did you mean 'context'"]),
    ("services:\n  web:\n    image: busybox\n    imag: x\n",
     "fig.yml:4: service 'web'", ["unknown key 'imag'", "did you mean 'image'"]),
    ("services:\n  web:\n    image: busybox\nvolume: {}\n",
     "fig.yml:4:", ["unknown key 'volume'", "did you mean 'volumes'"]),
    ("services:\n  web:\n    image: busybox\nnetworks:\n  front:\n    drivr: x\n",
     "fig.yml:6: network 'front'", ["unknown key 'drivr'", "did you mean 'driver'"]),
    # wrong types: the key, what it must be and what it is
    ("web:\n  image: busybox\n  privileged: 'maybe'\n",
     "fig.yml:3: service 'web'", ["'privileged'", "must be a boolean", "not the string 'maybe'"]),
    ("web:\n  image: busybox\n  ports: 80\n",
     "fig.yml:3: service 'web'", ["'ports'", "must be a list", "not a number"]),
    ("web:\n  image: busybox\n  ports:\n    - '80'\n    - [1]\n",
     "fig.yml:5: service 'web'", ["'ports' item 2", "must be a port", "not a list"]),
    ("web:\n  image: busybox\n  links: db\n",
     "fig.yml:3: service 'web'", ["'links'", "must be a list of strings", "not the string 'db'"]),
    ("web:\n  image: busybox\n  environment: 3\n",
     "fig.yml:3: service 'web'", ["'environment'", "must be a list of KEY=VALUE strings or a mapping", "not a number"]),
    # a oneOf error explains the branch that matched the type, not a contradiction ("a mapping, not a mapping")
    ("web:\n  image: busybox\n  environment:\n    A: [1]\n",
     "fig.yml:4: service 'web'", ["'environment.A'", "must be a string", "not a list"]),
    ("web:\n  image: busybox\n  command: [echo, 1]\n",
     "fig.yml:3: service 'web'", ["'command' item 2", "must be a string", "not a number"]),
    ("services:\n  web:\n    image: busybox\n    depends_on:\n      db:\n        condition: started\n"
     "  db:\n    image: busybox\n",
     "fig.yml:6: service 'web'", ["'depends_on.db.condition'", "'started'", "'service_healthy'"]),
    ("web:\n  image: busybox\n  command: {a: 1}\n",
     "fig.yml:3: service 'web'", ["'command'", "must be a string or a list of strings", "not a mapping"]),
    ("web:\n  image: busybox\n  volumes: [1]\n",
     "fig.yml:3: service 'web'", ["'volumes' item 1", "must be a volume", "not a number"]),
    ("web:\n  image: busybox\n  mem_limit: [1]\n",
     "fig.yml:3: service 'web'", ["'mem_limit'", "must be a size", "not a list"]),
    ("web: busybox\n",
     "fig.yml:1: service 'web'", ["must be a mapping", "not the string 'busybox'"]),
    ("web:\n",
     "fig.yml:1: service 'web'", ["must be a mapping", "not empty"]),
    ("- web\n",
     "fig.yml", ["top level must be a mapping", "not a list"]),
])
def test_schema_errors(load, text, head, needles):
    message = _error(load, text)
    assert message.startswith(head), message
    for needle in needles:
        assert needle in message, (needle, message)
    assert "must be a mapping, not a mapping" not in message


def test_invalid_fixture_names_file_line_service_and_key(load, fixture_dir):
    directory = fixture_dir("invalid")
    with pytest.raises(ConfigError) as info:
        load(cwd=directory)
    message = str(info.value)
    assert message.startswith("fig.yml:5: service 'web'") and "unknown key 'enviroment'" in message


def test_x_keys_are_allowed(load):
    config = load("web:\n  image: busybox\n  x-note: anything\n")
    assert config.service("web").image == "busybox"


def test_validate_checks_before_and_after_interpolation(load):
    """A value that only becomes invalid once substituted is still reported with its key."""
    message = _error(lambda t: load(t, environ={"PRIV": "maybe"}),
                     "web:\n  image: busybox\n  restart: $PRIV\n")
    assert message.startswith("fig.yml:3: service 'web': 'restart'")


def test_validate_is_silent_for_a_valid_tree():
    validate(parse_yaml("web:\n  image: busybox\n  ports: ['80']\n", "f.yml"), "f.yml", legacy=True)


@pytest.mark.parametrize("text, line, name", [
    ("'we b':\n  image: busybox\n", 1, "we b"),
    ("web:\n  image: busybox\n'x y':\n  image: busybox\n", 3, "x y"),
    ("services:\n  web:\n    image: busybox\n  'a/b':\n    image: busybox\n", 4, "a/b"),
])
def test_invalid_service_names_are_explained_at_their_line(load, text, line, name):
    message = _error(load, text)
    assert message.startswith(f"fig.yml:{line}:"), message
    assert f"invalid name '{name}'" in message and "letters, digits" in message
