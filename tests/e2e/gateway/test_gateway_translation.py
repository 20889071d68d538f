"""Translation end to end, through the real Envoy and `tollgate serve` with the rendered config:
an OpenAI client served by a strict fake Anthropic API and a Messages (Anthropic SDK) client served
by a strict fake OpenAI-compatible API, buffered and streamed, tool calls included; provider errors
in the client's dialect; a truncated stream ending with an error event; the usage in Envoy's access
log equal to what the provider reported; and failover from a failing OpenAI backend to an
Anthropic one, translated again for the second attempt.

The fakes (fake_llm.py) refuse what the real APIs refuse, so a 200 here means the gateway's
translated request would have been accepted.
"""

from __future__ import annotations

import json
import shutil
import socket
import time
import uuid
from collections.abc import Iterator

import pytest

import harness
from fake_llm import ANTHROPIC_USAGE, ANTHROPIC_VERSION, OPENAI_USAGE, StrictFakePair
from gateway_stack import GatewayStack

pytestmark = pytest.mark.timeout(180)

ANTHROPIC_SECRET = "sk-ant-e2e-secret"
OPENAI_SECRET = "sk-oai-e2e-secret"
DEFAULT_MAX_TOKENS = 321
WEATHER_TOOL_OPENAI = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
WEATHER_TOOL_ANTHROPIC = {
    "name": "get_weather",
    "description": "Weather for a city",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


@pytest.fixture(scope="module")
def strict() -> Iterator[StrictFakePair]:
    fakes = StrictFakePair(ANTHROPIC_SECRET, OPENAI_SECRET)
    yield fakes
    fakes.close()


@pytest.fixture(scope="module")
def stack(tollgate, strict, keys) -> Iterator[GatewayStack]:
    workdir = harness.short_tempdir("tg-tr-")
    config = {
        "providers": [
            {"name": "anth", "schema": "anthropic", "base_url": strict.anthropic.base_url,
             "credential": {"env": "TOLLGATE_E2E_ANTH_KEY"}},
            {"name": "oai", "schema": "openai", "base_url": f"{strict.openai.base_url}/v1",
             "credential": {"env": "TOLLGATE_E2E_OAI_KEY"}},
            # Nothing listens there.
            {"name": "dead", "schema": "openai", "base_url": f"http://127.0.0.1:{harness.free_port(40000, 48999)}/v1"},
        ],
        "models": [
            {"name": "claude-e2e", "backends": [{"provider": "anth", "model": "claude-upstream"}]},
            {"name": "gpt-e2e", "backends": [{"provider": "oai", "model": "gpt-upstream"}]},
            {"name": "failover-e2e", "backends": [
                {"provider": "oai", "model": "gpt-primary", "priority": 0},
                {"provider": "anth", "model": "claude-secondary", "priority": 1},
            ]},
            {"name": "dead-e2e", "backends": [{"provider": "dead", "model": "nobody"}]},
            {"name": "failover-dead-e2e", "backends": [
                {"provider": "dead", "model": "nobody", "priority": 0},
                {"provider": "anth", "model": "claude-secondary", "priority": 1},
            ]},
        ],
        "keys": [{"name": "all", "tenant": "e2e", "sha256": keys.hashes["all"], "models": ["*"]}],
        "gateway": {"max_body_bytes": 65536, "default_max_tokens": DEFAULT_MAX_TOKENS, "reload_interval_seconds": 0.2},
    }  # fmt: skip
    env = {"TOLLGATE_E2E_ANTH_KEY": ANTHROPIC_SECRET, "TOLLGATE_E2E_OAI_KEY": OPENAI_SECRET}
    gateway = GatewayStack(workdir, config, env=env)
    yield gateway
    gateway.stop()
    shutil.rmtree(workdir, ignore_errors=True)


# -------------------------------------------------------------------------------------------------
# Clients and shape checks


def openai_chat(stack, keys, model: str, *, stream: bool = False, scenario: str = "", extra: dict | None = None, messages=None):
    marker = uuid.uuid4().hex
    body = {
        "model": model,
        "messages": messages or [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": f"marker {marker}"},
        ],
        **(extra or {}),
    }
    if stream:
        body["stream"] = True
    headers = {"x-fake-scenario": scenario} if scenario else {}
    return marker, stack.request("POST", "/v1/chat/completions", body, key=keys.all, headers=headers)


def anthropic_messages(stack, keys, model: str, *, stream: bool = False, scenario: str = "", extra: dict | None = None):
    """A request as the Anthropic SDK (and Claude Code) sends it: x-api-key, anthropic-version."""
    marker = uuid.uuid4().hex
    body = {
        "model": model,
        "max_tokens": 200,
        "system": "You are terse.",
        "messages": [{"role": "user", "content": [{"type": "text", "text": f"marker {marker}"}]}],
        **(extra or {}),
    }
    if stream:
        body["stream"] = True
    headers = {"anthropic-version": ANTHROPIC_VERSION, "anthropic-beta": "prompt-caching-2024-07-31"}
    if scenario:
        headers["x-fake-scenario"] = scenario
    return marker, stack.request("POST", "/v1/messages", body, key=keys.all, key_header="x-api-key", headers=headers)


def sse_events(body: bytes) -> list[tuple[str | None, str]]:
    """(event name, data) for every event of an SSE body; every event must end with a blank line."""
    text = body.decode()
    assert text.endswith("\n\n"), f"the stream does not end with a complete event: {text[-200:]!r}"
    events = []
    for block in text.split("\n\n")[:-1]:
        name, data = None, []
        for line in block.split("\n"):
            if line.startswith("event: "):
                name = line[len("event: "):]
            elif line.startswith("data: "):
                data.append(line[len("data: "):])
            else:
                assert line == "" or line.startswith(":"), f"not an SSE line: {line!r}"
        events.append((name, "\n".join(data)))
    return events


def check_chat_completion(payload: dict) -> None:
    """The fields the OpenAI SDK's ChatCompletion model requires, with their types."""
    assert payload["object"] == "chat.completion"
    assert isinstance(payload["id"], str) and isinstance(payload["created"], int) and isinstance(payload["model"], str)
    assert payload["created"] > 1_600_000_000, "created must be Unix seconds"
    for choice in payload["choices"]:
        assert isinstance(choice["index"], int)
        assert choice["finish_reason"] in ("stop", "length", "tool_calls", "content_filter", "function_call")
        message = choice["message"]
        assert message["role"] == "assistant"
        assert message.get("content") is None or isinstance(message["content"], str)
        for call in message.get("tool_calls") or []:
            assert call["type"] == "function" and isinstance(call["id"], str)
            json.loads(call["function"]["arguments"])
    usage = payload["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def check_chunks(body: bytes) -> list[dict]:
    """A chat.completion.chunk stream ending in [DONE]: returns the chunks."""
    events = sse_events(body)
    assert events[-1] == (None, "[DONE]"), events[-3:]
    chunks = []
    for name, data in events[:-1]:
        assert name is None
        chunk = json.loads(data)
        assert "error" not in chunk, chunk
        assert chunk["object"] == "chat.completion.chunk"
        assert isinstance(chunk["id"], str) and isinstance(chunk["created"], int)
        for choice in chunk["choices"]:
            assert isinstance(choice["index"], int) and "delta" in choice
        chunks.append(chunk)
    return chunks


def chunk_text(chunks: list[dict]) -> str:
    return "".join((choice["delta"].get("content") or "") for chunk in chunks for choice in chunk["choices"])


def chunk_tool_calls(chunks: list[dict]) -> dict[int, dict]:
    calls: dict[int, dict] = {}
    for chunk in chunks:
        for choice in chunk["choices"]:
            for delta in choice["delta"].get("tool_calls") or []:
                call = calls.setdefault(delta["index"], {"id": None, "name": None, "arguments": ""})
                call["id"] = delta.get("id") or call["id"]
                function = delta.get("function") or {}
                call["name"] = function.get("name") or call["name"]
                call["arguments"] += function.get("arguments") or ""
    return calls


def check_anthropic_stream(body: bytes) -> list[tuple[str, dict]]:
    """A Messages stream: message_start first, message_stop last, each event's name its type."""
    events = [(name, json.loads(data)) for name, data in sse_events(body)]
    assert events[0][0] == "message_start", events[:2]
    assert events[-1][0] == "message_stop", events[-2:]
    for name, data in events:
        assert data["type"] == name
    return events


# -------------------------------------------------------------------------------------------------
# OpenAI client, Anthropic provider


def test_openai_client_buffered_from_anthropic(stack, strict, keys):
    marker, reply = openai_chat(stack, keys, "claude-e2e")
    assert reply.status == 200, reply
    assert reply.headers.get("x-fake-provider") == "anth"
    payload = reply.json
    check_chat_completion(payload)
    assert payload["choices"][0]["message"]["content"] == "hello from anth"
    assert payload["choices"][0]["finish_reason"] == "stop"
    usage = payload["usage"]
    prompt = ANTHROPIC_USAGE["input_tokens"] + ANTHROPIC_USAGE["cache_read_input_tokens"] + ANTHROPIC_USAGE["cache_creation_input_tokens"]
    assert usage["prompt_tokens"] == prompt
    assert usage["completion_tokens"] == ANTHROPIC_USAGE["output_tokens"]
    assert usage["prompt_tokens_details"]["cached_tokens"] == ANTHROPIC_USAGE["cache_read_input_tokens"]
    # The response body is STREAMED through the router filter, so Envoy sends it chunked.
    assert "content-length" not in reply.headers

    received = strict.anthropic.find(marker)
    assert received.path == "/v1/messages"
    assert received.header("x-api-key") == ANTHROPIC_SECRET
    assert received.header("anthropic-version") == ANTHROPIC_VERSION
    assert received.header("authorization") is None
    assert received.header("accept-encoding") is None
    sent = received.json
    assert sent["model"] == "claude-upstream"
    assert sent["max_tokens"] == DEFAULT_MAX_TOKENS
    assert sent["system"] in ("You are terse.", [{"type": "text", "text": "You are terse."}])
    assert [message["role"] for message in sent["messages"]] == ["user"]
    assert received.header("content-length") == str(len(received.body))


def test_openai_client_streamed_from_anthropic(stack, strict, keys):
    marker, reply = openai_chat(stack, keys, "claude-e2e", stream=True)
    assert reply.status == 200, reply
    assert reply.headers["content-type"].startswith("text/event-stream")
    assert "content-length" not in reply.headers
    chunks = check_chunks(reply.body)
    assert chunk_text(chunks) == "hello from anth"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert all(chunk.get("usage") is None for chunk in chunks), "the client did not ask for usage"
    assert strict.anthropic.find(marker).json["stream"] is True


def test_openai_client_streamed_usage_when_asked(stack, keys):
    _, reply = openai_chat(stack, keys, "claude-e2e", stream=True, extra={"stream_options": {"include_usage": True}})
    assert reply.status == 200, reply
    chunks = check_chunks(reply.body)
    usage_chunks = [chunk for chunk in chunks if chunk.get("usage")]
    assert len(usage_chunks) == 1 and usage_chunks[0]["choices"] == []
    assert usage_chunks[0]["usage"]["completion_tokens"] == ANTHROPIC_USAGE["output_tokens"]


@pytest.mark.parametrize("stream", [False, True], ids=["buffered", "streamed"])
def test_openai_client_tool_calls_from_anthropic(stack, strict, keys, stream):
    marker, reply = openai_chat(stack, keys, "claude-e2e", stream=stream, scenario="tool",
                                extra={"tools": [WEATHER_TOOL_OPENAI], "tool_choice": "auto"})  # fmt: skip
    assert reply.status == 200, reply
    if stream:
        chunks = check_chunks(reply.body)
        calls = chunk_tool_calls(chunks)
        assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"
        assert chunk_text(chunks) == "Let me check."
    else:
        check_chat_completion(reply.json)
        choice = reply.json["choices"][0]
        assert choice["finish_reason"] == "tool_calls"
        assert choice["message"]["content"] == "Let me check."
        calls = {i: {"id": c["id"], "name": c["function"]["name"], "arguments": c["function"]["arguments"]}
                 for i, c in enumerate(choice["message"]["tool_calls"])}  # fmt: skip
    assert len(calls) == 1
    assert calls[0]["id"] == "toolu_01A" and calls[0]["name"] == "get_weather"
    assert json.loads(calls[0]["arguments"]) == {"city": "Paris"}
    sent = strict.anthropic.find(marker).json
    assert sent["tools"][0]["name"] == "get_weather" and "input_schema" in sent["tools"][0]
    assert sent["tool_choice"] == {"type": "auto"}


def test_openai_tool_round_trip_history_is_accepted_by_anthropic(stack, strict, keys):
    """The second turn of a tool conversation: assistant tool_calls and a tool result, consecutive
    user messages, a developer message in the middle: all things the Messages API refuses as is."""
    marker = uuid.uuid4().hex
    messages = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "What's the weather?"},
        {"role": "user", "content": f"In Paris please, marker {marker}"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "18C and sunny"},
        {"role": "developer", "content": "Answer in one line."},
    ]  # fmt: skip
    _, reply = openai_chat(stack, keys, "claude-e2e", messages=messages, extra={"tools": [WEATHER_TOOL_OPENAI]})
    assert reply.status == 200, (reply, strict.anthropic.refusals[-1:])
    sent = strict.anthropic.find(marker).json
    assert [message["role"] for message in sent["messages"]] == ["user", "assistant", "user"]


