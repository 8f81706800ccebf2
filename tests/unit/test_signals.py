"""Ctrl-C and its kin: the exit code says which signal, and the graceful stop drains output while it runs."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from fig.cli.signals import Held, Interrupted, interrupt_code, shutdown, signals_as_interrupt


@pytest.mark.parametrize("interrupt,code", [(KeyboardInterrupt(), 130), (Interrupted(signal.SIGTERM), 143),
                                            (Interrupted(signal.SIGHUP), 129)])
def test_the_exit_code_is_128_plus_the_signal(interrupt, code):
    assert interrupt_code(interrupt) == code


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_interrupt_as_ctrl_c_does(signum):
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    signals_as_interrupt()
    try:
        with pytest.raises(KeyboardInterrupt) as caught:
            os.kill(os.getpid(), signum)
            time.sleep(1)
        assert interrupt_code(caught.value) == 128 + signum
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


def test_the_drain_runs_until_the_graceful_stop_has_finished():
    stopped = threading.Event()
    drained: list[bool] = []

    def graceful() -> None:
        time.sleep(0.3)
        stopped.set()

    def drain(finished: threading.Event) -> None:
        assert not finished.is_set()  # it runs while the containers stop
        finished.wait(5)
        drained.append(stopped.is_set())

    shutdown(graceful, lambda: pytest.fail("forced"), drain=drain)
    assert drained == [True]


def test_an_error_of_the_graceful_stop_is_raised_after_the_drain():
    def graceful() -> None:
        raise RuntimeError("the engine went away")

    with pytest.raises(RuntimeError, match="went away"):
        shutdown(graceful, lambda: None, drain=lambda finished: finished.wait(5))


@pytest.fixture
def as_interrupt():
    before = {s: signal.getsignal(s) for s in Held.SIGNALS}
    signals_as_interrupt()
    yield
    for s, handler in before.items():
        signal.signal(s, handler)


def test_a_held_signal_is_raised_at_the_check_and_not_before(as_interrupt):
    with Held() as held:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.1)  # where it would have been raised
        with pytest.raises(Interrupted) as caught:
            held.check()
        held.check()  # once only
    assert caught.value.signum == signal.SIGTERM
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handlers are back


def test_a_second_signal_while_one_is_held_is_raised_at_once(as_interrupt):
    """A writer stuck on a full pipe never reaches its check: pressing Ctrl-C again still gets through."""
    with Held():
        os.kill(os.getpid(), signal.SIGHUP)
        with pytest.raises(KeyboardInterrupt) as caught:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
    assert not isinstance(caught.value, Interrupted)


def test_a_signal_after_the_last_check_is_raised_on_leaving(as_interrupt):
    with pytest.raises(KeyboardInterrupt):
        with Held():
            os.kill(os.getpid(), signal.SIGINT)
    with pytest.raises(RuntimeError):  # one already on its way out is not replaced
        with Held():
            os.kill(os.getpid(), signal.SIGINT)
            raise RuntimeError


def test_an_ignored_signal_stays_ignored(as_interrupt):
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    with Held() as held:
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
        os.kill(os.getpid(), signal.SIGHUP)
        held.check()
    assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN


def test_off_the_main_thread_nothing_is_held(as_interrupt):
    """Only the main thread may set handlers; the printer of a library caller's thread runs as before."""
    outcome: list[object] = []

    def enter() -> None:
        try:
            with Held() as held:
                outcome.append(signal.getsignal(signal.SIGINT))
                held.check()
        except BaseException as e:
            outcome.append(e)

    thread = threading.Thread(target=enter)
    thread.start()
    thread.join()
    assert outcome == [signal.default_int_handler]
