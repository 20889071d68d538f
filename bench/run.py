"""What Tollgate's ext_proc hop costs, and what the gateway adds on top, measured on loopback in one run.

    h2load --h2c--> Envoy (front) --> Envoy (upstream: direct_response 200 "ok")
                      |
                      +--ext_proc, gRPC over h2c on a Unix socket (or TCP)--> TollgateProbe or tollgate (release)

Transport scenarios: the tests' Envoy bootstrap (tests/e2e/harness.py), one ext_proc filter, TollgateProbe.
  envoy-get          no ext_proc filter, GET                         (baseline for the GET rows)
  hdr-req            request headers SEND, everything else SKIP/NONE
  hdr-req-resp       request and response headers SEND
  hdr-req-resp-6h    the same, the probe adding six response headers (values changing per request)
  envoy-post-1k      no ext_proc filter, POST with a 1 KB body      (baseline for the body row)
  body-1k-buffered   request headers SEND + request body BUFFERED (1 KB), response SKIP

Gateway scenarios: the bootstrap `tollgate envoy-config` renders for a one-model config whose one
backend is the upstream Envoy (router-level ext_proc: request headers with a full-duplex body,
response headers with a streamed body; the model's direct route, whose cluster has no upstream
ext_proc, only the header_mutation that restores content-length). Both send
`POST /v1/chat/completions` with a ~1 KB OpenAI chat body and a gateway key; the rendered config is
the same file for both, only the server on Tollgate's socket differs.
  router-noop        TollgateProbe, which continues every message; the requests carry
                     `x-tollgate-model` and `x-tollgate-route: direct` themselves so that the
                     model's direct route matches (baseline)
  router-gateway     `tollgate serve`: key check, body scan, routing, request state, and the
                     request prepared for the model's one backend (path, authority, credential, the
                     body with the upstream model name)
  router-gateway-ledger  the same with `storage.path` set: one usage-ledger row per request
                     (baseline router-gateway); prints the ledger's bytes per row at the end
  router-gateway-limits  router-gateway with four limits on the key (tokens per minute and per day,
                     requests per minute, concurrent requests; never reached): a reservation and
                     a settlement per request in the local counter store (baseline router-gateway)
  router-gateway-redis   the same limits with `storage.redis`: the counters in a redis-server the
                     bench starts on loopback, two round trips to it per request (baseline
                     router-gateway)
Both `tollgate serve` scenarios run with the default request log (one JSON line per request on
stdout, into the server's log file).

For each: req/s, p50 and p99 latency (from h2load's per-request log), the ratio of req/s to the
baseline, the microseconds added at p50, and CPU microseconds per request of the front Envoy and
of the ext_proc server (utime+stime from /proc/PID/stat around the measured run, divided by its
requests), and of the whole machine (busy time from /proc/stat: h2load, both Envoys, the server).
With --repeat, each scenario's rounds paired with its baseline's: req/s over the baseline's, and the
baseline's machine CPU per request over the scenario's. The run is CPU-bound, so req/s is the
machine's capacity over its CPU per request; the second ratio leaves out how much capacity a shared
VM had at that moment, which moves req/s by ±20 % from one round to the next.
Nothing is written into the repository; copy the output into bench/RESULTS.md by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))

import harness  # noqa: E402
from harness import (  # noqa: E402
    Envoy,
    Probe,
    Process,
    direct_response_config,
    envoy_config,
    ext_proc_filter,
    free_port,
    h2load,
    http_request,
    wait_until,
)

BENCH_MODEL = "bench-model"
BENCH_KEY = "tg-bench-key-not-a-secret"


@dataclass(frozen=True)
class Scenario:
    name: str
    baseline: str | None  # the scenario this one is compared with
    modes: dict | None  # ext_proc processing modes, None: no ext_proc filter
    body: bool = False
    # "probe": the tests' bootstrap with `modes`; "router-noop"/"router-gateway": the rendered gateway bootstrap.
    kind: str = "probe"
    headers: dict | None = None  # request headers h2load sends (probe scenarios)


SCENARIOS = [
    Scenario("envoy-get", None, None),
    Scenario("hdr-req", "envoy-get", dict(request_header_mode="SEND", request_body_mode="NONE",
                                          response_header_mode="SKIP", response_body_mode="NONE")),
    Scenario("hdr-req-resp", "envoy-get", dict(request_header_mode="SEND", request_body_mode="NONE",
                                               response_header_mode="SEND", response_body_mode="NONE")),
    # What six response-header mutations (as many as the x-ratelimit-* headers) cost Envoy.
    Scenario("hdr-req-resp-6h", "hdr-req-resp", dict(request_header_mode="SEND", request_body_mode="NONE",
                                                     response_header_mode="SEND", response_body_mode="NONE"),
             headers={"x-probe-response-headers": "6"}),
    Scenario("envoy-post-1k", None, None, body=True),
    Scenario("body-1k-buffered", "envoy-post-1k", dict(request_header_mode="SEND", request_body_mode="BUFFERED",
                                                       response_header_mode="SKIP", response_body_mode="NONE"),
             body=True),
    Scenario("router-noop", None, None, body=True, kind="router-noop"),
    Scenario("router-gateway", "router-noop", None, body=True, kind="router-gateway"),
    # The same with the usage ledger on (storage.path set), against router-gateway without it.
    Scenario("router-gateway-ledger", "router-gateway", None, body=True, kind="router-gateway-ledger"),
    # The limiter on the request path, local counters and Redis, against router-gateway without limits.
    Scenario("router-gateway-limits", "router-gateway", None, body=True, kind="router-gateway-limits"),
    Scenario("router-gateway-redis", "router-gateway", None, body=True, kind="router-gateway-redis"),
]  # fmt: skip


@dataclass
class Measurement:
    scenario: Scenario
    rps: float
    requests: int
    p50_us: float
    p99_us: float
    envoy_cpu_us: float
    probe_cpu_us: float | None
    machine_cpu_us: float  # every process's, from /proc/stat: h2load, both Envoys, the server
    failed: int
    non_2xx: int


@dataclass
class Gateway:
    """What the gateway scenarios share: Tollgate's config, the bootstrap rendered from it, its ports."""

    tollgate_bin: Path
    config: Path
    envoy_config: Path
    listener_port: int
    admin_port: int
    tollgate_port: int | None  # TCP transport; None: the Unix socket
    socket_path: Path
    body_file: Path
    ledger_config: Path  # `config` plus storage.path: the usage ledger on
    database: Path
    limits_config: Path  # `config` plus limits on the key that are never reached
    redis_config: Path  # `limits_config` plus storage.redis on `redis_port`
    redis_port: int

    def config_for(self, kind: str) -> Path:
        return {
            "router-gateway": self.config,
            "router-gateway-ledger": self.ledger_config,
            "router-gateway-limits": self.limits_config,
            "router-gateway-redis": self.redis_config,
        }[kind]


