"""The official Kubernetes Python client against `slipway cluster`, unmodified."""

import threading
import uuid

import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

WATCH_TIMEOUT = 20


@pytest.fixture
def namespace(api_client):
    name = "py-" + uuid.uuid4().hex[:8]
    client.CoreV1Api(api_client).create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    return name


def test_lists_namespaces(api_client):
    names = [ns.metadata.name for ns in client.CoreV1Api(api_client).list_namespace().items]
    assert "default" in names
    assert "kube-system" in names


def test_configmaps_create_read_list(api_client, namespace):
    core = client.CoreV1Api(api_client)
    created = core.create_namespaced_config_map(
        namespace,
        client.V1ConfigMap(metadata=client.V1ObjectMeta(name="settings", labels={"app": "shop"}), data={"color": "blue"}),
    )
    assert created.metadata.uid
    assert created.metadata.resource_version

    read = core.read_namespaced_config_map("settings", namespace)
    assert read.data == {"color": "blue"}

    core.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="other")))
    labelled = core.list_namespaced_config_map(namespace, label_selector="app=shop")
    assert [cm.metadata.name for cm in labelled.items] == ["settings"]

    with pytest.raises(ApiException) as missing:
        core.read_namespaced_config_map("absent", namespace)
    assert missing.value.status == 404

    with pytest.raises(ApiException) as conflict:
        core.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="settings")))
    assert conflict.value.status == 409


def test_deployment(api_client, namespace):
    apps = client.AppsV1Api(api_client)
    deployment = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="web"),
        spec=client.V1DeploymentSpec(
            replicas=2,
            selector=client.V1LabelSelector(match_labels={"app": "web"}),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": "web"}),
                spec=client.V1PodSpec(containers=[client.V1Container(name="web", image="shop/web:1.0")]),
            ),
        ),
    )
    created = apps.create_namespaced_deployment(namespace, deployment)
    assert created.spec.replicas == 2
    assert created.metadata.generation == 1

    patched = apps.patch_namespaced_deployment("web", namespace, {"spec": {"replicas": 3}})
    assert patched.spec.replicas == 3
    assert patched.metadata.generation == 2

    listed = apps.list_namespaced_deployment(namespace)
    assert [d.metadata.name for d in listed.items] == ["web"]
    assert listed.items[0].spec.template.spec.containers[0].image == "shop/web:1.0"


def _gadget_crd():
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.example.org"},
        "spec": {
            "group": "example.org",
            "scope": "Namespaced",
            "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {
                                    "type": "object",
                                    "properties": {"level": {"type": "integer", "minimum": 0}},
                                }
                            },
                        }
                    },
                }
            ],
        },
    }


def test_custom_objects(api_client, namespace):
    extensions = client.ApiextensionsV1Api(api_client)
    try:
        extensions.create_custom_resource_definition(_gadget_crd())
    except ApiException as error:
        assert error.status == 409  # created by an earlier test run in this session

    crd = extensions.read_custom_resource_definition("gadgets.example.org")
    established = [c for c in (crd.status.conditions or []) if c.type == "Established"]
    assert established and established[0].status == "True"

    custom = client.CustomObjectsApi(api_client)
    body = {"apiVersion": "example.org/v1", "kind": "Gadget", "metadata": {"name": "g1"}, "spec": {"level": 2}}
    created = custom.create_namespaced_custom_object("example.org", "v1", namespace, "gadgets", body)
    assert created["spec"]["level"] == 2

    fetched = custom.get_namespaced_custom_object("example.org", "v1", namespace, "gadgets", "g1")
    assert fetched["metadata"]["uid"] == created["metadata"]["uid"]

    listed = custom.list_namespaced_custom_object("example.org", "v1", namespace, "gadgets")
    assert [item["metadata"]["name"] for item in listed["items"]] == ["g1"]

    with pytest.raises(ApiException) as invalid:
        custom.create_namespaced_custom_object(
            "example.org", "v1", namespace, "gadgets",
            {"apiVersion": "example.org/v1", "kind": "Gadget", "metadata": {"name": "g2"}, "spec": {"level": -1}},
        )
    assert invalid.value.status == 422


