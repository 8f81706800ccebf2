""".env and env_file read with the rules docker compose documents (tests/fixtures/dotenv: one file per rule), and
container paths cleaned as compose cleans them (tests/fixtures/paths)."""

from __future__ import annotations

import logging
import shutil

import pytest

from fig.config import load_project
from fig.config.dotenv import read_env_file
from fig.errors import ConfigError
from tests.unit.conftest import FIXTURES

DOTENV = FIXTURES / "dotenv"


def _read(name: str, environ: dict[str, str] | None = None) -> dict[str, str]:
    return read_env_file(str(DOTENV / name), environ=environ or {})


def test_comments_blank_lines_and_inline_comments_after_a_space():
    assert _read("comments.env") == {
        "URL": "example.com", "HASH": "abc#def", "QUOTED_HASH": "value # not a comment", "AFTER_QUOTE": "value",
        "SINGLE_AFTER_QUOTE": "value", "EMPTY": "", "INDENTED": "spaced out",
    }


def test_single_and_double_quotes():
    assert _read("quotes.env", {"HOME": "/root"}) == {
        "DOUBLE": "double quoted", "SINGLE": "single quoted", "SINGLE_LITERAL": "$HOME ${HOME} \\t stays",
        "ESCAPED_SINGLE": "Let's go!", "JSON": '{"hello": "json"}', "INNER_SINGLE": "it's",
        "INNER_DOUBLE": 'say "hi"',
    }


def test_escapes_only_in_double_quotes():
    assert _read("escapes.env", {"HOME": "/root"}) == {
        "TAB": "some\tvalue", "NEWLINE": "one\ntwo", "RETURN": "a\rb", "BACKSLASH": "back\\slash",
        "DOLLAR": "$HOME", "UNQUOTED": "some\\tvalue", "SINGLE": "some\\tvalue", "OTHER": "keeps \\q as it is",
    }


def test_export_prefixes():
    assert _read("export.env") == {"EXPORTED": "yes", "SPACED": "also", "NOT_EXPORTED": "no"}


def test_quoted_values_may_span_lines():
    assert _read("multiline.env") == {"CERT": "-----BEGIN-----\nline two\n-----END-----",
                                      "SINGLE_LINES": "first\nsecond", "AFTER": "after"}


def test_interpolation_from_the_caller_then_from_the_lines_above(caplog):
    with caplog.at_level(logging.WARNING):
        values = _read("interpolation.env", {"CALLER": "caller", "INHERITED": "from caller"})
    assert values == {
        "BASE": "/srv", "APP_DIR": "/srv/app", "UNBRACED": "/srv/bin", "DEFAULTED": "fallback",
        "FROM_CALLER": "caller", "QUOTED_REF": "/srv/quoted", "LITERAL_REF": "${BASE}/literal",
        "ESCAPED": "${BASE}", "INHERITED": "from caller",
    }
    assert _read("interpolation.env")["FROM_CALLER"] == ""  # unset: blank, with a warning naming file and line
    assert "interpolation.env:5: the CALLER variable is not set" in caplog.text
    assert "INHERITED" not in _read("interpolation.env")  # a bare KEY nobody sets is left out


def test_compose_go_rules_key_colon_value_export_tab_escapes_braces():
    """What compose-go's parser reads beyond the documented rules (each checked with Compose v2 2.26.1)."""
    assert _read("compose_rules.env") == {
        "K1": "v1", "TABBED": "t", "BELL": "\a\b\f\v", "OCTAL": "A\\\\12", "D": "x", "E": "y", "F": "q",
        "H": '{"j":1}', "J.K-L[0]": "w",
    }


def test_another_statement_may_follow_a_closing_quote():
    assert _read("after_quote.env", {"trailing": "t"}) == {"A": "closed", "trailing": "t"}


