"""Production cannot start weak, and tells https browsers to stay on https: a SECRET_KEY under 32
bytes is refused at start-up with its reason; Strict-Transport-Security is sent over https in
production, including https as a trusted proxy (FORWARDED_ALLOW_IPS) reports it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from pydantic import ValidationError
from starlette.testclient import TestClient
from typer.testing import CliRunner

from app.cli.main import app
from app.main import create_app
from app.settings import Settings, get_settings
from tests.live_server import start_server

runner = CliRunner()
STRONG = "k" * 48


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[None]:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("DEMO_MODE", "false")
    monkeypatch.setenv("SECRET_KEY", STRONG)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


class TestSecretKey:
    def test_a_short_secret_stops_serve_with_its_reason(
        self, production: None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("SECRET_KEY", "s" * 31)
        get_settings.cache_clear()
        result = runner.invoke(app, ["serve", "--port", "1"])
        assert result.exit_code == 1
        assert result.output.strip() == (
            "SECRET_KEY must be at least 32 bytes in production (it has 31; make one with: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )

    def test_bytes_are_counted_not_characters(self, production: None) -> None:
        with pytest.raises(ValidationError):
            Settings(secret_key="é" * 15)  # 30 bytes
        assert Settings(secret_key="é" * 16).secret_key == "é" * 16  # 32 bytes
        assert Settings(secret_key="s" * 32, environment="production").environment == "production"

    def test_development_keeps_its_default(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
        assert Settings(environment="development", secret_key="short").secret_key == "short"


class TestHsts:
    def test_sent_over_https_in_production_only(self, production: None) -> None:
        https = TestClient(create_app(), base_url="https://plans.example.org")
        assert https.get("/healthz").headers["strict-transport-security"] == "max-age=31536000"
        plain = TestClient(create_app(), base_url="http://plans.example.org")
        assert "strict-transport-security" not in plain.get("/healthz").headers

    def test_not_sent_outside_production(self, database_url: str) -> None:
        https = TestClient(create_app(), base_url="https://plans.example.org")
        assert "strict-transport-security" not in https.get("/healthz").headers

    def test_plantrack_serve_trusts_the_proxies_forwarded_allow_ips_names(
        self, database_url: str
    ) -> None:
        env = {
            "ENVIRONMENT": "production",
            "DEMO_MODE": "false",
            "SECRET_KEY": STRONG,
        }
        behind_proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
        trusted = start_server(
            database_url, prepare=False, extra_env={**env, "FORWARDED_ALLOW_IPS": "127.0.0.1"}
        )
        try:
            answer = httpx.get(f"{trusted.url}/healthz", headers=behind_proxy)
            assert answer.headers["strict-transport-security"] == "max-age=31536000"
            assert "strict-transport-security" not in httpx.get(f"{trusted.url}/healthz").headers
        finally:
            trusted.stop()
        # Our client (127.0.0.1) is not the proxy named: its headers are not believed.
        elsewhere = start_server(
            database_url, prepare=False, extra_env={**env, "FORWARDED_ALLOW_IPS": "192.0.2.1"}
        )
        try:
            answer = httpx.get(f"{elsewhere.url}/healthz", headers=behind_proxy)
            assert answer.status_code == 200
            assert "strict-transport-security" not in answer.headers
        finally:
            elsewhere.stop()
