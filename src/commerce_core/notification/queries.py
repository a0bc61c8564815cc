"""Notification's answers to its callers."""

from __future__ import annotations

from attrs import frozen


@frozen
class SendReport:
    """What one run of the sender did, by outcome."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    deferred: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"notifications_sent": self.sent, "notifications_retrying": self.retrying,
                "notifications_failed": self.failed,
                "notifications_cancelled": self.cancelled,
                "notifications_deferred": self.deferred}
