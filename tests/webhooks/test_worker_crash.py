"""kill -9 a worker in the middle of a batch: after a restart every event still arrives."""

import os
import signal
import subprocess
import sys
import time

from sqlmodel import Session, select

from app.core.database import get_engine
from app.outbox.models import OutboxEvent
from app.webhooks.models import WebhookDelivery
from tests.conftest import TEST_DATABASE_URL
from tests.intakes.helpers import make_intake
from tests.webhooks.receiver import Receiver
from tests.webhooks.test_delivery import subscribe

EVENTS = 12


def _worker(*args: str, lease_seconds: int = 2) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "WIJKWINKEL_DATABASE_URL": TEST_DATABASE_URL,
        "WIJKWINKEL_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
        "WIJKWINKEL_WORKER_LEASE_SECONDS": str(lease_seconds),
        # Deliveries are under test here, not the statistics cube the worker also refreshes.
        "WIJKWINKEL_STATS_MAX_AGE_SECONDS": "3600",
        "WIJKWINKEL_LOG_LEVEL": "warning",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_killed_worker_loses_nothing(client, world, monkeypatch):
    from app.core.config import get_settings

    monkeypatch.setattr(get_settings(), "webhook_allow_private_targets", True)
    receiver = Receiver(hang_seconds=3).start()
    try:
        subscribe(client, world.corporatie, receiver)
        for i in range(EVENTS):
            make_intake(client, world.thuiszorg, domains=["wonen"], question=f"lekkage {i}")

        first = _worker()
        deadline = time.monotonic() + 30
        while not receiver.server_busy():  # the batch is on its way
            assert time.monotonic() < deadline, "worker sent nothing"
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        with Session(get_engine()) as s:
            pending = s.exec(
                select(WebhookDelivery).where(WebhookDelivery.status == "pending")
            ).all()
        assert len(pending) == EVENTS  # nothing was recorded as delivered: it died first

        receiver.hang_seconds = 0
        time.sleep(2.2)  # the dead worker's leases run out
        second = _worker("--once")
        out, _ = second.communicate(timeout=60)
        assert second.returncode == 0, out

        with Session(get_engine()) as s:
            statuses = {d.status for d in s.exec(select(WebhookDelivery))}
            all_ids = {f"msg_{e.event_id.hex}" for e in s.exec(select(OutboxEvent))}
        assert statuses == {"delivered"}
        received_ids = {r.headers["webhook-id"] for r in receiver.received}
        assert received_ids == all_ids  # every event, at least once (some twice)
    finally:
        receiver.stop()


def test_several_workers_at_once_send_each_event_once(client, world, monkeypatch):
    from app.core.config import get_settings

    monkeypatch.setattr(get_settings(), "webhook_allow_private_targets", True)
    receiver = Receiver(hang_seconds=0.05).start()
    try:
        subscribe(client, world.corporatie, receiver)
        for i in range(30):
            make_intake(client, world.thuiszorg, domains=["wonen"], question=f"lekkage {i}")
        # Leases long enough not to run out on a busy machine: expiry is the other test's.
        workers = [_worker("--once", lease_seconds=60) for _ in range(3)]
        outs = []
        for w in workers:
            out, _ = w.communicate(timeout=60)
            assert w.returncode == 0, out
            outs.append(out)
        ids = [r.headers["webhook-id"] for r in receiver.received]
        with Session(get_engine()) as s:
            rows = [
                (d.status, d.attempts, d.last_status_code, d.last_error)
                for d in s.exec(select(WebhookDelivery)).all()
                if d.status != "delivered" or d.attempts != 1
            ]
        # What went otherwise than once and delivered, and what the workers said, if it fails.
        assert len(ids) == len(set(ids)) == 30, (rows, receiver.rejected, outs)
    finally:
        receiver.stop()
