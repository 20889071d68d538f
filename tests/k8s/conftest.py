"""Fixtures for the Kubernetes tests: the chart and the kustomizations rendered once per session,
and the tollgate binary the pod's containers run."""

from __future__ import annotations

from pathlib import Path

import pytest

import harness
import k8s_manifests as k8s


@pytest.fixture(scope="session")
def tollgate() -> Path:
    try:
        return harness.tollgate_binary()
    except Exception as error:  # noqa: BLE001 - one clear message for every test that runs it
        pytest.fail(f"cannot build tollgate: {error}", pytrace=False)


@pytest.fixture(scope="session")
def chart_objects() -> list[k8s.Object]:
    return k8s.render_chart()


@pytest.fixture(scope="session")
def base_objects() -> list[k8s.Object]:
    return k8s.kustomize(k8s.BASE)


@pytest.fixture(params=["kustomize", "helm"])
def pod_objects(request, base_objects, chart_objects) -> list[k8s.Object]:
    """The objects of k8s/base and of the chart's defaults: every pod test runs on both."""
    return base_objects if request.param == "kustomize" else chart_objects
