"""Issue 13's "Done when", its reminder half, with a real server, a real SMTP server (aiosmtpd on
loopback) and the real command: the demo coordinator requests an update on San José's
recommendation 3.1 (SJ311's) from its page; `plantrack remind` sends the SJ311 lead a digest with
that request and the stale items (3.2, planned to start in April and never updated since); the
lead follows the digest's link to the item's block on My work, posts an update, and the request
closes. A second `plantrack remind` the same day sends nothing."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import (
    SAN_JOSE,
    BrowserProblems,
    assign_strategy,
    plan_start,
    sign_in_as,
)
from tests.live_server import LiveServer
from tests.smtp_server import smtp_server

ROOT = Path(__file__).resolve().parents[2]
MESSAGE = "Council asks where language access stands before Thursday's session."


def _remind(server: LiveServer, smtp_port: int) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": server.database_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "SMTP_STARTTLS": "false",
        "BASE_URL": server.url,
    }
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "remind"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_lead_is_reminded_follows_the_link_and_the_request_closes(
    page: Page, new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    rec_id = assign_strategy(live_server, "3.1")
    stale_id = assign_strategy(live_server, "3.2")
    plan_start(live_server, "3.2", dt.date(2026, 4, 1))
    sign_in_as(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/plans/{SAN_JOSE}/strategies/3.1")
    panel = page.locator("#update-requests")
    panel.get_by_label("Request an update from the department's leads").fill(MESSAGE)
    panel.get_by_role("button", name="Request an update").click()
    expect(page.locator("#update-requests")).to_contain_text(MESSAGE)

    with smtp_server() as mail:
        first = _remind(live_server, mail.port)
        again = _remind(live_server, mail.port)
        arrived = list(mail.arrived)
    assert "1 digest(s) recorded" in first and "0 digest(s) recorded" in again, (first, again)
    [digest] = arrived
    assert digest.rcpt_tos == ["sj311-lead@example.org"]
    text = digest.message.get_body(preferencelist=("plain",)).get_content()
    assert MESSAGE in text
    overdue = text.split("Overdue:", 1)[1].split("Due soon:", 1)[0]
    assert "Recommendation 3.2" in overdue and f"item=strategy-{stale_id}" in overdue
    link = re.search(r"Update it: (\S+)", text)
    assert link and link.group(1).startswith(f"{live_server.url}/my-work?item=strategy-{rec_id}")

    lead = new_context().new_page()
    seen = BrowserProblems(lead)
    sign_in_as(lead, live_server, "SJ311 lead")
    lead.goto(link.group(1))
    block = lead.locator(f"#strategy-{rec_id}")
    expect(block).to_be_visible()
    block.get_by_label("Status").select_option("on_track")
    block.get_by_label("Narrative").fill("Spanish chat is live; Vietnamese next month.")
    block.get_by_role("button", name="Save update").click()
    expect(block.locator(".notice-ok")).to_be_visible()
    lead.goto(f"{live_server.url}/my-work")
    expect(lead.locator(".update-requests")).to_have_count(0)
    assert seen.errors == [] and seen.csp_violations() == []
