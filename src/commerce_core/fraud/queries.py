"""Fraud's answers to other contexts."""

from __future__ import annotations

from attrs import frozen

from commerce_core.fraud.model import Decision

__all__ = ["Decision", "RiskVerdict"]


@frozen
class RiskVerdict:
    """The outcome of an order's risk check, as checkout needs it."""

    assessment_id: str
    score: int
    decision: Decision
