"""The gateway under test: `tollgate serve` with a generated config, and Envoy 1.40 running the
bootstrap `tollgate envoy-config` rendered for that config (with filesystem xDS, so reloads reach
Envoy). Processes go through harness.Process, so a failing test prints their logs.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import harness
from harness import Process, free_port, http_request, log, wait_until

_tollgate: dict[str, Path] = {}


def tollgate_binary() -> Path:
    """The `tollgate` executable, built once per session (honours TOLLGATE_SCRATCH_PATH,
    TOLLGATE_BUILD_CONFIGURATION and TOLLGATE_SKIP_BUILD like the rest of the e2e harness)."""
    shared = getattr(harness, "tollgate_binary", None)
    if shared is not None:
        return Path(shared())
    if "path" in _tollgate:
        return _tollgate["path"]
    args = ["swift", "build", "-c", os.environ.get("TOLLGATE_BUILD_CONFIGURATION", "debug")]
    if os.environ.get("TOLLGATE_SCRATCH_PATH"):
        args += ["--scratch-path", os.environ["TOLLGATE_SCRATCH_PATH"]]
    if os.environ.get("TOLLGATE_SKIP_BUILD") != "1":
        log(f"building: {' '.join(args)} --product tollgate")
        build = subprocess.run([*args, "--product", "tollgate"], cwd=harness.REPO, capture_output=True, text=True, timeout=1800)
        if build.returncode != 0:
            raise RuntimeError(f"building tollgate failed:\n{build.stdout[-6000:]}\n{build.stderr[-6000:]}")
    shown = subprocess.run([*args, "--show-bin-path"], cwd=harness.REPO, capture_output=True, text=True, timeout=300)
    path = Path(shown.stdout.strip().splitlines()[-1]) / "tollgate"
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist after the build")
    _tollgate["path"] = path
    return path


def new_key() -> tuple[str, str]:
    """A gateway key and its SHA-256 (hex), as the config stores it."""
    key = "tg-" + secrets.token_urlsafe(24)
    return key, hashlib.sha256(key.encode()).hexdigest()


def write_atomically(path: Path, text: str) -> None:
    """Replace a file the way Kubernetes and editors do: write aside, then rename over it."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    temporary.write_text(text)
    os.replace(temporary, path)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"Reply({self.status}, {self.headers.get('content-type')!r}, {self.body[:400]!r})"