def test_anthropic_refusal_reaches_an_openai_client_in_its_shape(stack, strict, keys):
    """An image part the fake cannot take (a file id has no Messages equivalent): the gateway
    answers 400 itself, in OpenAI's shape, without calling the provider."""
    marker = uuid.uuid4().hex
    messages = [{"role": "user", "content": [{"type": "text", "text": marker}, {"type": "file", "file": {"file_id": "file-1"}}]}]
    _, reply = openai_chat(stack, keys, "claude-e2e", messages=messages)
    assert reply.status == 400, reply
    assert reply.json["error"]["type"] == "invalid_request_error"
    assert not strict.anthropic.all_with(marker)


# -------------------------------------------------------------------------------------------------
# Anthropic (Messages) client, OpenAI-compatible provider


def test_messages_client_buffered_from_openai(stack, strict, keys):
    marker, reply = anthropic_messages(stack, keys, "gpt-e2e")
    assert reply.status == 200, reply
    message = reply.json
    assert message["type"] == "message" and message["role"] == "assistant"
    assert message["content"] == [{"type": "text", "text": "hello from oai"}]
    assert message["stop_reason"] == "end_turn"
    usage = message["usage"]
    cached = OPENAI_USAGE["prompt_tokens_details"]["cached_tokens"]
    assert usage["input_tokens"] == OPENAI_USAGE["prompt_tokens"] - cached
    assert usage["cache_read_input_tokens"] == cached
    assert usage["output_tokens"] == OPENAI_USAGE["completion_tokens"]

    received = strict.openai.find(marker)
    assert received.path == "/v1/chat/completions"
    assert received.header("authorization") == f"Bearer {OPENAI_SECRET}"
    assert received.header("x-api-key") is None
    sent = received.json
    assert sent["model"] == "gpt-upstream"
    assert sent["messages"][0] == {"role": "system", "content": "You are terse."}
    # Not api.openai.com: the provider gets max_tokens, the field every compatible API knows.
    assert sent["max_tokens"] == 200 and "max_completion_tokens" not in sent


