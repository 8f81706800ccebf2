"""The compose keys of 2024-2026 in the loader: hooks, use_api_socket, label_file, CDI devices, models and
provider services, in both file formats; every mistake one line naming the file, service and key."""

from __future__ import annotations

import pytest

from fig.config.hooks import ExecHook
from fig.config.model import ServiceConfig
from fig.errors import ConfigError


def test_a_fig_yml_takes_hooks_the_socket_label_files_and_cdi_devices(load, write):
    write("web.labels", "team=web\n")
    web = load("""
        web:
          image: busybox
          post_start: [{command: "touch /ready", user: root}]
          pre_stop: [{command: [sh, -c, "kill -TERM 1"]}]
          use_api_socket: true
          label_file: web.labels
          devices: [nvidia.com/gpu=all]
    """).service("web")
    assert web.post_start == (ExecHook(("touch", "/ready"), "root"),)
    assert web.pre_stop == (ExecHook(("sh", "-c", "kill -TERM 1")),)
    assert web.use_api_socket and web.labels == (("team", "web"),) and web.devices == ("nvidia.com/gpu=all",)


def test_a_fig_yml_service_may_be_a_provider_without_image_or_build(load):
    db = load("db:\n  provider: {type: cloud, options: {size: 2}}\n").service("db")
    assert (db.provider.type, db.provider.options, db.image) == ("cloud", (("size", ("2",)),), None)


def test_a_provider_service_with_an_image_says_the_image_is_not_used(load, caplog):
    load("services:\n  db:\n    image: mysql\n    provider: {type: cloud}\n")
    assert "service 'db' has a provider: its 'image' is not used" in caplog.text


def test_hook_environment_takes_bare_keys_from_the_variables_and_drops_unset_ones(load):
    web = load("""
        services:
          web:
            image: busybox
            post_start: [{command: env, environment: [GIVEN, UNSET, SET=1]}]
    """, environ={"GIVEN": "yes"}).service("web")
    assert web.post_start[0].environment == (("GIVEN", "yes"), ("SET", "1"))


def test_label_files_are_read_from_the_project_directory_not_the_callers(load, write, tmp_path):
    write("conf/web.labels", "a=1\n")
    write("compose.yml", "services:\n  web:\n    image: busybox\n    label_file: conf/web.labels\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config = load(files=(str(tmp_path / "compose.yml"),), cwd=elsewhere)
    assert config.service("web").labels == (("a", "1"),)


def test_a_label_file_interpolates_from_earlier_labels_only_not_the_environment(load, write):
    # compose-go resolves ${VAR} in a label file from the labels read so far, never from the environment
    write("one.labels", "a=first\nc=${HOME:-unset}\n")
    write("two.labels", "b=${a}-second\n")
    web = load("services:\n  web:\n    image: busybox\n    label_file: [one.labels, two.labels]\n",
               environ={"HOME": "/root"}).service("web")
    assert web.labels == (("a", "first"), ("c", "unset"), ("b", "first-second"))


@pytest.mark.parametrize("device, cdi", [
    ("nvidia.com/gpu=all", True), ("vendor.com/class=0", True), ("amd.com/gpu=gpu-0.1", True),
    ("/dev/sda", False), ("/dev/sda:/dev/xvda", False),
])
def test_cdi_device_names_are_kept_as_they_are(load, device, cdi):
    devices = load(f"services:\n  web:\n    image: busybox\n    devices: ['{device}']\n").service("web").devices
    assert (devices[0] == device) is cdi


@pytest.mark.parametrize("device", ["nvidia.com/gpu=", "nvidia.com=all", "1vendor/class=x", "vendor/class=x-",
                                    "vendor/cl/ass=x", "vendor/class=a:b"])
def test_names_that_are_not_cdi_names_nor_paths_are_refused(load, device):
    with pytest.raises(ConfigError, match=f"'devices' item \"{device}\" is not a device: use HOST_PATH"):
        load(f"services:\n  web:\n    image: busybox\n    devices: ['{device}']\n")


def test_service_models_name_their_variables_or_take_composes(load):
    config = load("""
        services:
          app:
            image: busybox
            models: {llm: {endpoint_var: URL}, embed: null}
        models:
          llm: {model: ai/smollm2}
          embed: {model: ai/mxbai-embed-large, context_size: 512}
    """)
    assert [(m.key, m.endpoint_var, m.model_var) for m in config.service("app").models] == [
        ("llm", "URL", None), ("embed", None, None)]
    assert [(m.key, m.model, m.context_size) for m in config.models] == [
        ("llm", "ai/smollm2", None), ("embed", "ai/mxbai-embed-large", 512)]


def test_a_model_variable_must_be_a_variable_name(load):
    with pytest.raises(ConfigError, match="service 'app': 'models' llm: endpoint_var 'my url' is not a variable name"):
        load("services:\n  app:\n    image: busybox\n    models: {llm: {endpoint_var: my url}}\n"
             "models:\n  llm: {model: ai/smollm2}\n")


def test_provider_options_keep_their_order_and_a_list_repeats_the_option(load):
    db = load("""
        services:
          db:
            provider:
              type: awesomecloud
              options: {type: mysql, size: 256, debug: true, zone: [a, b]}
    """).service("db")
    assert db.provider.options == (("type", ("mysql",)), ("size", ("256",)), ("debug", ("true",)),
                                   ("zone", ("a", "b")))


def test_unused_new_keys_leave_the_hash_of_a_service_as_it_was():
    plain = ServiceConfig("web", image="busybox")
    assert all(key not in plain.config_json() for key in ("post_start", "pre_stop", "use_api_socket", "models",
                                                           "provider"))
    hooked = ServiceConfig("web", image="busybox", post_start=(ExecHook(("true",)),))
    assert hooked.config_hash("i") != plain.config_hash("i")
    assert ServiceConfig("web", image="busybox", use_api_socket=True).config_hash("i") != plain.config_hash("i")


@pytest.mark.parametrize("key", ["post_start", "pre_stop"])
def test_a_hook_must_be_a_list_of_mappings(load, key):
    with pytest.raises(ConfigError, match=f"fig.yml:3: service 'web': '{key}' must be a list of hooks"):
        load(f"web:\n  image: busybox\n  {key}: echo hi\n")
