"""The production worker's page queue (portal/serving.py): pages run a slot at a time, in the order they came;
websockets, health, metrics and static files pass by."""

from __future__ import annotations

import gevent
import pytest

from portal.serving import PageQueue


class SlowApp:
    """A WSGI app whose requests yield to the hub (as psycopg's round trips do) and note how many overlap."""

    def __init__(self):
        self.running, self.most, self.order = 0, 0, []

    def __call__(self, environ, start_response):
        self.running += 1
        self.most = max(self.most, self.running)
        for _ in range(3):
            gevent.sleep(0.001)
        self.order.append(environ["QUERY_STRING"])
        self.running -= 1
        start_response("200 OK", [])
        return [b""]


def _requests(queue: PageQueue, path: str, n: int) -> None:
    jobs = [gevent.spawn(queue, {"PATH_INFO": path, "QUERY_STRING": str(i)}, lambda *a: None) for i in range(n)]
    gevent.joinall(jobs, raise_error=True)


@pytest.mark.parametrize("slots", [1, 2])
def test_pages_run_a_slot_at_a_time_in_the_order_they_came(slots):
    app = SlowApp()
    _requests(PageQueue(app, slots), "/work/today", 6)
    assert app.most == slots
    if slots == 1:
        assert app.order == [str(i) for i in range(6)]


@pytest.mark.parametrize("path", ["/socket.io/", "/healthz", "/readyz", "/metrics", "/static/silta.css"])
def test_websockets_health_metrics_and_static_files_pass_by(path):
    app = SlowApp()
    _requests(PageQueue(app, 1), path, 4)
    assert app.most == 4
