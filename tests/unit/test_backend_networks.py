"""A network the engine refuses to remove for its endpoints ("has active endpoints"): the error says whose they are.
dockerd 20.10 kept counting endpoints of removed containers after a `down` removed 300 at once, until it restarted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from fig import errors
from fig.backend.docker import DockerBackend
from tests.unit.test_backend_unixhttp import Handler, serving

REFUSAL = {"message": "error while removing network: network p_default id 5e1f has active endpoints"}


class Engine(Handler):
    refusals = 0  # how many removals are refused
    attached: dict[str, bool] = {}  # container id -> whether it exists
    seen: list[tuple[str, str]] = []

    def handle_any(self) -> None:
        Engine.seen.append((self.command, self.path))
        path = self.path.split("?")[0]
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.command == "DELETE" and path == "/v1.41/networks/p_default":
            if Engine.refusals:
                Engine.refusals -= 1
                self.reply(403, json.dumps(REFUSAL).encode())
            else:
                self.reply(204)
        elif path == "/v1.41/networks/p_default":
            self.reply(200, json.dumps({"Name": "p_default", "Containers": {
                cid: {"Name": f"p-{cid}-1"} for cid in Engine.attached}}).encode())
        elif path.startswith("/v1.41/containers/") and path.endswith("/json"):
            cid = path.split("/")[3]
            if Engine.attached.get(cid):
                self.reply(200, json.dumps({"Id": cid}).encode())
            else:
                self.reply(404, json.dumps({"message": f"No such container: {cid}"}).encode())
        else:
            self.reply(404, json.dumps({"message": "page not found"}).encode())

    do_GET = do_POST = do_DELETE = handle_any


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[DockerBackend]:
    path = str(tmp_path / "engine.sock")
    Engine.seen, Engine.refusals, Engine.attached = [], 0, {}
    with serving(path, Engine):
        yield DockerBackend.from_env({"DOCKER_HOST": f"unix://{path}", "DOCKER_API_VERSION": "1.41"},
                                     plain_http=True)


def removals() -> int:
    return sum(1 for method, _ in Engine.seen if method == "DELETE")


def test_endpoints_of_containers_that_exist_are_named(engine):
    Engine.refusals, Engine.attached = 1, {"gone1": False, "other": True}
    with pytest.raises(errors.BackendError) as raised:
        engine.remove_network("p_default")
    assert str(raised.value) == "network p_default is still used by p-other-1: disconnect them from it, or remove " \
        "them, first"
    assert removals() == 1


def test_endpoints_of_removed_containers_are_the_daemons_own(engine):
    Engine.refusals, Engine.attached = 1, {"gone1": False, "gone2": False}
    with pytest.raises(errors.BackendError, match=r"^network p_default: the Docker daemon still counts endpoints of "
                                                  r"containers it has removed.*until it restarts"):
        engine.remove_network("p_default")
    assert removals() == 1


def test_other_refusals_are_the_engines(engine):
    Engine.refusals = 0
    engine.remove_network("p_default")
    with pytest.raises(errors.NotFound):
        engine.remove_network("other")