def chat_body(size: int = 1024) -> bytes:
    """An OpenAI chat completion request of about `size` bytes."""
    def encode(text: str) -> bytes:
        return json.dumps({
            "model": BENCH_MODEL,
            "messages": [
                {"role": "system", "content": "You are a concise assistant."},
                {"role": "user", "content": text},
            ],
            "temperature": 0.2,
            "max_tokens": 64,
        }).encode()  # fmt: skip

    filler = "Summarise the following note in one sentence. "
    text = (filler * (size // len(filler) + 1))[: max(0, size - len(encode("")))]
    return encode(text)


def prepare_gateway(args, workdir: Path, upstream_port: int, tollgate_bin: Path) -> Gateway:
    """Writes the bench config (one provider: the upstream Envoy; one model; one key; the provider's
    credential in a file beside the config) and renders Envoy's bootstrap with `tollgate envoy-config`."""
    socket_path = workdir / "tollgate.sock"
    tollgate_port = free_port() if args.transport == "tcp" else None
    endpoint = f'listen: "127.0.0.1:{tollgate_port}"' if tollgate_port else f'socket: "{socket_path}"'
    (workdir / "provider.key").write_text("sk-bench-provider\n")
    digest = hashlib.sha256(BENCH_KEY.encode()).hexdigest()
    config = workdir / "tollgate.yaml"
    config.write_text(
        f"""server:
  {endpoint}
  admin: "127.0.0.1:{free_port()}"
log:
  level: warning
providers:
  - name: bench
    schema: openai
    base_url: http://127.0.0.1:{upstream_port}/v1
    credential:
      file: provider.key
models:
  - name: {BENCH_MODEL}
    backends:
      - provider: bench
        model: bench-upstream-model
keys:
  - name: bench
    tenant: bench
    sha256: {digest}
    models: ["{BENCH_MODEL}"]
"""
    )
    listener_port, admin_port = free_port(), free_port()
    rendered = workdir / "envoy-router.yaml"
    render = subprocess.run(
        [str(tollgate_bin), "envoy-config", "--config", str(config), "--listen", f"127.0.0.1:{listener_port}",
         "--admin-port", str(admin_port), "--output", str(rendered)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    if render.returncode != 0:
        raise RuntimeError(f"tollgate envoy-config failed:\n{render.stderr}")
    body_file = workdir / "chat-1k.json"
    body_file.write_bytes(chat_body())
    database = workdir / "ledger.db"
    ledger_config = workdir / "tollgate-ledger.yaml"
    ledger_config.write_text(config.read_text() + f"storage:\n  path: {database}\n")
    limits_config = workdir / "tollgate-limits.yaml"
    limits_config.write_text(config.read_text() + BENCH_LIMITS)
    redis_port = free_port()
    redis_config = workdir / "tollgate-redis.yaml"
    redis_config.write_text(limits_config.read_text() + f"storage:\n  redis:\n    url: redis://127.0.0.1:{redis_port}\n")
    return Gateway(tollgate_bin, config, rendered, listener_port, admin_port, tollgate_port, socket_path, body_file,
                   ledger_config, database, limits_config, redis_config, redis_port)  # fmt: skip


# Limits high enough never to refuse a bench request: every request reserves and settles against all four.
BENCH_LIMITS = """limits:
  - key: bench
    tokens_per_minute: 1000000000000
    tokens_per_day: 1000000000000
    requests_per_minute: 1000000000000
    concurrent_requests: 100000
"""


def start_redis(workdir: Path, port: int) -> subprocess.Popen:
    """redis-server on loopback without persistence, for the router-gateway-redis scenario."""
    binary = shutil.which("redis-server")
    if not binary:
        raise RuntimeError("router-gateway-redis needs redis-server (scripts/setup.sh installs it)")
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=(workdir / "redis.log").open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"redis-server did not listen on {port}")


def ledger_size(database: Path) -> tuple[int, int]:
    """(rows, bytes) of the bench's ledger once Tollgate has exited: the WAL folded into the file first."""
    connection = sqlite3.connect(database)
    try:
        rows = connection.execute("SELECT count(*) FROM usage").fetchone()[0]
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return rows, database.stat().st_size


class RenderedEnvoy:
    """Envoy running a bootstrap file as `tollgate envoy-config` wrote it (fixed admin port)."""

    def __init__(self, workdir: Path, gateway: Gateway, name: str, concurrency: int):
        self.admin_port = gateway.admin_port
        argv = [harness.envoy_binary(), "-c", str(gateway.envoy_config), "--disable-hot-restart",
                "--concurrency", str(concurrency), "-l", "warning"]  # fmt: skip
        self.process = Process(name, argv, workdir)
        try:
            wait_until(self._ready, 30, f"{name} /ready on 127.0.0.1:{self.admin_port}")
        except Exception:
            self.process.stop(timeout=2)
            raise RuntimeError(f"{name} did not become ready:\n{self.process.tail()}") from None

    def _ready(self) -> bool:
        self.process.check_alive("while starting")
        return http_request("127.0.0.1", self.admin_port, "GET", "/ready", timeout=1)[0] == 200

    def ext_proc_streams(self) -> dict[str, int]:
        """streams_started of the router-level and any upstream ext_proc filters."""
        _, _, body = http_request("127.0.0.1", self.admin_port, "GET", "/stats?filter=ext_proc.*streams_started", timeout=5)
        stats = {}
        for line in body.decode().splitlines():
            name, _, value = line.partition(": ")
            if value.strip().isdigit():
                stats[name] = int(value)
        return stats

    def stop(self) -> None:
        self.process.stop()


def start_router_side(scenario: Scenario, args, workdir: Path, gateway: Gateway, probe_bin: Path):
    """The ext_proc server on the rendered config's socket (probe or tollgate) and the front Envoy."""
    common = dict(tcp=gateway.tollgate_port is not None, unix=gateway.tollgate_port is None, port=gateway.tollgate_port,
                  threads=args.probe_threads, drain_seconds=1, log_level="warning", name="tollgate")  # fmt: skip
    if scenario.kind.startswith("router-gateway"):
        config = gateway.config_for(scenario.kind)
        server = Probe(workdir, binary=gateway.tollgate_bin, command=["serve"],
                       extra_args=["--config", str(config)], **common)  # fmt: skip
    else:
        server = Probe(workdir, binary=probe_bin, **common)
    try:
        envoy = RenderedEnvoy(workdir, gateway, f"envoy-{scenario.name}", args.envoy_concurrency)
    except Exception:
        server.stop()
        raise
    return server, envoy


def measure(
    scenario: Scenario, args, workdir: Path, upstream_port: int, probe_bin: Path, body_file: Path, gateway: Gateway | None
) -> Measurement:
    probe = None
    envoy = None
    try:
        if scenario.kind != "probe":
            assert gateway is not None
            probe, envoy = start_router_side(scenario, args, workdir, gateway, probe_bin)
            headers = {"authorization": f"Bearer {BENCH_KEY}", "content-type": "application/json"}
            if scenario.kind == "router-noop":
                headers["x-tollgate-model"] = BENCH_MODEL
                headers["x-tollgate-route"] = "direct"
            return run_load(scenario, args, workdir, envoy, probe,
                            f"http://127.0.0.1:{gateway.listener_port}/v1/chat/completions",
                            dict(data_file=gateway.body_file, headers=headers))  # fmt: skip
        if scenario.modes is not None:
            probe = Probe(
                workdir,
                binary=probe_bin,
                tcp=args.transport == "tcp",
                unix=args.transport == "unix",
                threads=args.probe_threads,
                drain_seconds=1,
                log_level="warning",
                name=f"probe-{scenario.name}",
            )
        config = envoy_config(
            listener_port=free_port(),
            upstream_port=upstream_port,
            upstream_http2=True,
            ext_proc=ext_proc_filter(**scenario.modes) if scenario.modes is not None else None,
            probe_tcp_port=probe.port if probe and args.transport == "tcp" else None,
            probe_socket=probe.socket_path if probe and args.transport == "unix" else None,
        )
        envoy = Envoy(workdir, config, name=f"envoy-{scenario.name}", concurrency=args.envoy_concurrency, log_level="warning")
        port = config["static_resources"]["listeners"][0]["address"]["socket_address"]["port_value"]
        return run_load(scenario, args, workdir, envoy, probe, f"http://127.0.0.1:{port}/bench",
                        dict(data_file=body_file if scenario.body else None, headers=scenario.headers))  # fmt: skip
    finally:
        if envoy:
            envoy.stop()
        if probe:
            probe.stop()


def run_load(scenario: Scenario, args, workdir: Path, envoy, probe: Probe | None, url: str, request: dict) -> Measurement:
    """Warm-up, then the measured h2load run, with the CPU both processes used during it."""
    load = dict(clients=args.clients, streams=args.streams, threads=args.h2load_threads, **request)
    warm = h2load(url, requests=args.warmup_requests, timeout=120, **load)
    if warm.succeeded != args.warmup_requests or warm.status_2xx != args.warmup_requests:
        raise RuntimeError(f"{scenario.name}: warm-up failed: {warm.summary()}")
    if isinstance(envoy, RenderedEnvoy):
        streams = envoy.ext_proc_streams()
        if streams.get("http.tollgate.ext_proc.router.streams_started", 0) == 0:
            raise RuntimeError(f"{scenario.name}: the router-level ext_proc filter should have run: {streams}")

    envoy_cpu = envoy.process.cpu_seconds()
    probe_cpu = probe.process.cpu_seconds() if probe else 0.0
    machine_cpu = machine_busy_seconds()
    run = h2load(url, duration=args.duration, timeout=args.duration + 120,
                 log_path=workdir / f"{scenario.name}.h2load.log", **load)  # fmt: skip
    machine_cpu = machine_busy_seconds() - machine_cpu
    envoy_cpu = envoy.process.cpu_seconds() - envoy_cpu
    probe_cpu = (probe.process.cpu_seconds() - probe_cpu) if probe else None
    done = max(1, run.succeeded)
    return Measurement(
        scenario=scenario,
        rps=run.rps,
        requests=run.succeeded,
        p50_us=run.percentile_us(50),
        p99_us=run.percentile_us(99),
        envoy_cpu_us=envoy_cpu * 1e6 / done,
        probe_cpu_us=probe_cpu * 1e6 / done if probe_cpu is not None else None,
        machine_cpu_us=machine_cpu * 1e6 / done,
        failed=run.failed + run.errored + run.timeouts,
        non_2xx=run.status_3xx + run.status_4xx + run.status_5xx,
    )


def machine_busy_seconds() -> float:
    """CPU time the whole machine has spent busy (user, nice, system, irq, softirq; not idle, iowait
    or steal), from /proc/stat."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(value) for value in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def median_by_rps(runs: list[Measurement]) -> Measurement:
    ordered = sorted(runs, key=lambda m: m.rps)
    return ordered[len(ordered) // 2]


def print_paired_ratios(runs: dict[str, list[Measurement]]) -> None:
    """Each round's req/s over its baseline's in the same round. Rounds run back to back (in
    alternating order), so a change in the machine's other load falls on both halves of a pair; the
    median of the pairs is steadier than the ratio of two medians. The geometric mean of the pairs
    is printed too: the median of a few noisy pairs can land on a lucky one."""
    lines, cpu_lines = [], []
    for name, measurements in runs.items():
        baseline = measurements[0].scenario.baseline
        if baseline not in runs:
            continue
        ratios = [m.rps / b.rps for m, b in zip(measurements, runs[baseline])]
        lines.append(f"  {name:<22} median {statistics.median(ratios):.2f}  geometric mean "
                     f"{statistics.geometric_mean(ratios):.2f}  rounds {' '.join(f'{r:.2f}' for r in ratios)}")  # fmt: skip
        cpu = [b.machine_cpu_us / m.machine_cpu_us for m, b in zip(measurements, runs[baseline])]
        cpu_lines.append(f"  {name:<22} median {statistics.median(cpu):.2f}  geometric mean "
                         f"{statistics.geometric_mean(cpu):.2f}  rounds {' '.join(f'{r:.2f}' for r in cpu)}")  # fmt: skip
    if lines:
        print("\nreq/s over the baseline's in the same round (paired):")
        print("\n".join(lines))
        # The run is CPU-bound, so req/s is the machine's capacity over its CPU per request; this
        # ratio leaves out how much capacity the VM had at that moment.
        print("\nthe machine's CPU per request, the baseline's over this one's (paired):")
        print("\n".join(cpu_lines))


def version_line(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip().splitlines()
        return out[0] if out else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--probe", type=Path, help="TollgateProbe binary (default: swift build -c release)")
    parser.add_argument("--tollgate", type=Path, help="tollgate binary (default: swift build -c release)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per scenario")
    parser.add_argument("--warmup-requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16, help="h2load -c (connections)")
    parser.add_argument("--streams", type=int, default=4, help="h2load -m (concurrent streams per connection)")
    parser.add_argument("--h2load-threads", type=int, default=1)
    parser.add_argument("--envoy-concurrency", type=int, default=1, help="front Envoy worker threads")
    parser.add_argument("--probe-threads", type=int, default=1, help="probe and tollgate event-loop threads")
    parser.add_argument("--transport", choices=["unix", "tcp"], default="unix", help="Envoy -> probe")
    parser.add_argument("--repeat", type=int, default=1, help="runs per scenario; the median by req/s is shown")
    parser.add_argument("--only", nargs="*", help="scenario names to run (baselines are added)")
    args = parser.parse_args()

    probe_bin = args.probe or harness.probe_binary("release")
    selected = SCENARIOS
    if args.only:
        wanted = set(args.only) | {s.baseline for s in SCENARIOS if s.name in args.only and s.baseline}
        selected = [s for s in SCENARIOS if s.name in wanted]

    workdir = harness.short_tempdir("tg-bench-")
    body_file = workdir / "body-1k.bin"
    body_file.write_bytes(os.urandom(1024))
    upstream_port = free_port()
    gateway = None
    tollgate_bin = None
    if any(s.kind != "probe" for s in selected):
        tollgate_bin = args.tollgate or harness.tollgate_binary("release")
        gateway = prepare_gateway(args, workdir, upstream_port, tollgate_bin)
    upstream = Envoy(workdir, direct_response_config(upstream_port), name="upstream-envoy", concurrency=1, log_level="warning")
    redis = start_redis(workdir, gateway.redis_port) if any(s.kind == "router-gateway-redis" for s in selected) else None
    runs: dict[str, list[Measurement]] = {s.name: [] for s in selected}
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    try:
        # Round-robin over the scenarios, so that whatever else the machine does spreads over all of
        # them; every other round in reverse, so that no scenario always runs first (or right after
        # the same one) in its round.
        for attempt in range(args.repeat):
            for scenario in selected if attempt % 2 == 0 else selected[::-1]:
                harness.log(f"{scenario.name}: run {attempt + 1}/{args.repeat}")
                runs[scenario.name].append(
                    measure(scenario, args, workdir, upstream_port, probe_bin, body_file, gateway)
                )
    finally:
        upstream.stop()
        if redis:
            redis.terminate()
            redis.wait(timeout=10)
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    results = {name: median_by_rps(measurements) for name, measurements in runs.items()}

    concurrency = args.clients * args.streams
    print(f"# Tollgate ext_proc benchmark, {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(f"# host: {platform.node()} {platform.machine()}, {os.cpu_count()} cores; {platform.platform()}")
    print(f"# envoy: {version_line([harness.envoy_binary(), '--version']).split('version: ')[-1]}")
    print(f"# h2load: {version_line(['h2load', '--version'])}; probe: {probe_bin}")
    if tollgate_bin:
        print(f"# tollgate: {tollgate_bin}; router-* body: {gateway.body_file.stat().st_size} bytes")
    git = shutil.which("git")
    commit = os.environ.get("TOLLGATE_BENCH_COMMIT")  # for a build from an exported tree, which has no .git
    if not commit and git:
        commit = version_line([git, "-C", str(harness.REPO), "rev-parse", "--short", "HEAD"])
    if commit:
        print(f"# commit: {commit}")
    print(f"# load: h2load -c {args.clients} -m {args.streams} ({concurrency} concurrent streams), "
          f"{args.duration:g}s per scenario after {args.warmup_requests} warm-up requests, median of {args.repeat}")  # fmt: skip
    print(f"# front envoy --concurrency {args.envoy_concurrency}; probe/tollgate --threads {args.probe_threads}; "
          f"ext_proc over {args.transport}; upstream: a second Envoy with direct_response")  # fmt: skip
    print(f"# load average before/after: {' '.join(load_before)} / {' '.join(load_after)} (other work on the machine skews results)")
    print()
    header = (f"{'scenario':<22} {'req/s':>9} {'p50 us':>8} {'p99 us':>8} {'rps/base':>8} {'+p50 us':>8} "
              f"{'envoy cpu us/req':>16} {'ext_proc cpu us/req':>19} {'machine cpu us/req':>18} {'errors':>6}")  # fmt: skip
    print(header)
    print("-" * len(header))
    for name, m in results.items():
        base = results.get(m.scenario.baseline) if m.scenario.baseline else None
        ratio = f"{m.rps / base.rps:8.2f}" if base else f"{'-':>8}"
        added = f"{m.p50_us - base.p50_us:8.0f}" if base else f"{'-':>8}"
        probe_cpu = f"{m.probe_cpu_us:19.1f}" if m.probe_cpu_us is not None else f"{'-':>19}"
        print(f"{name:<22} {m.rps:9.0f} {m.p50_us:8.0f} {m.p99_us:8.0f} {ratio} {added} "
              f"{m.envoy_cpu_us:16.1f} {probe_cpu} {m.machine_cpu_us:18.1f} {m.failed + m.non_2xx:6d}")  # fmt: skip
    if args.repeat > 1:
        print("\nreq/s of every run, in order (the table shows the median):")
        for name, measurements in runs.items():
            print(f"  {name:<22} {' '.join(f'{m.rps:.0f}' for m in measurements)}")
        print_paired_ratios(runs)
    if gateway and gateway.database.exists():
        rows, size = ledger_size(gateway.database)
        print(f"\nledger (router-gateway-ledger, every run): {rows} rows, {size} bytes on disk, "
              f"{size / max(1, rows):.0f} bytes per row")  # fmt: skip
    if any(m.failed or m.non_2xx for m in results.values()):
        print("\nsome requests failed or were not 2xx: see the errors column", file=sys.stderr)
        sys.exit(1)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
