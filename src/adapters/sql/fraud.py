"""Risk assessment storage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from adapters.sql.aggregates import AggregateMap, AggregateRepository
from adapters.sql.codec import IGNORED, RowCodec, by_value, column, money
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables.fraud import risk_assessments as t
from commerce_core.fraud.errors import AssessmentNotFound
from commerce_core.fraud.events import SignalScore
from commerce_core.fraud.model import Decision, ReviewStatus, RiskAssessment
from commerce_core.fraud.ports import History
from commerce_core.shared.money import Money


def _signals_out(signals: Sequence[SignalScore]) -> list[dict[str, Any]]:
    return [{"name": s.name, "points": s.points, "explanation": s.explanation,
             "available": s.available} for s in signals]


def _signals_in(rows: list[dict[str, Any]]) -> tuple[SignalScore, ...]:
    return tuple(SignalScore(r["name"], r["points"], r["explanation"], r["available"])
                 for r in rows)


RISK_ASSESSMENTS = AggregateMap[RiskAssessment](
    kind="risk_assessment",
    not_found=AssessmentNotFound,
    codec=RowCodec(RiskAssessment, t, amount=money("amount"), decision=by_value(Decision),
                   review=by_value(ReviewStatus),
                   signals=column(store=_signals_out, load=_signals_in), events=IGNORED),
)

_FOR_ORDER = sa.select(t).where(t.c.order_id == sa.bindparam("order_id"))
_PENDING = (
    sa.select(t)
    .where(t.c.review == ReviewStatus.PENDING.value)
    .order_by(t.c.created_at, CodePointOrder(t.c.id))
    .limit(sa.bindparam("limit")).offset(sa.bindparam("offset"))
)


def _count(condition: sa.ColumnElement[bool], value: Any = 1) -> sa.ColumnElement[Any]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, value), else_=0)), 0)


_SINCE = t.c.created_at >= sa.bindparam("since")
_EMAIL = t.c.email == sa.bindparam("email")
_WENT_AHEAD = sa.and_(_EMAIL, sa.or_(t.c.decision == Decision.ALLOW.value,
                                     t.c.review == ReviewStatus.APPROVED.value))
_SAME_CURRENCY = sa.and_(_WENT_AHEAD, t.c.currency == sa.bindparam("currency"))
# One read for every count a risk check needs, over the rows sharing any of the three keys.
_HISTORY = sa.select(
    _count(sa.and_(_EMAIL, _SINCE)).label("email_attempts"),
    _count(sa.and_(t.c.client_ip == sa.bindparam("ip"), _SINCE)).label("ip_attempts"),
    _count(sa.and_(t.c.card_hash == sa.bindparam("card"), _SINCE)).label("card_attempts"),
    _count(_WENT_AHEAD).label("email_orders"),
    _count(_SAME_CURRENCY).label("same_currency"),
    _count(_SAME_CURRENCY, t.c.amount).label("same_currency_total"),
).where(sa.or_(_EMAIL, t.c.client_ip == sa.bindparam("ip"),
               t.c.card_hash == sa.bindparam("card")))


class SqlRiskAssessmentRepository(AggregateRepository[RiskAssessment]):
    def for_order(self, order_id: str) -> RiskAssessment | None:
        return self._store.first(_FOR_ORDER, {"order_id": order_id})

    def pending_reviews(self, limit: int, offset: int = 0) -> list[RiskAssessment]:
        return self._store.all(_PENDING, {"limit": limit, "offset": offset})

    def history(self, *, email: str | None, ip: str | None, card: str | None, currency: str,
                since: datetime) -> History:
        row = self._store.db.execute(_HISTORY, {
            "email": email, "ip": ip, "card": card, "currency": currency, "since": since,
        }).one()
        same = int(row.same_currency)
        average = (Money(int(row.same_currency_total) // same, currency) if same else None)
        return History(int(row.email_attempts), int(row.ip_attempts), int(row.card_attempts),
                       int(row.email_orders), average)