@pytest.mark.parametrize("stream", [False, True], ids=["buffered", "streamed"])
def test_messages_client_tool_use_from_openai(stack, strict, keys, stream):
    marker, reply = anthropic_messages(stack, keys, "gpt-e2e", stream=stream, scenario="tool",
                                       extra={"tools": [WEATHER_TOOL_ANTHROPIC], "tool_choice": {"type": "any"}})  # fmt: skip
    assert reply.status == 200, (reply, strict.openai.refusals[-1:])
    if stream:
        events = check_anthropic_stream(reply.body)
        starts = [data["content_block"] for name, data in events if name == "content_block_start"]
        tool_block = next(block for block in starts if block["type"] == "tool_use")
        index = next(data["index"] for name, data in events if name == "content_block_start" and data["content_block"] is tool_block)
        partial = "".join(data["delta"]["partial_json"] for name, data in events
                          if name == "content_block_delta" and data["index"] == index)  # fmt: skip
        assert tool_block["name"] == "get_weather" and tool_block["id"]
        assert json.loads(partial) == {"city": "Paris"}
        delta = next(data for name, data in events if name == "message_delta")
        assert delta["delta"]["stop_reason"] == "tool_use"
        assert delta["usage"]["output_tokens"] == OPENAI_USAGE["completion_tokens"]
    else:
        message = reply.json
        assert message["stop_reason"] == "tool_use"
        tool = next(block for block in message["content"] if block["type"] == "tool_use")
        assert tool["name"] == "get_weather" and tool["input"] == {"city": "Paris"}
    sent = strict.openai.find(marker).json
    assert sent["tools"][0]["type"] == "function" and sent["tools"][0]["function"]["name"] == "get_weather"
    assert sent["tool_choice"] == "required"
    if stream:
        assert sent["stream_options"] == {"include_usage": True}