def test_the_later_of_two_env_files_wins(tmp_path):
    (tmp_path / "a.env").write_text("TAG=first\nONLY_A=a\n")
    (tmp_path / "b.env").write_text("TAG=second\n")
    (tmp_path / "compose.yml").write_text("services:\n  web:\n    image: busybox:$TAG\n    labels: [a=$ONLY_A]\n")
    config = load_project((), project_name="figtest", environ={}, cwd=str(tmp_path), env_files=["a.env", "b.env"])
    assert config.service("web").image == "busybox:second" and dict(config.service("web").labels) == {"a": "a"}


def test_a_byte_order_mark_is_dropped(tmp_path):
    (tmp_path / "bom.env").write_bytes(b"\xef\xbb\xbfFIRST=1\n")
    assert read_env_file(str(tmp_path / "bom.env")) == {"FIRST": "1"}


def test_crlf_line_endings(tmp_path):
    (tmp_path / "crlf.env").write_bytes(b'A=1\r\nB="two"\r\n')
    assert read_env_file(str(tmp_path / "crlf.env")) == {"A": "1", "B": "two"}


@pytest.mark.parametrize("name, message", [
    ("unclosed.env", "unclosed.env:1: unterminated quoted value \"never closed"),
    ("not_a_pair.env", "not_a_pair.env:2: key 'not a pair' cannot contain a space"),
    ("invalid_name.env", "invalid_name.env:2: unexpected character '$' in variable name 'lol$wut'"),
    ("required.env", "required.env:1: required variable REQUIRED is missing a value: must be set"),
])
def test_malformed_files_name_the_file_and_line(name, message):
    with pytest.raises(ConfigError) as info:
        _read(f"bad/{name}")
    assert str(info.value).endswith(message)


def test_dotenv_values_reach_the_compose_file_and_env_file_uses_them(tmp_path):
    (tmp_path / ".env").write_text("URL=example.com # a comment\nFULL=https://${URL}/\n")
    (tmp_path / "web.env").write_text("LINK=${FULL}index.html # where to go\n")
    (tmp_path / "compose.yml").write_text(
        "services:\n  web:\n    image: busybox\n    env_file: web.env\n    labels: {url: '${URL}'}\n")
    web = load_project((), project_name="figtest", environ={}, cwd=str(tmp_path)).service("web")
    assert dict(web.labels) == {"url": "example.com"}
    assert dict(web.environment) == {"LINK": "https://example.com/index.html"}


def test_a_dotenv_or_env_file_that_is_a_directory_is_one_line(tmp_path):
    (tmp_path / ".env").mkdir()
    (tmp_path / "fig.yml").write_text("web:\n  image: busybox\n")
    with pytest.raises(ConfigError, match=r"\.env: is a directory, not an env file$"):
        load_project((), project_name="figtest", environ={}, cwd=str(tmp_path))


def test_container_paths_are_cleaned_as_compose_cleans_them(tmp_path):
    shutil.copytree(FIXTURES / "paths", tmp_path / "paths")
    web = load_project((), project_name="figtest", environ={}, cwd=str(tmp_path / "paths")).service("web")
    assert web.working_dir == "/var/www/html"
    assert [v.target for v in web.volumes] == ["/var/www/html", "/var/cache/app", "/etc/app/conf"]
    assert web.tmpfs == ("/run", "/tmp/x:size=1m")
    assert web.devices == ("/dev/null:/dev/mynull:rwm",)
    assert [s.target for s in web.secrets] == ["/run/secrets/token"]


def test_two_mounts_on_one_path_written_differently_are_found(load):
    with pytest.raises(ConfigError, match="mounts /data again"):
        load("web:\n  image: busybox\n  volumes: [/data, '/data/']\n")


def test_a_dotenv_that_is_a_dangling_link_is_no_dotenv(tmp_path):
    """mailcow's .env links to a file its setup writes later: Compose v2 reads the project without it."""
    (tmp_path / ".env").symlink_to(tmp_path / "mailcow.conf")
    (tmp_path / "compose.yml").write_text("services:\n  web:\n    image: busybox:${TAG:-1}\n")
    assert load_project((), project_name="figtest", environ={}, cwd=str(tmp_path)).service("web").image == "busybox:1"
