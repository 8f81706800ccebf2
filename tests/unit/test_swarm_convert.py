"""Golden tests of the Swarm service spec fig sends for each key (no engine): compose text in, the Engine API's
ServiceSpec fields out."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from fig.config import load_project
from fig.errors import ConfigError
from fig.swarm.convert import DEPENDS_ON, NAMESPACE, SPEC_HASH, Converter, spec_hash


def convert(tmp_path: Path, text: str, *, stack: str = "st", strict: bool = False, environ=None, names=None,
            images=None, ignore_host_ip=False):
    (tmp_path / "compose.yml").write_text(textwrap.dedent(text))
    config = load_project(project_name="proj", environ=environ or {}, cwd=str(tmp_path), swarm=True)
    return Converter(config, stack, images=images, ignore_host_ip=ignore_host_ip).stack_spec(
        names or config.selected(), strict=strict)


def web(tmp_path: Path, body: str, **kwargs):
    text = "services:\n  web:\n    image: busybox:latest\n" + textwrap.indent(textwrap.dedent(body), "    ")
    return convert(tmp_path, text, **kwargs).services[0]


def at(spec, path: str):
    for part in path.split("."):
        spec = spec[part]
    return spec


C = "TaskTemplate.ContainerSpec"
S = 1_000_000_000

GOLDEN = [
    ("command: [echo, hi]", f"{C}.Args", ["echo", "hi"]),
    ("entrypoint: /entry.sh", f"{C}.Command", ["/entry.sh"]),
    ("environment: {B: 2, A: 1}", f"{C}.Env", ["A=1", "B=2"]),
    ("working_dir: /code", f"{C}.Dir", "/code"),
    ("user: '1000'", f"{C}.User", "1000"),
    ("hostname: box", f"{C}.Hostname", "box"),
    ("labels: {a: b}", f"{C}.Labels", {"a": "b", NAMESPACE: "st"}),
    ("healthcheck: {test: [CMD, 'true'], interval: 2s, timeout: 1s, retries: 4, start_period: 5s}",
     f"{C}.Healthcheck", {"Test": ["CMD", "true"], "Interval": 2 * S, "Timeout": S, "Retries": 4,
                          "StartPeriod": 5 * S}),
    ("healthcheck: {disable: true}", f"{C}.Healthcheck", {"Test": ["NONE"]}),
    ("stop_signal: SIGINT", f"{C}.StopSignal", "SIGINT"),
    ("stop_grace_period: 1m30s", f"{C}.StopGracePeriod", 90 * S),
    ("init: true", f"{C}.Init", True),
    ("read_only: true", f"{C}.ReadOnly", True),
    ("tty: true", f"{C}.TTY", True),
    ("stdin_open: true", f"{C}.OpenStdin", True),
    ("cap_add: [SYS_TIME, NET_ADMIN]", f"{C}.CapabilityAdd", ["NET_ADMIN", "SYS_TIME"]),
    ("cap_drop: [MKNOD]", f"{C}.CapabilityDrop", ["MKNOD"]),
    ("sysctls: {net.core.somaxconn: 1024}", f"{C}.Sysctls", {"net.core.somaxconn": "1024"}),
    ("ulimits: {nproc: 65535, nofile: {soft: 20000, hard: 40000}}", f"{C}.Ulimits",
     [{"Name": "nofile", "Soft": 20000, "Hard": 40000}, {"Name": "nproc", "Soft": 65535, "Hard": 65535}]),
    ("dns: [8.8.8.8]\ndns_search: [example.com]", f"{C}.DNSConfig",
     {"Nameservers": ["8.8.8.8"], "Search": ["example.com"]}),
    ("extra_hosts: ['db:10.0.0.2']", f"{C}.Hosts", ["10.0.0.2 db"]),
    ("group_add: [audio]", f"{C}.Groups", ["audio"]),
    ("logging: {driver: json-file, options: {max-size: 1m}}", "TaskTemplate.LogDriver",
     {"Name": "json-file", "Options": {"max-size": "1m"}}),
    ("tmpfs: ['/run:size=1m,mode=1777']", f"{C}.Mounts",
     [{"Type": "tmpfs", "Target": "/run", "TmpfsOptions": {"SizeBytes": 1 << 20, "Mode": 0o1777}}]),
    ("volumes: [/anon]", f"{C}.Mounts", [{"Type": "volume", "Target": "/anon"}]),
    ("volumes: ['/srv:/srv:ro']", f"{C}.Mounts", [{"Type": "bind", "Source": "/srv", "Target": "/srv",
                                                   "ReadOnly": True}]),
    ("deploy: {mode: global}", "Mode", {"Global": {}}),
    ("deploy: {mode: global-job}", "Mode", {"GlobalJob": {}}),
    ("deploy: {mode: replicated-job, replicas: 3}", "Mode",
     {"ReplicatedJob": {"MaxConcurrent": 3, "TotalCompletions": 3}}),
    ("deploy: {replicas: 3}", "Mode", {"Replicated": {"Replicas": 3}}),
    ("scale: 2", "Mode", {"Replicated": {"Replicas": 2}}),
    ("stdin_open: false", "Mode", {"Replicated": {"Replicas": 1}}),
    ("deploy: {labels: {tier: front}}", "Labels.tier", "front"),
    ("deploy: {placement: {constraints: [node.role == manager], preferences: [{spread: node.labels.zone}], "
     "max_replicas_per_node: 2}}", "TaskTemplate.Placement",
     {"Constraints": ["node.role == manager"], "Preferences": [{"Spread": {"SpreadDescriptor": "node.labels.zone"}}],
      "MaxReplicas": 2}),
    ("deploy: {resources: {limits: {cpus: '0.5', memory: 64m, pids: 100}, reservations: {cpus: '0.25', "
     "memory: 32m}}}", "TaskTemplate.Resources",
     {"Limits": {"NanoCPUs": S // 2, "MemoryBytes": 64 << 20, "Pids": 100},
      "Reservations": {"NanoCPUs": S // 4, "MemoryBytes": 32 << 20}}),
    ("deploy: {resources: {reservations: {generic_resources: [{discrete_resource_spec: {kind: gpu, value: 2}}]}}}",
     "TaskTemplate.Resources.Reservations.GenericResources", [{"DiscreteResourceSpec": {"Kind": "gpu", "Value": 2}}]),
    ("mem_limit: 64m\ncpus: 1.5", "TaskTemplate.Resources.Limits", {"NanoCPUs": 3 * S // 2, "MemoryBytes": 64 << 20}),
    ("deploy: {restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3, window: 2m}}",
     "TaskTemplate.RestartPolicy", {"Condition": "on-failure", "Delay": 5 * S, "MaxAttempts": 3, "Window": 120 * S}),
    ("restart: always", "TaskTemplate.RestartPolicy", {"Condition": "any"}),
    ("restart: 'no'", "TaskTemplate.RestartPolicy", {"Condition": "none"}),
    ("restart: on-failure:4", "TaskTemplate.RestartPolicy", {"Condition": "on-failure", "MaxAttempts": 4}),
    ("deploy: {update_config: {parallelism: 2, delay: 10s, failure_action: rollback, monitor: 30s, "
     "max_failure_ratio: 0.1, order: start-first}}", "UpdateConfig",
     {"Parallelism": 2, "Delay": 10 * S, "FailureAction": "rollback", "Monitor": 30 * S, "MaxFailureRatio": 0.1,
      "Order": "start-first"}),
    ("deploy: {rollback_config: {order: stop-first}}", "RollbackConfig", {"Parallelism": 1, "Order": "stop-first"}),
    ("deploy: {endpoint_mode: dnsrr}", "EndpointSpec.Mode", "dnsrr"),
    ("stdin_open: false", "EndpointSpec", {"Mode": "vip"}),
    ("ports: ['8080:80', '53:53/udp', {target: 81, published: 8081, mode: host}, '9000']", "EndpointSpec.Ports",
     [{"Protocol": "udp", "TargetPort": 53, "PublishedPort": 53, "PublishMode": "ingress"},
      {"Protocol": "tcp", "TargetPort": 80, "PublishedPort": 8080, "PublishMode": "ingress"},
      {"Protocol": "tcp", "TargetPort": 81, "PublishedPort": 8081, "PublishMode": "host"},
      {"Protocol": "tcp", "TargetPort": 9000, "PublishMode": "ingress"}]),
]


@pytest.mark.parametrize("body,path,expected", GOLDEN, ids=[g[0][:40] for g in GOLDEN])
def test_each_key_becomes_its_spec_field(tmp_path, body, path, expected):
    assert at(web(tmp_path, body).spec, path) == expected


def test_the_whole_spec_of_a_small_service(tmp_path):
    plan = convert(tmp_path, """\
        services:
          web:
            image: busybox:latest
            command: httpd -f
            deploy: {replicas: 2}
    """, stack="shop").services[0]
    spec = json.loads(json.dumps(plan.spec))
    digest = spec["Labels"].pop(SPEC_HASH)
    assert spec == {
        "Name": "shop_web",
        "Labels": {NAMESPACE: "shop", "com.docker.stack.image": "busybox:latest", "com.docker.compose.project": "shop",
                   "com.docker.compose.service": "web"},
        "TaskTemplate": {"ContainerSpec": {"Image": "busybox:latest", "Labels": {NAMESPACE: "shop"},
                                           "Args": ["httpd", "-f"]},
                         "Networks": [{"Target": "shop_default", "Aliases": ["web"]}]},
        "Mode": {"Replicated": {"Replicas": 2}},
        "EndpointSpec": {"Mode": "vip"},
    }
    assert digest == spec_hash(plan.spec) and len(digest) == 64


def test_the_same_file_gives_the_same_spec(tmp_path):
    text = "services:\n  web:\n    image: busybox\n    environment: {Z: 1, A: 2}\n    cap_add: [SYS_TIME, NET_ADMIN]\n"
    first = convert(tmp_path, text).services[0].spec
    assert convert(tmp_path, text).services[0].spec == first


def test_networks_are_overlays_with_service_name_aliases(tmp_path):
    stack = convert(tmp_path, """\
        services:
          web:
            image: busybox
            networks: {front: {aliases: [www]}, back: {}}
        networks:
          front: {driver_opts: {com.example: "1"}, labels: {x: y}}
          back: {internal: true}
          outside: {external: true, name: shared}
    """)
    assert stack.services[0].spec["TaskTemplate"]["Networks"] == [
        {"Target": "st_back", "Aliases": ["web"]}, {"Target": "st_front", "Aliases": ["web", "www"]}]
    nets = {n.key: n for n in stack.networks}
    assert set(nets) == {"front", "back"}  # only what a service joins
    assert nets["front"].driver == "overlay" and nets["front"].options.attachable
    assert nets["front"].options.driver_opts == {"com.example": "1"}
    assert nets["front"].labels == {"x": "y", NAMESPACE: "st"}
    assert nets["back"].internal


def test_external_networks_keep_their_names(tmp_path):
    stack = convert(tmp_path, """\
        services:
          web: {image: busybox, networks: [outside]}
        networks:
          outside: {external: true, name: shared}
    """)
    assert [(n.name, n.external) for n in stack.networks] == [("shared", True)]


def test_named_volumes_are_the_stacks(tmp_path):
    mounts = convert(tmp_path, """\
        services:
          web: {image: busybox, volumes: ['data:/data', 'ext:/ext:ro']}
        volumes:
          data: {driver: local, driver_opts: {type: tmpfs, device: tmpfs}, labels: {backup: daily}}
          ext: {external: true}
    """).services[0].spec["TaskTemplate"]["ContainerSpec"]["Mounts"]
    assert mounts == [
        {"Type": "volume", "Source": "st_data", "Target": "/data", "VolumeOptions": {
            "Labels": {"backup": "daily", NAMESPACE: "st"}, "DriverConfig": {"Name": "local", "Options": {"type": "tmpfs",
                                                                                      "device": "tmpfs"}}}},
        {"Type": "volume", "Source": "ext", "Target": "/ext", "ReadOnly": True}]


def test_secrets_and_configs_are_named_by_their_content(tmp_path):
    (tmp_path / "pw.txt").write_text("hunter2")
    text = """\
        services:
          web:
            image: busybox
            secrets: [pw, {source: pw, target: other, uid: '100', gid: '101', mode: 0400}]
            configs: [{source: conf, target: /etc/app.conf}]
        secrets:
          pw: {file: ./pw.txt}
        configs:
          conf: {content: "a=1"}
    """
    stack = convert(tmp_path, text)
    container = stack.services[0].spec["TaskTemplate"]["ContainerSpec"]
    names = {o.key: o.name for o in stack.objects}
    assert names["pw"].startswith("st_pw_") and len(names["pw"]) == len("st_pw_") + 10
    assert container["Secrets"] == [
        {"File": {"Name": "other", "UID": "100", "GID": "101", "Mode": 0o400}, "SecretName": names["pw"],
         "SecretID": ""},
        {"File": {"Name": "pw", "UID": "0", "GID": "0", "Mode": 0o444}, "SecretName": names["pw"], "SecretID": ""}]
    assert container["Configs"] == [{"File": {"Name": "/etc/app.conf", "UID": "0", "GID": "0", "Mode": 0o444},
                                     "ConfigName": names["conf"], "ConfigID": ""}]
    assert {o.key: o.data for o in stack.objects} == {"pw": b"hunter2", "conf": b"a=1"}
    (tmp_path / "pw.txt").write_text("changed")
    assert {o.key: o.name for o in convert(tmp_path, text).objects}["pw"] != names["pw"]
    assert {o.key: o.name for o in convert(tmp_path, text).objects}["conf"] == names["conf"]


def test_a_secret_from_a_variable(tmp_path):
    text = """\
        services:
          web: {image: busybox, secrets: [token]}
        secrets:
          token: {environment: TOKEN}
    """
    assert convert(tmp_path, text, environ={"TOKEN": "abc"}).objects[0].data == b"abc"
    with pytest.raises(ConfigError, match="TOKEN variable is not set"):
        convert(tmp_path, text)


def test_a_missing_secret_file_is_refused_by_deploy_in_one_line(tmp_path):
    text = """\
        services:
          web: {image: busybox, secrets: [token]}
        secrets:
          token: {file: ./token.txt}
    """
    with pytest.raises(ConfigError, match=rf"^service 'web': secret 'token': its file {tmp_path}/token.txt is not a "
                                          "file here$"):
        convert(tmp_path, text)
    (tmp_path / "token.txt").write_text("abc")
    assert convert(tmp_path, text).objects[0].data == b"abc"


def test_a_host_address_in_ports_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match=r"service 'web': port 127.0.0.1:8080:80 binds the address 127.0.0.1"):
        web(tmp_path, "ports: ['127.0.0.1:8080:80']")


def test_ignore_host_ip_publishes_on_every_address_and_says_so(tmp_path):
    plan = web(tmp_path, "ports: ['127.0.0.1:8080:80', '9090:90']", ignore_host_ip=True)
    assert at(plan.spec, "EndpointSpec.Ports") == [
        {"Protocol": "tcp", "TargetPort": 80, "PublishedPort": 8080, "PublishMode": "ingress"},
        {"Protocol": "tcp", "TargetPort": 90, "PublishedPort": 9090, "PublishMode": "ingress"}]
    assert plan.warnings == ("the address of port 127.0.0.1:8080:80",)
    for ignore in (True, False):  # --strict refuses it, with or without --ignore-host-ip
        with pytest.raises(ConfigError, match=r"\n  service 'web': the address of port 127.0.0.1:8080:80$"):
            web(tmp_path, "ports: ['127.0.0.1:8080:80']", ignore_host_ip=ignore, strict=True)


def test_keys_swarm_cannot_honour_are_named_and_strict_refuses_them(tmp_path):
    text = """\
        services:
          web:
            image: busybox
            privileged: true
            links: [db]
            container_name: webbox
            devices: ['/dev/fuse']
            security_opt: ['no-new-privileges']
          db: {image: busybox}
    """
    plan = convert(tmp_path, text).services[1]
    assert plan.service == "web"
    assert plan.warnings == ("links", "devices", "privileged", "container_name", "security_opt")
    with pytest.raises(ConfigError, match=r"service 'web': links, devices, privileged, container_name, "
                                          r"security_opt$"):
        convert(tmp_path, text, strict=True)


def test_strict_names_every_key_of_every_service_in_one_error(tmp_path):
    (tmp_path / "app").mkdir()
    text = """\
        services:
          web:
            image: busybox
            privileged: true
            links: [worker]
          plain: {image: busybox}
          worker:
            image: busybox
            build: ./app
            ports: ['127.0.0.1:8080:80']
    """
    with pytest.raises(ConfigError) as caught:
        convert(tmp_path, text, strict=True)
    assert str(caught.value).splitlines() == [
        "compose.yml: Swarm cannot honour these keys and --strict refuses them, so nothing was deployed:",
        "  service 'web': links, privileged",  # the file's order, one line a service, as the warnings
        "  service 'worker': build, the address of port 127.0.0.1:8080:80"]
    with pytest.raises(ConfigError, match=r"deployed:\n  service 'web': links, privileged$"):
        convert(tmp_path, text, strict=True, names=["web"])  # only what is deployed counts
    assert convert(tmp_path, text, strict=True, names=["plain"]).services[0].service == "plain"


def test_build_needs_an_image_or_a_pushed_one(tmp_path):
    (tmp_path / "app").mkdir()
    text = "services:\n  web: {build: ./app}\n"
    with pytest.raises(ConfigError, match="service 'web' has no 'image'"):
        convert(tmp_path, text)
    plan = convert(tmp_path, text, images={"web": "localhost:5000/web@sha256:" + "a" * 64}).services[0]
    assert plan.spec["TaskTemplate"]["ContainerSpec"]["Image"] == "localhost:5000/web@sha256:" + "a" * 64
    assert plan.warnings == ()


def test_services_come_dependencies_first_with_their_conditions(tmp_path):
    stack = convert(tmp_path, """\
        services:
          web:
            image: busybox
            depends_on: {db: {condition: service_healthy}, migrate: {condition: service_completed_successfully}}
          migrate: {image: busybox, depends_on: [db], deploy: {mode: replicated-job}}
          db: {image: busybox}
    """)
    assert [p.service for p in stack.services] == ["db", "migrate", "web"]
    assert stack.services[2].healthy_deps == ("db",) and stack.services[2].completed_deps == ("migrate",)
    # a rollback by the stack's name alone (no file) orders the services by this label
    assert [p.spec["Labels"].get(DEPENDS_ON) for p in stack.services] == [None, "db", "db,migrate"]


def test_a_fig_yml_deploys_too(tmp_path):
    (tmp_path / "fig.yml").write_text("web:\n  image: busybox\n  command: httpd -f\n  ports: ['80']\n")
    config = load_project(project_name="old", environ={}, cwd=str(tmp_path), swarm=True)
    plan = Converter(config, "old").stack_spec(["web"]).services[0]
    assert plan.spec["Name"] == "old_web"
    assert plan.spec["EndpointSpec"]["Ports"] == [{"Protocol": "tcp", "TargetPort": 80, "PublishMode": "ingress"}]
    assert plan.spec["TaskTemplate"]["Networks"] == [{"Target": "old_default", "Aliases": ["web"]}]


def test_a_link_alias_resolves_to_the_linked_service(tmp_path):
    (tmp_path / "fig.yml").write_text("web: {image: busybox, links: ['db:database']}\ndb: {image: busybox}\n")
    config = load_project(project_name="old", environ={}, cwd=str(tmp_path), swarm=True)
    db = Converter(config, "old").stack_spec(["web", "db"]).services[0]
    assert db.spec["TaskTemplate"]["Networks"] == [{"Target": "old_default", "Aliases": ["db", "database"]}]


def test_dotenv_and_interpolation_as_up_reads_them(tmp_path):
    (tmp_path / ".env").write_text("TAG=1.36\n")
    plan = web(tmp_path, "environment: {V: '${MISSING:-dflt}'}")
    assert plan.spec["TaskTemplate"]["ContainerSpec"]["Env"] == ["V=dflt"]
    (tmp_path / "compose.yml").write_text("services:\n  web: {image: 'busybox:${TAG}'}\n")
    config = load_project(project_name="p", environ={}, cwd=str(tmp_path), swarm=True)
    assert Converter(config, "p").stack_spec(["web"]).services[0].spec["TaskTemplate"]["ContainerSpec"][
        "Image"] == "busybox:1.36"


def test_a_stack_named_otherwise_renames_its_resources(tmp_path):
    stack = convert(tmp_path, "services:\n  web: {image: busybox, volumes: ['d:/d']}\nvolumes:\n  d: {}\n",
                    stack="other")
    assert stack.services[0].spec["TaskTemplate"]["ContainerSpec"]["Mounts"][0]["Source"] == "other_d"
    assert [n.name for n in stack.networks] == ["other_default"]
