"""Remote engines: DOCKER_HOST (tcp:// and unix://), DOCKER_TLS_VERIFY and DOCKER_CERT_PATH.

A TLS endpoint is put in front of the local engine with socat and certificates made here with openssl:
`socat OPENSSL-LISTEN:PORT,...,verify=1 UNIX-CONNECT:<the engine's socket>`. The CA bundle variables that
`requests` honours are set to another CA in every test, as on many company machines: fig must still verify the
engine against DOCKER_CERT_PATH's ca.pem, and never fall back to plain HTTP.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from tests.integration.conftest import ENGINE_HOST, SLEEPER

ENGINE_SOCKET = ENGINE_HOST.removeprefix("unix://")
SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def _need(tool: str) -> None:
    if shutil.which(tool) is None:
        message = f"{tool} is missing: script/engine installs it (apt-get install {tool})"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_ca(directory: Path, name: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem",
            "-days", "2", "-subj", f"/CN={name}", cwd=directory)


def sign(directory: Path, name: str, subject: str, extensions: str) -> None:
    """name-key.pem and name-cert.pem, signed by the CA in `directory`."""
    (directory / f"{name}.ext").write_text(extensions)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}-key.pem", "-out", f"{name}.csr",
            "-subj", subject, cwd=directory)
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
            "-out", f"{name}-cert.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=directory)


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> dict[str, Path]:
    """`good`: a DOCKER_CERT_PATH for the endpoint (ca.pem, cert.pem, key.pem); `wrong`: the same client
    certificate with another CA's ca.pem; `no_client`: the right ca.pem only; `server`: the endpoint's files."""
    _need("openssl")
    root = tmp_path_factory.mktemp("pki")
    server = root / "server"
    make_ca(server, "figtest-ca")
    sign(server, "server", "/CN=localhost", "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n")
    sign(server, "client", "/CN=figtest-client", "extendedKeyUsage=clientAuth\n")
    (server / "server.pem").write_text((server / "server-cert.pem").read_text() + (server / "server-key.pem").read_text())
    other = root / "other"
    make_ca(other, "figtest-other-ca")

    dirs = {"server": server, "other_ca": other / "ca.pem"}
    for name, ca in (("good", server / "ca.pem"), ("wrong", other / "ca.pem"), ("no_client", server / "ca.pem")):
        d = root / name
        d.mkdir()
        shutil.copy(ca, d / "ca.pem")
        if name != "no_client":
            shutil.copy(server / "client-cert.pem", d / "cert.pem")
            shutil.copy(server / "client-key.pem", d / "key.pem")
        dirs[name] = d
    return dirs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Socat:
    """A socat process in front of the engine's socket; its log tells which connections it saw."""

    def __init__(self, listen: str, log: Path) -> None:
        _need("socat")
        self.log = log
        # -t 30: after one direction ends (our stdin, half-closed), keep the other open as the engine does.
        self.proc = subprocess.Popen(["socat", "-d", "-d", "-t", "30", listen, f"UNIX-CONNECT:{ENGINE_SOCKET}"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log.open("w"),
                                     start_new_session=True)

    def text(self) -> str:
        return self.log.read_text()

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)


