"""Shared pytest hooks for everything under tests/."""

from __future__ import annotations

import pytest


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item (item.report_setup / _call / _teardown), so fixtures
    # can tell in their teardown whether the test failed (and keep or print what they own).
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report
