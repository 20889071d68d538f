"""`tollgate serve --config FILE` for real: the product binary behind Envoy, and its config errors."""

from __future__ import annotations

import hashlib
import os
import subprocess
import time

import pytest

from grpc_h2 import OK, SERVING, health_check, parse_health_status
from harness import Probe, free_port, http_request


@pytest.mark.parametrize("transport", ["tcp", "unix"])
def test_tollgate_serve_with_a_config_file_behind_envoy(make_stack, tollgate_binary, transport):
    stack = make_stack(
        transport,
        probe_options={"binary": tollgate_binary, "command": ["serve"], "config_file": True, "name": "tollgate"},
    )
    body = os.urandom(256 * 1024)
    test_id, status, _, _ = stack.request("POST", "/through-tollgate", body=body)
    assert status == 200
    seen = stack.upstream.wait_for(test_id)
    assert seen.body_sha256 == hashlib.sha256(body).hexdigest()
    result = health_check("127.0.0.1", stack.probe.port)
    assert result.grpc_status == OK and parse_health_status(result.messages()[0]) == SERVING
    assert stack.probe.metric("tollgate_grpc_streams_total") >= 1
    stack.assert_no_ext_proc_failures()


def test_tollgate_version(tollgate_binary):
    run = subprocess.run([str(tollgate_binary), "version"], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0 and run.stdout.startswith("tollgate "), run


@pytest.mark.parametrize(
    "yaml, expected",
    [
        ('server:\n  listen: "127.0.0.1:{port}"\n  listne: "x"\n', "listne"),
        ('server:\n  listen: "127.0.0.1:{port}"\n  threads: -3\n', "threads"),
        ("log:\n  level: loud\n", ""),  # neither listen nor socket, and a bad level
    ],
    ids=["unknown-key", "bad-threads", "no-endpoint"],
)
def test_bad_config_exits_nonzero_with_a_message(tollgate_binary, workdir, yaml, expected):
    path = workdir / "bad.yaml"
    path.write_text(yaml.format(port=free_port()))
    run = subprocess.run(
        [str(tollgate_binary), "serve", "--config", str(path), "--admin", f"127.0.0.1:{free_port()}"],
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    output = run.stdout + run.stderr
    assert run.returncode != 0, f"a bad config was accepted:\n{output}"
    assert expected in output, f"the error does not name {expected!r}:\n{output}"


def test_restart_on_the_same_ports_right_after_a_stop(probe_binary, workdir):
    """A restart must bind at once, although the connections the server closed sit in TIME_WAIT.

    (Found by this test: the admin listener once bound without SO_REUSEADDR, fixed in 22657c8.)
    """
    first = Probe(workdir, binary=probe_binary, name="first")
    for _ in range(3):  # admin requests: the server closes these connections (TIME_WAIT on its side)
        assert http_request("127.0.0.1", first.admin_port, "GET", "/readyz", timeout=5)[0] == 200
    assert health_check("127.0.0.1", first.port).grpc_status == OK
    assert first.stop() == 0
    started = time.monotonic()
    second = Probe(workdir, binary=probe_binary, name="second", port=first.port, admin_port=first.admin_port)
    try:
        assert health_check("127.0.0.1", second.port).grpc_status == OK
        assert time.monotonic() - started < 10
    finally:
        second.stop()