def wait_listening(port: int, socat: Socat) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if socat.proc.poll() is not None:
            pytest.fail(f"socat exited: {socat.text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"socat did not listen on {port}: {socat.text()}")


@pytest.fixture
def endpoint(pki, tmp_path, engine):
    """Start a TLS endpoint; `endpoint(extra_options)` returns (port, socat)."""
    started: list[Socat] = []

    def start(options: str = "") -> tuple[int, Socat]:
        port = free_port()
        server = pki["server"]
        listen = (f"OPENSSL-LISTEN:{port},reuseaddr,fork,cert={server / 'server.pem'},cafile={server / 'ca.pem'},"
                  f"verify=1{options}")
        socat = Socat(listen, tmp_path / f"socat-{port}.log")
        started.append(socat)
        wait_listening(port, socat)
        return port, socat

    yield start
    for socat in started:
        socat.stop()


def tls_env(cert_path: Path, host: str, port: int, **extra: str) -> dict[str, str]:
    other_bundle = SYSTEM_BUNDLE if os.path.exists(SYSTEM_BUNDLE) else None
    return {
        "DOCKER_HOST": f"tcp://{host}:{port}", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(cert_path),
        "REQUESTS_CA_BUNDLE": other_bundle or "", "CURL_CA_BUNDLE": other_bundle or "", **extra,
    }


def one_line_error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1 and lines[0].startswith("ERROR: "), result.stderr
    return lines[0]


def test_tls_engine_with_the_right_ca_works_whatever_the_ca_bundle_variables_say(project, pki, endpoint):
    port, socat = endpoint()
    project.write(f"web:\n  image: busybox\n  command: {SLEEPER}\n")
    for bundle in (SYSTEM_BUNDLE, str(pki["other_ca"])):
        if not os.path.exists(bundle):
            continue
        env = tls_env(pki["good"], "localhost", port, REQUESTS_CA_BUNDLE=bundle, CURL_CA_BUNDLE=bundle)
        project.fig("up", "-d", env=env, check=True)
        ps = project.fig("ps", env=env, check=True)
        assert project.container_name("web") in ps.stdout and "Up" in ps.stdout
        assert project.fig("run", "-T", "web", "echo", "over-tls", env=env, check=True).stdout == "over-tls\n"
    assert "accepting connection" in socat.text(), "the commands went through the TLS endpoint"
    assert "http request" not in socat.text()


def test_run_over_tls_passes_stdin_its_end_and_the_exit_code(project, pki, endpoint):
    port, _ = endpoint()
    project.write("web:\n  image: busybox\n")
    env = tls_env(pki["good"], "localhost", port)
    data = "".join(f"line {i}\n" for i in range(100000))  # more than the pipes hold: both directions must flow
    result = project.fig("run", "-T", "web", "sh", "-c", "cat; echo to-err >&2; exit 3", input=data, env=env)
    assert result.returncode == 3 and result.stdout == data and "to-err" in result.stderr
    result = project.fig("run", "-T", "web", "sh", "-c", "wc -c; sleep 1; echo after-eof", input="hello\n", env=env)
    assert result.stdout.split() == ["6", "after-eof"]
    assert project.fig("run", "-T", "web", "cat", env=env, timeout=30).returncode == 0  # stdin closed: EOF at once


def test_interactive_run_over_tls(project, pki, endpoint, monkeypatch):
    from tests.integration.test_run import PROMPT, Terminal

    port, _ = endpoint()
    project.write("web:\n  image: busybox\n")
    for key, value in tls_env(pki["good"], "localhost", port).items():
        monkeypatch.setenv(key, value)  # the pty's child inherits them
    term = Terminal(project, "run", "web", "sh", rows=21, cols=77)
    try:
        term.read_until(PROMPT, timeout=60)
        term.send(b"echo $((6*7)); stty size\r")
        assert b"42\r\n21 77\r\n" in term.read_until(rb"\d+ \d+\r\n.*" + PROMPT)
        term.send(b"exit 6\r")
        assert term.wait() == 6
        assert term.terminal_restored()
    finally:
        term.close()


def test_a_wrong_ca_is_a_one_line_error_and_never_falls_back_to_plain_http(project, pki, endpoint):
    port, socat = endpoint()
    project.write("web:\n  image: busybox\n")
    error = one_line_error(project.fig("ps", env=tls_env(pki["wrong"], "localhost", port)))
    assert f"tcp://localhost:{port}" in error and "certificate verify failed" in error
    time.sleep(0.5)
    assert "accepting connection" in socat.text()
    assert "http request" not in socat.text(), "no plain HTTP request may follow a failed TLS handshake"


def test_a_host_name_mismatch_is_a_one_line_error(project, pki, endpoint):
    port, _ = endpoint()
    project.write("web:\n  image: busybox\n")
    error = one_line_error(project.fig("ps", env=tls_env(pki["good"], "127.0.0.1", port)))
    assert f"tcp://127.0.0.1:{port}" in error
    assert "certificate verify failed" in error and "127.0.0.1" in error.split("failed", 1)[1]


def test_the_engine_refuses_a_client_without_a_certificate(project, pki, endpoint):
    port, _ = endpoint()
    project.write("web:\n  image: busybox\n")
    error = one_line_error(project.fig("ps", env=tls_env(pki["no_client"], "localhost", port)))
    assert f"tcp://localhost:{port}" in error


def test_tls_verify_without_a_ca_file_is_a_one_line_error(project, tmp_path, endpoint):
    port, _ = endpoint()
    project.write("web:\n  image: busybox\n")
    error = one_line_error(project.fig("ps", env=tls_env(tmp_path / "empty", "localhost", port)))
    assert "DOCKER_TLS_VERIFY" in error and "ca.pem" in error


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # TLS 1.1, on purpose
def test_tls_older_than_1_2_is_refused(project, pki, endpoint):
    port, _ = endpoint(",openssl-max-proto-version=TLS1.1,cipher=DEFAULT@SECLEVEL=0")
    # The control: this endpoint does complete a TLS 1.1 handshake with a client that allows it.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.set_ciphers("DEFAULT@SECLEVEL=0")
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.load_verify_locations(pki["good"] / "ca.pem")
    context.load_cert_chain(pki["good"] / "cert.pem", pki["good"] / "key.pem")
    try:
        with socket.create_connection(("localhost", port), timeout=5) as raw, \
                context.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.version() == "TLSv1.1"
    except ssl.SSLError as e:
        pytest.fail(f"this machine's OpenSSL cannot make a TLS 1.1 endpoint for the test: {e}")
    project.write("web:\n  image: busybox\n")
    error = one_line_error(project.fig("ps", env=tls_env(pki["good"], "localhost", port)))
    assert "TLS 1.2 or newer" in error


def test_docker_host_unix_socket(project, tmp_path, engine):
    path = tmp_path / "engine.sock"
    socat = Socat(f"UNIX-LISTEN:{path},fork", tmp_path / "socat-unix.log")
    try:
        deadline = time.monotonic() + 10
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        project.write(f"web:\n  image: busybox\n  command: {SLEEPER}\n")
        env = {"DOCKER_HOST": f"unix://{path}"}
        project.fig("up", "-d", env=env, check=True)
        assert project.container_name("web") in project.fig("ps", env=env, check=True).stdout
        assert "accepting connection" in socat.text()
    finally:
        socat.stop()


def test_docker_host_unix_socket_that_does_not_exist(project, tmp_path):
    project.write("web:\n  image: busybox\n")
    missing = tmp_path / "missing.sock"
    error = one_line_error(project.fig("ps", env={"DOCKER_HOST": f"unix://{missing}"}))
    assert f"unix://{missing}" in error
