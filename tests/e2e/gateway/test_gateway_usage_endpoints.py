"""Usage from the OpenAI-only endpoints end to end, through the real Envoy and `tollgate serve` with
the rendered config: the Responses API (`/v1/responses`, buffered and streamed, completed, failed,
incomplete and cut short), legacy completions (`/v1/completions`, buffered and streamed, the usage
chunk the gateway asked for kept from a client that did not) and embeddings. Each request's
usage in Envoy's access log and in the SQLite ledger must equal what the strict fake provider
(fake_llm.py) reported, and what the client receives must be the provider's own bytes.

Also: a Responses API request for a model served by Anthropic is refused with an OpenAI-shaped 400,
and a Messages request translated for an OpenAI-compatible server carries `max_tokens` (the
default for APIs other than OpenAI's own), or `max_completion_tokens` when the provider says so.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from collections.abc import Iterator

import pytest

import harness
from fake_llm import ANTHROPIC_VERSION, COMPLETIONS_USAGE, EMBEDDINGS_USAGE, RESPONSES_USAGE, StrictFakePair
from gateway_stack import GatewayStack

pytestmark = pytest.mark.timeout(180)

ANTHROPIC_SECRET = "sk-ant-usage-secret"
OPENAI_SECRET = "sk-oai-usage-secret"


@pytest.fixture(scope="module")
def fakes() -> Iterator[StrictFakePair]:
    started = StrictFakePair(ANTHROPIC_SECRET, OPENAI_SECRET)
    yield started
    started.close()


@pytest.fixture(scope="module")
def stack(tollgate, fakes, keys) -> Iterator[GatewayStack]:
    workdir = harness.short_tempdir("tg-us-")
    config = {
        "providers": [
            {"name": "anth", "schema": "anthropic", "base_url": fakes.anthropic.base_url,
             "credential": {"env": "TOLLGATE_E2E_ANTH_KEY"}},
            {"name": "oai", "schema": "openai", "base_url": f"{fakes.openai.base_url}/v1",
             "credential": {"env": "TOLLGATE_E2E_OAI_KEY"}},
            # The same server, told it wants OpenAI's newer output-cap field.
            {"name": "oai-new", "schema": "openai", "base_url": f"{fakes.openai.base_url}/v1",
             "credential": {"env": "TOLLGATE_E2E_OAI_KEY"}, "max_tokens_field": "max_completion_tokens"},
        ],
        "models": [
            {"name": "gpt-usage", "backends": [{"provider": "oai", "model": "gpt-upstream"}]},
            {"name": "gpt-new", "backends": [{"provider": "oai-new", "model": "gpt-upstream"}]},
            {"name": "claude-usage", "backends": [{"provider": "anth", "model": "claude-upstream"}]},
        ],
        "keys": [{"name": "all", "tenant": "e2e", "sha256": keys.hashes["all"], "models": ["*"]}],
        "storage": {"path": str(workdir / "tollgate.db")},
        "ledger": {"batch_window_ms": 50},
        "gateway": {"max_body_bytes": 65536, "reload_interval_seconds": 0},
    }  # fmt: skip
    env = {"TOLLGATE_E2E_ANTH_KEY": ANTHROPIC_SECRET, "TOLLGATE_E2E_OAI_KEY": OPENAI_SECRET}
    gateway = GatewayStack(workdir, config, env=env)
    gateway.database = workdir / "tollgate.db"
    yield gateway
    gateway.stop()
    shutil.rmtree(workdir, ignore_errors=True)


# -------------------------------------------------------------------------------------------------
# Requests, and where their usage ends up


def send(stack, keys, path: str, body: dict, scenario: str = ""):
    """One request with its own x-request-id (Envoy keeps it), which names its access-log line and
    ledger row; the body carries a marker the fake can be searched for."""
    request_id = str(uuid.uuid4())
    headers = {"x-request-id": request_id}
    if scenario:
        headers["x-fake-scenario"] = scenario
    return request_id, stack.request("POST", path, body, key=keys.all, headers=headers)


def access_log_line(stack, request_id: str) -> dict:
    def found():
        for line in stack.envoy.log_path.read_text(errors="replace").splitlines():
            line = line.strip()
            if line.startswith("{") and request_id in line:
                try:
                    return json.loads(line)
                except ValueError:
                    pass
        return None

    # Envoy flushes access logs on a timer.
    return harness.wait_until(found, 30, f"the access log line of {request_id}", interval=0.2)


LEDGER_COLUMNS = (
    "endpoint", "stream", "status", "input_tokens", "output_tokens", "cached_input_tokens", "cache_creation_tokens",
    "reasoning_tokens", "estimated", "ttft_us",
)  # fmt: skip


def ledger_row(stack, request_id: str) -> dict:
    def found():
        with sqlite3.connect(stack.database) as connection:
            row = connection.execute(
                f"SELECT {', '.join(LEDGER_COLUMNS)} FROM usage WHERE request_id = ?", (request_id,)
            ).fetchone()
        return dict(zip(LEDGER_COLUMNS, row)) if row else None

    return harness.wait_until(found, 10, f"the ledger row of {request_id}", interval=0.1)


def assert_usage(stack, request_id: str, *, input_tokens: int, output_tokens: int, cached: int = 0,
                 reasoning: int = 0, complete: bool = True) -> tuple[dict, dict]:  # fmt: skip
    """The access log and the ledger both hold the provider's counts."""
    line = access_log_line(stack, request_id)
    assert (line["input_tokens"], line["output_tokens"]) == (input_tokens, output_tokens), line
    assert (line["cached_input_tokens"], line["reasoning_tokens"]) == (cached, reasoning), line
    assert line["cache_creation_input_tokens"] == 0, line
    assert line["usage_complete"] is complete, line
    row = ledger_row(stack, request_id)
    assert (row["input_tokens"], row["output_tokens"], row["cached_input_tokens"]) == (input_tokens, output_tokens, cached), row
    assert (row["reasoning_tokens"], row["cache_creation_tokens"]) == (reasoning, 0), row
    assert row["estimated"] == (0 if complete else 1), row
    return line, row


