"""Secrets the shop must read back (TOTP seeds), encrypted with Fernet (AES-128-CBC with
HMAC-SHA256) under a key kept out of the database."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from commerce_core.shared.errors import ServiceUnavailable


class FernetSealer:
    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key.encode())

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode()

    def seal(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise ServiceUnavailable(
                "a sealed secret cannot be opened: COMMERCE_IDENTITY_SEALING_KEY changed"
            ) from None