def test_messages_client_streamed_text_from_openai(stack, keys):
    _, reply = anthropic_messages(stack, keys, "gpt-e2e", stream=True)
    assert reply.status == 200, reply
    events = check_anthropic_stream(reply.body)
    text = "".join(data["delta"]["text"] for name, data in events
                   if name == "content_block_delta" and data["delta"]["type"] == "text_delta")  # fmt: skip
    assert text == "hello from oai"
    start = events[0][1]["message"]
    assert start["role"] == "assistant" and start["content"] == []


# -------------------------------------------------------------------------------------------------
# Provider errors and broken streams


@pytest.mark.parametrize(
    "scenario,status,openai_type",
    [("error-429", 429, "rate_limit_error"), ("error-529", 503, "server_error")],
)
def test_anthropic_errors_reach_openai_clients_in_openai_shape(stack, keys, scenario, status, openai_type):
    for stream in (False, True):
        _, reply = openai_chat(stack, keys, "claude-e2e", scenario=scenario, stream=stream)
        assert reply.status == status, reply
        error = reply.json["error"]
        assert error["type"] == openai_type
        assert error["message"] in ("Rate limit reached, slow down", "Overloaded")
        # The response body is STREAMED through the router filter, so Envoy sends it chunked.
        assert "content-length" not in reply.headers


