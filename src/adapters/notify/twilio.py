"""SMS through Twilio's Messages API (form post with basic auth), and the signature Twilio puts
on its status callbacks (`X-Twilio-Signature`: HMAC-SHA1 over the URL and the sorted form
fields, keyed with the auth token)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping

import httpx

from adapters.notify.http import call, json_field
from commerce_core.notification.ports import OutgoingMessage, SendReceipt

API = "https://api.twilio.com/2010-04-01"


class TwilioSmsNotifier:
    def __init__(self, client: httpx.Client, *, account_sid: str, auth_token: str,
                 sender: str, status_callback: str | None = None, base_url: str = API) -> None:
        self._client, self._sid, self._token = client, account_sid, auth_token
        self._sender, self._callback = sender, status_callback
        self._url = f"{base_url}/Accounts/{account_sid}/Messages.json"

    @property
    def provider(self) -> str:
        return "twilio"

    def send(self, message: OutgoingMessage) -> SendReceipt:
        form = {"To": message.to, "From": self._sender, "Body": message.text}
        if self._callback:
            form["StatusCallback"] = self._callback
        response = call("twilio", lambda: self._client.post(
            self._url, data=form, auth=(self._sid, self._token)),
            lambda r: f"twilio_{json_field(r, 'code') or r.status_code}")
        sid = json_field(response, "sid") or None
        return SendReceipt(self.provider, sid, json_field(response, "status"))


def twilio_signature(auth_token: str, url: str, form: Mapping[str, str]) -> str:
    signed = url + "".join(f"{k}{form[k]}" for k in sorted(form))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify_twilio_signature(auth_token: str, url: str, form: Mapping[str, str],
                            signature: str) -> bool:
    return hmac.compare_digest(twilio_signature(auth_token, url, form), signature)


# Twilio's message statuses in the notification's words (queued/accepted are before "sent").
STATUSES = {"sent": "sent", "delivered": "delivered", "undelivered": "undelivered",
            "failed": "failed", "read": "opened"}