def sse_events(body: bytes) -> list[tuple[str | None, str]]:
    """(event name, data) of every event; the body must end with a complete event."""
    text = body.decode()
    assert text.endswith("\n\n"), f"the stream does not end with a complete event: {text[-200:]!r}"
    events = []
    for block in text.split("\n\n"):
        name, data = None, []
        for line in block.split("\n"):
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
        if data:
            events.append((name, "\n".join(data)))
    return events


RESPONSES_INPUT = RESPONSES_USAGE["input_tokens"]
RESPONSES_OUTPUT = RESPONSES_USAGE["output_tokens"]
RESPONSES_CACHED = RESPONSES_USAGE["input_tokens_details"]["cached_tokens"]
RESPONSES_REASONING = RESPONSES_USAGE["output_tokens_details"]["reasoning_tokens"]


# -------------------------------------------------------------------------------------------------
# /v1/responses


def responses_body(model: str = "gpt-usage", **extra) -> dict:
    return {"model": model, "input": f"marker {uuid.uuid4().hex}", **extra}


@pytest.mark.parametrize("scenario", ["", "response-incomplete"], ids=["completed", "incomplete"])
def test_buffered_responses_usage_is_the_providers(stack, fakes, keys, scenario):
    body = responses_body(max_output_tokens=100)
    request_id, reply = send(stack, keys, "/v1/responses", body, scenario)
    assert reply.status == 200, reply
    payload = reply.json
    assert payload["object"] == "response" and payload["usage"] == RESPONSES_USAGE
    assert payload["status"] == ("incomplete" if scenario else "completed")
    received = fakes.openai.find(body["input"])
    assert received.path == "/v1/responses"
    assert json.loads(received.body) == body | {"model": "gpt-upstream"}, "only the model changes"

    line, row = assert_usage(stack, request_id, input_tokens=RESPONSES_INPUT, output_tokens=RESPONSES_OUTPUT,
                             cached=RESPONSES_CACHED, reasoning=RESPONSES_REASONING)  # fmt: skip
    assert line["endpoint"] == "/v1/responses" and line["provider"] == "oai", line
    assert row["endpoint"] == "/v1/responses" and row["stream"] == 0, row


