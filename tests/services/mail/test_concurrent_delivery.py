"""Two delivery runs at once send each message once: the conditional UPDATE that claims a row
lets one process have it (on PostgreSQL as on SQLite)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from sqlmodel import Session, select

from app.db import get_engine
from app.models.mail import MailStatus, OutboxMessage
from app.services.mail import delivery
from app.services.mail.outbox import queue_message
from tests.smtp_server import mail_settings, smtp_server

ROOT = Path(__file__).resolve().parents[3]
MESSAGES = 30


def _queue_many(count: int) -> list[int]:
    with Session(get_engine(), expire_on_commit=False) as s:
        made = [
            queue_message(session=s, to=f"person{n}@example.org", subject=f"Digest {n}", text="x")
            for n in range(count)
        ]
        s.commit()
        return [m.id for m in made if m.id is not None]


def test_two_processes_claiming_one_message_at_once_one_wins(database_url: str) -> None:
    with mail_settings(smtp_host="127.0.0.1", smtp_port="2"):
        ids = _queue_many(MESSAGES)
    wins: Counter[int] = Counter()
    lock = threading.Lock()

    def race(message_id: int, start: threading.Barrier) -> None:
        start.wait()
        if delivery.claim(get_engine(), message_id) is not None:
            with lock:
                wins[message_id] += 1

    for message_id in ids:
        start = threading.Barrier(2)
        threads = [threading.Thread(target=race, args=(message_id, start)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    assert wins == Counter({i: 1 for i in ids})


def test_two_mail_retry_commands_at_once_send_each_message_exactly_once(
    database_url: str,
) -> None:
    with smtp_server() as server:
        server.collector.overlap = 2  # the first run's message waits for the second run
        settings = {"smtp_host": "127.0.0.1", "smtp_port": str(server.port)}
        with mail_settings(**settings, smtp_starttls="false"):
            ids = _queue_many(MESSAGES)
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(server.port),
            "SMTP_STARTTLS": "false",
        }
        command = [sys.executable, "-m", "app.cli", "mail", "retry"]
        runs = [
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outputs = [run.communicate(timeout=120)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
    by_subject = Counter(str(a.message["Subject"]) for a in server.arrived)
    assert by_subject == Counter({f"Digest {n}": 1 for n in range(MESSAGES)}), outputs
    sent = [int(out.split()[0]) for out in outputs]
    assert sum(sent) == MESSAGES and all(n > 0 for n in sent), outputs  # both runs took part
    with Session(get_engine()) as s:
        rows = s.exec(select(OutboxMessage).where(OutboxMessage.id.in_(ids))).all()  # type: ignore[union-attr]
        assert {(r.status, r.attempts) for r in rows} == {(MailStatus.sent, 1)}
