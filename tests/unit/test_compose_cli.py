"""`fig compose ...`: Compose v2's global options after the word, the same handlers, the dialect as data."""

from __future__ import annotations

import pytest

from fig.cli import main as cli


def test_compose_help_shows_composes_grammar(capsys):
    assert cli.main(["compose", "--help"]) == 0
    out = capsys.readouterr().out
    assert "fig compose [-f FILE]..." in out and "--compatibility" in out
    assert "compose  Speak" not in out
    assert cli.main(["help", "compose"]) == 0
    assert "fig compose [-f FILE]..." in capsys.readouterr().out


def test_usage_errors_name_the_compose_grammar(capsys):
    assert cli.main(["compose", "--bogus", "ps"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("no such option: --bogus") and "fig compose [" in err


@pytest.fixture
def seen(monkeypatch):
    """The global options and dialect a command was dispatched with (no engine is contacted)."""
    got: dict[str, object] = {}

    def fake(options, environ=None, *, naming, swarm=False, strict_name=False):
        got.update(options=dict(options), naming=naming, strict_name=strict_name)
        raise SystemExit(0)

    import fig.cli.bootstrap

    monkeypatch.setattr(fig.cli.bootstrap, "project_from_options", fake)
    return got


def test_options_before_the_word_count_and_those_after_it_win(seen, monkeypatch):
    monkeypatch.delenv("COMPOSE_COMPATIBILITY", raising=False)
    with pytest.raises(SystemExit):
        cli.main(["-p", "outer", "-f", "a.yml", "compose", "-p", "inner", "--profile", "x", "ps"])
    options = seen["options"]
    assert options["--project-name"] == "inner" and options["--file"] == ["a.yml"] and options["--profile"] == ["x"]
    assert seen["naming"].separator == "-" and seen["strict_name"]  # a name v2 refuses is refused
    with pytest.raises(SystemExit):
        cli.main(["-p", "outer", "ps"])
    assert not seen["strict_name"]


def test_compatibility_flag_and_variable(seen, monkeypatch):
    monkeypatch.delenv("COMPOSE_COMPATIBILITY", raising=False)
    with pytest.raises(SystemExit):
        cli.main(["compose", "--compatibility", "ps"])
    assert seen["naming"].separator == "_"
    monkeypatch.setenv("COMPOSE_COMPATIBILITY", "true")
    with pytest.raises(SystemExit):
        cli.main(["compose", "ps"])
    assert seen["naming"].separator == "_"
    with pytest.raises(SystemExit):
        cli.main(["ps"])  # fig's own dialect
    assert seen["naming"].separator == "_" and seen["naming"].slug is False


@pytest.mark.parametrize("argv, variables, expected", [
    ([], {}, None), ([], {"COMPOSE_PARALLEL_LIMIT": "3"}, 3), (["--parallel", "2"], {"COMPOSE_PARALLEL_LIMIT": "3"}, 2),
    ([], {"FIG_PARALLEL_LIMIT": "5"}, 5),
])
def test_parallel_limit_from_the_flag_then_compose_parallel_limit(tmp_path, argv, variables, expected):
    """COMPOSE_PARALLEL_LIMIT counts from the environment or from .env, as in Compose v2; without one, there is no
    limit (every operation that is ready runs)."""
    from fig.cli.bootstrap import project_from_options
    from fig.cli.docopt_command import parse
    from fig.cli.commands import TopLevelCommand
    from inspect import getdoc

    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: busybox\n")
    (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in variables.items()))
    options = parse(getdoc(TopLevelCommand) or "", [*argv, "-f", str(tmp_path / "compose.yaml"), "ps"],
                    options_first=True)
    project = project_from_options(options, {"DOCKER_HOST": "unix:///nonexistent"})
    assert project.limit == expected


def test_a_bad_compose_parallel_limit_is_one_line(tmp_path):
    from fig.cli.bootstrap import project_from_options
    from fig.errors import UserError

    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: busybox\n")
    with pytest.raises(UserError, match="^COMPOSE_PARALLEL_LIMIT must be a whole number, not 'x'$"):
        project_from_options({"--file": [str(tmp_path / "compose.yaml")]},
                             {"DOCKER_HOST": "unix:///nonexistent", "COMPOSE_PARALLEL_LIMIT": "x"})