def test_watch_from_resource_version(api_client, namespace):
    core = client.CoreV1Api(api_client)
    start = core.list_namespaced_config_map(namespace).metadata.resource_version
    core.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="watched"), data={"v": "1"}))
    core.patch_namespaced_config_map("watched", namespace, {"data": {"v": "2"}})

    seen = []
    w = watch.Watch()
    for event in w.stream(core.list_namespaced_config_map, namespace, resource_version=start, timeout_seconds=WATCH_TIMEOUT):
        seen.append((event["type"], event["object"].metadata.name, (event["object"].data or {}).get("v")))
        if len(seen) == 2:
            w.stop()
    assert seen == [("ADDED", "watched", "1"), ("MODIFIED", "watched", "2")]


def test_watch_receives_live_changes(api_client, namespace):
    custom = client.CustomObjectsApi(api_client)
    extensions = client.ApiextensionsV1Api(api_client)
    try:
        extensions.create_custom_resource_definition(_gadget_crd())
    except ApiException as error:
        assert error.status == 409

    start = custom.list_namespaced_custom_object("example.org", "v1", namespace, "gadgets")["metadata"]["resourceVersion"]
    watching = threading.Event()
    seen = []

    def consume():
        w = watch.Watch()
        stream = w.stream(
            custom.list_namespaced_custom_object, "example.org", "v1", namespace, "gadgets",
            resource_version=start, timeout_seconds=WATCH_TIMEOUT,
        )
        watching.set()
        for event in stream:
            seen.append((event["type"], event["object"]["metadata"]["name"], event["object"]["spec"]["level"]))
            if len(seen) == 2:
                w.stop()

    consumer = threading.Thread(target=consume)
    consumer.start()
    assert watching.wait(WATCH_TIMEOUT)
    body = {"apiVersion": "example.org/v1", "kind": "Gadget", "metadata": {"name": "live"}, "spec": {"level": 1}}
    custom.create_namespaced_custom_object("example.org", "v1", namespace, "gadgets", body)
    custom.patch_namespaced_custom_object("example.org", "v1", namespace, "gadgets", "live", {"spec": {"level": 5}})
    consumer.join(WATCH_TIMEOUT + 5)
    assert not consumer.is_alive()
    assert seen == [("ADDED", "live", 1), ("MODIFIED", "live", 5)]


def test_concurrent_writes_and_reads(api_client, namespace):
    from concurrent.futures import ThreadPoolExecutor

    core = client.CoreV1Api(api_client)

    def create(index):
        return core.create_namespaced_config_map(
            namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name=f"c-{index}"), data={"i": str(index)})
        ).metadata.resource_version

    with ThreadPoolExecutor(max_workers=16) as pool:
        versions = list(pool.map(create, range(200)))
    assert len(set(versions)) == 200

    first = core.list_namespaced_config_map(namespace, limit=50)
    names = [cm.metadata.name for cm in first.items]
    token = first.metadata._continue
    while token:
        page = core.list_namespaced_config_map(namespace, limit=50, _continue=token)
        names += [cm.metadata.name for cm in page.items]
        token = page.metadata._continue
    assert sorted(names) == sorted(f"c-{i}" for i in range(200))


def test_status_errors(api_client, namespace):
    core = client.CoreV1Api(api_client)
    with pytest.raises(ApiException) as invalid:
        core.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="Bad_Name")))
    assert invalid.value.status == 422

    created = core.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="versioned")))
    stale = client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="versioned", resource_version=created.metadata.resource_version), data={"a": "1"}
    )
    core.replace_namespaced_config_map("versioned", namespace, stale)
    with pytest.raises(ApiException) as conflict:
        core.replace_namespaced_config_map("versioned", namespace, stale)
    assert conflict.value.status == 409
