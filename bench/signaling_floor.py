"""The floor for bench/signaling.py: a bare python-socketio relay with no application work.

The same protocol shape as Silta's ``/rtc`` (join → joined/peer-joined, signal relayed by ``to``) and a
``/live`` namespace that accepts everyone; no database, no tickets, no checks. Run under the same
gunicorn gevent worker as Silta (``portal.serving.Worker``), so the difference is Silta's own work::

    gunicorn -k portal.serving.Worker -w 1 'bench.signaling_floor:app()'
"""

from __future__ import annotations

import socketio


def app():
    sio = socketio.Server(async_mode="gevent", transports=["websocket"], async_handlers=False, ping_interval=10,
                          ping_timeout=10, max_http_buffer_size=128 * 1024, logger=False, engineio_logger=False)
    rooms: dict[str, list[str]] = {}
    room_of: dict[str, str] = {}

    @sio.on("connect", namespace="/rtc")
    def connect(sid, environ, auth=None):
        room_of[sid] = (auth or {}).get("bench_room", "")

    @sio.on("disconnect", namespace="/rtc")
    def disconnect(sid, reason=None):
        members = rooms.get(room_of.pop(sid, ""), [])
        if sid in members:
            members.remove(sid)

    @sio.on("join", namespace="/rtc")
    def join(sid, data=None):
        members = rooms.setdefault(room_of.get(sid, ""), [])
        peers = [{"conn": other} for other in members]
        members.append(sid)
        sio.emit("joined", {"conn": sid, "peers": peers}, to=sid, namespace="/rtc")
        for peer in peers:
            sio.emit("peer-joined", {"conn": sid}, to=peer["conn"], namespace="/rtc")
        return {"ok": True, "conn": sid}

    @sio.on("signal", namespace="/rtc")
    def signal(sid, data=None):
        to = data.pop("to")
        sio.emit("signal", {"from": sid, **data}, to=to, namespace="/rtc")
        return {"ok": True}

    @sio.on("connect", namespace="/live")
    def live(sid, environ, auth=None):
        return True

    return socketio.WSGIApp(sio)
