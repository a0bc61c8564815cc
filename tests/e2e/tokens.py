"""A shopper's client keeps the guest tokens it is given, as a browser keeps cookies.

`POST /carts` answers a cart's `access_token` once; the client sends it back as `X-Cart-Token`
on every later call naming that cart (in the path or as the body's `cart_id`), or a checkout or
order placed from it. Tests that check the token itself send headers by hand instead.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

import httpx
from fastapi.testclient import TestClient

HEADER = "X-Cart-Token"
C = TypeVar("C", bound=httpx.Client)


class CartTokens:
    def __init__(self) -> None:
        self.by_id: dict[str, str] = {}  # cart, checkout and order ids -> the cart's token

    def send(self, request: httpx.Request) -> None:
        if HEADER.lower() in request.headers or request.url.path.startswith("/admin"):
            return
        named = [*request.url.path.split("/"), *_cart_id_of(request)]
        for name in named:
            token = self.by_id.get(name)
            if token is not None:
                request.headers[HEADER] = token
                return

    def keep(self, response: httpx.Response) -> None:
        request = response.request
        if request.url.path.startswith("/admin"):
            return
        response.read()
        try:
            body: Any = response.json()
        except ValueError:
            return
        if not isinstance(body, dict):
            return
        if request.method == "POST" and request.url.path == "/carts" and "access_token" in body:
            self.by_id[str(body["id"])] = str(body["access_token"])
            return
        token = request.headers.get(HEADER)
        if token is None:
            return
        for key in ("order_id", "checkout_id"):
            if isinstance(body.get(key), str):
                self.by_id[body[key]] = token


def _cart_id_of(request: httpx.Request) -> list[str]:
    try:
        body = json.loads(request.content or b"null")
    except (ValueError, httpx.RequestNotRead):
        return []
    cart_id = body.get("cart_id") if isinstance(body, dict) else None
    return [cart_id] if isinstance(cart_id, str) else []


def keeping_tokens(client: C) -> C:
    """`client`, sending back the tokens its answers gave it."""
    tokens = CartTokens()
    client.event_hooks = {"request": [*client.event_hooks["request"], tokens.send],
                          "response": [*client.event_hooks["response"], tokens.keep]}
    return client


def shopper_client(app: Any, **options: Any) -> TestClient:
    """A test client over `app` that keeps its guest tokens."""
    return keeping_tokens(TestClient(app, **options))
