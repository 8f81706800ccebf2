"""Compose v2 as the reference: `fig compose config --format json` against Compose v2 2.26.1's on every file of
the corpus (script/corpus) and of fig's own fixtures, field by field, up to the normalisations of normal.py;
every difference must be explained by an entry of known.yaml, and every entry must still explain something.

Needs `script/corpus` (which also runs `script/peers`) to have run: script/test runs it first."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from tests.differential.compare import differences, load_known, refusal_problems
from tests.differential.runner import HERE, Outcome, corpus_files, corpus_root, run_all, shown

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Outcome, Outcome]]:
    files = corpus_files()
    missing = [f for f in files if not f.is_file()]
    assert not missing, f"the corpus is not set up ({missing[0]} is missing): run script/corpus"
    return {shown(path): pair for path, pair in run_all(files, tmp_path_factory.mktemp("home")).items()}


def test_the_corpus_is_large_and_varied() -> None:
    rows = [line.split("\t") for line in (HERE / "corpus.tsv").read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    projects = {row[0].split(" (")[0] for row in rows}
    tarballs = {row[2]: row[0] for row in rows}
    listed = [f for f in corpus_files() if f.is_relative_to(corpus_root())]
    per_project = collections.Counter(tarballs[f.relative_to(corpus_root()).parts[0]].split(" (")[0] for f in listed)
    assert len(listed) >= 300 and len(projects) >= 10, (len(listed), sorted(projects))
    assert set(per_project) == projects, f"projects without a file: {projects - set(per_project)}"


def test_fig_reads_every_file_as_compose_v2_does(results: dict[str, tuple[Outcome, Outcome]]) -> None:
    known = load_known(HERE / "known.yaml")
    unexplained = []
    for file, (v2, fig) in results.items():
        for diff in differences(file, v2, fig):
            matches = [entry for entry in known if entry.explains(diff)]
            for entry in matches:
                entry.used += 1
            if not matches:
                unexplained.append(str(diff))
    stale = [f"[{entry.owner}] {entry.reason}" for entry in known if not entry.used]
    report = [f"{len(unexplained)} differences no entry of known.yaml explains:", *unexplained[:200]]
    assert not unexplained, "\n".join(report)
    assert not stale, "known.yaml entries that explain nothing any more (remove them):\n" + "\n".join(stale)


def test_a_file_fig_refuses_is_refused_in_one_line(results: dict[str, tuple[Outcome, Outcome]]) -> None:
    problems = [p for file, (v2, fig) in results.items() for p in refusal_problems(file, v2, fig)]
    assert not problems, "\n".join(problems)


def test_both_refuse_what_compose_v2_refuses(results: dict[str, tuple[Outcome, Outcome]]) -> None:
    """The corpus has files Compose v2 refuses, and fig refuses them too (those it reads are listed in
    known.yaml as v2-refuses, each with its reason)."""
    both = [file for file, (v2, fig) in results.items() if not v2.ok and not fig.ok]
    assert len(both) >= 20, both


def test_normal_form_matches_on_most_files(results: dict[str, tuple[Outcome, Outcome]]) -> None:
    """A guard against a known.yaml that explains everything away: most files both read give equal outputs."""
    read = [file for file, (v2, fig) in results.items() if v2.ok and fig.ok]
    equal = [file for file in read if not differences(file, *results[file])]
    assert len(read) >= 150 and len(equal) >= len(read) // 2, (len(read), len(equal))


def test_results_cover_the_whole_corpus(results: dict[str, tuple[Outcome, Outcome]]) -> None:
    assert len(results) == len(corpus_files()) and all(isinstance(f, str) for f in results)
    assert Path(corpus_root()).is_dir()
