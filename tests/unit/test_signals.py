"""Ctrl-C and its kin: the exit code says which signal, and the graceful stop drains output while it runs."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from fig.cli.signals import Interrupted, interrupt_code, shutdown, signals_as_interrupt


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