def test_openai_errors_reach_messages_clients_in_anthropic_shape(stack, keys):
    _, reply = anthropic_messages(stack, keys, "gpt-e2e", scenario="error-429")
    assert reply.status == 429, reply
    assert reply.json == {"type": "error", "error": {"type": "rate_limit_error", "message": "Rate limit reached, slow down"}}
    _, reply = anthropic_messages(stack, keys, "gpt-e2e", scenario="error-529")
    assert reply.status == 503, reply
    assert reply.json["error"]["type"] == "overloaded_error"


def test_truncated_anthropic_stream_ends_with_an_openai_error_event(stack, keys):
    _, reply = openai_chat(stack, keys, "claude-e2e", stream=True, scenario="truncate")
    assert reply.status == 200, reply
    events = sse_events(reply.body)
    assert events[-1] == (None, "[DONE]")
    error = json.loads(events[-2][1])
    assert error["error"]["type"] == "server_error"
    assert "ended before" in error["error"]["message"]
    assert chunk_text([json.loads(data) for _, data in events[:-2]]) == "hello from anth"


def test_truncated_openai_stream_ends_with_an_anthropic_error_event(stack, keys):
    _, reply = anthropic_messages(stack, keys, "gpt-e2e", stream=True, scenario="truncate")
    assert reply.status == 200, reply
    events = sse_events(reply.body)
    assert events[-1][0] == "error", events[-2:]
    assert json.loads(events[-1][1])["type"] == "error"
    assert not any(name == "message_stop" for name, _ in events)


# -------------------------------------------------------------------------------------------------
# Usage in Envoy's access log


def access_log_lines(stack) -> list[dict]:
    lines = []
    for line in stack.envoy.log_path.read_text(errors="replace").splitlines():
        line = line.strip()
        if line.startswith("{") and '"status"' in line:
            try:
                lines.append(json.loads(line))
            except ValueError:
                pass
    return lines


def wait_for_log_line(stack, predicate, what: str) -> dict:
    # Envoy flushes access logs on a timer (10 s by default).
    def found():
        return next((line for line in reversed(access_log_lines(stack)) if predicate(line)), None)

    return harness.wait_until(found, 30, what, interval=0.2)


