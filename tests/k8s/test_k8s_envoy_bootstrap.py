"""The pod's Envoy config is the one `tollgate envoy-config` produces, and Envoy accepts it.

Nothing in k8s/ holds a bootstrap: the init container renders it at pod start. So this runs the
real binary with the init container's own command on the ConfigMap's own config, each mount path
moved into a temporary directory; then Envoy validates the result with the main container's own
flags, and `tollgate serve` starts with the sidecar's command and writes what Envoy reads."""

from __future__ import annotations

import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

import harness
import k8s_manifests as k8s


class Pod:
    """The pod's volumes as directories under `root`, and its commands with paths moved there."""

    def __init__(self, objects: list[k8s.Object], root: Path):
        self.spec = k8s.pod_spec(objects)
        containers = self.spec["initContainers"] + self.spec["containers"]
        self.moves = {m["mountPath"]: root / m["name"] for c in containers for m in c.get("volumeMounts", [])}
        for directory in self.moves.values():
            directory.mkdir(exist_ok=True)
        self.config_text = self.moved(k8s.find(objects, "ConfigMap", f"{k8s.RELEASE}-config")["data"]["tollgate.yaml"])
        config = yaml.safe_load(self.config_text)
        self.config_file = self.moves["/etc/tollgate"] / "tollgate.yaml"
        self.config_file.write_text(self.config_text)
        for provider in config["providers"]:
            Path(provider["credential"]["file"]).write_text(f"sk-test-{provider['name']}\n")
        self.config = config

    def moved(self, text: str) -> str:
        # Longest mount paths first, so /var/run/secrets/tollgate is not taken for a prefix of another.
        for path in sorted(self.moves, key=len, reverse=True):
            text = text.replace(path, str(self.moves[path]))
        return text

    def command(self, name: str, binary: Path | str) -> list[str]:
        command = k8s.container(self.spec, name)["command"]
        return [str(binary)] + [self.moved(arg) for arg in command[1:]]


@pytest.fixture
def pod(pod_objects) -> Iterator[Pod]:
    # Unix socket paths must stay under 108 bytes: a short directory under /tmp.
    root = harness.short_tempdir("tg-k8s-")
    yield Pod(pod_objects, root)
    shutil.rmtree(root, ignore_errors=True)


def run(command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_config_passes_tollgate_check(pod, tollgate):
    checked = run([str(tollgate), "check", "--config", str(pod.config_file)])
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_init_container_renders_a_bootstrap_envoy_accepts(pod, tollgate):
    rendered = run(pod.command("envoy-config", tollgate))
    assert rendered.returncode == 0, rendered.stderr
    bootstrap = Path(pod.moved("/run/tollgate/envoy.yaml"))
    text = bootstrap.read_text()
    assert text.startswith("# Envoy bootstrap rendered by `tollgate envoy-config`")
    assert f"path: {pod.config['server']['socket']}" in text, "Envoy's tollgate cluster is the config's socket"
    assert (Path(pod.moved("/run/tollgate/xds")) / "clusters.yaml").exists()

    envoy = pod.command("envoy", harness.envoy_binary())
    validated = run([*envoy, "--mode", "validate"])
    assert validated.returncode == 0, f"{' '.join(envoy)}:\n{validated.stdout}\n{validated.stderr}"
    assert "configuration" in validated.stdout + validated.stderr and "OK" in validated.stdout + validated.stderr


def test_envoy_image_is_the_validating_envoy(pod):
    """The image the pod runs is the Envoy release the bootstrap was validated with above."""
    version = run([harness.envoy_binary(), "--version"]).stdout
    tag = k8s.container(pod.spec, "envoy")["image"].rsplit(":", 1)[1]
    assert f"/{tag.lstrip('v')}/" in version, f"image tag {tag}, validating envoy: {version}"


def test_sidecar_command_serves_the_socket_and_writes_envoys_files(pod, tollgate):
    port = harness.free_port()
    # The one change: the admin port, so parallel runs on this machine do not collide.
    pod.config_file.write_text(pod.config_text.replace(pod.config["server"]["admin"], f"127.0.0.1:{port}"))
    xds = Path(pod.moved("/run/tollgate/xds"))
    assert not xds.exists()
    server = harness.Process("tollgate", pod.command("tollgate", tollgate), Path(pod.moves["/run/tollgate"]))
    try:
        def ready() -> bool:
            server.check_alive("serving")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                return response.status == 200

        harness.wait_until(ready, 30, "tollgate serve's /readyz")
        assert Path(pod.config["server"]["socket"]).is_socket()
        assert {p.name for p in xds.iterdir()} >= {"clusters.yaml", "routes.yaml"}
    finally:
        assert server.stop(timeout=30) == 0, server.tail()


def test_chart_redis_settings_pass_tollgate_check(tollgate):
    """redis.tollgateStorage is the one place naming Tollgate's Redis setting: it must still be one
    Tollgate accepts."""
    root = harness.short_tempdir("tg-k8s-")
    try:
        pod = Pod(k8s.render_chart({"redis": {"enabled": True}}), root)
        assert "redis" in pod.config["storage"]
        checked = run([str(tollgate), "check", "--config", str(pod.config_file)])
        if "unknown key 'storage.redis'" in checked.stdout:
            pytest.skip("this tollgate predates the Redis limiter store (storage.redis)")
        assert checked.returncode == 0, checked.stdout + checked.stderr
    finally:
        shutil.rmtree(root, ignore_errors=True)
