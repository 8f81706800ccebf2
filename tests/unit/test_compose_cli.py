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

    def fake(options, environ=None, *, naming, swarm=False):
        got.update(options=dict(options), naming=naming)
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
    assert seen["naming"].separator == "-"


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
