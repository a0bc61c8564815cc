"""Notifier contract: every provider adapter and the fake take a message and return the
provider's id for it, refuse a bad recipient permanently and a passing trouble transiently,
with nothing but `DeliveryFailed`. SMTP runs against a local aiosmtpd server; Twilio and FCM
at the HTTP boundary (httpx.MockTransport) with provider-shaped answers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs

import attrs
import httpx
import pytest

from adapters.memory.notification import RecordingNotifier
from adapters.notify import (
    FcmPushNotifier,
    SmtpEmailNotifier,
    SmtpSettings,
    TwilioSmsNotifier,
    twilio_signature,
    verify_twilio_signature,
)
from commerce_core.notification.errors import DeliveryFailed
from commerce_core.notification.ports import Channel, Notifier, OutgoingMessage
from tests.smtp_server import free_port, smtp_server


@attrs.define
class Case:
    notifier: Notifier
    channel: Channel
    ok: str
    permanent: str
    transient: str
    received: Callable[[], list[str]]  # the addresses the provider accepted a message for


def twilio_provider(requests: list[httpx.Request]) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        if form["To"].endswith("000"):
            return httpx.Response(400, json={"code": 21211, "status": 400,
                                             "message": "The 'To' number is not valid."})
        if form["To"].endswith("999"):
            return httpx.Response(503, text="<html>unavailable</html>")
        return httpx.Response(201, json={"sid": f"SM{len(requests):032d}",
                                         "status": "queued", "to": form["To"]})
    return answer


def fcm_provider(requests: list[httpx.Request]) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        token = json.loads(request.content)["message"]["token"]
        if token == "stale-token":
            return httpx.Response(404, json={"error": {
                "code": 404, "status": "NOT_FOUND", "message": "Requested entity was not found."}})
        if token == "busy-token":
            return httpx.Response(429, json={"error": {"code": 429,
                                                       "status": "RESOURCE_EXHAUSTED"}})
        return httpx.Response(200, json={"name": f"projects/shop/messages/0:{len(requests)}"})
    return answer


def twilio(requests: list[httpx.Request]) -> TwilioSmsNotifier:
    client = httpx.Client(transport=httpx.MockTransport(twilio_provider(requests)))
    return TwilioSmsNotifier(client, account_sid="AC123", auth_token="secret-token",
                             sender="+15005550006", status_callback="https://shop/cb")


def fcm(requests: list[httpx.Request]) -> FcmPushNotifier:
    client = httpx.Client(transport=httpx.MockTransport(fcm_provider(requests)))
    return FcmPushNotifier(client, project_id="shop", access_token=lambda: "ya29.token")


def _to(request: httpx.Request) -> str:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}["To"]


@pytest.fixture(params=["fake", "smtp", "twilio", "fcm"])
def case(request: pytest.FixtureRequest) -> Iterator[Case]:
    if request.param == "fake":
        fake = RecordingNotifier(permanent={"bad"}, transient={"later"})
        yield Case(fake, Channel.EMAIL, "an@example.vn", "bad", "later",
                   lambda: [m.to for m in fake.sent])
    elif request.param == "smtp":
        with smtp_server() as (port, handler):
            notifier = SmtpEmailNotifier(SmtpSettings("127.0.0.1", port, "shop@example.vn"))
            yield Case(notifier, Channel.EMAIL, "an@example.vn", "bounce@example.vn",
                       "later@example.vn", lambda: [str(m["To"]) for m in handler.messages])
    elif request.param == "twilio":
        requests: list[httpx.Request] = []
        yield Case(twilio(requests), Channel.SMS, "+84901234567", "+84900000000",
                   "+84900000999", lambda: [
                       _to(r) for r in requests if not _to(r).endswith(("000", "999"))])
    else:
        sent: list[httpx.Request] = []
        yield Case(fcm(sent), Channel.PUSH, "device-1", "stale-token", "busy-token",
                   lambda: [t for r in sent
                            if (t := json.loads(r.content)["message"]["token"])
                            not in ("stale-token", "busy-token")])


def message(case: Case, to: str) -> OutgoingMessage:
    return OutgoingMessage("n-1", case.channel, to, "Đơn hàng SO-1", "Xin chào\n",
                           "<p>Xin chào</p>", {"order_number": "SO-1"})


def test_a_message_is_taken_and_its_provider_id_returned(case: Case) -> None:
    receipt = case.notifier.send(message(case, case.ok))

    assert receipt.provider == case.notifier.provider
    assert receipt.provider_message_id
    assert case.received() == [case.ok]


def test_a_bad_recipient_fails_permanently(case: Case) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        case.notifier.send(message(case, case.permanent))

    assert failed.value.permanent
    assert case.received() == []


def test_a_passing_trouble_fails_transiently(case: Case) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        case.notifier.send(message(case, case.transient))

    assert not failed.value.permanent
    assert case.received() == []


# -- SMTP ---------------------------------------------------------------------------------------
# The local server takes a login without TLS, which aiosmtpd warns about.
LOGIN_WITHOUT_TLS = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@LOGIN_WITHOUT_TLS
def test_smtp_sends_text_and_html_alternatives_with_login() -> None:
    with smtp_server(login=("shop", "pw")) as (port, handler):
        notifier = SmtpEmailNotifier(SmtpSettings("127.0.0.1", port, "shop@example.vn",
                                                  username="shop", password="pw"))
        receipt = notifier.send(OutgoingMessage("n-7", Channel.EMAIL, "an@example.vn",
                                                "Chào <bạn>", "chữ", "<p>chữ</p>", {}))

    (mail,) = handler.messages
    assert mail["Subject"] == "Chào <bạn>"
    assert mail["Message-ID"].strip("<>") == receipt.provider_message_id
    assert mail.get_body(("plain",)).get_content().strip() == "chữ"  # type: ignore[union-attr]
    assert mail.get_body(("html",)).get_content().strip() == "<p>chữ</p>"  # type: ignore[union-attr]


@LOGIN_WITHOUT_TLS
def test_smtp_with_wrong_credentials_fails_and_sends_nothing() -> None:
    with smtp_server(login=("shop", "pw")) as (port, handler):
        notifier = SmtpEmailNotifier(SmtpSettings("127.0.0.1", port, "shop@example.vn",
                                                  username="shop", password="wrong"))
        with pytest.raises(DeliveryFailed):
            notifier.send(OutgoingMessage("n-8", Channel.EMAIL, "an@example.vn", "s", "t",
                                          "", {}))
    assert handler.messages == []


def test_an_unreachable_smtp_server_is_a_transient_failure() -> None:
    notifier = SmtpEmailNotifier(SmtpSettings("127.0.0.1", free_port(), timeout=2))

    with pytest.raises(DeliveryFailed) as failed:
        notifier.send(OutgoingMessage("n-9", Channel.EMAIL, "an@example.vn", "s", "t", "", {}))

    assert not failed.value.permanent


# -- Twilio -------------------------------------------------------------------------------------
def test_twilio_gets_a_form_post_with_basic_auth_and_the_status_callback() -> None:
    requests: list[httpx.Request] = []

    twilio(requests).send(OutgoingMessage("n-1", Channel.SMS, "+84901234567", "",
                                          "Don hang SO-1", "", {}))

    (sent,) = requests
    form = {k: v[0] for k, v in parse_qs(sent.content.decode()).items()}
    assert sent.url == "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json"
    assert sent.headers["Authorization"] == httpx.BasicAuth("AC123", "secret-token")._auth_header
    assert form == {"To": "+84901234567", "From": "+15005550006", "Body": "Don hang SO-1",
                    "StatusCallback": "https://shop/cb"}


def test_twilio_error_codes_are_kept_and_timeouts_are_transient() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    slow = TwilioSmsNotifier(httpx.Client(transport=httpx.MockTransport(timeout)),
                             account_sid="AC1", auth_token="t", sender="+1")
    with pytest.raises(DeliveryFailed) as timed_out:
        slow.send(OutgoingMessage("n", Channel.SMS, "+84901234567", "", "x", "", {}))
    with pytest.raises(DeliveryFailed) as refused:
        twilio([]).send(OutgoingMessage("n", Channel.SMS, "+84900000000", "", "x", "", {}))

    assert (timed_out.value.permanent, timed_out.value.error_code) == (False, "timeout")
    assert (refused.value.permanent, refused.value.error_code) == (True, "twilio_21211")


def test_a_twilio_callback_signature_verifies_only_for_the_same_url_form_and_token() -> None:
    form = {"MessageSid": "SM1", "MessageStatus": "delivered", "To": "+84901234567"}
    url = "https://shop.example/webhooks/notifications/twilio"
    signature = twilio_signature("secret-token", url, form)

    assert verify_twilio_signature("secret-token", url, form, signature)
    assert not verify_twilio_signature("other-token", url, form, signature)
    assert not verify_twilio_signature("secret-token", url,
                                       {**form, "MessageStatus": "sent"}, signature)
    assert not verify_twilio_signature("secret-token", url + "?x=1", form, signature)


# -- FCM ----------------------------------------------------------------------------------------
def test_fcm_gets_a_v1_message_with_a_bearer_token() -> None:
    requests: list[httpx.Request] = []

    receipt = fcm(requests).send(OutgoingMessage("n-3", Channel.PUSH, "device-1", "Title",
                                                 "Body", "", {"order_number": "SO-1"}))

    (sent,) = requests
    assert sent.url == "https://fcm.googleapis.com/v1/projects/shop/messages:send"
    assert sent.headers["Authorization"] == "Bearer ya29.token"
    assert json.loads(sent.content) == {"message": {
        "token": "device-1", "notification": {"title": "Title", "body": "Body"},
        "data": {"order_number": "SO-1", "notification_id": "n-3"}}}
    assert receipt.provider_message_id == "0:1"


@pytest.mark.parametrize(("status", "permanent"), [(400, True), (404, True), (500, False),
                                                    (503, False), (429, False)])
def test_fcm_4xx_is_permanent_and_5xx_transient(status: int, permanent: bool) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"error": {"code": status, "status": "X"}})

    notifier = FcmPushNotifier(httpx.Client(transport=httpx.MockTransport(answer)),
                               project_id="p", access_token=lambda: "t")
    with pytest.raises(DeliveryFailed) as failed:
        notifier.send(OutgoingMessage("n", Channel.PUSH, "device-1", "t", "b", "", {}))

    assert failed.value.permanent is permanent
