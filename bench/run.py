"""What Tollgate's ext_proc hop costs, measured on loopback in one run.

    h2load --h2c--> Envoy (front) --h2c--> Envoy (upstream: direct_response 200 "ok")
                      |
                      +--ext_proc, gRPC over h2c on a Unix socket (or TCP)--> TollgateProbe (release)

Scenarios, each with its own fresh front Envoy (and probe):
  envoy-get          no ext_proc filter, GET                         (baseline for the GET rows)
  hdr-req            request headers SEND, everything else SKIP/NONE
  hdr-req-resp       request and response headers SEND
  envoy-post-1k      no ext_proc filter, POST with a 1 KB body      (baseline for the body row)
  body-1k-buffered   request headers SEND + request body BUFFERED (1 KB), response SKIP

For each: req/s, p50 and p99 latency (from h2load's per-request log), the ratio of req/s to the
baseline, the microseconds added at p50, and CPU microseconds per request of the front Envoy and
of the probe (utime+stime from /proc/PID/stat around the measured run, divided by its requests).
Nothing is written into the repository; copy the output into bench/RESULTS.md by hand.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))

import harness  # noqa: E402
from harness import Envoy, Probe, direct_response_config, envoy_config, ext_proc_filter, free_port, h2load  # noqa: E402


@dataclass(frozen=True)
class Scenario:
    name: str
    baseline: str | None  # the scenario this one is compared with
    modes: dict | None  # ext_proc processing modes, None: no ext_proc filter
    body: bool = False


SCENARIOS = [
    Scenario("envoy-get", None, None),
    Scenario("hdr-req", "envoy-get", dict(request_header_mode="SEND", request_body_mode="NONE",
                                          response_header_mode="SKIP", response_body_mode="NONE")),
    Scenario("hdr-req-resp", "envoy-get", dict(request_header_mode="SEND", request_body_mode="NONE",
                                               response_header_mode="SEND", response_body_mode="NONE")),
    Scenario("envoy-post-1k", None, None, body=True),
    Scenario("body-1k-buffered", "envoy-post-1k", dict(request_header_mode="SEND", request_body_mode="BUFFERED",
                                                       response_header_mode="SKIP", response_body_mode="NONE"),
             body=True),
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
    failed: int
    non_2xx: int


def measure(scenario: Scenario, args, workdir: Path, upstream_port: int, probe_bin: Path, body_file: Path) -> Measurement:
    probe = None
    envoy = None
    try:
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
        url = f"http://127.0.0.1:{port}/bench"
        load = dict(clients=args.clients, streams=args.streams, threads=args.h2load_threads,
                    data_file=body_file if scenario.body else None)  # fmt: skip

        warm = h2load(url, requests=args.warmup_requests, timeout=120, **load)
        if warm.succeeded != args.warmup_requests:
            raise RuntimeError(f"{scenario.name}: warm-up failed: {warm.summary()}")

        envoy_cpu = envoy.process.cpu_seconds()
        probe_cpu = probe.process.cpu_seconds() if probe else 0.0
        run = h2load(url, duration=args.duration, timeout=args.duration + 120,
                     log_path=workdir / f"{scenario.name}.h2load.log", **load)  # fmt: skip
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
            failed=run.failed + run.errored + run.timeouts,
            non_2xx=run.status_3xx + run.status_4xx + run.status_5xx,
        )
    finally:
        if envoy:
            envoy.stop()
        if probe:
            probe.stop()


def median_by_rps(runs: list[Measurement]) -> Measurement:
    ordered = sorted(runs, key=lambda m: m.rps)
    return ordered[len(ordered) // 2]


def version_line(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip().splitlines()
        return out[0] if out else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--probe", type=Path, help="TollgateProbe binary (default: swift build -c release)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per scenario")
    parser.add_argument("--warmup-requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16, help="h2load -c (connections)")
    parser.add_argument("--streams", type=int, default=4, help="h2load -m (concurrent streams per connection)")
    parser.add_argument("--h2load-threads", type=int, default=1)
    parser.add_argument("--envoy-concurrency", type=int, default=1, help="front Envoy worker threads")
    parser.add_argument("--probe-threads", type=int, default=1, help="probe event-loop threads")
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
    upstream = Envoy(workdir, direct_response_config(upstream_port), name="upstream-envoy", concurrency=1, log_level="warning")
    runs: dict[str, list[Measurement]] = {s.name: [] for s in selected}
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    try:
        # Round-robin over the scenarios, so that whatever else the machine does spreads over all of them.
        for attempt in range(args.repeat):
            for scenario in selected:
                harness.log(f"{scenario.name}: run {attempt + 1}/{args.repeat}")
                runs[scenario.name].append(measure(scenario, args, workdir, upstream_port, probe_bin, body_file))
    finally:
        upstream.stop()
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    results = {name: median_by_rps(measurements) for name, measurements in runs.items()}

    concurrency = args.clients * args.streams
    print(f"# Tollgate ext_proc benchmark, {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(f"# host: {platform.node()} {platform.machine()}, {os.cpu_count()} cores; {platform.platform()}")
    print(f"# envoy: {version_line([harness.envoy_binary(), '--version']).split('version: ')[-1]}")
    print(f"# h2load: {version_line(['h2load', '--version'])}; probe: {probe_bin}")
    git = shutil.which("git")
    if git:
        print(f"# commit: {version_line([git, '-C', str(harness.REPO), 'rev-parse', '--short', 'HEAD'])}")
    print(f"# load: h2load -c {args.clients} -m {args.streams} ({concurrency} concurrent streams), "
          f"{args.duration:g}s per scenario after {args.warmup_requests} warm-up requests, median of {args.repeat}")  # fmt: skip
    print(f"# front envoy --concurrency {args.envoy_concurrency}; probe --threads {args.probe_threads}; "
          f"ext_proc over {args.transport}; upstream: a second Envoy with direct_response")  # fmt: skip
    print(f"# load average before/after: {' '.join(load_before)} / {' '.join(load_after)} (other work on the machine skews results)")
    print()
    header = (f"{'scenario':<18} {'req/s':>9} {'p50 us':>8} {'p99 us':>8} {'rps/base':>8} {'+p50 us':>8} "
              f"{'envoy cpu us/req':>16} {'probe cpu us/req':>16} {'errors':>6}")  # fmt: skip
    print(header)
    print("-" * len(header))
    for name, m in results.items():
        base = results.get(m.scenario.baseline) if m.scenario.baseline else None
        ratio = f"{m.rps / base.rps:8.2f}" if base else f"{'-':>8}"
        added = f"{m.p50_us - base.p50_us:8.0f}" if base else f"{'-':>8}"
        probe_cpu = f"{m.probe_cpu_us:16.1f}" if m.probe_cpu_us is not None else f"{'-':>16}"
        print(f"{name:<18} {m.rps:9.0f} {m.p50_us:8.0f} {m.p99_us:8.0f} {ratio} {added} "
              f"{m.envoy_cpu_us:16.1f} {probe_cpu} {m.failed + m.non_2xx:6d}")  # fmt: skip
    if any(m.failed or m.non_2xx for m in results.values()):
        print("\nsome requests failed or were not 2xx: see the errors column", file=sys.stderr)
        sys.exit(1)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
