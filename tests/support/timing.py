"""Where the suite's time goes: the slowest test files, printed at the end of every run.

CI has a time budget (README); with ``--dist loadfile`` a file is the unit that is scheduled, so its
total (setup + call + teardown of all its tests, module fixtures included) is what to split or speed
up. Runs in the controlling process only (xdist forwards every report there). ``SILTA_TEST_TIMES=path``
also writes the totals as JSON.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict

import pytest

SHOWN = 15


class FileTimes:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def pytest_runtest_logreport(self, report) -> None:
        self.seconds[report.nodeid.split("::", 1)[0]] += report.duration

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not self.seconds:
            return
        slowest = sorted(self.seconds.items(), key=lambda item: item[1], reverse=True)
        terminalreporter.write_sep("-", f"slowest {min(SHOWN, len(slowest))} test files (seconds, summed)")
        for path, seconds in slowest[:SHOWN]:
            terminalreporter.write_line(f"{seconds:8.1f}  {path}")
        target = os.environ.get("SILTA_TEST_TIMES")
        if target:
            with open(target, "w", encoding="utf-8") as out:
                json.dump(dict(slowest), out, indent=1)


@pytest.hookimpl(trylast=True)
def pytest_configure(config) -> None:
    if not hasattr(config, "workerinput"):  # an xdist worker's reports reach the controller anyway
        config.pluginmanager.register(FileTimes(), "silta-file-times")
