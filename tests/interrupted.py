"""pytest stopped by Ctrl+C says so in Chinese: in place of its English banner 「KeyboardInterrupt」, the line the run
was at and 「(to show a full traceback on KeyboardInterrupt use --full-trace)」, one line, :data:`STOPPED`, before
the count of the tests run. A plugin of the suite's (``tests/conftest.py`` takes its hook), so that a test can load it
into a pytest of its own (``-p interrupted``); ``--full-trace`` still shows the traceback."""

from __future__ import annotations

import pytest

STOPPED = "测试已中断（Ctrl+C）"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The terminal reporter's interruption, kept to be reported once the session ends (after this: its hook wraps
    every other), named :data:`STOPPED` — a message without 「KeyboardInterrupt」 is reported as its line alone."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    kept = getattr(reporter, "_keyboardinterrupt_memo", None)   # pytest's own: None if it ever names it otherwise
    crash = getattr(kept, "reprcrash", None)
    if exitstatus == pytest.ExitCode.INTERRUPTED and crash is not None and crash.message == "KeyboardInterrupt" \
            and not session.config.option.fulltrace:
        crash.message = STOPPED
