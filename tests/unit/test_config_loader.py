"""fig/config/loader.py: file discovery, project names and safe YAML."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fig.config import load_project
from fig.config.loader import MAX_BYTES, parse_yaml, read_file
from fig.config.sources import find_files
from fig.errors import ConfigError

SIMPLE = "web:\n  image: busybox\n"


# -- file discovery ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("present, explicit, environ, expected", [
    (["fig.yml"], [], {}, ["fig.yml"]),
    (["fig.yaml"], [], {}, ["fig.yaml"]),
    (["fig.yml", "fig.yaml"], [], {}, ["fig.yml"]),
    (["fig.yml", "fig.override.yml"], [], {}, ["fig.yml", "fig.override.yml"]),
    (["fig.yaml", "fig.override.yaml"], [], {}, ["fig.yaml", "fig.override.yaml"]),
    (["fig.yml", "other.yml"], ["other.yml"], {}, ["other.yml"]),
    (["fig.yml", "a.yml", "b.yml"], ["a.yml", "b.yml"], {}, ["a.yml", "b.yml"]),
    (["fig.yml", "env.yml"], [], {"FIG_FILE": "env.yml"}, ["env.yml"]),
    (["fig.yml", "a.yml", "b.yml"], [], {"FIG_FILE": f"a.yml{os.pathsep}b.yml"}, ["a.yml", "b.yml"]),
    (["fig.yml", "env.yml"], [], {"COMPOSE_FILE": "env.yml"}, ["env.yml"]),
    (["fig.yml", "flag.yml", "env.yml"], ["flag.yml"], {"FIG_FILE": "env.yml"}, ["flag.yml"]),
])
def test_find_files(tmp_path: Path, present, explicit, environ, expected):
    for name in present:
        (tmp_path / name).write_text(SIMPLE)
    assert find_files(explicit, environ, str(tmp_path)) == expected


def test_find_files_walks_up_to_a_parent(tmp_path: Path):
    (tmp_path / "fig.yml").write_text(SIMPLE)
    (tmp_path / "fig.override.yml").write_text(SIMPLE)
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_files([], {}, str(deep)) == [str(tmp_path / "fig.yml"), str(tmp_path / "fig.override.yml")]


def test_no_file_anywhere_is_a_config_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="Can't find a suitable configuration file"):
        find_files([], {}, str(tmp_path))


def test_missing_explicit_file_names_it(tmp_path: Path):
    with pytest.raises(ConfigError, match=r"nope\.yml: no such file"):
        load_project(["nope.yml"], environ={}, cwd=str(tmp_path))


def test_a_file_found_in_a_parent_resolves_paths_there(tmp_path: Path):
    (tmp_path / "fig.yml").write_text("web:\n  image: busybox\n  volumes: ['./code:/code']\n")
    deep = tmp_path / "sub"
    deep.mkdir()
    config = load_project(environ={}, cwd=str(deep))
    assert config.service("web").volumes[0].source == str(tmp_path / "code")
    assert config.working_dir == str(tmp_path)


# -- project name -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("explicit, environ, expected", [
    ("Explicit", {"FIG_PROJECT_NAME": "fromfig", "COMPOSE_PROJECT_NAME": "fromcompose"}, "explicit"),
    (None, {"FIG_PROJECT_NAME": "FromFig", "COMPOSE_PROJECT_NAME": "fromcompose"}, "fromfig"),
    (None, {"COMPOSE_PROJECT_NAME": "From_Compose"}, "fromcompose"),
    ("My-App_1.0", {}, "myapp10"),
])
def test_project_name_precedence(tmp_path: Path, explicit, environ, expected):
    (tmp_path / "fig.yml").write_text(SIMPLE)
    assert load_project(project_name=explicit, environ=environ, cwd=str(tmp_path)).name == expected


def test_project_name_from_the_directory_of_the_file(tmp_path: Path):
    """The directory is the one holding fig.yml, not the process's working directory."""
    directory = tmp_path / "My Dir-1"
    directory.mkdir()
    (directory / "fig.yml").write_text(SIMPLE)
    assert load_project(environ={}, cwd=str(directory)).name == "mydir1"


def test_project_name_from_name_key_in_compose_format(tmp_path: Path):
    (tmp_path / "fig.yml").write_text("name: Named-App\nservices:\n  web:\n    image: busybox\n")
    assert load_project(environ={}, cwd=str(tmp_path)).name == "named-app"  # Compose v2 keeps '-' and '_'
    assert load_project(environ={"FIG_PROJECT_NAME": "env"}, cwd=str(tmp_path)).name == "env"