@pytest.mark.parametrize("tool", [False, True], ids=["text", "function-call"])
def test_streamed_responses_pass_through_with_the_providers_usage(stack, fakes, keys, tool):
    body = responses_body(stream=True)
    request_id, reply = send(stack, keys, "/v1/responses", body, "tool" if tool else "")
    assert reply.status == 200, reply
    assert reply.headers["content-type"].startswith("text/event-stream")
    events = sse_events(reply.body)
    names = [name for name, _ in events]
    assert names[0] == "response.created" and names[-1] == "response.completed", names
    assert all(name == json.loads(data)["type"] for name, data in events), "every event as the provider sent it"
    assert [json.loads(data)["sequence_number"] for _, data in events] == list(range(len(events)))
    delta = "response.function_call_arguments.delta" if tool else "response.output_text.delta"
    assert delta in names
    assert json.loads(events[-1][1])["response"]["usage"] == RESPONSES_USAGE

    sent = json.loads(fakes.openai.find(body["input"]).body)
    assert "stream_options" not in sent, "the Responses API reports usage without being asked"

    line, row = assert_usage(stack, request_id, input_tokens=RESPONSES_INPUT, output_tokens=RESPONSES_OUTPUT,
                             cached=RESPONSES_CACHED, reasoning=RESPONSES_REASONING)  # fmt: skip
    assert line["stream_outcome"] == "completed", line
    assert line["ttft_ms"] is not None and line["duration_ms"] >= line["ttft_ms"], line
    assert row["stream"] == 1 and row["ttft_us"] is not None, row


def test_failed_responses_stream_keeps_the_providers_usage(stack, keys):
    request_id, reply = send(stack, keys, "/v1/responses", responses_body(stream=True), "response-failed")
    assert reply.status == 200, reply
    events = sse_events(reply.body)
    assert events[-1][0] == "response.failed"
    assert not any(name == "error" for name, _ in events), "the provider's own ending needs no gateway error"
    line, _ = assert_usage(stack, request_id, input_tokens=RESPONSES_INPUT, output_tokens=RESPONSES_OUTPUT,
                           cached=RESPONSES_CACHED, reasoning=RESPONSES_REASONING)  # fmt: skip
    assert line["stream_outcome"] not in (None, "completed", "truncated"), line


def test_truncated_responses_stream_ends_with_an_error_event_and_estimated_usage(stack, keys):
    request_id, reply = send(stack, keys, "/v1/responses", responses_body(stream=True), "truncate")
    assert reply.status == 200, reply
    events = sse_events(reply.body)
    assert "response.completed" not in [name for name, _ in events]
    name, data = events[-1]
    error = json.loads(data)
    assert name == "error" and error["type"] == "error" and error["code"] == "server_error", events[-1]
    assert error["sequence_number"] == len(events) - 1, "the gateway's event continues the provider's numbering"
    line, _ = assert_usage(stack, request_id, input_tokens=0, output_tokens=0, complete=False)
    assert line["stream_outcome"] == "truncated", line


def test_responses_for_an_anthropic_model_is_refused_in_openai_shape(stack, fakes, keys):
    body = responses_body("claude-usage")
    request_id, reply = send(stack, keys, "/v1/responses", body)
    assert reply.status == 400, reply
    error = reply.json["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"] == "The model 'claude-usage' cannot serve '/v1/responses'."
    assert not fakes.anthropic.all_with(body["input"]), "nothing reached the Anthropic API"
    line = access_log_line(stack, request_id)
    assert line["rejection"] == "endpoint_not_supported", line


# -------------------------------------------------------------------------------------------------
# /v1/completions


def completions_body(**extra) -> dict:
    return {"model": "gpt-usage", "prompt": f"marker {uuid.uuid4().hex}", "max_tokens": 16, **extra}


def test_buffered_completions_usage_is_the_providers(stack, keys):
    request_id, reply = send(stack, keys, "/v1/completions", completions_body())
    assert reply.status == 200, reply
    assert reply.json["usage"] == COMPLETIONS_USAGE
    _, row = assert_usage(stack, request_id, input_tokens=COMPLETIONS_USAGE["prompt_tokens"],
                          output_tokens=COMPLETIONS_USAGE["completion_tokens"])  # fmt: skip
    assert row["endpoint"] == "/v1/completions" and row["stream"] == 0, row


