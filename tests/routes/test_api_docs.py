"""The API's documentation page works offline and under the Content-Security-Policy."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tests.factories import app_under_test


def test_api_docs_load_swagger_ui_from_this_server_only(database_url: str) -> None:
    client = TestClient(app_under_test())
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    soup = BeautifulSoup(page.text, "html.parser")
    scripts = [tag.get("src") for tag in soup.find_all("script")]
    assert all(scripts), "no inline script: the policy would refuse it"
    assets = scripts + [tag["href"] for tag in soup.find_all("link")]
    assert not [url for url in assets if re.match(r"(https?:)?//", url)], "a request off the server"
    for url in assets:
        assert client.get(url).status_code == 200, url
    assert soup.find(id="swagger-ui")["data-openapi-url"] == "/openapi.json"
    assert client.get("/openapi.json").json()["info"]["title"] == "PlanTrack"
