"""Push through Firebase Cloud Messaging HTTP v1: a JSON message to one device token, with a
bearer token from `access_token` (the shop's OAuth2 service-account flow supplies it)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from adapters.notify.http import call, json_field
from commerce_core.notification.ports import OutgoingMessage, SendReceipt

API = "https://fcm.googleapis.com/v1"


class FcmPushNotifier:
    def __init__(self, client: httpx.Client, *, project_id: str,
                 access_token: Callable[[], str], base_url: str = API) -> None:
        self._client, self._token = client, access_token
        self._url = f"{base_url}/projects/{project_id}/messages:send"

    @property
    def provider(self) -> str:
        return "fcm"

    def send(self, message: OutgoingMessage) -> SendReceipt:
        body = {"message": {
            "token": message.to,
            "notification": {"title": message.subject, "body": message.text},
            "data": {**message.data, "notification_id": message.key},
        }}
        response = call("fcm", lambda: self._client.post(
            self._url, json=body, headers={"Authorization": f"Bearer {self._token()}"}),
            lambda r: f"fcm_{json_field(r, 'error', 'status') or r.status_code}")
        name = json_field(response, "name")
        return SendReceipt(self.provider, name.rpartition("/")[2] or None, "accepted")
