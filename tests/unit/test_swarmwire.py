"""The Engine API's Swarm JSON read into fig's infos, and the bodies fig writes (no engine)."""

from __future__ import annotations

import base64

from fig.backend import swarmwire
from fig.backend.ports import PortBinding


def test_a_task_with_its_error_exit_code_and_host_ports():
    task = swarmwire.task_from_json({
        "ID": "t1", "ServiceID": "s1", "Slot": 2, "NodeID": "n1", "DesiredState": "shutdown",
        "Status": {"Timestamp": "2026-12-01T22:28:22Z", "State": "failed", "Message": "started",
                   "Err": "task: non-zero exit (3)", "ContainerStatus": {"ContainerID": "c1", "ExitCode": 3},
                   "PortStatus": {"Ports": [{"Protocol": "tcp", "TargetPort": 80, "PublishedPort": 8080,
                                             "PublishMode": "host"}] * 2}}})
    assert (task.slot, task.state, task.desired_state, task.error, task.exit_code, task.container_id) == \
        (2, "failed", "shutdown", "task: non-zero exit (3)", 3, "c1")
    assert task.ports == (PortBinding(80, "tcp", None, 8080),)  # the engine lists a port once per address family


def test_a_global_task_has_no_slot_and_a_new_one_no_container():
    task = swarmwire.task_from_json({"ID": "t", "ServiceID": "s", "NodeID": "n", "Status": {"State": "new"}})
    assert task.slot is None and task.container_id is None and task.exit_code is None and task.ports == ()


def test_a_service_with_its_update_status_and_previous_spec():
    info = swarmwire.service_from_json({
        "ID": "s1", "Version": {"Index": 12}, "Spec": {"Name": "app_web", "Labels": {"a": "b"}},
        "PreviousSpec": {"Name": "app_web"}, "UpdateStatus": {"State": "paused", "Message": "update paused"}})
    assert (info.name, info.version, info.update_state, info.update_message) == ("app_web", 12, "paused",
                                                                                  "update paused")
    assert info.labels == {"a": "b"} and info.previous_spec == {"Name": "app_web"}
    fresh = swarmwire.service_from_json({"ID": "s", "Version": {"Index": 1}, "Spec": {"Name": "x"}})
    assert fresh.update_state is None and fresh.previous_spec is None and fresh.labels == {}


def test_swarm_state_from_info():
    assert swarmwire.swarm_from_info({"Swarm": {"LocalNodeState": "active", "ControlAvailable": True,
                                                "NodeID": "n"}}).manager
    worker = swarmwire.swarm_from_info({"Swarm": {"LocalNodeState": "active", "ControlAvailable": False}})
    assert worker.state == "active" and not worker.manager
    assert swarmwire.swarm_from_info({}).state == "inactive"


def test_secret_body_and_filters():
    body = swarmwire.object_body("app_pw_0123456789", b"hunter2", {"k": "v"})
    assert body == {"Name": "app_pw_0123456789", "Labels": {"k": "v"}, "Data": base64.b64encode(b"hunter2").decode()}
    assert swarmwire.label_filters({"a": "1", "b": ""}) == {"label": ["a=1", "b"]}


def test_nodes_networks_and_objects():
    node = swarmwire.node_from_json({"ID": "n", "Description": {"Hostname": "vm"}, "Status": {"State": "ready"},
                                     "Spec": {"Role": "manager", "Availability": "active", "Labels": {"zone": "a"}}})
    assert (node.hostname, node.state, node.role, node.labels) == ("vm", "ready", "manager", {"zone": "a"})
    net = swarmwire.network_from_json({"Id": "i", "Name": "app_default", "Driver": "overlay", "Scope": "swarm"})
    assert (net.name, net.scope, net.labels) == ("app_default", "swarm", {})
    obj = swarmwire.object_from_json({"ID": "o", "Spec": {"Name": "app_pw", "Labels": {"x": "y"}}})
    assert (obj.id, obj.name, obj.labels) == ("o", "app_pw", {"x": "y"})