COMPOSE = "services:\n  web:\n    image: busybox:${COMPOSE_PROJECT_NAME}\n"


@pytest.mark.parametrize("directory, text, expected", [
    ("nginx-flask-mysql", COMPOSE, "nginx-flask-mysql"),  # Compose v2's name in either dialect
    ("My Dir_1.0", COMPOSE, "mydir_10"),
    ("_x-", COMPOSE, "x-"),
    ("nginx-flask-mysql", SIMPLE, "nginxflaskmysql"),  # a Fig-format fig.yml keeps Fig's
])
def test_project_name_from_the_directory_by_the_format(tmp_path: Path, directory, text, expected):
    (tmp_path / directory).mkdir()
    (tmp_path / directory / ("compose.yaml" if "services" in text else "fig.yml")).write_text(text)
    for strict in (False, True):
        assert load_project(environ={}, cwd=str(tmp_path / directory), strict_name=strict).name == expected


def test_compose_project_name_is_usable_in_the_file_and_name_is_interpolated(tmp_path: Path):
    (tmp_path / "compose.yaml").write_text('name: "MY_${X:-PRO}.j"\n' + COMPOSE)
    config = load_project(environ={}, cwd=str(tmp_path))
    assert config.name == "my_proj" and config.service("web").image == "busybox:my_proj"
    (tmp_path / ".env").write_text("COMPOSE_PROJECT_NAME=from_dotenv\n")
    config = load_project(environ={}, cwd=str(tmp_path))
    assert config.name == "from_dotenv" and config.service("web").image == "busybox:from_dotenv"


@pytest.mark.parametrize("given, fig_dialect, compose_dialect", [
    ("my_project", "my_project", "my_project"),
    ("MY_PROJECT", "my_project", None),
    ("-x", "x", None),
    ("www.x", "wwwx", None),
])
def test_a_given_compose_project_name_is_refused_in_compose_s_dialect_when_v2_refuses_it(tmp_path, given, fig_dialect,
                                                                                        compose_dialect):
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    assert load_project(project_name=given, environ={}, cwd=str(tmp_path)).name == fig_dialect
    for how in ({"project_name": given, "environ": {}}, {"environ": {"COMPOSE_PROJECT_NAME": given}}):
        if compose_dialect:
            assert load_project(cwd=str(tmp_path), strict_name=True, **how).name == compose_dialect  # type: ignore
            continue
        with pytest.raises(ConfigError) as info:
            load_project(cwd=str(tmp_path), strict_name=True, **how)  # type: ignore[arg-type]
        assert str(info.value) == (f"invalid project name {given!r}: must consist only of lowercase alphanumeric "
                                   "characters, hyphens, and underscores as well as start with a letter or number")


def test_compose_variables_set_in_dotenv_choose_files_and_profiles(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.yml").write_text("services:\n  web:\n    image: busybox\n    profiles: [p]\n")
    (tmp_path / "sub" / "b.yml").write_text("services:\n  web:\n    command: [b]\n")
    (tmp_path / ".env").write_text("COMPOSE_FILE=sub/a.yml;sub/b.yml\nCOMPOSE_PATH_SEPARATOR=;\nCOMPOSE_PROFILES=p,q\n")
    config = load_project(environ={}, cwd=str(tmp_path))
    assert config.files == ("sub/a.yml", "sub/b.yml") and config.service("web").command == ("b",)
    assert config.profiles == ("p", "q") and config.selected() == ["web"]
    environ = {"COMPOSE_FILE": "sub/a.yml"}  # the environment wins over .env
    assert load_project(environ=environ, cwd=str(tmp_path)).files == ("sub/a.yml",)


def test_compose_env_files_replace_dotenv(tmp_path: Path):
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: busybox:${TAG}\n")
    (tmp_path / ".env").write_text("TAG=dotenv\n")
    (tmp_path / "a.env").write_text("TAG=a\n")
    (tmp_path / "b.env").write_text("TAG=b\n")
    config = load_project(environ={"COMPOSE_ENV_FILES": "a.env,b.env"}, cwd=str(tmp_path))
    assert config.service("web").image == "busybox:b" and config.env_files == (str(tmp_path / "a.env"),
                                                                                 str(tmp_path / "b.env"))


@pytest.mark.parametrize("name", ["---", "_", "!!"])
def test_project_name_without_letters_or_digits_is_an_error(tmp_path: Path, name):
    (tmp_path / "fig.yml").write_text(SIMPLE)
    with pytest.raises(ConfigError, match="no letters or digits"):
        load_project(project_name=name, environ={}, cwd=str(tmp_path))


# -- safe YAML --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "web: !!python/object/apply:os.system ['echo pwned']\n",
    "web: !!python/name:os.system\n",
    "web: !!python/object:os.PathLike {}\n",
    "web: !custom thing\n",
])
def test_python_and_unknown_tags_are_refused(text):
    with pytest.raises(ConfigError, match=r"^f\.yml:1: invalid YAML: unsupported YAML tag"):
        parse_yaml(text, "f.yml")


