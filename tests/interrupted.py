"""pytest stopped by Ctrl+C says so in Chinese: in place of its English banner 「KeyboardInterrupt」, the line the run
was at and 「(to show a full traceback on KeyboardInterrupt use --full-trace)」, one line, :data:`STOPPED`, before
the count of the tests run. A plugin of the suite's (``tests/conftest.py`` takes its hooks), so that a test can load it
into a pytest of its own (``-p interrupted``); ``--full-trace`` still shows the traceback."""

from __future__ import annotations

import pytest

STOPPED = "测试已中断（Ctrl+C）"

_full_trace: list[bool] = [False]   # --full-trace given: the traceback is shown as pytest shows it


def pytest_configure(config: pytest.Config) -> None:
    _full_trace[0] = config.getoption("fulltrace")


@pytest.hookimpl(tryfirst=True)
def pytest_keyboard_interrupt(excinfo: pytest.ExceptionInfo) -> None:
    """Before the terminal reporter makes the interruption's report (:meth:`pytest.ExceptionInfo.getrepr`, in its own
    ``pytest_keyboard_interrupt``, printed as the session ends): a Ctrl+C's report names :data:`STOPPED` — a message
    without 「KeyboardInterrupt」 is reported as its line alone —; a ``pytest.exit`` keeps its own message."""
    if not isinstance(excinfo.value, KeyboardInterrupt) or _full_trace[0]:
        return
    report = excinfo.getrepr

    def stopped(*args, **kwargs):
        made = report(*args, **kwargs)
        if made.reprcrash is not None:
            made.reprcrash.message = STOPPED
        return made

    excinfo.getrepr = stopped