@pytest.mark.parametrize("stream", [False, True], ids=["buffered", "streamed"])
def test_access_log_has_the_providers_usage(stack, keys, stream):
    _, reply = openai_chat(stack, keys, "claude-e2e", stream=stream)
    assert reply.status == 200, reply
    _, reply2 = anthropic_messages(stack, keys, "gpt-e2e", stream=stream)
    assert reply2.status == 200, reply2
    outcome = "completed" if stream else None
    anthropic_line = wait_for_log_line(
        stack, lambda l: l.get("provider") == "anth" and l.get("stream_outcome") == outcome and l.get("endpoint") == "/v1/chat/completions" and l.get("status") == 200,
        "an access log line for the Anthropic-served request",
    )
    prompt = ANTHROPIC_USAGE["input_tokens"] + ANTHROPIC_USAGE["cache_read_input_tokens"] + ANTHROPIC_USAGE["cache_creation_input_tokens"]
    assert anthropic_line["input_tokens"] == prompt
    assert anthropic_line["output_tokens"] == ANTHROPIC_USAGE["output_tokens"]
    assert anthropic_line["cached_input_tokens"] == ANTHROPIC_USAGE["cache_read_input_tokens"]
    assert anthropic_line["cache_creation_input_tokens"] == ANTHROPIC_USAGE["cache_creation_input_tokens"]
    assert anthropic_line["usage_complete"] is True
    assert anthropic_line["backend"] == "claude-e2e/0"
    assert anthropic_line["attempts"] == 1
    assert anthropic_line["status"] == 200
    assert anthropic_line["ttft_ms"] > 0 and anthropic_line["duration_ms"] >= anthropic_line["ttft_ms"]

    openai_line = wait_for_log_line(
        stack, lambda l: l.get("provider") == "oai" and l.get("stream_outcome") == outcome and l.get("endpoint") == "/v1/messages" and l.get("status") == 200,
        "an access log line for the OpenAI-served request",
    )
    assert openai_line["input_tokens"] == OPENAI_USAGE["prompt_tokens"]
    assert openai_line["output_tokens"] == OPENAI_USAGE["completion_tokens"]
    assert openai_line["cached_input_tokens"] == OPENAI_USAGE["prompt_tokens_details"]["cached_tokens"]
    assert openai_line["reasoning_tokens"] == OPENAI_USAGE["completion_tokens_details"]["reasoning_tokens"]
    assert openai_line["usage_complete"] is True


def test_access_log_marks_a_truncated_stream_incomplete(stack, keys):
    _, reply = openai_chat(stack, keys, "claude-e2e", stream=True, scenario="truncate")
    assert reply.status == 200
    line = wait_for_log_line(
        stack, lambda l: l.get("stream_outcome") == "truncated" and l.get("provider") == "anth", "a truncated stream's log line"
    )
    # message_start carried the input counts: kept, and marked incomplete.
    assert line["usage_complete"] is False
    assert line["input_tokens"] == ANTHROPIC_USAGE["input_tokens"] + ANTHROPIC_USAGE["cache_read_input_tokens"] + ANTHROPIC_USAGE["cache_creation_input_tokens"]


def test_tokens_are_counted_in_tollgate_metrics(stack, keys):
    before = stack.tollgate_metric("tollgate_gateway_tokens_total", kind="output")
    _, reply = openai_chat(stack, keys, "claude-e2e")
    assert reply.status == 200
    assert stack.tollgate_metric("tollgate_gateway_tokens_total", kind="output") == before + ANTHROPIC_USAGE["output_tokens"]


# -------------------------------------------------------------------------------------------------
# Failover across dialects (issue 5): the OpenAI primary fails, the Anthropic secondary serves


@pytest.mark.parametrize("scenario", ["fail-oai", "limit-oai"], ids=["503", "429"])
@pytest.mark.parametrize("stream", [False, True], ids=["buffered", "streamed"])
def test_failover_from_openai_to_anthropic_serves_the_openai_client(stack, strict, keys, stream, scenario):
    marker, reply = openai_chat(stack, keys, "failover-e2e", stream=stream, scenario=scenario)
    assert reply.status == 200, reply
    assert reply.headers.get("x-fake-provider") == "anth"
    if stream:
        assert chunk_text(check_chunks(reply.body)) == "hello from anth"
    else:
        check_chat_completion(reply.json)
        assert reply.json["choices"][0]["message"]["content"] == "hello from anth"
    first = strict.openai.find(marker)
    assert first.json["model"] == "gpt-primary"
    second = strict.anthropic.find(marker)
    assert second.path == "/v1/messages"
    assert second.json["model"] == "claude-secondary"
    assert second.json["max_tokens"] == DEFAULT_MAX_TOKENS
    assert second.header("authorization") is None and second.header("x-api-key") == ANTHROPIC_SECRET

    line = wait_for_log_line(
        stack, lambda l: l.get("backend") == "failover-e2e/1" and l.get("stream_outcome") == ("completed" if stream else None),
        "the failover request's log line",
    )
    assert line["attempts"] == 2
    assert line["status"] == 200
    assert line["provider"] == "anth"
    assert line["input_tokens"] == ANTHROPIC_USAGE["input_tokens"] + ANTHROPIC_USAGE["cache_read_input_tokens"] + ANTHROPIC_USAGE["cache_creation_input_tokens"]


