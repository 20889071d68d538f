"""The usage ledger through the real stack: `tollgate serve` with `storage.path` records one row per
request, served or rejected, with the provider's own token counts, and SIGTERM loses none."""

import sqlite3


def test_served_and_rejected_requests_are_recorded_with_exact_usage(make_gateway, keys, workdir):
    database = workdir / "tollgate.db"

    def with_ledger(config):
        config["storage"] = {"path": str(database)}
        config["ledger"] = {"batch_window_ms": 50}

    stack = make_gateway(with_ledger)
    _, served = stack.chat("m-alpha", keys.all)
    assert served.status == 200, served
    unknown = stack.request("POST", "/v1/chat/completions", {"model": "m-alpha", "messages": []}, key="tg-wrong")
    assert unknown.status == 401, unknown
    _, not_allowed = stack.chat("m-beta", keys.limited)
    assert not_allowed.status == 403, not_allowed
    stack.stop()  # SIGTERM: the writer drains before exit

    rows = sqlite3.connect(database).execute(
        "SELECT key_name, requested_model, provider, status, rejection_reason, input_tokens, output_tokens, attempts"
        " FROM usage ORDER BY id"
    ).fetchall()
    assert len(rows) == 3, rows
    served_row, unknown_row, forbidden_row = rows
    # The fake OpenAI provider reports prompt_tokens 5 and completion_tokens 4 for every chat.
    assert served_row[:4] == ("all", "m-alpha", "alpha", 200), served_row
    assert served_row[5:7] == (5, 4), served_row
    assert served_row[7] == 1, served_row
    assert unknown_row[3] == 401 and unknown_row[4], unknown_row
    assert forbidden_row[0] == "limited" and forbidden_row[3] == 403 and forbidden_row[4], forbidden_row