def test_duplicate_keys_are_refused_with_their_line():
    with pytest.raises(ConfigError, match=r"^f\.yml:4: duplicate key 'image'"):
        parse_yaml("web:\n  image: a\n  command: x\n  image: b\n", "f.yml")


def test_duplicate_service_names_are_refused():
    with pytest.raises(ConfigError, match=":3: duplicate key 'web'"):
        parse_yaml("web:\n  image: a\nweb:\n  image: b\n", "f.yml")


def test_merge_keys_are_not_duplicates():
    data = parse_yaml("base: &b {image: a}\nweb:\n  <<: *b\n  command: x\n", "f.yml")
    assert dict(data["web"]) == {"image": "a", "command": "x"}


def test_deep_nesting_is_refused():
    with pytest.raises(ConfigError, match="nesting deeper than 100 levels"):
        parse_yaml("a: " + "[" * 150 + "]" * 150 + "\n", "f.yml")


def test_alias_bomb_is_refused():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    with pytest.raises(ConfigError, match="aliases expand to more than"):
        parse_yaml("\n".join(lines) + "\n", "f.yml")


def test_modest_aliases_are_fine():
    data = parse_yaml("env: &e {A: '1'}\nweb: {image: a, environment: *e}\nx: {image: b, environment: *e}\n", "f")
    assert data["x"]["environment"] == {"A": "1"}


def test_files_over_10_mb_are_refused(tmp_path: Path):
    path = tmp_path / "fig.yml"
    with open(path, "w") as f:
        f.write(SIMPLE)
        f.write("#" + "x" * MAX_BYTES + "\n")
    with pytest.raises(ConfigError, match="larger than 10 MB"):
        read_file(str(path))


def test_a_file_just_under_the_limit_is_read(tmp_path: Path):
    path = tmp_path / "fig.yml"
    path.write_text(SIMPLE + "#" + "x" * 1000 + "\n")
    assert read_file(str(path)).data == {"web": {"image": "busybox"}}


def test_yaml_syntax_error_names_file_and_line():
    with pytest.raises(ConfigError, match=r"^f\.yml:3: invalid YAML"):
        parse_yaml("web:\n  image: a\n  - b\n", "f.yml")


def test_a_tab_in_the_indentation_is_named():
    with pytest.raises(ConfigError, match=r"^f\.yml:2: invalid YAML: a tab character where YAML allows only spaces"):
        parse_yaml("web:\n\timage: a\n", "f.yml")


def test_a_tab_inside_a_quoted_value_is_fine():
    assert parse_yaml('web:\n  command: "a\tb"\n', "f.yml") == {"web": {"command": "a\tb"}}


def test_loader_keeps_line_numbers():
    data = parse_yaml("web:\n  image: a\n  ports:\n    - '80'\n    - '81'\n", "f")
    assert data.lines["web"] == 1
    assert data["web"].lines["ports"] == 3
    assert data["web"]["ports"].lines == [4, 5]


@pytest.mark.parametrize("ports", ["22:22", "1:30"])
def test_base_60_port_is_explained(tmp_path: Path, ports):
    (tmp_path / "fig.yml").write_text(f"web:\n  image: busybox\n  ports:\n    - {ports}\n")
    with pytest.raises(ConfigError) as info:
        load_project(environ={}, cwd=str(tmp_path))
    message = str(info.value)
    assert message.startswith("fig.yml:4: service 'web'") and "'ports'" in message
    assert "base-60" in message and "quot" in message
    assert f'"{ports}"' in message  # shows what was written, quoted, not the number YAML made of it


def test_quoted_port_is_not_base_60(tmp_path: Path):
    (tmp_path / "fig.yml").write_text('web:\n  image: busybox\n  ports:\n    - "22:22"\n')
    assert str(load_project(environ={}, cwd=str(tmp_path)).service("web").ports[0]) == "22:22"


def test_empty_file_is_an_error(tmp_path: Path):
    (tmp_path / "fig.yml").write_text("# nothing\n")
    with pytest.raises(ConfigError, match="the file is empty"):
        load_project(environ={}, cwd=str(tmp_path))
