"""fig/cli/options.py: the values of v2 flags read once, and one line naming the flag for a bad one."""

from __future__ import annotations

import datetime
import math
import time

import pytest

from fig.cli import options as opts
from fig.cli.dialect import COMPOSE, FIG
from fig.errors import UserError


def _unix(stamp: str) -> float:
    return datetime.datetime.fromisoformat(stamp.replace("000Z", "+00:00")).timestamp()


@pytest.mark.parametrize("text, expected", [
    ("2013-01-02T13:23:37Z", datetime.datetime(2013, 1, 2, 13, 23, 37, tzinfo=datetime.timezone.utc).timestamp()),
    ("2013-01-02T13:23:37.5+01:00", datetime.datetime(2013, 1, 2, 12, 23, 37, 500000,
                                                      tzinfo=datetime.timezone.utc).timestamp()),
    ("1357133017", 1357133017.0),
    ("1357133017.25", 1357133017.25),
])
def test_times_in_every_form_become_rfc3339_utc(text, expected):
    stamp = opts.moment({"--since": text}, "--since")
    assert stamp is not None and stamp.endswith("Z") and len(stamp.split(".")[1]) == 10
    assert _unix(stamp) == pytest.approx(expected)


@pytest.mark.parametrize("text, seconds", [("42m", 2520), ("1h30m", 5400), ("10s", 10), ("1.5h", 5400)])
def test_a_duration_is_that_long_before_now(text, seconds):
    stamp = opts.moment({"--until": text}, "--until")
    assert _unix(stamp) == pytest.approx(time.time() - seconds, abs=2)


@pytest.mark.parametrize("text", ["yesterday", "42", "12x", "", "2013-13-02"])
def test_a_time_that_is_none_of_those_names_the_flag(text):
    if text == "42":  # unix seconds: valid
        assert opts.moment({"--since": text}, "--since")
        return
    with pytest.raises(UserError, match="^--since must be a time"):
        opts.moment({"--since": text}, "--since")


@pytest.mark.parametrize("value, expected", [("KILL", "SIGKILL"), ("sigterm", "SIGTERM"), ("SIGUSR1", "SIGUSR1"),
                                             ("9", "9")])
def test_signals(value, expected):
    assert opts.signal_name({"--signal": value}) == expected


@pytest.mark.parametrize("value", ["NOPE", "0", "99", "SIG"])
def test_a_bad_signal_names_the_flag(value):
    with pytest.raises(UserError, match="^--signal must be a signal"):
        opts.signal_name({"--signal": value})


def test_wait_timeouts_follow_the_dialect_and_zero_means_no_limit():
    assert opts.wait_for({"--wait": False, "--wait-timeout": None}, FIG) is None
    assert opts.wait_for({"--wait": True, "--wait-timeout": None}, FIG) == 120
    assert opts.wait_for({"--wait": True, "--wait-timeout": None}, COMPOSE) == math.inf
    assert opts.wait_for({"--wait": True, "--wait-timeout": "0"}, FIG) == math.inf
    assert opts.wait_for({"--wait": True, "--wait-timeout": "7"}, COMPOSE) == 7
    for bad in ("-1", "soon"):
        with pytest.raises(UserError, match="^--wait-timeout must be"):
            opts.wait_for({"--wait": True, "--wait-timeout": bad}, FIG)


def _ps(**given):
    options = {"--status": [], "--filter": [], "--all": False, "--orphans": None, "--format": "table",
               "--no-trunc": False, **given}
    return options


def test_ps_query_reads_the_dialect_and_any_status_implies_all():
    assert opts.ps_query(_ps(), FIG).all and not opts.ps_query(_ps(), COMPOSE).all
    assert opts.ps_query(_ps(**{"--all": True}), COMPOSE).all
    query = opts.ps_query(_ps(**{"--status": ["exited"], "--filter": ["status=paused"]}), COMPOSE)
    assert query.all and query.states == {"exited", "paused"}
    assert opts.ps_query(_ps(**{"--orphans": "false"}), COMPOSE).orphans is False
    assert opts.ps_query(_ps(), COMPOSE).orphans and not opts.ps_query(_ps(), FIG).orphans
    assert opts.ps_query(_ps(**{"--format": "json"}), FIG).json


@pytest.mark.parametrize("given, flag", [({"--status": ["sleeping"]}, "--status"), ({"--filter": ["name=x"]}, "--filter"),
                                         ({"--filter": ["status"]}, "--filter"), ({"--format": "xml"}, "--format"),
                                         ({"--orphans": "maybe"}, "--orphans")])
def test_ps_bad_values_name_the_flag(given, flag):
    with pytest.raises(UserError, match=f"^{flag}"):
        opts.ps_query(_ps(**given), FIG)


def test_key_values_take_a_bare_key_from_the_environment(monkeypatch):
    monkeypatch.setenv("FROM_HOST", "h")
    monkeypatch.delenv("NOT_SET", raising=False)
    assert opts.key_values(["A=1", "FROM_HOST", "NOT_SET", "B=x=y"], "--build-arg") == [
        ("A", "1"), ("FROM_HOST", "h"), ("B", "x=y")]
    with pytest.raises(UserError, match="^Invalid --build-arg '=1'"):
        opts.key_values(["=1"], "--build-arg")