class GatewayStack:
    """`tollgate serve` + Envoy for one config. `config` is the Tollgate config without `server:`,
    which the stack fills in (a Unix socket in the workdir, a free admin port)."""

    def __init__(
        self,
        workdir: Path,
        config: dict,
        *,
        env: dict[str, str] | None = None,
        xds: bool = True,
        ca_file: str | None = None,
    ):
        self.workdir = workdir
        self.binary = tollgate_binary()
        self.env = env or {}
        self.admin_port = free_port(30000, 39999)
        self.port = free_port(30000, 39999)
        self.envoy_admin_port = free_port(30000, 39999)
        self.socket_path = str(workdir / "tg.sock")
        self.config_path = workdir / "tollgate.yaml"
        self.xds_dir = workdir / "xds" if xds else None
        self.processes: list[Process] = []
        self.write_config(config)

        render = [
            str(self.binary), "envoy-config", "--config", str(self.config_path),
            "--listen", f"127.0.0.1:{self.port}", "--admin-port", str(self.envoy_admin_port),
            "--output", str(workdir / "envoy.yaml"),
        ]  # fmt: skip
        if self.xds_dir:
            render += ["--xds-dir", str(self.xds_dir)]
        if ca_file:
            render += ["--ca-file", ca_file]
        rendered = subprocess.run(render, capture_output=True, text=True, timeout=60, cwd=workdir)
        assert rendered.returncode == 0, f"tollgate envoy-config failed: {rendered.stderr}"

        serve = [str(self.binary), "serve", "--config", str(self.config_path)]
        if self.xds_dir:
            serve += ["--envoy-xds-dir", str(self.xds_dir)]
            if ca_file:
                serve += ["--envoy-ca-file", ca_file]
        self.tollgate = Process("tollgate", serve, workdir, env=self.env)
        self.processes.append(self.tollgate)
        try:
            wait_until(self._tollgate_ready, 30, f"tollgate /readyz on 127.0.0.1:{self.admin_port}")
        except Exception:
            self.stop()
            raise

        self.envoy = Process(
            "envoy",
            [
                harness.envoy_binary(), "-c", str(workdir / "envoy.yaml"), "--disable-hot-restart",
                "--concurrency", "1", "-l", "info",
            ],  # fmt: skip
            workdir,
        )
        self.processes.append(self.envoy)
        try:
            wait_until(self._envoy_ready, 30, f"envoy /ready on 127.0.0.1:{self.envoy_admin_port}")
        except Exception:
            self.stop()
            raise

    # -- config

    def write_config(self, config: dict) -> None:
        full = {
            "server": {
                "socket": self.socket_path,
                "admin": f"127.0.0.1:{self.admin_port}",
                "threads": 2,
                "drain_seconds": 1,
            },
            "log": {"level": "info"},
            **config,
        }
        # JSON is YAML, and Tollgate reads YAML.
        write_atomically(self.config_path, json.dumps(full, indent=2) + "\n")

    # -- readiness

    def _tollgate_ready(self) -> bool:
        self.tollgate.check_alive("while starting")
        status, _, _ = http_request("127.0.0.1", self.admin_port, "GET", "/readyz", timeout=1)
        return status == 200

    def _envoy_ready(self) -> bool:
        self.envoy.check_alive("while starting")
        status, _, _ = http_request("127.0.0.1", self.envoy_admin_port, "GET", "/ready", timeout=1)
        return status == 200

    # -- traffic

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        key: str | None = None,
        key_header: str = "authorization",
        headers: dict[str, str] | None = None,
        timeout: float = 30.0,
    ) -> Reply:
        """One request through Envoy. body: a dict/list (sent as JSON), bytes or str (sent as is)."""
        all_headers = dict(headers or {})
        if key is not None:
            all_headers[key_header] = f"Bearer {key}" if key_header == "authorization" else key
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            all_headers.setdefault("content-type", "application/json")
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body
        status, response_headers, response_body = http_request(
            "127.0.0.1", self.port, method, path, data, all_headers, timeout
        )
        return Reply(status, response_headers, response_body)

    def chat(self, model: str, key: str, **kwargs) -> tuple[str, Reply]:
        """A chat completion carrying a unique marker in its message; returns (marker, reply)."""
        marker = uuid.uuid4().hex
        extra = kwargs.pop("extra", {})
        reply = self.request(
            "POST",
            kwargs.pop("path", "/v1/chat/completions"),
            {"model": model, "messages": [{"role": "user", "content": f"marker {marker}"}], **extra},
            key=key,
            **kwargs,
        )
        return marker, reply

    # -- observation

    def tollgate_metrics(self) -> dict[tuple[str, frozenset], float]:
        status, _, body = http_request("127.0.0.1", self.admin_port, "GET", "/metrics", timeout=5)
        assert status == 200
        return harness.parse_prometheus(body.decode())

    def tollgate_metric(self, name: str, **labels: str) -> float:
        return self.tollgate_metrics().get((name, frozenset(labels.items())), 0.0)

    def envoy_stats(self, pattern: str = "") -> dict[str, int]:
        status, _, body = http_request(
            "127.0.0.1", self.envoy_admin_port, "GET", f"/stats?filter={pattern}", timeout=5
        )
        assert status == 200
        stats = {}
        for line in body.decode().splitlines():
            name, _, value = line.partition(": ")
            if value.strip().isdigit():
                stats[name] = int(value)
        return stats

    def envoy_clusters(self) -> set[str]:
        status, _, body = http_request("127.0.0.1", self.envoy_admin_port, "GET", "/clusters", timeout=5)
        assert status == 200
        return {line.split("::", 1)[0] for line in body.decode().splitlines() if "::" in line}

    def assert_alive(self) -> None:
        for process in self.processes:
            process.check_alive("during the test")

    def stop(self) -> None:
        # Envoy first (it holds the connections to Tollgate), then Tollgate.
        for process in reversed(self.processes):
            process.stop(timeout=10)
        self.processes.clear()


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    return wait_until(predicate, timeout, what, interval=interval)


def monotonic() -> float:
    return time.monotonic()
