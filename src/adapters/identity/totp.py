"""RFC 6238 time-based one-time passwords (pyotp)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pyotp

STEP_SECONDS = 30
_DIGESTS: dict[str, Callable[..., Any]] = {
    "sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512,
}


class PyOtpTotp:
    """Six digits, SHA-1, 30-second steps: what every authenticator app reads from an
    `otpauth://` URI. Other digests and lengths exist for the RFC's test vectors."""

    def __init__(self, *, digits: int = 6, algorithm: str = "sha1") -> None:
        self._digits, self._digest = digits, _DIGESTS[algorithm]

    def new_secret(self) -> str:
        return pyotp.random_base32(32)  # 160 bits, as RFC 4226 recommends

    def provisioning_uri(self, secret: str, account_name: str, issuer: str) -> str:
        return self._totp(secret).provisioning_uri(name=account_name, issuer_name=issuer)

    def code_at(self, secret: str, at: datetime) -> str:
        return self._totp(secret).generate_otp(int(at.timestamp()) // STEP_SECONDS)

    def match(self, secret: str, code: str, at: datetime, window: int = 1) -> int | None:
        if not code.isdigit() or len(code) != self._digits:
            return None
        totp = self._totp(secret)
        step = int(at.timestamp()) // STEP_SECONDS
        found = None
        # Every candidate is compared, in constant time, whichever matches.
        for candidate in range(step - window, step + window + 1):
            if hmac.compare_digest(totp.generate_otp(candidate), code):
                found = candidate
        return found

    def _totp(self, secret: str) -> pyotp.TOTP:
        return pyotp.TOTP(secret, digits=self._digits, digest=self._digest,
                          interval=STEP_SECONDS)
