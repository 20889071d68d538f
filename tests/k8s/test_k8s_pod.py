"""The pod's shape, on both renders (kustomize and the chart): Envoy as the main container,
Tollgate as a native sidecar on a Unix socket in a shared emptyDir, the bootstrap rendered at
start, config and keys mounted so they can change in place, probes, and locked-down containers."""

from __future__ import annotations

import posixpath

import k8s_manifests as k8s

RUN_VOLUME = "run"


def mounts(container: k8s.Object) -> dict[str, str]:
    """Volume name -> mount path."""
    return {m["name"]: m["mountPath"] for m in container.get("volumeMounts", [])}


def option(command: list[str], flag: str) -> str:
    assert flag in command, f"{flag} missing from {command}"
    return command[command.index(flag) + 1]


def volume(spec: k8s.Object, name: str) -> k8s.Object:
    (found,) = [v for v in spec["volumes"] if v["name"] == name]
    return found


def under(path: str, directory: str) -> bool:
    return posixpath.commonpath([path, directory]) == directory


def test_containers_start_in_order_with_tollgate_as_native_sidecar(pod_objects):
    spec = k8s.pod_spec(pod_objects)
    assert [c["name"] for c in spec["initContainers"]] == ["envoy-config", "tollgate"]
    assert [c["name"] for c in spec["containers"]] == ["envoy"]
    render, sidecar = spec["initContainers"]
    assert "restartPolicy" not in render, "envoy-config must run to completion before Tollgate starts"
    assert sidecar["restartPolicy"] == "Always"
    assert render["command"][:2] == ["tollgate", "envoy-config"]
    assert sidecar["command"][:2] == ["tollgate", "serve"]
    assert spec["containers"][0]["command"][0] == "envoy"


def test_envoy_reads_what_tollgate_writes_on_the_shared_emptydir(pod_objects):
    spec = k8s.pod_spec(pod_objects)
    render, sidecar, envoy = (k8s.container(spec, n) for n in ("envoy-config", "tollgate", "envoy"))
    assert "emptyDir" in volume(spec, RUN_VOLUME)
    run = mounts(render)[RUN_VOLUME]
    assert mounts(sidecar)[RUN_VOLUME] == run and mounts(envoy)[RUN_VOLUME] == run, "one path in every container"

    bootstrap = option(render["command"], "--output")
    assert option(envoy["command"], "--config-path") == bootstrap
    xds = option(render["command"], "--xds-dir")
    assert option(sidecar["command"], "--envoy-xds-dir") == xds
    assert option(render["command"], "--config") == option(sidecar["command"], "--config")
    assert under(bootstrap, run) and under(xds, run)

    config = k8s.tollgate_config(pod_objects)
    assert under(config["server"]["socket"], run), "Envoy must reach the socket through the shared volume"
    assert "listen" not in config["server"], "ext_proc stays on the socket, off the network"
    assert len(config["server"]["socket"].encode()) <= 107


def test_config_and_provider_keys_are_mounted_whole_so_updates_reach_the_files(pod_objects):
    spec = k8s.pod_spec(pod_objects)
    sidecar = k8s.container(spec, "tollgate")
    config_file = option(sidecar["command"], "--config")
    config_volume = volume(spec, "config")
    assert config_volume["configMap"]["name"] == f"{k8s.RELEASE}-config"
    assert posixpath.dirname(config_file) == mounts(sidecar)["config"]
    keys_volume = volume(spec, "provider-keys")
    assert keys_volume["secret"]["secretName"] == "tollgate-provider-keys"
    # subPath mounts are never updated by the kubelet; items would hide keys added later.
    for c in spec["initContainers"] + spec["containers"]:
        assert all("subPath" not in m for m in c.get("volumeMounts", [])), c["name"]
    assert "items" not in keys_volume["secret"] and "items" not in config_volume["configMap"]

    config = k8s.tollgate_config(pod_objects)
    keys_dir = mounts(sidecar)["provider-keys"]
    files = [p["credential"]["file"] for p in config["providers"] if "credential" in p]
    assert files and all(posixpath.dirname(f) == keys_dir for f in files), files
    assert all("env" not in p.get("credential", {}) for p in config["providers"])
    assert under(config["storage"]["path"], mounts(sidecar)["data"]), "the root filesystem is read-only"


