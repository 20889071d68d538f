"""Token rate limits through the real stack: requests reserve before they are sent, a burst against one
small budget admits exactly what the budget covers, the rest get 429 in their own dialect, usage is
settled from the provider's counts, and a day's counters survive a restart."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator

import pytest

import harness
from fake_llm import OPENAI_USAGE, StrictFake
from gateway_stack import GatewayStack

pytestmark = pytest.mark.timeout(180)

OPENAI_SECRET = "sk-oai-limits-secret"
SETTLED = OPENAI_USAGE["prompt_tokens"] + OPENAI_USAGE["completion_tokens"]  # what the fake reports
BURST_BUDGET = 1000
BURST_MAX_TOKENS = 150
BURST_REQUESTS = 24


@pytest.fixture(scope="module")
def slow_openai() -> Iterator[StrictFake]:
    """An OpenAI-compatible fake whose streams take about a second, so a burst is all in flight at once."""
    fake = StrictFake("oai", harness.free_port(40000, 48999), "openai", OPENAI_SECRET, chunk_delay=0.2)
    yield fake
    fake.close()


def limits_config(fake: StrictFake, keys, limits: dict, storage: str | None = None) -> dict:
    config = {
        "providers": [
            {"name": "oai", "schema": "openai", "base_url": f"{fake.base_url}/v1",
             "credential": {"env": "TOLLGATE_E2E_OAI_KEY"}},
        ],  # fmt: skip
        "models": [{"name": "gpt-lim", "backends": [{"provider": "oai", "model": "gpt-upstream"}]}],
        "keys": [
            {"name": "all", "tenant": "e2e", "sha256": keys.hashes["all"], "models": ["*"]},
            {"name": "limited", "tenant": "e2e", "sha256": keys.hashes["limited"], "models": ["*"]},
        ],
        "limits": [{"key": "all", **limits}],
    }
    if storage:
        config["storage"] = {"path": storage}
    return config


def body_bytes(max_tokens: int, *, stream: bool = False, size: int = 200) -> bytes:
    """A chat body of exactly `size` bytes, so its input estimate is exactly size / 4 tokens."""
    head = {"model": "gpt-lim", "max_tokens": max_tokens, "stream": stream, "messages": [{"role": "user", "content": ""}]}
    empty = len(json.dumps(head, separators=(",", ":")))
    head["messages"][0]["content"] = "x" * (size - empty)
    data = json.dumps(head, separators=(",", ":")).encode()
    assert len(data) == size
    return data


def reservation(max_tokens: int, size: int = 200) -> int:
    return (size + 3) // 4 + max_tokens


@pytest.fixture
def stack_for(tollgate, keys) -> Iterator:
    made: list[tuple[GatewayStack, object]] = []

    def make(config: dict) -> GatewayStack:
        workdir = harness.short_tempdir("tg-lim-")
        stack = GatewayStack(workdir, config, env={"TOLLGATE_E2E_OAI_KEY": OPENAI_SECRET})
        made.append((stack, workdir))
        return stack

    yield make
    for stack, workdir in made:
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def test_a_burst_admits_exactly_what_the_budget_covers(stack_for, slow_openai, keys):
    stack = stack_for(limits_config(slow_openai, keys, {"tokens_per_minute": BURST_BUDGET}))
    per_request = reservation(BURST_MAX_TOKENS)
    covered = BURST_BUDGET // per_request
    assert 1 < covered < BURST_REQUESTS

    replies: list = [None] * BURST_REQUESTS
    start = threading.Barrier(BURST_REQUESTS)

    def send(index: int) -> None:
        start.wait(timeout=30)
        replies[index] = stack.request(
            "POST", "/v1/chat/completions", body_bytes(BURST_MAX_TOKENS, stream=True), key=keys.all,
            headers={"content-type": "application/json"}, timeout=60,
        )  # fmt: skip

    began = time.monotonic()
    threads = [threading.Thread(target=send, args=(index,)) for index in range(BURST_REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert all(reply is not None for reply in replies), "a request of the burst did not finish"
    # Every refusal came before any admitted stream could finish (each takes about a second), so no
    # settlement freed room during the burst: the admitted count is exactly what the budget covers.
    assert time.monotonic() - began > 0.8

    admitted = [reply for reply in replies if reply.status == 200]
    refused = [reply for reply in replies if reply.status == 429]
    assert len(admitted) + len(refused) == BURST_REQUESTS, [reply.status for reply in replies]
    assert len(admitted) == covered, f"{len(admitted)} admitted, the budget covers {covered}"
    assert len(slow_openai.received()) >= covered
    for reply in refused:
        error = reply.json["error"]
        assert error["type"] == "tokens" and error["code"] == "rate_limit_exceeded", error
        assert "tokens per minute" in error["message"], error
        assert 1 <= int(reply.headers["retry-after"]) <= 61, reply.headers
        assert reply.headers["x-ratelimit-limit-tokens"] == str(BURST_BUDGET)
    for reply in admitted:
        assert b"data: [DONE]" in reply.body
        assert reply.headers["x-ratelimit-limit-tokens"] == str(BURST_BUDGET)
        assert 0 <= int(reply.headers["x-ratelimit-remaining-tokens"]) < BURST_BUDGET

    # Settled to the provider's counts: what is left is the budget minus the exact usage.
    small = reservation(10)
    after = stack.request("POST", "/v1/chat/completions", body_bytes(10), key=keys.all,
                          headers={"content-type": "application/json"})  # fmt: skip
    assert after.status == 200, after
    assert int(after.headers["x-ratelimit-remaining-tokens"]) == BURST_BUDGET - covered * SETTLED - small

    # The Anthropic dialect gets its own error shape for the same limit.
    messages = {"model": "gpt-lim", "max_tokens": BURST_BUDGET, "messages": [{"role": "user", "content": "hi"}]}
    refused_messages = stack.request("POST", "/v1/messages", messages, key=keys.all)
    assert refused_messages.status == 429, refused_messages
    assert refused_messages.json["type"] == "error"
    assert refused_messages.json["error"]["type"] == "rate_limit_error"

    # Another key has no limits: untouched by this key's budget, and no x-ratelimit headers of ours.
    other = stack.request("POST", "/v1/chat/completions", body_bytes(BURST_BUDGET), key=keys.limited,
                          headers={"content-type": "application/json"})  # fmt: skip
    assert other.status == 200, other
    assert "x-ratelimit-limit-tokens" not in other.headers

    metrics = stack.tollgate_metrics()

    def rejections(reason: str) -> float:
        return metrics.get(("tollgate_gateway_rejections_total", frozenset({("reason", reason)})), 0)

    assert rejections("rate_limited_tokens_per_minute") == len(refused)
    assert rejections("rate_limit_exceeded_by_request") == 1  # max_tokens alone is over the limit


def test_a_days_usage_survives_a_restart(stack_for, slow_openai, keys, workdir):
    database = str(workdir / "limits.db")
    per_request = reservation(10)
    budget = 2 * SETTLED + per_request + 10  # two requests' usage, then room for one reservation only
    assert budget < 3 * SETTLED + per_request
    config = limits_config(slow_openai, keys, {"tokens_per_day": budget}, storage=database)

    first = stack_for(config)
    for _ in range(2):
        reply = first.request("POST", "/v1/chat/completions", body_bytes(10), key=keys.all,
                              headers={"content-type": "application/json"})  # fmt: skip
        assert reply.status == 200, reply
    first.stop()  # SIGTERM: the last save happens after the drain

    second = stack_for(config)
    reply = second.request("POST", "/v1/chat/completions", body_bytes(10), key=keys.all,
                           headers={"content-type": "application/json"})  # fmt: skip
    assert reply.status == 200, reply
    assert int(reply.headers["x-ratelimit-remaining-tokens"]) == budget - 2 * SETTLED - per_request, reply.headers
    # Half the budget was used before the restart; a third request's usage leaves too little.
    refused = second.request("POST", "/v1/chat/completions", body_bytes(10), key=keys.all,
                             headers={"content-type": "application/json"})  # fmt: skip
    assert refused.status == 429, refused
    assert "tokens per day" in refused.json["error"]["message"]
