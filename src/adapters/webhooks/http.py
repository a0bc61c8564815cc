"""The webhook sender over httpx: one POST per attempt to the checked address of the target,
with connect and read timeouts, redirects never followed, and the answer's body cut short."""

from __future__ import annotations

import ipaddress
import time
from urllib.parse import urlsplit, urlunsplit

import httpx

from adapters.webhooks.targets import IpAddress, TargetPolicy, port_of
from commerce_core.webhooks.errors import TargetRefused
from commerce_core.webhooks.ports import OutgoingWebhook, SendResult

RESPONSE_BYTES = 1024  # of an answer's body kept in the delivery log
USER_AGENT = "commerce-core-webhooks/1"


def ascii_host(host: str) -> str:
    """An internationalised host name as it goes on the wire (IDNA)."""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def pinned(url: str, address: IpAddress) -> tuple[str, str]:
    """The URL with its host replaced by `address`, and the Host header the target expects."""
    parts = urlsplit(url)
    host = ascii_host(parts.hostname or "")
    literal = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
    default = port_of(parts.scheme, None)
    netloc = literal if parts.port in (None, default) else f"{literal}:{parts.port}"
    header_host = host if ":" not in host else f"[{host}]"
    if parts.port not in (None, default):
        header_host = f"{header_host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), header_host


class HttpWebhookSender:
    def __init__(self, *, policy: TargetPolicy | None = None, connect_timeout: float = 5.0,
                 read_timeout: float = 15.0, transport: httpx.BaseTransport | None = None
                 ) -> None:
        self.policy = policy or TargetPolicy()
        timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        # Never follows redirects: a 3xx is an answer, and its Location could be anywhere.
        self._client = httpx.Client(timeout=timeout, follow_redirects=False,
                                    transport=transport, trust_env=False)

    def check_target(self, url: str) -> None:
        self.policy.addresses(url)

    def send(self, webhook: OutgoingWebhook) -> SendResult:
        started = time.monotonic()

        def took() -> int:
            return int((time.monotonic() - started) * 1000)

        try:
            address = self.policy.addresses(webhook.url)[0]
        except TargetRefused as refused:
            return SendResult(None, took(), error=f"target refused: {refused.message}",
                              permanent=True)
        url, host = pinned(webhook.url, address)
        headers = {**webhook.headers, "host": host, "user-agent": USER_AGENT}
        # TLS still checks the certificate against the target's name, not the address.
        extensions = {"sni_hostname": ascii_host(urlsplit(webhook.url).hostname or "")}
        try:
            with self._client.stream("POST", url, content=webhook.body, headers=headers,
                                     extensions=extensions) as response:
                body = b""
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) >= RESPONSE_BYTES:
                        break
                text = body[:RESPONSE_BYTES].decode("utf-8", errors="replace")
                status = response.status_code
        except httpx.TimeoutException as exc:
            return SendResult(None, took(), error=f"timeout: {type(exc).__name__}")
        except httpx.HTTPError as exc:
            return SendResult(None, took(), error=f"{type(exc).__name__}: {exc}"[:500])
        error = None if 200 <= status < 300 else f"HTTP {status}"
        return SendResult(status, took(), response=text, error=error)

    def close(self) -> None:
        self._client.close()
