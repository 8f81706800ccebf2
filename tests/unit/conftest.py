"""Shared unit-test helpers: fig.yml files in a temp dir, loaded into a Project on a FakeBackend."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from fig.config import load_project
from fig.config.model import ProjectConfig
from fig.project import Project
from tests.fakes import FakeBackend

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture(autouse=True, scope="session")
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Validation markers go to a cache of this run, not ~/.cache/fig: each run validates afresh."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """write("fig.yml", "web: ...") -> the file's path; text is dedented."""

    def _write(name: str, text: str, *, base: Path | None = None) -> Path:
        path = (base or tmp_path) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return path

    return _write


@pytest.fixture
def load(tmp_path: Path, write: Callable[..., Path]) -> Callable[..., ProjectConfig]:
    """load("web: {image: busybox}") writes tmp_path/fig.yml and loads it (project 'figtest', empty env)."""

    def _load(text: str | None = None, *, environ: Mapping[str, str] | None = None,
              project_name: str | None = "figtest", files: tuple[str, ...] = (), cwd: Path | None = None
              ) -> ProjectConfig:
        if text is not None:
            write("fig.yml", text)
        return load_project(files, project_name=project_name, environ=dict(environ or {}),
                            cwd=str(cwd or tmp_path))

    return _load


@pytest.fixture
def fixture_dir(tmp_path: Path) -> Callable[[str], Path]:
    """A copy of tests/fixtures/NAME in a temp dir, so paths resolve there and nothing is written to the repo."""

    def _copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(FIXTURES / name, target)
        return target

    return _copy


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def project(load: Callable[..., ProjectConfig], backend: FakeBackend) -> Callable[..., Project]:
    """project("fig.yml text") -> a Project named 'figtest' on the shared FakeBackend."""

    def _project(text: str | None = None, **kwargs: object) -> Project:
        return Project(load(text, **kwargs), backend, limit=4)

    return _project