def test_streamed_completions_usage_is_asked_for_and_kept_from_the_client(stack, fakes, keys):
    body = completions_body(stream=True)
    request_id, reply = send(stack, keys, "/v1/completions", body)
    assert reply.status == 200, reply
    events = sse_events(reply.body)
    assert events[-1] == (None, "[DONE]")
    chunks = [json.loads(data) for _, data in events[:-1]]
    assert all("usage" not in chunk for chunk in chunks), "neither the usage chunk nor usage: null reach the client"
    assert all(chunk["choices"] for chunk in chunks)
    assert "".join(chunk["choices"][0]["text"] for chunk in chunks) == "hello from oai"

    sent = json.loads(fakes.openai.find(body["prompt"]).body)
    assert sent["stream_options"] == {"include_usage": True}

    line, row = assert_usage(stack, request_id, input_tokens=COMPLETIONS_USAGE["prompt_tokens"],
                             output_tokens=COMPLETIONS_USAGE["completion_tokens"])  # fmt: skip
    assert line["stream_outcome"] == "completed" and line["ttft_ms"] is not None, line
    assert row["stream"] == 1, row


def test_streamed_completions_usage_reaches_a_client_that_asked(stack, keys):
    request_id, reply = send(stack, keys, "/v1/completions", completions_body(stream=True, stream_options={"include_usage": True}))
    assert reply.status == 200, reply
    chunks = [json.loads(data) for _, data in sse_events(reply.body)[:-1]]
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == COMPLETIONS_USAGE
    assert all(chunk["usage"] is None for chunk in chunks[:-1])
    assert_usage(stack, request_id, input_tokens=COMPLETIONS_USAGE["prompt_tokens"],
                 output_tokens=COMPLETIONS_USAGE["completion_tokens"])  # fmt: skip


def test_truncated_completions_stream_ends_with_an_error_and_estimated_usage(stack, keys):
    request_id, reply = send(stack, keys, "/v1/completions", completions_body(stream=True), "truncate")
    assert reply.status == 200, reply
    events = sse_events(reply.body)
    assert events[-1] == (None, "[DONE]")
    assert json.loads(events[-2][1])["error"]["type"] == "server_error"
    line, _ = assert_usage(stack, request_id, input_tokens=0, output_tokens=0, complete=False)
    assert line["stream_outcome"] == "truncated", line


# -------------------------------------------------------------------------------------------------
# /v1/embeddings


def test_embeddings_usage_is_the_providers(stack, keys):
    body = {"model": "gpt-usage", "input": [f"marker {uuid.uuid4().hex}", "second"]}
    request_id, reply = send(stack, keys, "/v1/embeddings", body)
    assert reply.status == 200, reply
    assert len(reply.json["data"]) == 2 and reply.json["usage"] == EMBEDDINGS_USAGE
    _, row = assert_usage(stack, request_id, input_tokens=EMBEDDINGS_USAGE["prompt_tokens"], output_tokens=0)
    assert row["endpoint"] == "/v1/embeddings", row


# -------------------------------------------------------------------------------------------------
# The output cap of a Messages request translated for an OpenAI-compatible API


@pytest.mark.parametrize(
    ("model", "field"), [("gpt-usage", "max_tokens"), ("gpt-new", "max_completion_tokens")], ids=["default", "configured"]
)
def test_translated_output_cap_uses_the_providers_field(stack, fakes, keys, model, field):
    marker = uuid.uuid4().hex
    body = {"model": model, "max_tokens": 123, "messages": [{"role": "user", "content": f"marker {marker}"}]}
    reply = stack.request("POST", "/v1/messages", body, key=keys.all, key_header="x-api-key",
                          headers={"anthropic-version": ANTHROPIC_VERSION})  # fmt: skip
    assert reply.status == 200, reply
    sent = json.loads(fakes.openai.find(marker).body)
    assert sent[field] == 123
    other = "max_completion_tokens" if field == "max_tokens" else "max_tokens"
    assert other not in sent
