"""`fig deploy` on a real single-node swarm made on the test engine (and left again afterwards).

This kernel has no IPVS, so the routing mesh and VIPs carry no traffic: services that are sent traffic use
`endpoint_mode: dnsrr` and host-mode ports; ingress and VIP are checked by spec and task state. busybox cannot
resolve names, so service DNS is checked from debian:bookworm-slim with getent.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
import yaml

from tests.integration.conftest import SLEEPER, FigProject, wait_until
from tests.integration.test_example import free_port, get

ROOT = Path(__file__).resolve().parents[2]
NS = "com.docker.stack.namespace"
REGISTRY = "127.0.0.1:5001"


@pytest.fixture(scope="module")
def swarm(engine: docker.APIClient) -> Iterator[docker.APIClient]:
    """The engine as a single-node swarm manager for this module; left again afterwards if this fixture made it
    one (with the docker_gwbridge network joining made), so the rest of the suite runs on a plain engine."""
    state = engine.info()["Swarm"]["LocalNodeState"]
    had_gwbridge = bool(engine.networks(names=["docker_gwbridge"]))
    if state == "inactive":
        engine.init_swarm(advertise_addr="127.0.0.1", listen_addr="127.0.0.1:2377")
    yield engine
    if state == "inactive":
        engine.leave_swarm(force=True)
        if not had_gwbridge:
            for net in engine.networks(names=["docker_gwbridge"]):
                try:
                    engine.remove_network(net["Id"])
                except docker.errors.APIError:
                    pass


def remove_stack(client: docker.APIClient, name: str) -> None:
    """Everything labelled with the stack, whatever state a test left it in."""
    label = {"label": f"{NS}={name}"}
    for s in client.services(filters=label):
        client.remove_service(s["ID"])
    deadline = time.monotonic() + 60
    while client.containers(all=True, filters=label) and time.monotonic() < deadline:
        time.sleep(0.3)
    for kind in ("secrets", "configs"):
        for obj in getattr(client, kind)(filters=label):
            getattr(client, f"remove_{kind[:-1]}")(obj["ID"])
    for net in client.networks(filters=label):
        for _ in range(20):
            try:
                client.remove_network(net["Id"])
                break
            except docker.errors.APIError:
                time.sleep(0.3)
    for v in (client.volumes(filters=label) or {}).get("Volumes") or []:
        client.remove_volume(v["Name"], force=True)


@pytest.fixture
def stack(project: FigProject, swarm: docker.APIClient) -> Iterator[FigProject]:
    try:
        yield project
    finally:
        remove_stack(swarm, project.name)


def services(client: docker.APIClient, name: str) -> dict[str, dict]:
    return {s["Spec"]["Name"]: s for s in client.services(filters={"label": f"{NS}={name}"})}


def running(client: docker.APIClient, service: str) -> list[dict]:
    return [t for t in client.tasks(filters={"service": service, "desired-state": "running"})
            if t["Status"]["State"] == "running"]


def getent(client: docker.APIClient, network: str, name: str) -> list[str]:
    """The addresses `name` resolves to on `network`, asked from a debian container."""
    c = client.create_container("debian:bookworm-slim", ["getent", "ahostsv4", name],
                                host_config=client.create_host_config(network_mode=network))
    try:
        client.start(c)
        client.wait(c, timeout=30)
        out = client.logs(c).decode()
    finally:
        client.remove_container(c, force=True)
    return sorted({line.split()[0] for line in out.splitlines() if line.strip()})


def test_deploy_answers_scales_updates_one_service_and_undeploys(stack: FigProject, swarm):
    port = free_port()
    text = f"""\
        services:
          web:
            image: busybox:latest
            command: sh -c 'echo hello from swarm > /index.html && exec httpd -f -p 80 -h /'
            init: true
            ports: [{{target: 80, published: {port}, mode: host}}]
            deploy: {{endpoint_mode: dnsrr}}
          db:
            image: busybox:latest
            command: {SLEEPER}
            stop_grace_period: 1s
            environment: {{LEVEL: "1"}}
            volumes: [data:/data]
            deploy: {{endpoint_mode: dnsrr, update_config: {{parallelism: 3, monitor: 1s}}}}
          api:
            image: busybox:latest
            command: {SLEEPER}
            ports: ["{free_port()}:80"]
            deploy: {{replicas: 1}}
            privileged: true
        volumes:
          data: {{}}
    """
    stack.write(text, "compose.yml")
    plan = stack.fig("deploy", "--dry-run", check=True)
    assert "create service " + f"{stack.name}_web" in plan.stdout
    assert services(swarm, stack.name) == {} and swarm.networks(names=[f"{stack.name}_default"]) == []
    deployed = stack.fig("deploy", timeout=180, check=True)
    assert f"service api: Swarm cannot honour privileged" in deployed.stderr
    assert get(f"http://127.0.0.1:{port}/") == "hello from swarm\n"
    found = services(swarm, stack.name)
    assert set(found) == {f"{stack.name}_{s}" for s in ("web", "db", "api")}
    api = found[f"{stack.name}_api"]
    assert api["Spec"]["EndpointSpec"]["Ports"][0]["PublishMode"] == "ingress"  # the routing mesh, by spec
    assert api["Endpoint"].get("VirtualIPs") and running(swarm, f"{stack.name}_api")
    assert swarm.inspect_network(f"{stack.name}_default")["Scope"] == "swarm"

    again = stack.fig("deploy", timeout=60, check=True)
    assert "up to date" in again.stderr
    assert {n: s["Version"]["Index"] for n, s in services(swarm, stack.name).items()} == \
        {n: s["Version"]["Index"] for n, s in found.items()}

    stack.fig("scale", "--stack", stack.name, "db=3", timeout=120, check=True)
    assert len(running(swarm, f"{stack.name}_db")) == 3
    assert len(getent(swarm, f"{stack.name}_default", "db")) == 3
    top = stack.fig("top", "--stack", stack.name, "db", check=True).stdout
    assert {line.split()[1] for line in top.splitlines()[1:] if line.startswith("db ")} == {"1", "2", "3"}
    ps = stack.fig("ps", "--stack", stack.name, check=True).stdout
    assert sum(f"{stack.name}_db." in line and "running" in line for line in ps.splitlines()) == 3

    stack.write(text.replace('LEVEL: "1"', 'LEVEL: "2"'), "compose.yml")
    plan = stack.fig("deploy", "--dry-run", check=True).stdout
    lines = plan.splitlines()
    at = lines.index(f"update service {stack.name}_db")
    fields = [line for line in lines[at + 1:at + 4] if line.startswith("    ")]
    assert fields == ["    Mode.Replicated.Replicas: 3 -> 1",  # `scale` is undone: the file says 1
                      '    ContainerSpec.Env: ["LEVEL=1"] -> ["LEVEL=2"]']  # and nothing else is shown
    stack.fig("deploy", timeout=180, check=True)
    after = services(swarm, stack.name)
    changed = {n for n in after if after[n]["Version"]["Index"] != found[n]["Version"]["Index"]}
    assert changed == {f"{stack.name}_db"}
    assert after[f"{stack.name}_db"]["Spec"]["Mode"]["Replicated"]["Replicas"] == 1  # the file's count again

    stack.fig("undeploy", timeout=120, check=True)
    label = {"label": f"{NS}={stack.name}"}
    assert swarm.services(filters=label) == [] and swarm.networks(filters=label) == []
    assert swarm.containers(all=True, filters=label) == []
    assert [v["Name"] for v in swarm.volumes(filters=label)["Volumes"] or []] == [f"{stack.name}_data"]
    stack.fig("undeploy", "--volumes", timeout=60, check=True)
    assert not swarm.volumes(filters=label)["Volumes"]


def test_a_changed_secret_rolls_only_its_users(stack: FigProject, swarm):
    (stack.dir / "pw.txt").write_text("first")
    stack.write(f"""\
        services:
          uses:
            image: busybox:latest
            command: sh -c 'cat /run/secrets/pw; echo; trap "exit 0" TERM; while :; do sleep 1; done'
            secrets: [pw]
            deploy: {{update_config: {{monitor: 1s}}}}
          other:
            image: busybox:latest
            command: {SLEEPER}
        secrets:
          pw: {{file: ./pw.txt}}
    """, "compose.yml")
    stack.fig("deploy", timeout=120, check=True)
    before = services(swarm, stack.name)
    (stack.dir / "pw.txt").write_text("second")
    stack.fig("deploy", timeout=120, check=True)
    after = services(swarm, stack.name)
    assert after[f"{stack.name}_other"]["Version"] == before[f"{stack.name}_other"]["Version"]
    assert after[f"{stack.name}_uses"]["Version"] != before[f"{stack.name}_uses"]["Version"]
    wait_until(lambda: "second" in stack.fig("logs", "--stack", stack.name, "uses").stdout, 30,
               message="the new secret in the task's output")
    names = sorted(s["Spec"]["Name"] for s in swarm.secrets(filters={"label": f"{NS}={stack.name}"}))
    assert len(names) == 2  # the previous version stays for a rollback
    (stack.dir / "pw.txt").write_text("third")
    stack.fig("deploy", timeout=120, check=True)
    latest = sorted(s["Spec"]["Name"] for s in swarm.secrets(filters={"label": f"{NS}={stack.name}"}))
    assert len(latest) == 2 and names[0] not in latest or names[1] not in latest


def test_a_failing_update_is_reported_and_rolled_back(stack: FigProject, swarm):
    good = f"""\
        services:
          app:
            image: busybox:latest
            command: {SLEEPER}
            init: true
            deploy: {{update_config: {{monitor: 2s}}}}
    """
    stack.write(good, "compose.yml")
    stack.fig("deploy", timeout=120, check=True)
    stack.write(good.replace(SLEEPER, "sh -c 'exit 3'"), "compose.yml")
    failed = stack.fig("deploy", "--timeout", "90", timeout=150)
    assert failed.returncode == 1
    assert f"service {stack.name}_app: its update paused" in failed.stderr
    assert "non-zero exit (3)" in failed.stderr
    back = stack.fig("deploy", "--rollback", timeout=150, check=True)
    assert f"Rolling back service {stack.name}_app" in back.stderr
    spec = services(swarm, stack.name)[f"{stack.name}_app"]["Spec"]
    assert spec["TaskTemplate"]["ContainerSpec"]["Args"][-1].startswith("trap")
    wait_until(lambda: running(swarm, f"{stack.name}_app"), 30, message="the rolled-back task running")


def test_ctrl_c_stops_the_waiting_not_the_deployment(stack: FigProject, swarm):
    stack.write("""\
        services:
          slow:
            image: busybox:latest
            command: sh -c 'trap "exit 0" TERM; while :; do sleep 1; done'
            healthcheck: {test: "false", interval: 1s, retries: 1000}
    """, "compose.yml")
    proc = stack.popen("deploy")
    wait_until(lambda: services(swarm, stack.name), 60, message="the service submitted")
    time.sleep(1)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Stopped waiting" in err and "Traceback" not in err
    assert f"{stack.name}_slow" in services(swarm, stack.name)


def test_bad_input_is_one_line(stack: FigProject, swarm):
    stack.write("services:\n  web: {image: busybox, ports: ['127.0.0.1:8080:80']}\n", "compose.yml")
    result = stack.fig("deploy")
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "binds the address 127.0.0.1, which Swarm cannot honour" in result.stderr
    assert services(swarm, stack.name) == {}
    allowed = stack.fig("deploy", "--ignore-host-ip", "--dry-run")
    assert allowed.returncode == 0, allowed.stderr
    assert "Swarm cannot honour the address of port 127.0.0.1:8080:80, ignored" in allowed.stderr


def test_strict_refuses_every_key_of_every_service_at_once(stack, swarm):
    (stack.dir / "app").mkdir()
    (stack.dir / "app" / "Dockerfile").write_text("FROM busybox:latest\n")
    image = f"localhost:5000/{stack.name}-worker"
    stack.write(f"""\
        services:
          web:
            image: busybox:latest
            command: {SLEEPER}
            privileged: true
            links: [worker]
          worker:
            image: {image}
            build: ./app
            command: {SLEEPER}
    """, "compose.yml")
    warned = stack.fig("deploy", "--dry-run", check=True)
    assert warned.stderr.splitlines() == [
        "WARNING: service web: Swarm cannot honour links, privileged, ignored (--strict refuses them)",
        "WARNING: service worker: Swarm cannot honour build, ignored (--strict refuses them)"]
    strict = stack.fig("deploy", "--strict")
    assert strict.returncode == 1
    assert strict.stderr == ("ERROR: compose.yml: Swarm cannot honour these keys and --strict refuses them, so "
                             "nothing was deployed:\n"
                             "  service 'web': links, privileged\n"
                             "  service 'worker': build\n")
    built = stack.fig("deploy", "--strict", "--build", "--push")  # worker's build is honoured then; web's keys not
    assert built.returncode == 1 and built.stderr.splitlines()[1:] == ["  service 'web': links, privileged"]
    assert not swarm.images(name=image)  # refused before the build, not after it
    assert services(swarm, stack.name) == {}
    assert swarm.networks(filters={"label": f"{NS}={stack.name}"}) == []


def test_stack_commands_need_only_the_stacks_name(stack, swarm, tmp_path_factory):
    """From a directory with no project file, as `docker stack ps NAME` works: ps, logs, top, scale, rollback and
    undeploy by --stack NAME; a stack that does not exist is one line."""
    stack.write(f"""\
        services:
          web:
            image: busybox:latest
            command: sh -c 'echo hello from web; trap "exit 0" TERM; while :; do sleep 1; done'
            depends_on: [db]
          db:
            image: busybox:latest
            command: {SLEEPER}
            stop_grace_period: 1s
            deploy: {{update_config: {{monitor: 1s}}, rollback_config: {{monitor: 1s}}}}
    """, "compose.yml")
    stack.fig("deploy", timeout=180, check=True)
    empty = tmp_path_factory.mktemp("elsewhere")
    assert list(empty.iterdir()) == []

    def fig(*args: str, timeout: float = 120, check: bool = True):
        return stack.raw(*args, cwd=empty, timeout=timeout, check=check)

    ps = fig("ps", "--stack", stack.name).stdout
    assert [line.split()[0] for line in ps.splitlines()[2:]] == [f"{stack.name}_db.1", f"{stack.name}_web.1"]
    wait_until(lambda: "web.1 | hello from web" in fig("logs", "--stack", stack.name, "--no-color").stdout, 30,
               message="the task's output")
    top = fig("top", "--stack", stack.name, "db").stdout
    assert any(line.startswith("db ") and "while :" in line for line in top.splitlines())
    fig("scale", "--stack", stack.name, "db=2", timeout=120)
    assert len(running(swarm, f"{stack.name}_db")) == 2
    fig("deploy", "--rollback", "--stack", stack.name, "db", timeout=120)  # the scale undone
    assert services(swarm, stack.name)[f"{stack.name}_db"]["Spec"]["Mode"]["Replicated"]["Replicas"] == 1
    missing = f"{stack.name}x"
    for argv in (("ps",), ("logs",), ("top",), ("scale", "db=2"), ("deploy", "--rollback")):
        result = fig(*argv, "--stack", missing, check=False)
        assert (result.returncode, result.stderr) == (1, f"ERROR: No such stack on this swarm: {missing}\n"), argv
    fig("undeploy", "--stack", stack.name, timeout=120)
    label = {"label": f"{NS}={stack.name}"}
    assert swarm.services(filters=label) == [] and swarm.networks(filters=label) == []
    again = fig("undeploy", "--stack", stack.name)
    assert again.stderr == f"Stack {stack.name} is not deployed: nothing to remove\n"


@pytest.fixture(scope="module")
def registry(engine) -> Iterator[str]:
    """Debian's docker-registry on 127.0.0.1:5001 (script/registry), for this module only."""
    script = str(ROOT / "script" / "registry")
    started = get(f"http://{REGISTRY}/v2/") is None
    if started:
        proc = subprocess.run([script], capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
        if proc.returncode != 0:
            pytest.fail(f"script/registry: {proc.stderr[-500:]}", pytrace=False)
    yield REGISTRY.replace("127.0.0.1", "localhost")
    if started:
        subprocess.run([script, "stop"], capture_output=True, timeout=60, stdin=subprocess.DEVNULL)


def test_the_counter_example_built_pushed_and_answering(stack: FigProject, swarm, registry):
    """fig.yml.example as it is, plus what Swarm needs that one engine does not: image names in the registry
    (--build --push pins their digests), dnsrr and a host-mode port (no IPVS here)."""
    import shutil

    shutil.copytree(ROOT / "examples", stack.dir / "examples")
    (stack.dir / "fig.yml").write_text((ROOT / "fig.yml.example").read_text())
    doc = yaml.safe_load(stack.fig("convert", check=True).stdout)
    port = free_port()
    for name, svc in doc["services"].items():
        svc["image"] = f"{registry}/{stack.name}-{name}:latest"
        svc["deploy"] = {"endpoint_mode": "dnsrr"}
        svc["stop_grace_period"] = "1s"  # python3 and redis-server as PID 1 would sit out the default 10 s
    doc["services"]["web"]["ports"] = [{"target": 5000, "published": port, "mode": "host"}]
    (stack.dir / "fig.yml").unlink()
    (stack.dir / "compose.yml").write_text(yaml.safe_dump(doc))
    deployed = stack.fig("deploy", "--build", "--push", timeout=900, check=True)
    assert "Pushing" in deployed.stderr
    image = services(swarm, stack.name)[f"{stack.name}_web"]["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"]
    assert image.startswith(f"{registry}/{stack.name}-web@sha256:")
    first = wait_until(lambda: get(f"http://127.0.0.1:{port}/"), 60, message="the counter answering")
    assert first == "Hello World! I have been seen 1 times.\n"
    assert get(f"http://127.0.0.1:{port}/") == "Hello World! I have been seen 2 times.\n"
    again = stack.fig("deploy", "--build", "--push", timeout=600, check=True)
    assert "up to date" in again.stderr  # the same build pushes the same digest: nothing to roll
