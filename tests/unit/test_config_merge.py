"""fig/config/merge.py and load_project with several -f files: later files win."""

from __future__ import annotations

import pytest

from fig.config.merge import merge_service
from fig.config.model import PortSpec, VolumeSpec

BASE = """\
web:
  image: busybox
  command: echo base
  ports: ['8000:80']
  environment:
    - A=base
    - B=base
  volumes:
    - /data
    - ./src:/code
db:
  image: busybox
"""
OVERRIDE = """\
web:
  image: busybox:1.36
  ports: ['9000:90']
  environment:
    B: override
    C: override
  volumes:
    - ./other:/code
  links: [db]
cache:
  image: busybox
"""


@pytest.fixture
def merged(load, write, tmp_path):
    write("fig.yml", BASE)
    write("extra.yml", OVERRIDE)
    return load(files=("fig.yml", "extra.yml"))


def test_scalars_are_replaced(merged):
    assert merged.service("web").image == "busybox:1.36"
    assert merged.service("web").command == ("echo", "base")


def test_ports_are_combined(merged):
    assert merged.service("web").ports == (PortSpec(80, 8000), PortSpec(90, 9000))


def test_environment_is_merged_by_key(merged):
    assert dict(merged.service("web").environment) == {"A": "base", "B": "override", "C": "override"}


def test_volumes_are_merged_by_container_path(merged, tmp_path):
    assert merged.service("web").volumes == (VolumeSpec("/data"), VolumeSpec("/code", str(tmp_path / "other")))


def test_new_services_and_keys_are_added(merged):
    assert [s.name for s in merged.services] == ["web", "db", "cache"]
    assert merged.service("web").dependencies() == ("db",)
    assert merged.files == ("fig.yml", "extra.yml")


def test_override_file_is_picked_up_automatically(load, write):
    write("fig.yml", BASE)
    write("fig.override.yml", "web:\n  command: echo overridden\n")
    config = load()
    assert config.service("web").command == ("echo", "overridden")
    assert config.service("web").image == "busybox"


def test_an_error_in_the_second_file_names_that_file(load, write):
    write("fig.yml", BASE)
    write("extra.yml", "web:\n  imag: x\n")
    with pytest.raises(Exception, match=r"^extra\.yml:2: service 'web': unknown key 'imag'"):
        load(files=("fig.yml", "extra.yml"))


@pytest.mark.parametrize("base, override, expected", [
    ({"cap_add": ["A"]}, {"cap_add": ["B", "A"]}, {"cap_add": ["A", "B"]}),
    ({"environment": ["A=1"]}, {"environment": {"A": "2"}}, {"environment": {"A": "2"}}),
    ({"build": "."}, {"build": {"dockerfile": "D"}}, {"build": {"context": ".", "dockerfile": "D"}}),
    ({"command": "a"}, {"command": ["b"]}, {"command": ["b"]}),
    ({"volumes": ["/x", "a:/y"]}, {"volumes": ["b:/y"]}, {"volumes": ["/x", "b:/y"]}),
])
def test_merge_service(base, override, expected):
    assert merge_service(base, override) == expected
