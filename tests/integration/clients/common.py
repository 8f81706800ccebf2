"""What the client tests share: fig's executable, a small project to give them, and waiting for HTTP."""

from __future__ import annotations

import os
import sys
import time
import urllib.request
from pathlib import Path

import pytest

HERE = Path(sys.executable).parent


def fig_executable() -> str:
    """The `fig` console script of this installation (what a user puts in docker_compose_command)."""
    path = HERE / "fig"
    if not path.exists():
        pytest.fail(f"{path} is missing: install fig (pip install -e .) into this Python", pytrace=False)
    return str(path)


# A built service (for --build) that answers HTTP on port 80 and has a healthcheck (for --wait), and a plain one.
COMPOSE = """\
services:
  web:
    build: .
    image: {image}
    ports: ["80"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"]
      interval: 1s
      retries: 30
  worker:
    image: busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; echo worker ready; while :; do sleep 1; done"]
"""
DOCKERFILE = """\
FROM busybox:latest
RUN mkdir -p /www && echo "hello from fig" > /www/index.html
CMD ["httpd", "-f", "-p", "80", "-h", "/www"]
"""


def write_project(directory: Path, image: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Dockerfile").write_text(DOCKERFILE)
    path = directory / "compose.yaml"
    path.write_text(COMPOSE.format(image=image))
    return path


def http_get(port: int, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:  # noqa: S310
                return str(response.read().decode())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def remove_image(client, image: str) -> None:
    try:
        client.remove_image(image, force=True)
    except Exception:  # noqa: BLE001  (already gone)
        pass


os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
