"""`plantrack remind` (issue 13): each lead gets one digest of the update requests waiting for
them and what their department owes, through a real SMTP server on loopback; a rerun, a run on
the same week or two runs at once send it once; a person who chose none or unsubscribed gets
nothing; a lead whose department owes nothing gets no empty mail."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.db import get_engine
from app.models import ReminderDigest, Strategy, User
from app.models.enums import Role
from app.models.update_request import UpdateRequestCreate
from app.services.changes.history import Actor
from app.services.changes.update_requests import request_update
from app.services.mail import unsubscribe
from app.services.reminders.run import remind
from tests.factories import make_person, make_tiny_plan
from tests.smtp_server import mail_settings, smtp_server

ROOT = Path(__file__).resolve().parents[3]
NOW = dt.datetime(2026, 12, 7, 15, 0, tzinfo=dt.UTC)
BASE = "https://plans.example.org"
MESSAGE = "Where are the bilingual hires?"


@pytest.fixture
def city(database_url: str) -> dict[str, int]:
    with Session(get_engine(), expire_on_commit=False) as s:
        make_tiny_plan(s)
        people = {
            "lead": make_person(s, "cc-lead", Role.lead, department="CC"),
            "quiet": make_person(s, "cc-quiet", Role.lead, department="CC"),
            "coordinator": make_person(s, "coco", Role.coordinator),
        }
        for name, user in people.items():
            user.email = f"{name}@example.org"
        people["quiet"].reminder_frequency = "none"
        s.add_all(people.values())
        strategy = s.exec(select(Strategy).where(Strategy.code == "1.1")).one()
        request_update(
            session=s,
            item=strategy,
            data=UpdateRequestCreate(message=MESSAGE),
            actor=Actor(user=people["coordinator"]),
        )
        s.commit()
        return {name: user.id for name, user in people.items()}  # type: ignore[misc]


def _server_settings(port: int) -> dict[str, str]:
    return {"smtp_host": "127.0.0.1", "smtp_port": str(port), "smtp_starttls": "false"}


def test_a_lead_gets_one_digest_a_week_with_the_request_and_what_is_overdue(
    city: dict[str, int],
) -> None:
    with smtp_server() as server, mail_settings(**_server_settings(server.port), base_url=BASE):
        first = remind(get_engine(), now=NOW)
        again = remind(get_engine(), now=NOW + dt.timedelta(hours=20))
        arrived_this_week = list(server.arrived)
        next_week = remind(get_engine(), now=NOW + dt.timedelta(days=7))
    assert (first.queued, first.sent, first.failed) == (1, 1, 0)
    assert (again.queued, again.already) == (0, 1)  # the same week: recorded, not sent again
    [mail] = arrived_this_week
    assert mail.rcpt_tos == ["lead@example.org"]  # not the lead who chose none
    email = mail.message
    assert email["Subject"].startswith("PlanTrack: 1 update request, ")
    assert "overdue for Contact Centre" in email["Subject"]
    text, html = (part.get_content() for part in email.iter_parts())
    assert MESSAGE in text and "Recommendation 1.1" in text and "overdue" in text
    with Session(get_engine()) as s:
        key = f"strategy-{s.exec(select(Strategy.id).where(Strategy.code == '1.1')).one()}"
    assert f"Update it: {BASE}/my-work?item={key}#{key}" in text  # where the lead updates it
    assert f'href="{BASE}/my-work?item={key}#{key}"' in html
    assert email["List-Unsubscribe"].startswith(f"<{BASE}/unsubscribe/")
    assert next_week.queued == 1 and len(server.arrived) == 2  # a new week, a new digest
    with Session(get_engine()) as s:
        keys = s.exec(select(ReminderDigest.digest_key).order_by(ReminderDigest.id)).all()
    assert keys == ["week-2026-W50", "week-2026-W51"]


def test_an_unsubscribed_lead_and_a_department_owing_nothing_get_no_mail(
    city: dict[str, int],
) -> None:
    with Session(get_engine()) as s:
        unsubscribe.opt_out(session=s, user_id=city["lead"], purpose="reminders")
        pw = make_person(s, "pw-lead", Role.lead, department="PW")
        pw.email = "pw@example.org"
        s.add(pw)
        s.commit()
    with smtp_server() as server, mail_settings(**_server_settings(server.port)):
        report = remind(get_engine(), now=dt.datetime(2024, 1, 20, 9, tzinfo=dt.UTC))
    # Public Works' 1.2 started with the plan in January 2024: nothing is owed yet.
    assert server.arrived == [] and report.queued == 0 and report.nothing_to_say == 1


def test_two_remind_commands_at_once_send_each_digest_once(
    city: dict[str, int], database_url: str
) -> None:
    with smtp_server() as server:
        server.collector.delay_s = 0.05
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(server.port),
            "SMTP_STARTTLS": "false",
        }
        command = [sys.executable, "-m", "app.cli", "remind"]
        runs = [
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outputs = [run.communicate(timeout=120)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
        assert [a.rcpt_tos for a in server.arrived] == [["lead@example.org"]], outputs
    with Session(get_engine()) as s:
        assert len(s.exec(select(ReminderDigest)).all()) == 1
        assert s.get(User, city["lead"]) is not None
