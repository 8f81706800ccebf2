"""Of the ready items, those with the longest chain of items waiting on them run first."""

import threading

from fig.parallel import execute


def run_in_order(deps: dict[str, list[str]], limit: int) -> list[str]:
    seen: list[str] = []
    lock = threading.Lock()

    def fn(k: str) -> str:
        with lock:
            seen.append(k)
        return k

    outcome = execute(list(deps), fn, key=lambda k: k, deps=lambda k: deps[k], limit=limit)
    assert set(outcome.results) == set(deps) and not outcome.failures
    return seen


def test_the_head_of_a_chain_goes_before_independent_items():
    # c waits on b, which waits on a: a heads the longest chain
    assert run_in_order({"x": [], "y": [], "a": [], "b": ["a"], "c": ["b"]}, limit=1) == ["a", "b", "x", "y", "c"]


def test_ties_keep_the_given_order():
    assert run_in_order({"x": [], "y": [], "z": []}, limit=1) == ["x", "y", "z"]


def test_a_tree_is_started_leaves_first():
    # t1 links t2 and t3, which link t4..t7: the leaves head chains of 3
    deps = {"s1": [], "s2": [], "t1": ["t2", "t3"], "t2": ["t4", "t5"], "t3": ["t6", "t7"],
            "t4": [], "t5": [], "t6": [], "t7": []}
    order = run_in_order(deps, limit=1)
    assert order[:4] == ["t4", "t5", "t6", "t7"]
    assert order.index("t1") > order.index("t2")
