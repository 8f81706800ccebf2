"""Every file of the corpus (script/corpus) and of fig's fixtures comes back from the parse cache as the parser made
it: the cache must be exact on the compose files people write, not only on the unit tests' documents."""

from __future__ import annotations

import os

from fig.config import loader, yamlparse
from fig.errors import ConfigError
from tests.differential.runner import corpus_files
from tests.trees import assert_same_tree


def test_every_file_reads_back_from_the_cache_as_parsed(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    files = corpus_files()
    assert len(files) >= 300, "the corpus is not set up: run script/corpus"
    parse = yamlparse.parse
    cached = 0
    for path in files:
        text = path.read_text(encoding="utf-8-sig")
        monkeypatch.setattr(yamlparse, "parse", parse)
        try:
            parsed = loader.parse_document(text, str(path))
        except ConfigError:
            continue  # refused files are never cached
        if not os.path.exists(loader._cached_path(text, str(path)) or ""):
            continue  # a tree the cache cannot hold exactly (a timestamp, a set)
        monkeypatch.setattr(yamlparse, "parse", None)  # the second read must not parse
        again = loader.parse_document(text, str(path))
        assert again[1] == parsed[1], path
        assert_same_tree(parsed[0], again[0], {})
        cached += 1
    assert cached >= 0.95 * len(files), f"only {cached} of {len(files)} files were cached"
