"""A local OpenID provider double: discovery, JWKS and token endpoint served by
`httpx.MockTransport`, ID tokens signed by an RSA key made per run."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

import attrs
import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from adapters import memory
from adapters.identity.oidc import OidcClient
from adapters.memory import FrozenClock, SequentialIds
from commerce_core.app import Commerce
from tests.identity_support import identity_kit

ISSUER = "https://idp.test"
CLIENT_ID, CLIENT_SECRET = "shop-client", "shop-secret"
REDIRECT = "https://shop.test/auth/oidc/idp/callback"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Provider:
    """The provider double: it remembers the nonce of each code it hands out."""

    def __init__(self) -> None:
        self.claims: dict[str, Any] = {"sub": "idp-user-1", "email": "lan@example.com",
                                       "email_verified": True, "name": "Lan"}
        self.nonces: dict[str, str] = {}
        self.key = KEY
        self.token_requests: list[httpx.Request] = []
        self.tamper: Callable[[dict[str, Any]], dict[str, Any]] = lambda claims: claims

    def authorize(self, url: str) -> tuple[str, str]:
        """The user consents: (code, state) as the callback receives them."""
        query = parse_qs(urlparse(url).query)
        assert query["client_id"] == [CLIENT_ID]
        assert query["redirect_uri"] == [REDIRECT]
        code = f"code-{len(self.nonces)}"
        self.nonces[code] = query["nonce"][0]
        return code, query["state"][0]

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/.well-known/openid-configuration":
            return httpx.Response(200, json={
                "issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/authorize",
                "token_endpoint": f"{ISSUER}/token", "jwks_uri": f"{ISSUER}/jwks"})
        if path == "/jwks":
            jwk = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
            return httpx.Response(200, json={"keys": [{**jwk, "kid": "k1", "alg": "RS256"}]})
        if path == "/token":
            self.token_requests.append(request)
            form = parse_qs(request.content.decode())
            code = form["code"][0]
            if code not in self.nonces:
                return httpx.Response(400, json={"error": "invalid_grant"})
            now = int(time.time())
            claims = self.tamper({"iss": ISSUER, "aud": CLIENT_ID, "iat": now,
                                  "exp": now + 300, "nonce": self.nonces.pop(code),
                                  **self.claims})
            id_token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})
            return httpx.Response(200, json={"access_token": "at", "token_type": "Bearer",
                                             "id_token": id_token})
        return httpx.Response(404)



def oidc_shop(provider: Provider) -> Commerce:
    client = OidcClient("idp", ISSUER, CLIENT_ID, CLIENT_SECRET,
                        http=httpx.Client(transport=httpx.MockTransport(provider.handle)))
    kit = attrs.evolve(identity_kit(), oidc=(client,))
    return Commerce(attrs.evolve(memory.bundle(clock=FrozenClock(), ids=SequentialIds()),
                                 identity=kit))
