"""Strict fake LLM providers for the translation end-to-end tests: an Anthropic Messages API and an
OpenAI-compatible API (chat completions, plus legacy completions, the Responses API and embeddings)
that refuse what the real APIs refuse, and answer buffered and streamed (SSE) with tool calls and
full usage (cache tokens included).

Each records every request it receives (fake_providers.Received) and names itself in the
`x-fake-provider` response header. A client header `x-fake-scenario` picks the answer:

- (none)        text, "hello from <name>"
- tool          a tool call (`get_weather` with `{"city": "Paris"}`)
- error-429     the provider's rate-limit error
- error-529     Anthropic: overloaded (529); OpenAI: 503
- truncate      a stream that ends (cleanly at the HTTP level) before the API's end of stream
- fail-<name>   the provider called <name> answers 503 (drives Envoy's retry to the next backend)
- limit-<name>  the provider called <name> answers 429
- retry-after-<name>  the provider called <name> answers 429 with `retry-after: 1`
- hang-<name>   the provider called <name> reads the request and answers nothing for `hang_seconds`,
                then closes the connection (drives Envoy's per-try timeout)
- long-<n>      a stream of n text deltas (for memory measurements of long streams)
- response-failed      /v1/responses streamed: ends with `response.failed` (with usage)
- response-incomplete  /v1/responses: `status: incomplete` (max_output_tokens), usage included

`truncate` and `tool` apply to /v1/completions and /v1/responses too (a Responses API stream cut
before `response.completed`; a function call).

Usage is fixed per provider and endpoint (ANTHROPIC_USAGE, OPENAI_USAGE, COMPLETIONS_USAGE,
RESPONSES_USAGE, EMBEDDINGS_USAGE) so tests can compare the gateway's accounting with what the
provider said.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import harness
from fake_providers import Received, RecordingServer

ANTHROPIC_VERSION = "2023-06-01"
# As Anthropic reports them: input_tokens excludes the cache reads and writes.
ANTHROPIC_USAGE = {"input_tokens": 11, "cache_read_input_tokens": 7, "cache_creation_input_tokens": 5, "output_tokens": 13}
OPENAI_USAGE = {
    "prompt_tokens": 17,
    "completion_tokens": 9,
    "total_tokens": 26,
    "prompt_tokens_details": {"cached_tokens": 4},
    "completion_tokens_details": {"reasoning_tokens": 2},
}
# Legacy completions and the Responses API (whose counts have their own names) and embeddings.
COMPLETIONS_USAGE = {"prompt_tokens": 6, "completion_tokens": 3, "total_tokens": 9}
RESPONSES_USAGE = {
    "input_tokens": 31,
    "input_tokens_details": {"cached_tokens": 8},
    "output_tokens": 19,
    "output_tokens_details": {"reasoning_tokens": 6},
    "total_tokens": 50,
}
EMBEDDINGS_USAGE = {"prompt_tokens": 8, "total_tokens": 8}

ANTHROPIC_FIELDS = {
    "model", "messages", "max_tokens", "system", "stop_sequences", "temperature", "top_p", "top_k", "stream",
    "tools", "tool_choice", "metadata", "thinking", "service_tier",
}  # fmt: skip
ANTHROPIC_BLOCKS = {"text", "image", "document", "tool_use", "tool_result", "thinking", "redacted_thinking"}
OPENAI_FIELDS = {
    "model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "n", "stream",
    "stream_options", "stop", "tools", "tool_choice", "parallel_tool_calls", "user", "metadata", "response_format",
    "seed", "frequency_penalty", "presence_penalty", "logprobs", "top_logprobs", "logit_bias", "reasoning_effort",
    "service_tier", "store", "modalities",
}  # fmt: skip
COMPLETIONS_FIELDS = {
    "model", "prompt", "suffix", "max_tokens", "temperature", "top_p", "n", "stream", "stream_options", "logprobs",
    "echo", "stop", "presence_penalty", "frequency_penalty", "best_of", "logit_bias", "user", "seed",
}  # fmt: skip
RESPONSES_FIELDS = {
    "model", "input", "instructions", "max_output_tokens", "temperature", "top_p", "stream", "stream_options", "tools",
    "tool_choice", "parallel_tool_calls", "previous_response_id", "reasoning", "text", "truncation", "store", "metadata",
    "user", "include", "background", "service_tier",
}  # fmt: skip
EMBEDDINGS_FIELDS = {"model", "input", "encoding_format", "dimensions", "user"}
TOOL_ID = re.compile(r"^[a-zA-Z0-9_-]+$")


class Refusal(Exception):
    def __init__(self, status: int, kind: str, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after
        self.status, self.kind, self.message = status, kind, message


# -------------------------------------------------------------------------------------------------
# Validation, as the real APIs do it


def validate_anthropic(headers: dict[str, str], body: dict, api_key: str) -> None:
    if headers.get("x-api-key") != api_key:
        raise Refusal(401, "authentication_error", "invalid x-api-key")
    version = headers.get("anthropic-version")
    if version is None:
        raise Refusal(400, "invalid_request_error", "anthropic-version: header is required")
    if version != ANTHROPIC_VERSION:
        raise Refusal(400, "invalid_request_error", f"anthropic-version: invalid version {version}")
    extra = set(body) - ANTHROPIC_FIELDS
    if extra:
        raise Refusal(400, "invalid_request_error", f"{sorted(extra)[0]}: Extra inputs are not permitted")
    if not isinstance(body.get("model"), str):
        raise Refusal(400, "invalid_request_error", "model: Field required")
    if not isinstance(body.get("max_tokens"), int) or body["max_tokens"] < 1:
        raise Refusal(400, "invalid_request_error", "max_tokens: Field required")
    if "temperature" in body and not 0 <= body["temperature"] <= 1:
        raise Refusal(400, "invalid_request_error", "temperature: must be between 0 and 1")
    system = body.get("system")
    if system is not None and not isinstance(system, (str, list)):
        raise Refusal(400, "invalid_request_error", "system: must be a string or a list of text blocks")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise Refusal(400, "invalid_request_error", "messages: at least one message is required")
    tool_names = set()
    for tool in body.get("tools") or []:
        if not isinstance(tool.get("name"), str) or not isinstance(tool.get("input_schema"), dict):
            raise Refusal(400, "invalid_request_error", "tools: each tool needs name and input_schema")
        if set(tool) - {"name", "description", "input_schema", "cache_control", "type"}:
            raise Refusal(400, "invalid_request_error", "tools: Extra inputs are not permitted")
        tool_names.add(tool["name"])
    previous_role = None
    open_tool_uses: set[str] = set()
    for index, message in enumerate(messages):
        role = message.get("role")
        if role not in ("user", "assistant"):
            raise Refusal(400, "invalid_request_error", f"messages.{index}.role: Input should be 'user' or 'assistant'")
        if role == previous_role:
            raise Refusal(400, "invalid_request_error", "messages: roles must alternate between user and assistant")
        if index == 0 and role != "user":
            raise Refusal(400, "invalid_request_error", "messages: first message must use the user role")
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        if not isinstance(blocks, list) or not blocks:
            raise Refusal(400, "invalid_request_error", f"messages.{index}.content: must not be empty")
        results = set()
        for block in blocks:
            kind = block.get("type")
            if kind not in ANTHROPIC_BLOCKS:
                raise Refusal(400, "invalid_request_error", f"messages.{index}.content: unknown block type {kind}")
            if kind == "text" and not block.get("text"):
                raise Refusal(400, "invalid_request_error", "text content blocks must be non-empty")
            if kind == "tool_use":
                if role != "assistant" or not TOOL_ID.match(block.get("id", "")) or not isinstance(block.get("input"), dict):
                    raise Refusal(400, "invalid_request_error", "tool_use: invalid block")
                open_tool_uses.add(block["id"])
            if kind == "tool_result":
                if role != "user" or block.get("tool_use_id") not in open_tool_uses:
                    raise Refusal(400, "invalid_request_error", "tool_result: no matching tool_use in the previous message")
                results.add(block["tool_use_id"])
        if role == "user" and previous_role == "assistant" and open_tool_uses - results:
            raise Refusal(400, "invalid_request_error", "tool_use ids were found without tool_result blocks")
        if role == "user":
            open_tool_uses = set()
        previous_role = role
    if messages[-1]["role"] == "assistant" and isinstance(messages[-1]["content"], str) and messages[-1]["content"] != messages[-1]["content"].rstrip():
        raise Refusal(400, "invalid_request_error", "final assistant content cannot end with trailing whitespace")


def validate_openai(headers: dict[str, str], body: dict, api_key: str) -> None:
    if headers.get("authorization") != f"Bearer {api_key}":
        raise Refusal(401, "invalid_request_error", "Incorrect API key provided.")
    extra = set(body) - OPENAI_FIELDS
    if extra:
        raise Refusal(400, "invalid_request_error", f"Unrecognized request argument supplied: {sorted(extra)[0]}")
    if not isinstance(body.get("model"), str):
        raise Refusal(400, "invalid_request_error", "you must provide a model parameter")
    if "stream_options" in body and not body.get("stream"):
        raise Refusal(400, "invalid_request_error", "The 'stream_options' parameter is only allowed when 'stream' is enabled.")
    if "max_tokens" in body and "max_completion_tokens" in body:
        raise Refusal(400, "invalid_request_error", "max_tokens and max_completion_tokens cannot both be set")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise Refusal(400, "invalid_request_error", "messages: must be a non-empty array")
    pending_calls: set[str] = set()
    for index, message in enumerate(messages):
        role = message.get("role")
        if role not in ("system", "developer", "user", "assistant", "tool"):
            raise Refusal(400, "invalid_request_error", f"messages[{index}].role: invalid value {role!r}")
        if role == "tool":
            if message.get("tool_call_id") not in pending_calls:
                raise Refusal(400, "invalid_request_error", "messages with role 'tool' must be a response to a preceding message with 'tool_calls'")
            continue
        if pending_calls and role != "tool":
            raise Refusal(400, "invalid_request_error", "An assistant message with 'tool_calls' must be followed by tool messages")
        if role == "assistant":
            for call in message.get("tool_calls") or []:
                if call.get("type") != "function" or not isinstance(call.get("function", {}).get("arguments"), str):
                    raise Refusal(400, "invalid_request_error", "tool_calls: invalid tool call")
                pending_calls.add(call["id"])
        if isinstance(message.get("content"), list):
            for part in message["content"]:
                if part.get("type") not in ("text", "image_url", "input_audio", "file", "refusal"):
                    raise Refusal(400, "invalid_request_error", f"messages[{index}].content: invalid part type")
    for tool in body.get("tools") or []:
        if tool.get("type") != "function" or not isinstance(tool.get("function", {}).get("name"), str):
            raise Refusal(400, "invalid_request_error", "tools: invalid tool")


def _openai_common(headers: dict[str, str], body: dict, api_key: str, fields: set[str]) -> None:
    if headers.get("authorization") != f"Bearer {api_key}":
        raise Refusal(401, "invalid_request_error", "Incorrect API key provided.")
    extra = set(body) - fields
    if extra:
        raise Refusal(400, "invalid_request_error", f"Unrecognized request argument supplied: {sorted(extra)[0]}")
    if not isinstance(body.get("model"), str):
        raise Refusal(400, "invalid_request_error", "you must provide a model parameter")
    if "stream_options" in body and not body.get("stream"):
        raise Refusal(400, "invalid_request_error", "The 'stream_options' parameter is only allowed when 'stream' is enabled.")


def validate_openai_completions(headers: dict[str, str], body: dict, api_key: str) -> None:
    _openai_common(headers, body, api_key, COMPLETIONS_FIELDS)
    if not isinstance(body.get("prompt"), (str, list)):
        raise Refusal(400, "invalid_request_error", "prompt: must be a string or an array")


def validate_openai_responses(headers: dict[str, str], body: dict, api_key: str) -> None:
    _openai_common(headers, body, api_key, RESPONSES_FIELDS)
    # The Responses API always reports usage; it knows no include_usage and says so.
    for option in set(body.get("stream_options") or {}) - {"include_obfuscation"}:
        raise Refusal(400, "invalid_request_error", f"Unknown parameter: 'stream_options.{option}'.")
    if not isinstance(body.get("input"), (str, list)):
        raise Refusal(400, "invalid_request_error", "input: must be a string or an array")


def validate_openai_embeddings(headers: dict[str, str], body: dict, api_key: str) -> None:
    _openai_common(headers, body, api_key, EMBEDDINGS_FIELDS)
    if not isinstance(body.get("input"), (str, list)) or not body["input"]:
        raise Refusal(400, "invalid_request_error", "input: must be a non-empty string or array")


OPENAI_VALIDATORS = {
    "/v1/chat/completions": validate_openai,
    "/v1/completions": validate_openai_completions,
    "/v1/responses": validate_openai_responses,
    "/v1/embeddings": validate_openai_embeddings,
}


# -------------------------------------------------------------------------------------------------
# Answers


def anthropic_message(model: str, name: str, tool: bool) -> dict:
    if tool:
        content = [
            {"type": "text", "text": "Let me check."},
            {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Paris"}},
        ]
    else:
        content = [{"type": "text", "text": f"hello from {name}"}]
    return {
        "id": "msg_fake01", "type": "message", "role": "assistant", "model": model, "content": content,
        "stop_reason": "tool_use" if tool else "end_turn", "stop_sequence": None,
        "usage": dict(ANTHROPIC_USAGE),
    }  # fmt: skip


def anthropic_events(model: str, name: str, tool: bool, truncate: bool, words: list[str] | None = None) -> list[tuple[str, dict]]:
    start_usage = {key: value for key, value in ANTHROPIC_USAGE.items() if key != "output_tokens"} | {"output_tokens": 1}
    events = [
        ("message_start", {"type": "message_start", "message": {
            "id": "msg_fake01", "type": "message", "role": "assistant", "model": model, "content": [],
            "stop_reason": None, "stop_sequence": None, "usage": start_usage}}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ("ping", {"type": "ping"}),
    ]  # fmt: skip
    words = words or (["Let me ", "check."] if tool else ["hello ", "from ", name])
    for word in words:
        events.append(("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": word}}))
    if truncate:
        return events
    events.append(("content_block_stop", {"type": "content_block_stop", "index": 0}))
    if tool:
        events += [
            ("content_block_start", {"type": "content_block_start", "index": 1, "content_block": {
                "type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {}}}),
            ("content_block_delta", {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": ""}}),
            ("content_block_delta", {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": "{\"city\": "}}),
            ("content_block_delta", {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": "\"Paris\"}"}}),
            ("content_block_stop", {"type": "content_block_stop", "index": 1}),
        ]  # fmt: skip
    events += [
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "tool_use" if tool else "end_turn", "stop_sequence": None},
                           "usage": {"output_tokens": ANTHROPIC_USAGE["output_tokens"]}}),
        ("message_stop", {"type": "message_stop"}),
    ]  # fmt: skip
    return events


def openai_completion(model: str, name: str, tool: bool) -> dict:
    if tool:
        message = {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_abc123", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]}  # fmt: skip
    else:
        message = {"role": "assistant", "content": f"hello from {name}"}
    return {
        "id": "chatcmpl-fake01", "object": "chat.completion", "created": 1_700_000_000, "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": "tool_calls" if tool else "stop"}],
        "usage": dict(OPENAI_USAGE),
    }  # fmt: skip


def openai_chunks(model: str, name: str, tool: bool, truncate: bool, include_usage: bool, words: list[str] | None = None) -> list[dict]:
    def chunk(delta: dict, finish: str | None = None) -> dict:
        out = {"id": "chatcmpl-fake01", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": model,
               "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}  # fmt: skip
        if include_usage:
            out["usage"] = None
        return out

    chunks = [chunk({"role": "assistant", "content": ""})]
    if tool:
        chunks += [
            chunk({"tool_calls": [{"index": 0, "id": "call_abc123", "type": "function", "function": {"name": "get_weather", "arguments": ""}}]}),
            chunk({"tool_calls": [{"index": 0, "function": {"arguments": "{\"city\": "}}]}),
            chunk({"tool_calls": [{"index": 0, "function": {"arguments": "\"Paris\"}"}}]}),
        ]  # fmt: skip
    else:
        chunks += [chunk({"content": word}) for word in (words or ["hello ", "from ", name])]
    if truncate:
        return chunks
    chunks.append(chunk({}, "tool_calls" if tool else "stop"))
    if include_usage:
        chunks.append({"id": "chatcmpl-fake01", "object": "chat.completion.chunk", "created": 1_700_000_000,
                       "model": model, "choices": [], "usage": dict(OPENAI_USAGE)})  # fmt: skip
    return chunks


def completion_text(model: str, name: str) -> dict:
    return {
        "id": "cmpl-fake01", "object": "text_completion", "created": 1_700_000_000, "model": model,
        "choices": [{"text": f"hello from {name}", "index": 0, "logprobs": None, "finish_reason": "stop"}],
        "usage": dict(COMPLETIONS_USAGE),
    }  # fmt: skip


def completion_chunks(model: str, name: str, truncate: bool, include_usage: bool) -> list[dict]:
    def chunk(text: str, finish: str | None = None) -> dict:
        out = {"id": "cmpl-fake01", "object": "text_completion", "created": 1_700_000_000, "model": model,
               "choices": [{"text": text, "index": 0, "logprobs": None, "finish_reason": finish}]}  # fmt: skip
        if include_usage:
            out["usage"] = None
        return out

    chunks = [chunk(word) for word in ["hello ", "from ", name]]
    if truncate:
        return chunks
    chunks.append(chunk("", "stop"))
    if include_usage:
        chunks.append({"id": "cmpl-fake01", "object": "text_completion", "created": 1_700_000_000, "model": model,
                       "choices": [], "usage": dict(COMPLETIONS_USAGE)})  # fmt: skip
    return chunks


def responses_object(model: str, name: str, tool: bool, status: str = "completed") -> dict:
    if tool:
        output = [{"id": "fc_fake01", "type": "function_call", "status": "completed", "call_id": "call_abc123",
                   "name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}]  # fmt: skip
    else:
        output = [{"id": "msg_fake01", "type": "message", "status": "completed", "role": "assistant",
                   "content": [{"type": "output_text", "text": f"hello from {name}", "annotations": []}]}]  # fmt: skip
    return {
        "id": "resp_fake01", "object": "response", "created_at": 1_700_000_000, "status": status, "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if status == "incomplete" else None,
        "model": model, "output": output, "usage": dict(RESPONSES_USAGE), "metadata": {},
    }  # fmt: skip


def responses_events(model: str, name: str, tool: bool, scenario: str) -> list[tuple[str, dict]]:
    """The Responses API's stream: typed events numbered from 0, ending with response.completed
    (or .failed, .incomplete), whose `response` carries the usage; no [DONE]."""
    start = responses_object(model, name, tool) | {"status": "in_progress", "output": [], "usage": None}
    events: list[tuple[str, dict]] = [("response.created", {"response": start}), ("response.in_progress", {"response": start})]
    if tool:
        item = {"id": "fc_fake01", "type": "function_call", "status": "in_progress", "call_id": "call_abc123",
                "name": "get_weather", "arguments": ""}  # fmt: skip
        events.append(("response.output_item.added", {"output_index": 0, "item": item}))
        for part in ["{\"city\": ", "\"Paris\"}"]:
            events.append(("response.function_call_arguments.delta", {"item_id": "fc_fake01", "output_index": 0, "delta": part}))
    else:
        item = {"id": "msg_fake01", "type": "message", "status": "in_progress", "role": "assistant", "content": []}
        events.append(("response.output_item.added", {"output_index": 0, "item": item}))
        for word in ["hello ", "from ", name]:
            events.append(("response.output_text.delta", {"item_id": "msg_fake01", "output_index": 0, "content_index": 0, "delta": word}))
    if scenario != "truncate":
        if scenario == "response-failed":
            failed = responses_object(model, name, tool, "failed") | {"error": {"code": "server_error", "message": "The model failed."}}
            events.append(("response.failed", {"response": failed}))
        elif scenario == "response-incomplete":
            events.append(("response.incomplete", {"response": responses_object(model, name, tool, "incomplete")}))
        else:
            events.append(("response.completed", {"response": responses_object(model, name, tool)}))
    return [(kind, {"type": kind, "sequence_number": number, **data}) for number, (kind, data) in enumerate(events)]


def embeddings_list(model: str, count: int) -> dict:
    data = [{"object": "embedding", "index": index, "embedding": [0.25, -0.5, 0.125]} for index in range(count)]
    return {"object": "list", "data": data, "model": model, "usage": dict(EMBEDDINGS_USAGE)}


# -------------------------------------------------------------------------------------------------
# Server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        length = int(self.headers.get("content-length") or 0)
        chunked = "chunked" in (self.headers.get("transfer-encoding") or "").lower()
        body = self.rfile.read(length) if length else b""
        path, _, raw_query = self.path.partition("?")
        received = Received(
            method=self.command, path=path, query=parse_qs(raw_query), raw_query=raw_query,
            headers=[(key.lower(), value) for key, value in self.headers.items()], body=body, chunked=chunked,
        )  # fmt: skip
        fake = self.server.fake
        fake._record(received)
        headers = {key.lower(): value for key, value in self.headers.items()}
        scenario = headers.get("x-fake-scenario", "")
        try:
            if scenario == f"fail-{fake.name}":
                raise Refusal(503, "api_error" if fake.kind == "anthropic" else "server_error", f"{fake.name} is down")
            if scenario == f"hang-{fake.name}":
                time.sleep(fake.hang_seconds)
                self.close_connection = True
                return
            if scenario == f"retry-after-{fake.name}":
                raise Refusal(429, "rate_limit_error" if fake.kind == "anthropic" else "requests", f"{fake.name} is rate limited", retry_after=1)
            if scenario == f"limit-{fake.name}":
                raise Refusal(429, "rate_limit_error" if fake.kind == "anthropic" else "requests", f"{fake.name} is rate limited")
            try:
                request = json.loads(body)
            except ValueError:
                raise Refusal(400, "invalid_request_error", "There was an error parsing the body") from None
            if fake.kind == "anthropic":
                if path != "/v1/messages":
                    raise Refusal(404, "not_found_error", f"Not found: {path}")
                validate_anthropic(headers, request, fake.api_key)
            else:
                validate = OPENAI_VALIDATORS.get(path)
                if validate is None:
                    raise Refusal(404, "invalid_request_error", f"Unknown request URL: POST {path}")
                validate(headers, request, fake.api_key)
            if scenario == "error-429":
                raise Refusal(429, "rate_limit_error" if fake.kind == "anthropic" else "requests", "Rate limit reached, slow down")
            if scenario == "error-529":
                if fake.kind == "anthropic":
                    raise Refusal(529, "overloaded_error", "Overloaded")
                raise Refusal(503, "server_error", "The engine is currently overloaded")
        except Refusal as refusal:
            fake.refusals.append(refusal.message)
            self._error(refusal)
            return
        tool = scenario == "tool"
        truncate = scenario == "truncate"
        words = [f"token{index} " for index in range(int(scenario[5:]))] if scenario.startswith("long-") else None
        model = request["model"]
        if fake.kind == "anthropic":
            if request.get("stream"):
                events = anthropic_events(model, fake.name, tool, truncate, words)
                self._stream([f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events])
            else:
                self._json(200, anthropic_message(model, fake.name, tool))
        elif path == "/v1/embeddings":
            inputs = request["input"]
            self._json(200, embeddings_list(model, len(inputs) if isinstance(inputs, list) else 1))
        elif path == "/v1/responses":
            if request.get("stream"):
                events = responses_events(model, fake.name, tool, scenario)
                self._stream([f"event: {kind}\ndata: {json.dumps(data)}\n\n" for kind, data in events])
            else:
                status = "incomplete" if scenario == "response-incomplete" else "completed"
                self._json(200, responses_object(model, fake.name, tool, status))
        elif path == "/v1/completions":
            if request.get("stream"):
                include_usage = bool((request.get("stream_options") or {}).get("include_usage"))
                lines = [f"data: {json.dumps(chunk)}\n\n" for chunk in completion_chunks(model, fake.name, truncate, include_usage)]
                self._stream(lines if truncate else [*lines, "data: [DONE]\n\n"])
            else:
                self._json(200, completion_text(model, fake.name))
        elif request.get("stream"):
            include_usage = bool((request.get("stream_options") or {}).get("include_usage"))
            chunks = openai_chunks(model, fake.name, tool, truncate, include_usage, words)
            lines = [f"data: {json.dumps(chunk)}\n\n" for chunk in chunks]
            self._stream(lines if truncate else [*lines, "data: [DONE]\n\n"])
        else:
            self._json(200, openai_completion(model, fake.name, tool))

    def _error(self, refusal: Refusal) -> None:
        if self.server.fake.kind == "anthropic":
            payload = {"type": "error", "error": {"type": refusal.kind, "message": refusal.message}}
        else:
            code = "rate_limit_exceeded" if refusal.status == 429 else None
            payload = {"error": {"message": refusal.message, "type": refusal.kind, "param": None, "code": code}}
        headers = {} if refusal.retry_after is None else {"retry-after": str(refusal.retry_after)}
        self._json(refusal.status, payload, headers)

    def _json(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("x-fake-provider", self.server.fake.name)
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, events: list[str]) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.send_header("x-fake-provider", self.server.fake.name)
        self.end_headers()
        for event in events:
            data = event.encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()
            if self.server.fake.chunk_delay:
                time.sleep(self.server.fake.chunk_delay)
        self.wfile.write(b"0\r\n\r\n")


class _Server(ThreadingHTTPServer):
    allow_reuse_address = False
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, port: int, fake: "StrictFake"):
        self.fake = fake
        super().__init__(("127.0.0.1", port), _Handler)

    def server_bind(self) -> None:
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0)
        super().server_bind()


class StrictFake(RecordingServer):
    """kind: 'anthropic' (Messages API at /v1/messages) or 'openai' (chat completions at
    /v1/chat/completions, and /v1/completions, /v1/responses, /v1/embeddings). `api_key` is what it
    accepts (x-api-key or Bearer)."""

    def __init__(self, name: str, port: int, kind: str, api_key: str, chunk_delay: float = 0.0, hang_seconds: float = 10.0):
        self.name, self.port, self.kind, self.api_key = name, port, kind, api_key
        self.chunk_delay = chunk_delay
        self.hang_seconds = hang_seconds
        self.refusals: list[str] = []
        super().__init__()
        self._server = _Server(port, self)
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"fake:{name}", daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"



class StrictFakePair:
    """A strict Anthropic fake ("anth") and a strict OpenAI-compatible fake ("oai") on free loopback
    ports, accepting `anthropic_key` and `openai_key`: what the translation tests route between."""

    def __init__(self, anthropic_key: str, openai_key: str):
        self.anthropic = StrictFake("anth", harness.free_port(40000, 48999), "anthropic", anthropic_key)
        self.openai = StrictFake("oai", harness.free_port(40000, 48999), "openai", openai_key)

    def close(self) -> None:
        self.anthropic.close()
        self.openai.close()
