"""OpenID Connect sign-in (authorization code flow): Authlib builds the authorization request,
joserfc (Authlib's JOSE library) verifies the ID token against the provider's JWKS, httpx
talks to the provider with explicit timeouts."""

from __future__ import annotations

from typing import Any

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from commerce_core.identity.errors import OidcFailed
from commerce_core.identity.ports import ExternalIdentity

# Asymmetric only: a provider's ID token is never trusted on a shared secret.
ID_TOKEN_ALGORITHMS = ["RS256", "ES256", "EdDSA"]


class OidcClient:
    """One provider, found by discovery at `issuer`; the client authenticates with HTTP Basic
    (`client_secret_basic`) at the token endpoint."""

    def __init__(self, name: str, issuer: str, client_id: str, client_secret: str, *,
                 scope: str = "openid email profile", http: httpx.Client | None = None,
                 timeout: float = 5.0) -> None:
        self._name, self._issuer = name, issuer
        self._client_id, self._client_secret, self._scope = client_id, client_secret, scope
        self._http = http or httpx.Client(timeout=timeout)
        self._metadata: dict[str, Any] | None = None

    @property
    def name(self) -> str:
        return self._name

    def authorization_url(self, *, state: str, nonce: str, redirect_uri: str) -> str:
        endpoint = str(self._discover()["authorization_endpoint"])
        url: str = prepare_grant_uri(endpoint, self._client_id, "code",
                                     redirect_uri=redirect_uri, scope=self._scope, state=state,
                                     nonce=nonce)
        return url

    def exchange(self, *, code: str, nonce: str, redirect_uri: str) -> ExternalIdentity:
        metadata = self._discover()
        answer = self._call("POST", str(metadata["token_endpoint"]), data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
        }, auth=(self._client_id, self._client_secret))
        id_token = answer.get("id_token")
        if not isinstance(id_token, str):
            raise OidcFailed("the provider answered without an ID token")
        keys = self._call("GET", str(metadata["jwks_uri"]))
        try:
            token = jwt.decode(id_token, KeySet.import_key_set(keys),  # type: ignore[arg-type]
                               algorithms=ID_TOKEN_ALGORITHMS)
            JWTClaimsRegistry(
                iss={"essential": True, "value": self._issuer},
                aud={"essential": True, "value": self._client_id},
                sub={"essential": True},
                nonce={"essential": True, "value": nonce},
                exp={"essential": True},
            ).validate(token.claims)
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise OidcFailed(f"the ID token did not verify ({type(exc).__name__})") from None
        claims = token.claims
        return ExternalIdentity(
            provider=self._name, subject=str(claims["sub"]),
            email=str(claims["email"]) if claims.get("email") else None,
            email_verified=claims.get("email_verified") is True,
            name=str(claims.get("name") or ""))

    def _discover(self) -> dict[str, Any]:
        if self._metadata is None:
            url = f"{self._issuer.rstrip('/')}/.well-known/openid-configuration"
            metadata = self._call("GET", url)
            if metadata.get("issuer") != self._issuer:
                raise OidcFailed("the provider's discovery names another issuer")
            self._metadata = metadata
        return self._metadata

    def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise OidcFailed(f"the provider did not answer ({type(exc).__name__})") from None
        if response.status_code != 200:
            raise OidcFailed(f"the provider refused ({response.status_code})",
                             status=response.status_code)
        try:
            body = response.json()
        except ValueError:
            raise OidcFailed("the provider's answer is not JSON") from None
        if not isinstance(body, dict):
            raise OidcFailed("the provider's answer is not a JSON object")
        return body
