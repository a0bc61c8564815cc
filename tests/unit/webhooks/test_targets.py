"""Server-side request forgery protection and the httpx sender at the HTTP boundary: private
targets refused (unless allowed), the checked address called with the target's Host, no
redirect followed, timeouts and long answers handled."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence

import httpx
import pytest

from adapters.memory import FrozenClock
from adapters.webhooks import HttpWebhookSender, TargetPolicy, forbidden
from adapters.webhooks.http import RESPONSE_BYTES
from adapters.webhooks.targets import Resolver
from commerce_core.webhooks.errors import InvalidWebhook, TargetRefused
from commerce_core.webhooks.ports import OutgoingWebhook
from tests.unit.webhooks.support import commerce_with

REFUSED = ["http://127.0.0.1/hook", "http://127.1.2.3:8080/", "http://10.0.0.5/x",
           "http://172.16.0.1/", "http://192.168.1.1/", "http://169.254.169.254/latest",
           "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[fe80::1]/",
           "http://[fc00::1]/", "http://0.0.0.0/", "http://100.64.0.1/", "http://224.0.0.1/",
           "http://240.0.0.1/", "http://localhost:9/hook"]


def resolver(table: dict[str, Sequence[str]]) -> Resolver:
    def resolve(host: str, port: int) -> Sequence[str]:
        if host not in table:
            raise OSError("no such host")
        return table[host]
    return resolve


@pytest.mark.parametrize("url", REFUSED)
def test_private_loopback_link_local_and_reserved_targets_are_refused(url: str) -> None:
    with pytest.raises(TargetRefused):
        TargetPolicy().addresses(url)


@pytest.mark.parametrize("url", REFUSED)
def test_the_setting_allows_them(url: str) -> None:
    assert TargetPolicy(allow_private=True).addresses(url)


def test_a_host_is_judged_by_every_address_it_resolves_to() -> None:
    policy = TargetPolicy(resolver=resolver({
        "erp.example": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
        "sneaky.example": ["93.184.215.14", "10.0.0.7"],
        "mapped.example": ["::ffff:169.254.169.254"],
    }))

    assert [str(a) for a in policy.addresses("https://erp.example/hooks")] == [
        "93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]
    for url in ("https://sneaky.example/", "https://mapped.example/", "https://gone.example/"):
        with pytest.raises(TargetRefused):
            policy.addresses(url)


def test_embedded_ipv4_addresses_are_judged_by_what_they_carry() -> None:
    for text in ("::ffff:10.0.0.1", "2002:7f00:1::1", "2002:a00:1::1"):
        assert forbidden(ipaddress.ip_address(text)), text
    assert not forbidden(ipaddress.ip_address("8.8.8.8"))
    assert not forbidden(ipaddress.ip_address("2606:4700:4700::1111"))


def test_a_loopback_target_is_refused_at_creation_unless_allowed() -> None:
    refusing = commerce_with(HttpWebhookSender(), FrozenClock())
    allowing = commerce_with(HttpWebhookSender(policy=TargetPolicy(allow_private=True)),
                             FrozenClock())

    with pytest.raises(InvalidWebhook):
        refusing.webhooks.create("http://127.0.0.1:8080/hook", ["*"])
    with pytest.raises(InvalidWebhook):
        refusing.webhooks.create("http://localhost:8080/hook", ["*"])
    assert allowing.webhooks.create("http://127.0.0.1:8080/hook", ["*"]).secret


# -- the sender at the HTTP boundary -----------------------------------------------------------
PUBLIC = TargetPolicy(resolver=resolver({"erp.example": ["93.184.215.14"],
                                         "v6.example": ["2606:4700:4700::1111"],
                                         "bücher.example": ["93.184.215.14"]}))
WEBHOOK = OutgoingWebhook("https://erp.example:8443/hooks?x=1",
                          {"webhook-id": "m1", "webhook-signature": "v1,abc"}, b'{"a":1}')


def sender(handler: Callable[[httpx.Request], httpx.Response],
           policy: TargetPolicy = PUBLIC) -> HttpWebhookSender:
    return HttpWebhookSender(policy=policy, transport=httpx.MockTransport(handler))


def test_the_post_goes_to_the_checked_address_with_the_target_host_and_its_name_for_tls(
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    result = sender(handler).send(WEBHOOK)

    (request,) = seen
    assert (result.status_code, result.error, result.permanent) == (204, None, False)
    assert str(request.url) == "https://93.184.215.14:8443/hooks?x=1"
    assert request.headers["host"] == "erp.example:8443"
    assert request.extensions["sni_hostname"] == "erp.example"
    assert request.method == "POST"
    assert request.content == b'{"a":1}'
    assert request.headers["webhook-signature"] == "v1,abc"


def test_an_ipv6_target_is_called_by_its_bracketed_address() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    sender(handler).send(OutgoingWebhook("http://v6.example/h", {}, b"{}"))

    assert str(seen[0].url) == "http://[2606:4700:4700::1111]/h"
    assert seen[0].headers["host"] == "v6.example"


def test_an_internationalised_host_goes_on_the_wire_in_idna() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    result = sender(handler).send(OutgoingWebhook("https://bücher.example/h", {}, b"{}"))

    assert result.status_code == 200
    assert seen[0].headers["host"] == "xn--bcher-kva.example"
    assert seen[0].extensions["sni_hostname"] == "xn--bcher-kva.example"


def test_a_redirect_is_an_answer_never_followed() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(302, headers={"location": "http://169.254.169.254/"})

    result = sender(handler).send(WEBHOOK)

    assert (result.status_code, result.error) == (302, "HTTP 302")
    assert len(calls) == 1


def test_a_long_answer_is_cut_and_an_error_status_is_reported() -> None:
    result = sender(lambda request: httpx.Response(500, content=b"x" * 10_000)).send(WEBHOOK)

    assert (result.status_code, result.error) == (500, "HTTP 500")
    assert result.response == "x" * RESPONSE_BYTES


def test_timeouts_and_refused_connections_come_back_as_results() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    slow, down = sender(timeout).send(WEBHOOK), sender(refused).send(WEBHOOK)

    assert (slow.status_code, slow.error, slow.permanent) == (None, "timeout: ReadTimeout",
                                                             False)
    assert (down.status_code, down.permanent) == (None, False)
    assert down.error is not None
    assert "ConnectError" in down.error


def test_a_target_that_now_resolves_to_a_private_address_is_refused_without_a_request() -> None:
    calls: list[httpx.Request] = []
    turned = TargetPolicy(resolver=resolver({"erp.example": ["127.0.0.1"]}))

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200)

    result = sender(handler, turned).send(WEBHOOK)

    assert (result.status_code, result.permanent) == (None, True)
    assert result.error is not None
    assert result.error.startswith("target refused")
    assert calls == []
