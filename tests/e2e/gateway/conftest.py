"""Fixtures for the gateway's end-to-end tests: fake providers, keys, and `tollgate serve` + Envoy
with the bootstrap `tollgate envoy-config` rendered."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import harness
from fake_providers import FakeProvider
from gateway_stack import GatewayStack, new_key, tollgate_binary

MAX_BODY_BYTES = 65536
ALPHA_SECRET = "sk-alpha-secret-1"
BETA_SECRET = "sk-beta-secret-1"
AZURE_SECRET = "az-secret-1"


@pytest.fixture(scope="session")
def tollgate() -> Path:
    try:
        return tollgate_binary()
    except Exception as error:  # noqa: BLE001 - one clear message for every gateway test
        pytest.fail(f"cannot build tollgate: {error}", pytrace=False)


@dataclass
class Fakes:
    alpha: FakeProvider
    beta: FakeProvider
    azure: FakeProvider

    def all(self) -> list[FakeProvider]:
        return [self.alpha, self.beta, self.azure]


@pytest.fixture(scope="session")
def fakes() -> Iterator[Fakes]:
    started = Fakes(
        alpha=FakeProvider("alpha", harness.free_port(40000, 48999)),
        beta=FakeProvider("beta", harness.free_port(40000, 48999)),
        azure=FakeProvider("azure", harness.free_port(40000, 48999), kind="azure"),
    )
    yield started
    for fake in started.all():
        fake.close()


@dataclass
class Keys:
    all: str
    limited: str  # may use m-alpha (and so its alias) only
    hashes: dict[str, str]


@pytest.fixture(scope="session")
def keys() -> Keys:
    everything, everything_hash = new_key()
    limited, limited_hash = new_key()
    return Keys(all=everything, limited=limited, hashes={"all": everything_hash, "limited": limited_hash})


def gateway_config(fakes: Fakes, keys: Keys, workdir: Path) -> dict:
    """The standard test config: three providers (env, file and Azure credentials), four models."""
    (workdir / "beta.key").write_text(BETA_SECRET + "\n")
    (workdir / "azure.key").write_text(AZURE_SECRET)
    return {
        "providers": [
            {
                "name": "alpha",
                "schema": "openai",
                "base_url": f"{fakes.alpha.base_url}/v1",
                "credential": {"env": "TOLLGATE_E2E_ALPHA_KEY"},
            },
            {
                "name": "beta",
                "schema": "openai",
                "base_url": f"{fakes.beta.base_url}/compat/v1",
                "credential": {"file": str(workdir / "beta.key")},
                "headers": {"X-Beta-Org": "org-7"},
            },
            {
                "name": "azure",
                "schema": "azure-openai",
                "base_url": fakes.azure.base_url,
                "api_version": "2024-10-21",
                "credential": {"file": str(workdir / "azure.key")},
            },
        ],
        "models": [
            {"name": "m-alpha", "aliases": ["alpha-fast"], "backends": [{"provider": "alpha", "model": "alpha-upstream-1"}]},
            {"name": "m-beta", "backends": [{"provider": "beta", "model": "beta-upstream"}]},
            {"name": "m-azure", "backends": [{"provider": "azure", "model": "dep-42"}]},
            {
                "name": "m-fallback",
                "backends": [
                    {"provider": "alpha", "model": "fb-alpha", "priority": 0},
                    {"provider": "beta", "model": "fb-beta", "priority": 1},
                ],
            },
        ],
        "keys": [
            {"name": "all", "tenant": "e2e", "sha256": keys.hashes["all"], "models": ["*"]},
            {"name": "limited", "tenant": "e2e", "sha256": keys.hashes["limited"], "models": ["m-alpha"]},
        ],
        "gateway": {"max_body_bytes": MAX_BODY_BYTES, "reload_interval_seconds": 0.2},
    }


GATEWAY_ENV = {"TOLLGATE_E2E_ALPHA_KEY": ALPHA_SECRET}


@pytest.fixture(scope="module")
def gateway(tollgate, fakes, keys) -> Iterator[GatewayStack]:
    """One stack shared by a module's tests that do not change its config."""
    workdir = harness.short_tempdir("tg-gw-")
    stack = GatewayStack(workdir, gateway_config(fakes, keys, workdir), env=GATEWAY_ENV)
    yield stack
    stack.stop()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def make_gateway(tollgate, fakes, keys, workdir) -> Iterator:
    """make_gateway(edit=None): a stack of its own, for tests that change the config or files.
    `edit(config)` may change the standard config before start."""
    stacks: list[GatewayStack] = []

    def make(edit=None) -> GatewayStack:
        config = gateway_config(fakes, keys, workdir)
        if edit:
            edit(config)
        stack = GatewayStack(workdir, config, env=GATEWAY_ENV)
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        stack.stop()
