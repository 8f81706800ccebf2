"""fig.config.yamlwrite on the corpus (script/corpus): for every file fig reads, `fig config`'s document written as
YAML is the text PyYAML's libyaml emitter writes for it, and reads back as the same document both as YAML 1.1
(PyYAML, docker-compose 1.x) and as a compose file (fig's parser, YAML 1.2 as compose-go reads it)."""

from __future__ import annotations

import json

import pytest
import yaml

from fig.config import yamlparse
from fig.config.yamlwrite import dump
from tests.differential.runner import corpus_files, environment, run_fig

pytestmark = pytest.mark.timeout(600)


def test_every_document_of_the_corpus_is_written_as_pyyaml_writes_it(tmp_path):
    files = corpus_files()
    assert len(files) >= 300, "the corpus is not set up: run script/corpus"
    env = environment(tmp_path)
    written = 0
    for path in files:
        outcome = run_fig(path, env)
        if outcome.code != 0:
            continue  # a file fig refuses has no document
        document = json.loads(outcome.out)
        text = dump(document)
        assert text == yaml.dump(document, Dumper=yaml.CSafeDumper, sort_keys=False, default_flow_style=False,
                                 allow_unicode=True, width=1 << 16), path
        assert yaml.safe_load(text) == document, path
        assert json.loads(json.dumps(yamlparse.parse(text, str(path))[0])) == document, path
        written += 1
    assert written >= 300, f"only {written} of {len(files)} files were read"