def test_failover_when_every_backend_fails_gives_one_error_in_the_clients_dialect(stack, keys):
    _, reply = openai_chat(stack, keys, "failover-e2e", scenario="error-529")
    # The OpenAI primary answers 503 (retried), the Anthropic secondary 529: one OpenAI-shaped error.
    assert reply.status == 503, reply
    assert set(reply.json) == {"error"}
    assert reply.json["error"]["type"] == "server_error"


def test_first_bytes_of_a_stream_arrive_before_the_stream_ends(stack, strict, keys):
    """Streaming is streamed: with the provider pausing between events, the client has its first
    chunk long before the last one."""
    strict.anthropic.chunk_delay = 0.2
    try:
        body = json.dumps({"model": "claude-e2e", "stream": True, "messages": [{"role": "user", "content": "hi"}]}).encode()
        with socket.create_connection(("127.0.0.1", stack.port), timeout=30) as connection:
            request = (
                f"POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
                f"authorization: Bearer {keys.all}\r\ncontent-length: {len(body)}\r\n\r\n"
            ).encode() + body
            started = time.monotonic()
            connection.sendall(request)
            received = b""
            first_content_at = None
            while not received.endswith(b"0\r\n\r\n"):
                data = connection.recv(65536)
                if not data:
                    break
                received += data
                if first_content_at is None and b'"content":"hello' in received.replace(b" ", b""):
                    first_content_at = time.monotonic() - started
            total = time.monotonic() - started
    finally:
        strict.anthropic.chunk_delay = 0.0
    assert first_content_at is not None, received[-400:]
    # Ten events, 0.2 s apart: the first word arrives within a few of them, not at the end.
    assert total > 1.5
    assert first_content_at < total - 0.8, (first_content_at, total)


@pytest.mark.parametrize("stream", [False, True], ids=["buffered", "streamed"])
def test_failover_from_an_unreachable_backend(stack, strict, keys, stream):
    marker, reply = openai_chat(stack, keys, "failover-dead-e2e", stream=stream)
    assert reply.status == 200, reply
    if stream:
        assert chunk_text(check_chunks(reply.body)) == "hello from anth"
    else:
        assert reply.json["choices"][0]["message"]["content"] == "hello from anth"
    assert strict.anthropic.find(marker).json["model"] == "claude-secondary"


def test_envoys_own_reply_is_left_alone_and_logged(stack, keys):
    """Nothing listens for the provider: Envoy answers (its local reply, in the client's dialect);
    the router phase does not take it for the provider's, and the marker header never reaches the client."""
    for path_model, dialect in (("/v1/chat/completions", "openai"), ("/v1/messages", "anthropic")):
        if dialect == "openai":
            _, reply = openai_chat(stack, keys, "dead-e2e")
        else:
            _, reply = anthropic_messages(stack, keys, "dead-e2e")
        assert reply.status == 503, reply
        assert "x-tollgate-local-reply" not in reply.headers
        if dialect == "openai":
            assert reply.json["error"]["code"] == "upstream_unavailable"
        else:
            assert reply.json["type"] == "error" and reply.json["error"]["type"] == "api_error"
    line = wait_for_log_line(stack, lambda l: l.get("model") == "dead-e2e" and l.get("endpoint") == "/v1/messages",
                             "the unreachable provider's log line")  # fmt: skip
    assert line["rejection"] == "upstream_unavailable"
    assert line["provider"] == "dead"
    assert line["input_tokens"] is None


def test_tollgates_own_refusals_are_in_the_access_log(stack, keys):
    reply = stack.request("POST", "/v1/messages", {"model": "claude-e2e", "max_tokens": 5, "messages": []},
                          key="tg-not-a-key", key_header="x-api-key")  # fmt: skip
    assert reply.status == 401, reply
    line = wait_for_log_line(stack, lambda l: l.get("rejection") == "invalid_key", "the 401's log line")
    assert line["status"] == 401 and line["endpoint"] == "/v1/messages"
    assert line["details"] == "tollgate_invalid_key"
