"""Health of the parts the portal stands on: database, Redis, Celery workers."""

import time

from django.conf import settings
from django.db import connection


def _timed(check):
    start = time.monotonic()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # each check reports its own failure, never raises
        detail, ok = f"{type(exc).__name__}: {exc}", False
    return {"ok": ok, "detail": detail, "ms": round((time.monotonic() - start) * 1000, 1)}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "reachable"


def _redis():
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1,
                                  socket_timeout=1)
    client.ping()
    return "reachable"


def _workers():
    from portal.celery import app

    replies = app.control.ping(timeout=1.0) or []
    if not replies:
        raise RuntimeError("no Celery worker answered")
    return sorted(name for reply in replies for name in reply)


def health_report() -> dict:
    database = _timed(_database)
    broker = _timed(_redis)
    workers = _timed(_workers) if broker["ok"] else {"ok": False, "detail": "broker down", "ms": 0}
    return {
        "status": "ok" if all(p["ok"] for p in (database, broker, workers)) else "degraded",
        "database": database,
        "redis": broker,
        "celery": workers,
    }