def test_probes_use_the_admin_port_and_the_listener(pod_objects):
    spec = k8s.pod_spec(pod_objects)
    sidecar, envoy = k8s.container(spec, "tollgate"), k8s.container(spec, "envoy")
    admin_port = int(k8s.tollgate_config(pod_objects)["server"]["admin"].rsplit(":", 1)[1])
    assert k8s.tollgate_config(pod_objects)["server"]["admin"].startswith("0.0.0.0:"), "the kubelet probes the pod IP"
    assert {p["name"]: p["containerPort"] for p in sidecar["ports"]} == {"admin": admin_port}
    assert sidecar["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "admin"}
    assert sidecar["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "admin"}
    assert sidecar["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "admin"}

    listen = option(k8s.container(spec, "envoy-config")["command"], "--listen")
    assert {p["name"]: p["containerPort"] for p in envoy["ports"]} == {"http": int(listen.rsplit(":", 1)[1])}
    assert envoy["livenessProbe"]["tcpSocket"] == {"port": "http"}
    assert envoy["readinessProbe"]["tcpSocket"] == {"port": "http"}
    preStop = " ".join(envoy["lifecycle"]["preStop"]["exec"]["command"])
    admin = option(k8s.container(spec, "envoy-config")["command"], "--admin-port")
    assert f"/dev/tcp/127.0.0.1/{admin}" in preStop and "drain_listeners?graceful" in preStop
    drain = int(option(envoy["command"], "--drain-time-s"))
    assert f"sleep {drain}" in preStop
    assert spec["terminationGracePeriodSeconds"] >= drain + k8s.tollgate_config(pod_objects)["server"]["drain_seconds"]


def test_every_container_is_non_root_read_only_and_bounded(pod_objects):
    spec = k8s.pod_spec(pod_objects)
    pod = spec["securityContext"]
    assert pod["runAsNonRoot"] is True and pod["runAsUser"] != 0
    assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
    assert spec["automountServiceAccountToken"] is False
    for c in spec["initContainers"] + spec["containers"]:
        context = c["securityContext"]
        assert context["readOnlyRootFilesystem"] is True, c["name"]
        assert context["allowPrivilegeEscalation"] is False, c["name"]
        assert context["capabilities"] == {"drop": ["ALL"]}, c["name"]
        # One user for all: the socket is created with the default umask, owner-only writable.
        assert "runAsUser" not in context, c["name"]
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(c["resources"][kind]), (c["name"], kind)


def test_service_pdb_hpa_and_network_policy_select_the_pod(pod_objects):
    deployment = k8s.find(pod_objects, "Deployment", k8s.RELEASE)
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"] == labels
    service = k8s.find(pod_objects, "Service", k8s.RELEASE)
    assert service["spec"]["selector"] == labels
    assert {p["targetPort"] for p in service["spec"]["ports"]} == {"http", "admin"}
    assert k8s.find(pod_objects, "PodDisruptionBudget", k8s.RELEASE)["spec"]["selector"]["matchLabels"] == labels
    hpa = k8s.find(pod_objects, "HorizontalPodAutoscaler", k8s.RELEASE)
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": k8s.RELEASE}
    assert "replicas" not in deployment["spec"], "the HPA owns the replica count"
    policy = k8s.find(pod_objects, "NetworkPolicy", k8s.RELEASE)
    assert policy["spec"]["podSelector"]["matchLabels"] == labels
    assert [p["port"] for rule in policy["spec"]["ingress"] for p in rule["ports"]] == ["http", "admin"]
