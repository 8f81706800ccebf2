"""extends: the same file or `file:` + `service:`, paths relative to the extended file, merging, cycles."""

from __future__ import annotations

import pytest

from fig.config.model import BuildSpec, Link, PortSpec, VolumeSpec
from fig.errors import ConfigError


def test_same_file_merges_mappings_and_replaces_scalars(load):
    config = load("""\
        services:
          base:
            image: busybox
            command: echo base
            environment: {A: "1", B: "2"}
            labels: [tier=base]
          web:
            extends: base
            command: echo web
            environment: {B: "3"}
    """)
    web = config.service("web")
    assert web.image == "busybox" and web.command == ("echo", "web")
    assert web.environment == (("A", "1"), ("B", "3")) and web.labels == (("tier", "base"),)


def test_lists_are_combined_the_way_compose_does(load):
    config = load("""\
        services:
          base:
            image: busybox
            ports: ["8000:80", "9000:90"]
            volumes: ["/a:/data", "/b:/logs"]
            cap_add: [NET_ADMIN]
          web:
            extends: base
            ports: ["9000:90", "8443:443"]
            volumes: ["/c:/data"]
            cap_add: [NET_ADMIN, SYS_TIME]
    """)
    web = config.service("web")
    assert web.ports == (PortSpec(80, 8000), PortSpec(90, 9000), PortSpec(443, 8443))
    assert web.volumes == (VolumeSpec("/data", "/c"), VolumeSpec("/logs", "/b"))
    assert web.cap_add == ("NET_ADMIN", "SYS_TIME")


def test_other_file_paths_stay_relative_to_that_file(load, write, tmp_path):
    (tmp_path / "common" / "app").mkdir(parents=True)
    write("common/base.yml", """\
        services:
          app:
            build: ./app
            env_file: app.env
            volumes: ["./data:/data", "named:/named"]
    """)
    write("common/app.env", "FROM_ENV_FILE=1\n")
    config = load("""\
        services:
          web:
            extends: {file: common/base.yml, service: app}
        volumes:
          named:
    """)
    web = config.service("web")
    assert web.build == BuildSpec(str(tmp_path / "common" / "app"))
    assert web.environment == (("FROM_ENV_FILE", "1"),)
    assert web.volumes == (VolumeSpec("/data", str(tmp_path / "common" / "data")), VolumeSpec("/named", "figtest_named"))


def test_a_chain_across_files_resolves_each_step_from_its_own_file(load, write, tmp_path):
    write("a/one.yml", "services:\n  one:\n    extends: {file: ../b/two.yml, service: two}\n    environment: [ONE=1]\n")
    write("b/two.yml", "services:\n  two:\n    image: busybox\n    env_file: two.env\n")
    write("b/two.env", "TWO=2\n")
    config = load("services:\n  web:\n    extends: {file: a/one.yml, service: one}\n")
    assert dict(config.service("web").environment) == {"TWO": "2", "ONE": "1"}


def test_services_with_links_and_depends_on_can_be_extended(load):
    config = load("""\
        services:
          db: {image: busybox}
          base:
            image: busybox
            links: [db]
            depends_on: [db]
          web:
            extends: base
    """)
    web = config.service("web")
    assert web.links == (Link("db", "db"),) and web.dependencies() == ("db",)


def test_extends_is_resolved_in_each_file_before_files_are_merged(load, write):
    """As compose-go does: the override file changes `base`, not what `web` took from it already."""
    write("fig.yml", "services:\n  base:\n    image: busybox\n  web:\n    extends: base\n")
    write("fig.override.yml", "services:\n  base:\n    image: other\n")
    assert load().service("web").image == "busybox" and load().service("base").image == "other"


def test_an_override_file_extends_only_its_own_services_or_a_named_file(load, write):
    write("fig.yml", "services:\n  base:\n    image: busybox\n  web:\n    image: busybox\n")
    write("fig.override.yml", "services:\n  web:\n    extends: base\n")
    with pytest.raises(ConfigError, match="^fig.override.yml:3: service 'web': 'extends': there is no service 'base' "
                                          "in fig.override.yml$"):
        load()
    write("fig.override.yml", "services:\n  web:\n    extends: {file: fig.yml, service: web}\n    command: x\n")
    web = load().service("web")  # the same name in another file is no cycle
    assert web.image == "busybox" and web.command == ("x",)


def test_a_fig_yml_can_use_extends_too(load):
    config = load("base:\n  image: busybox\n  environment: [A=1]\nweb:\n  extends: base\n  command: echo\n")
    assert config.legacy and config.service("web").image == "busybox"
    assert config.service("web").environment == (("A", "1"),)


@pytest.mark.parametrize("text, message", [
    ("services:\n  web:\n    extends: web\n",
     "fig.yml:3: service 'web': 'extends': services extend each other in a cycle: web -> web"),
    ("services:\n  a:\n    extends: b\n  b:\n    extends: a\n",
     "fig.yml:3: service 'a': 'extends': services extend each other in a cycle: a -> b -> a"),
    ("services:\n  web:\n    extends: nope\n",
     "fig.yml:3: service 'web': 'extends': there is no service 'nope' in fig.yml"),
    ("services:\n  web:\n    extends: {file: nope.yml, service: x}\n",
     "fig.yml:3: service 'web': 'extends': nope.yml: no such file"),
])
def test_extends_mistakes(load, text, message):
    with pytest.raises(ConfigError) as info:
        load(text)
    assert str(info.value) == message


def test_a_cycle_across_files_names_the_other_file(load, write):
    write("other.yml", "services:\n  x:\n    extends: {file: fig.yml, service: web}\n")
    with pytest.raises(ConfigError) as info:
        load("services:\n  web:\n    extends: {file: other.yml, service: x}\n")
    assert str(info.value) == ("fig.yml:3: service 'web': 'extends': services extend each other in a cycle: "
                               "web -> x (other.yml) -> web")


def test_a_mistake_in_the_extended_file_names_that_file_and_line(load, write):
    write("base.yml", "services:\n  app:\n    image: busybox\n    porst: []\n")
    with pytest.raises(ConfigError) as info:
        load("services:\n  web:\n    extends: {file: base.yml, service: app}\n")
    assert str(info.value) == "base.yml:4: service 'web': unknown key 'porst' (did you mean 'ports'?)"


def test_only_the_extended_service_of_another_file_is_checked(load, write):
    write("base.yml", "services:\n  app:\n    image: busybox\n  broken:\n    porst: []\n")
    assert load("services:\n  web:\n    extends: {file: base.yml, service: app}\n").service("web").image == "busybox"


def test_a_build_without_context_in_another_file_builds_the_project_directory(load, write, tmp_path):
    write("common/base.yml", "services:\n  app:\n    build: {dockerfile: Dockerfile.app}\n")
    write("common/Dockerfile.app", "FROM busybox\n")
    web = load("services:\n  web:\n    extends: {file: common/base.yml, service: app}\n").service("web")
    assert web.build is not None and web.build.context == str(tmp_path)


def test_a_bad_value_inherited_from_another_file_points_at_that_file(load, write):
    write("base.yml", "services:\n  app:\n    image: busybox\n    ports:\n      - '99999'\n")
    with pytest.raises(ConfigError) as info:
        load("services:\n  web:\n    extends: {file: base.yml, service: app}\n")
    assert str(info.value) == "base.yml:5: service 'web': 'ports' item \"99999\" is not a valid port"
