"""post_start and pre_stop on the real engine: run by exec in the container, in order, with their user,
environment and working directory; pre_stop before stop, down, restart and a scale-down, not before kill; a
failing hook is one line naming the service, the hook, its exit code and the container."""

from __future__ import annotations

import pytest

from tests.integration.conftest import SLEEPER, FigProject, wait_until
from tests.integration.test_attached import Reader

# Each hook appends a line to /data/log, a named volume that outlives the container.
HOOKED = f"""\
services:
  web:
    image: busybox
    command: {SLEEPER}
    volumes: [data:/data]
    post_start:
      - command: chmod 777 /data
      - command: sh -c 'echo "start as $$(id -u) in $$(pwd) with $$GREETING" >> /data/log; echo to-stdout; echo to-stderr >&2'
        user: "1000"
        working_dir: /etc
        environment: {{GREETING: hello}}
      - command: sh -c 'echo second >> /data/log'
    pre_stop:
      - command: sh -c 'echo "stop while $$(cat /proc/1/comm) runs" >> /data/log'
      - command: sh -c 'echo stop-second >> /data/log'
volumes:
  data:
"""
STARTED = ["start as 1000 in /etc with hello", "second"]
STOPPED = ["stop while sh runs", "stop-second"]


def in_volume(project: FigProject, *command: str) -> str:
    """Run a command in a busybox container with the project's data volume at /data; its output."""
    name = f"{project.name}-probe"
    project.client.create_container("busybox", list(command), name=name,
                                    host_config=project.client.create_host_config(binds=[f"{project.name}_data:/data"]))
    try:
        project.client.start(name)
        project.client.wait(name, timeout=30)
        return str(project.client.logs(name).decode())
    finally:
        project.client.remove_container(name, force=True)


def hook_log(project: FigProject) -> list[str]:
    return in_volume(project, "cat", "/data/log").splitlines()


@pytest.mark.parametrize("dialect", [[], ["compose"]], ids=["fig", "compose"])
def test_hooks_run_in_order_with_their_settings_and_pre_stop_before_stop_and_down(project, dialect):
    project.write(HOOKED, "compose.yml")
    project.fig(*dialect, "up", "-d", check=True)
    assert hook_log(project) == STARTED
    project.fig(*dialect, "stop", check=True)
    assert hook_log(project) == STARTED + STOPPED
    project.fig(*dialect, "start", check=True)
    assert hook_log(project) == STARTED + STOPPED + STARTED
    project.fig(*dialect, "down", check=True)  # the volume stays: down without -v
    assert hook_log(project) == STARTED + STOPPED + STARTED + STOPPED


def test_restart_runs_pre_stop_then_post_start_and_kill_runs_none(project):
    project.write(HOOKED, "compose.yml")
    project.fig("up", "-d", check=True)
    project.fig("restart", check=True)
    assert hook_log(project) == STARTED + STOPPED + STARTED
    project.fig("kill", check=True)
    assert hook_log(project) == STARTED + STOPPED + STARTED


def test_an_unchanged_up_runs_no_hook_and_a_scale_down_runs_pre_stop(project):
    project.write(HOOKED, "compose.yml")
    project.fig("up", "-d", check=True)
    project.fig("up", "-d", check=True)
    assert hook_log(project) == STARTED
    project.fig("up", "-d", "--scale", "web=2", check=True)
    project.fig("up", "-d", "--scale", "web=1", check=True)
    assert hook_log(project) == STARTED + STARTED + STOPPED


def test_a_failing_post_start_fails_up_in_one_line_and_the_next_up_runs_it_again(project):
    project.write(f"""\
        services:
          web:
            image: busybox
            command: {SLEEPER}
            volumes: [data:/data]
            post_start:
              - command: sh -c 'echo checking; echo "no /data/ready yet" >&2; test -e /data/ready'
        volumes:
          data:
        """, "compose.yml")
    result = project.fig("up", "-d")
    name = project.container_name("web")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"ERROR: service 'web': post_start hook 1 (sh -c 'echo checking; echo \"no /data/ready yet\" >&2; test...) "
        f"exited with code 1 in container {name}: no /data/ready yet")
    assert not project.inspect(name)["State"]["Running"]  # stopped, as the spec says: the next up starts it again
    in_volume(project, "touch", "/data/ready")
    project.fig("up", "-d", check=True)
    assert project.inspect(name)["State"]["Running"]


def test_a_failing_pre_stop_keeps_the_container_running_and_kill_still_stops_it(project):
    project.write(f"""\
        web:
          image: busybox
          command: {SLEEPER}
          pre_stop:
            - command: sh -c 'exit 7'
        """)
    project.fig("up", "-d", check=True)
    name = project.container_name("web")
    result = project.fig("down")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"ERROR: service 'web': pre_stop hook 1 (sh -c 'exit 7') exited with code 7 in container {name}")
    assert project.inspect(name)["State"]["Running"]
    project.fig("kill", check=True)
    project.fig("down", check=True)  # a container that does not run has no pre_stop to run
    assert project.containers() == []


def test_attached_up_shows_the_hooks_output_under_the_container_and_an_arrow(project):
    project.write(HOOKED, "compose.yml")
    reader = Reader(project.popen("up"))
    try:
        name = project.container_name("web")

        def attached_after_the_hooks() -> bool:  # Ctrl-C before fig attaches would abort `up` instead
            running = len(project.containers(all=False)) == 1
            return running and "Attaching to" in reader.stderr and \
                project.exec(name, "cat", "/data/log")[1].splitlines() == STARTED

        wait_until(attached_after_the_hooks, timeout=90, message="the post_start hooks, then attaching")
    finally:
        reader.proc.send_signal(2)
        reader.finish(timeout=60)
    out = reader.stdout
    assert "web_1 -> | to-stdout\n" in out and "web_1 -> | to-stderr\n" in out, out + reader.stderr
    assert hook_log(project) == STARTED + STOPPED  # Ctrl-C stops it: pre_stop runs first


def test_a_privileged_hook_asks_the_engine_for_privileges(project):
    # This machine's runtime cannot give them ("unable to apply caps"); where it can, the hook has every capability
    project.write(f"""\
        web:
          image: busybox
          command: {SLEEPER}
          post_start:
            - command: ["sh", "-c", "grep CapEff /proc/self/status | grep -v 00000000a80425fb"]
              privileged: true
        """)
    result = project.fig("up", "-d")
    if result.returncode:
        assert "post_start hook 1" in result.stderr and "unable to apply caps" in result.stderr, result.stderr
    else:
        assert project.inspect(project.container_name("web"))["State"]["Running"]
