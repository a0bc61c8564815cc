"""OpenID sign-in over HTTP: the start redirects and sets an HttpOnly cookie; the callback
signs in only the browser holding it (scenario 22)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from entrypoints.http.app import create_app
from tests.e2e.conftest import settings
from tests.oidc_double import Provider, oidc_shop


def test_the_browser_flow_over_http() -> None:
    provider = Provider()
    commerce = oidc_shop(provider)
    with TestClient(create_app(commerce, settings()), base_url="https://shop.test") as client:
        started = client.get("/auth/oidc/idp/start", follow_redirects=False)
        assert started.status_code == 302
        assert "httponly" in started.headers["set-cookie"].lower()
        code, state = provider.authorize(started.headers["location"])
        done = client.get("/auth/oidc/idp/callback", params={"code": code, "state": state})
        assert done.status_code == 200, done.text
        assert done.json()["access_token"]

        other = TestClient(create_app(commerce, settings()), base_url="https://shop.test")
        started = client.get("/auth/oidc/idp/start", follow_redirects=False)
        code, state = provider.authorize(started.headers["location"])
        stolen = other.get("/auth/oidc/idp/callback", params={"code": code, "state": state})
        assert stolen.status_code == 401
        assert stolen.json()["code"] == "identity.oidc_state_mismatch"
        missing = client.get("/auth/oidc/nope/start", follow_redirects=False)
        assert missing.status_code == 404
