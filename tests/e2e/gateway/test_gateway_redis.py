"""Limits shared across replicas through Redis: two `tollgate serve` replicas, each behind its own
Envoy, count one budget in one redis-server (Debian's, started here on loopback); with Redis stopped,
`on_unavailable: fail_closed` answers 503 in the client's dialect and `local` limits each replica on
its own; /metrics says which."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator

import pytest

import harness
from fake_llm import StrictFake
from gateway_stack import GatewayStack
from test_gateway_limits import BURST_MAX_TOKENS, OPENAI_SECRET, SETTLED, body_bytes, limits_config, reservation

pytestmark = pytest.mark.timeout(240)

BUDGET = 1000
REQUESTS = 24
JSON = {"content-type": "application/json"}


class RedisServer:
    """redis-server on 127.0.0.1 and a free port, without persistence; stop() and start() again."""

    def __init__(self, workdir):
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not os.path.exists(binary):
            pytest.fail("redis-server is not installed: run scripts/setup.sh", pytrace=False)
        self.binary = binary
        self.workdir = workdir
        self.port = harness.free_port(30000, 39999)
        self.process = None
        self.start()

    def start(self) -> None:
        argv = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = harness.Process("redis", argv, self.workdir)
        harness.wait_until(self.ping, 10, f"redis-server on {self.port}")

    def ping(self) -> bool:
        reply = subprocess.run(["redis-cli", "-p", str(self.port), "PING"], capture_output=True, text=True)
        return reply.stdout.strip() == "PONG"

    def stop(self) -> None:
        if self.process:
            self.process.stop(timeout=5)
            self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture
def redis(workdir) -> Iterator[RedisServer]:
    server = RedisServer(workdir)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def slow_openai() -> Iterator[StrictFake]:
    """Streams take about a second, so a burst is all in flight at once."""
    fake = StrictFake("oai", harness.free_port(40000, 48999), "openai", OPENAI_SECRET, chunk_delay=0.2)
    yield fake
    fake.close()


@pytest.fixture
def replicas(tollgate, keys, slow_openai) -> Iterator:
    made: list[tuple[GatewayStack, object]] = []

    def make(redis: RedisServer, on_unavailable: str, limits: dict) -> list[GatewayStack]:
        config = limits_config(slow_openai, keys, limits)
        config["storage"] = {"redis": {"url": redis.url, "on_unavailable": on_unavailable, "timeout_ms": 100}}
        stacks = []
        for _ in range(2):
            workdir = harness.short_tempdir("tg-redis-")
            stack = GatewayStack(workdir, config, env={"TOLLGATE_E2E_OAI_KEY": OPENAI_SECRET})
            made.append((stack, workdir))
            stacks.append(stack)
        return stacks

    yield make
    for stack, workdir in made:
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def chat(stack: GatewayStack, keys, max_tokens: int = 10, stream: bool = False):
    return stack.request(
        "POST", "/v1/chat/completions", body_bytes(max_tokens, stream=stream), key=keys.all, headers=JSON, timeout=60
    )


def test_two_replicas_enforce_one_budget(replicas, redis, keys, slow_openai):
    stacks = replicas(redis, "fail_closed", {"tokens_per_minute": BUDGET})
    per_request = reservation(BURST_MAX_TOKENS)
    covered = BUDGET // per_request
    assert 1 < covered < REQUESTS // 2  # each replica alone would admit `covered`

    # A burst alternating between the two Envoys, every stream in flight at once: the budget is
    # counted once, so exactly what it covers is admitted in all (not `covered` per replica).
    replies: list = [None] * REQUESTS
    start = threading.Barrier(REQUESTS)

    def send(index: int) -> None:
        start.wait(timeout=30)
        replies[index] = chat(stacks[index % 2], keys, BURST_MAX_TOKENS, stream=True)

    threads = [threading.Thread(target=send, args=(index,)) for index in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(reply is not None for reply in replies)
    admitted = [reply for reply in replies if reply.status == 200]
    refused = [reply for reply in replies if reply.status == 429]
    assert len(admitted) + len(refused) == REQUESTS, [reply.status for reply in replies]
    assert len(admitted) == covered, f"{len(admitted)} admitted across both replicas, the budget covers {covered}"
    for reply in refused:
        error = reply.json["error"]
        assert error["type"] == "tokens" and error["code"] == "rate_limit_exceeded", error
        assert 1 <= int(reply.headers["retry-after"]) <= 61

    # Settled in Redis from the provider's counts: each replica sees the other's usage.
    for stack in stacks:
        after = chat(stack, keys)
        assert after.status == 200, after
        used = covered * SETTLED + reservation(10)
        remaining = int(after.headers["x-ratelimit-remaining-tokens"])
        assert remaining <= BUDGET - used, after.headers
    refused_messages = stacks[1].request(
        "POST",
        "/v1/messages",
        {"model": "gpt-lim", "max_tokens": BUDGET, "messages": [{"role": "user", "content": "hi"}]},
        key=keys.all,
    )
    assert refused_messages.status == 429 and refused_messages.json["error"]["type"] == "rate_limit_error"
    for stack in stacks:
        assert stack.tollgate_metric("tollgate_ratelimit_redis_up") == 1
        assert stack.tollgate_metric("tollgate_ratelimit_redis_seconds_count", op="reserve") > 0


def test_redis_stopped_fails_closed_with_503_in_the_clients_dialect(replicas, redis, keys):
    stacks = replicas(redis, "fail_closed", {"tokens_per_minute": 100_000})
    assert chat(stacks[0], keys).status == 200
    redis.stop()
    for stack in stacks:
        reply = chat(stack, keys)
        assert reply.status == 503, reply
        assert reply.json["error"]["type"] == "server_error", reply.json
        assert "retry-after" in reply.headers
        messages = stack.request(
            "POST", "/v1/messages",
            {"model": "gpt-lim", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}, key=keys.all,
        )  # fmt: skip
        assert messages.status == 503 and messages.json["type"] == "error", messages
        assert messages.json["error"]["type"] == "api_error"
        assert stack.tollgate_metric("tollgate_ratelimit_redis_up") == 0
        assert stack.tollgate_metric("tollgate_ratelimit_redis_errors_total", op="reserve") >= 1
    # A key without limits never asks Redis.
    other = stacks[0].request("POST", "/v1/chat/completions", body_bytes(10), key=keys.limited, headers=JSON)
    assert other.status == 200, other

    redis.start()
    harness.wait_until(lambda: chat(stacks[0], keys).status == 200, 15, "requests served again once Redis is back")
    assert stacks[0].tollgate_metric("tollgate_ratelimit_redis_up") == 1


def test_redis_stopped_falls_back_to_local_limits(replicas, redis, keys):
    budget = 3 * reservation(10)
    stacks = replicas(redis, "local", {"tokens_per_minute": budget})
    redis.stop()
    # Each replica now counts on its own: each admits what the budget covers, then refuses.
    for stack in stacks:
        statuses = [chat(stack, keys).status for _ in range(6)]
        admitted = statuses.count(200)
        assert admitted >= 3 and statuses.count(429) >= 1 and admitted + statuses.count(429) == 6, statuses
        assert stack.tollgate_metric("tollgate_ratelimit_redis_up") == 0
        assert stack.tollgate_metric("tollgate_ratelimit_store_fallbacks_total") == 6
