"""env_file (one or a list, relative to the file, `environment` winning), .env, and interpolation as loaded."""

from __future__ import annotations

import logging

import pytest

from fig.errors import ConfigError


def test_one_env_file_as_a_string(load, write):
    write("web.env", "# comment\n\nA=1\nexport B=two words\nC='quoted'\nD=\"dq\"\nE=\n")
    env = dict(load("web:\n  image: busybox\n  env_file: web.env\n").service("web").environment)
    assert env == {"A": "1", "B": "two words", "C": "quoted", "D": "dq", "E": ""}


def test_a_list_of_env_files_later_ones_win_and_environment_wins_over_all(load, write):
    write("a.env", "A=a\nB=a\nC=a\n")
    write("conf/b.env", "B=b\nC=b\n")
    env = load("""\
        services:
          web:
            image: busybox
            env_file: [a.env, conf/b.env]
            environment: {C: environment}
    """).service("web").environment
    assert env == (("A", "a"), ("B", "b"), ("C", "environment"))


def test_env_files_are_relative_to_the_first_file_not_the_cwd(load, write, tmp_path):
    write("project/fig.yml", "web:\n  image: busybox\n  env_file: web.env\n")
    write("project/web.env", "WHERE=project\n")
    config = load(files=("project/fig.yml",), cwd=tmp_path)
    assert config.service("web").environment == (("WHERE", "project"),)


def test_bare_keys_take_the_callers_value_or_the_dotenv_one(load, write):
    """An unset one is empty in a fig.yml (Fig 1.0.1 gave KEY=) and stays bare in a compose file (Compose v2 sends
    the engine KEY alone, which unsets an ENV of the image)."""
    write(".env", "FROM_DOTENV=dotenv\n")
    env = load("web:\n  image: busybox\n  environment: [FROM_CALLER, FROM_DOTENV, UNSET]\n",
               environ={"FROM_CALLER": "caller"}).service("web").environment
    assert env == (("FROM_CALLER", "caller"), ("FROM_DOTENV", "dotenv"), ("UNSET", ""))
    for form in ("[FROM_CALLER, UNSET]", "{FROM_CALLER: , UNSET: }"):
        env = load(f"services:\n  web:\n    image: busybox\n    environment: {form}\n",
                   environ={"FROM_CALLER": "caller"}).service("web").environment
        assert env == (("FROM_CALLER", "caller"), ("UNSET", None))


def test_a_bad_line_in_an_env_file_names_both_files(load, write, tmp_path):
    write("web.env", "A=1\nnot a pair\n")
    with pytest.raises(ConfigError) as info:
        load("services:\n  web:\n    image: busybox\n    env_file: web.env\n")
    assert str(info.value) == (f"fig.yml:4: service 'web': 'env_file': {tmp_path}/web.env:2: "
                               "key 'not a pair' cannot contain a space")


@pytest.mark.parametrize("value, expected", [
    ("$SET", "set"), ("${SET}", "set"), ("${UNSET:-d}", "d"), ("${EMPTY:-d}", "d"), ("${EMPTY-d}", ""),
    ("${UNSET-d}", "d"), ("${SET:+alt}", "alt"), ("${UNSET:+alt}", ""), ("$$SET", "$SET"), ("a$${b}c", "a${b}c"),
    ("${UNSET:-${SET}}", "set"), ("${UNSET:-${ALSO_UNSET:-deep}}", "deep"), ("${SET?}", "set"), ("${SET:?x}", "set"),
])
def test_interpolation_forms(load, value, expected):
    config = load(f"web:\n  image: busybox\n  labels:\n    v: '{value}'\n", environ={"SET": "set", "EMPTY": ""})
    assert config.service("web").labels == (("v", expected),)


def test_a_missing_variable_is_blank_with_one_warning_naming_it(load, caplog):
    caplog.set_level(logging.WARNING)
    config = load("web:\n  image: busybox$NOPE\n  command: echo ${NOPE} $NOPE\n  labels: {a: '$OTHER'}\n")
    assert config.service("web").image == "busybox"
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert messages == ["The NOPE variable is not set. Defaulting to a blank string.",
                        "The OTHER variable is not set. Defaulting to a blank string."]


@pytest.mark.parametrize("value, message", [
    ("${NOPE:?the image to run}", "required variable NOPE is missing a value: the image to run"),
    ("${EMPTY:?must not be empty}", "required variable EMPTY is missing a value: must not be empty"),
    ("${NOPE?}", "required variable NOPE is missing a value: variable NOPE is not set"),
])
def test_required_variables_name_file_line_service_and_key(load, value, message):
    with pytest.raises(ConfigError) as info:
        load(f"services:\n  web:\n    image: busybox\n    command: '{value}'\n", environ={"EMPTY": ""})
    assert str(info.value) == f"fig.yml:4: service 'web': 'command': {message}"


def test_interpolated_values_are_validated_afterwards(load):
    with pytest.raises(ConfigError) as info:
        load("services:\n  web:\n    image: busybox\n    ports:\n      - '${PORT}'\n", environ={"PORT": "99999"})
    assert str(info.value) == "fig.yml:5: service 'web': 'ports' item \"99999\" is not a valid port"


def test_top_level_x_templates_are_not_interpolated_but_their_copies_are(load, caplog):
    caplog.set_level(logging.WARNING)
    config = load("""\
        x-base: &base
          image: "busybox:${TAG}"
        services:
          web:
            <<: *base
    """, environ={"TAG": "1"})
    assert config.service("web").image == "busybox:1"
    assert not caplog.records


def test_compose_profiles_and_project_name_may_come_from_dotenv(load, write):
    write(".env", "COMPOSE_PROFILES=debug\nCOMPOSE_PROJECT_NAME=fromdotenv\n")
    config = load("services:\n  web: {image: busybox, profiles: [debug]}\n", project_name=None)
    assert config.profiles == ("debug",) and config.name == "fromdotenv"
    assert config.selected() == ["web"]


def test_long_form_env_files_may_be_optional(load, write):
    write("a.env", "A=a\n")
    env = load("""\
        services:
          web:
            image: busybox
            env_file:
              - path: a.env
              - path: missing.env
                required: false
    """).service("web").environment
    assert env == (("A", "a"),)


def test_a_required_long_form_env_file_must_exist(load):
    with pytest.raises(ConfigError, match=r"'env_file' \"missing.env\" is not a file"):
        load("services:\n  web:\n    image: busybox\n    env_file: [{path: missing.env}]\n")
