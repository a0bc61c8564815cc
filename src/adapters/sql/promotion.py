"""Promotion storage: campaigns, promotions, coupons, and the usage ledger.

The ledger moves every counter with ONE conditional UPDATE (or guarded upsert) whose WHERE holds
the limit read from the same row, never a read followed by a write: on PostgreSQL a concurrent
transaction waits for the row lock and re-checks the condition against the committed value; on
SQLite transactions are serialised by `BEGIN IMMEDIATE`. A refusal rolls back to a SAVEPOINT
taken at the start of `try_apply`, so the caller's transaction stays usable.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from adapters.sql.aggregates import (
    AggregateMap,
    AggregateRepository,
    AggregateStore,
    LoadedChildren,
    Row,
    Values,
)
from adapters.sql.pricing import upsert
from adapters.sql.pricing_tables import (
    campaigns,
    coupon_customer_usage,
    coupons,
    promotion_customer_usage,
    promotion_usages,
    promotions,
)
from adapters.sql.terms import decode, encode
from adapters.sql.transaction import SqlTransaction
from commerce_core.promotion.errors import (
    CampaignNotFound,
    CouponNotFound,
    DuplicateCouponCode,
    PromotionNotFound,
)
from commerce_core.promotion.model import (
    Campaign,
    CampaignDefinition,
    CampaignType,
    Coupon,
    CouponDefinition,
    CouponType,
    Promotion,
    PromotionDefinition,
    PromotionUsage,
    RuleKind,
    UsageStatus,
)
from commerce_core.promotion.ports import ApplyOutcome, ApplyResult, UsageRequest
from commerce_core.promotion.values import UsageCounts
from commerce_core.shared.money import Money


def _amount(money: Money | None) -> int | None:
    return None if money is None else money.amount


def _money(amount: int | None, currency: str | None) -> Money | None:
    return None if amount is None or currency is None else Money(amount, currency)


# -- campaigns ------------------------------------------------------------------------------------
def _campaign_row(campaign: Campaign) -> Values:
    d = campaign.definition
    return {
        "id": d.campaign_id, "name": d.name, "campaign_type": d.campaign_type.value,
        "description": d.description, "starts_at": d.starts_at, "ends_at": d.ends_at,
        "budget_limit_amount": _amount(d.budget_limit),
        "budget_currency": d.budget_limit.currency if d.budget_limit else None,
        "priority": d.priority, "target_segments": list(d.target_segments),
        "created_by": d.created_by, "is_active": d.is_active, "created_at": d.created_at,
        "updated_at": campaign.updated_at,
    }


def _campaign_from(row: Row, children: LoadedChildren) -> Campaign:
    definition = CampaignDefinition(
        campaign_id=row.id, name=row.name, campaign_type=CampaignType(row.campaign_type),
        starts_at=row.starts_at, created_at=row.created_at, ends_at=row.ends_at,
        budget_limit=_money(row.budget_limit_amount, row.budget_currency),
        priority=row.priority, target_segments=tuple(row.target_segments),
        description=row.description, created_by=row.created_by, is_active=row.is_active,
    )
    return Campaign(definition, row.updated_at, row.version)


CAMPAIGNS = AggregateMap[Campaign](
    kind="campaign", table=campaigns, not_found=CampaignNotFound, to_row=_campaign_row,
    from_rows=_campaign_from,
)


class SqlCampaignRepository(AggregateRepository[Campaign]):
    def by_ids(self, campaign_ids: Collection[str]) -> list[Campaign]:
        if not campaign_ids:
            return []
        return self._store.all(
            sa.select(campaigns).where(campaigns.c.id.in_(sorted(set(campaign_ids))))
            .order_by(campaigns.c.id)
        )

    def list(self, *, active_only: bool = False) -> list[Campaign]:
        statement = sa.select(campaigns).order_by(campaigns.c.starts_at, campaigns.c.id)
        if active_only:
            statement = statement.where(campaigns.c.is_active)
        return self._store.all(statement)


# -- promotions -----------------------------------------------------------------------------------
def _promotion_row(promotion: Promotion) -> Values:
    d = promotion.definition
    limits = d.minimum_order_amount or d.maximum_discount_amount
    return {
        "id": d.promotion_id, "campaign_id": d.campaign_id, "name": d.name,
        "description": d.description, "rule_kind": d.rule_kind.value,
        "discount_type": d.discount_type.value, "benefit": encode(d.benefit),
        "scope": encode(d.scope),
        "conditions": None if d.conditions is None else encode(d.conditions),
        "minimum_order_amount": _amount(d.minimum_order_amount),
        "maximum_discount_amount": _amount(d.maximum_discount_amount),
        "limits_currency": limits.currency if limits else None,
        "customer_segments": list(d.customer_segments),
        "usage_limit_per_customer": d.usage_limit_per_customer,
        "total_usage_limit": d.total_usage_limit, "is_stackable": d.is_stackable,
        "requires_coupon": d.requires_coupon, "stop_rules_processing": d.stop_rules_processing,
        "priority": d.priority, "starts_at": d.starts_at, "ends_at": d.ends_at,
        "is_active": d.is_active, "created_at": d.created_at,
        "updated_at": promotion.updated_at,
    }


def _promotion_from(row: Row, children: LoadedChildren) -> Promotion:
    definition = PromotionDefinition(
        promotion_id=row.id, name=row.name, benefit=decode(row.benefit),
        created_at=row.created_at, campaign_id=row.campaign_id,
        rule_kind=RuleKind(row.rule_kind), scope=decode(row.scope),
        conditions=None if row.conditions is None else decode(row.conditions),
        minimum_order_amount=_money(row.minimum_order_amount, row.limits_currency),
        maximum_discount_amount=_money(row.maximum_discount_amount, row.limits_currency),
        customer_segments=tuple(row.customer_segments),
        usage_limit_per_customer=row.usage_limit_per_customer,
        total_usage_limit=row.total_usage_limit, is_stackable=row.is_stackable,
        requires_coupon=row.requires_coupon, stop_rules_processing=row.stop_rules_processing,
        priority=row.priority, starts_at=row.starts_at, ends_at=row.ends_at,
        description=row.description, is_active=row.is_active,
    )
    return Promotion(definition, row.updated_at, row.version)


PROMOTIONS = AggregateMap[Promotion](
    kind="promotion", table=promotions, not_found=PromotionNotFound, to_row=_promotion_row,
    from_rows=_promotion_from,
)


class SqlPromotionRepository(AggregateRepository[Promotion]):
    def for_campaign(self, campaign_id: str) -> list[Promotion]:
        found = self._store.all(
            sa.select(promotions).where(promotions.c.campaign_id == campaign_id))
        return sorted(found, key=lambda p: p.definition.order_key)

    def live(self, at: datetime) -> list[Promotion]:
        c = promotions.c
        found = self._store.all(sa.select(promotions).where(
            c.is_active, sa.or_(c.starts_at.is_(None), c.starts_at <= at),
            sa.or_(c.ends_at.is_(None), c.ends_at > at),
        ))
        return sorted(found, key=lambda p: p.definition.order_key)

    def by_ids(self, promotion_ids: Collection[str]) -> list[Promotion]:
        if not promotion_ids:
            return []
        found = self._store.all(
            sa.select(promotions).where(promotions.c.id.in_(sorted(set(promotion_ids)))))
        return sorted(found, key=lambda p: p.definition.order_key)

    def list(self) -> list[Promotion]:
        return sorted(self._store.all(sa.select(promotions)),
                      key=lambda p: p.definition.order_key)


# -- coupons --------------------------------------------------------------------------------------
def _coupon_row(coupon: Coupon) -> Values:
    d = coupon.definition
    return {
        "id": d.coupon_id, "promotion_id": d.promotion_id, "code": d.code,
        "coupon_type": d.coupon_type.value, "usage_limit": d.usage_limit,
        "usage_limit_per_customer": d.usage_limit_per_customer, "customer_id": d.customer_id,
        "customer_segments": list(d.customer_segments),
        "minimum_order_amount": _amount(d.minimum_order_amount),
        "minimum_order_currency": d.minimum_order_amount.currency
        if d.minimum_order_amount else None,
        "first_order_only": d.first_order_only, "starts_at": d.starts_at,
        "expires_at": d.expires_at, "batch_id": d.batch_id, "is_active": d.is_active,
        "created_at": d.created_at, "updated_at": coupon.updated_at,
    }


def _coupon_from(row: Row, children: LoadedChildren) -> Coupon:
    definition = CouponDefinition(
        coupon_id=row.id, promotion_id=row.promotion_id, code=row.code,
        created_at=row.created_at, coupon_type=CouponType(row.coupon_type),
        usage_limit=row.usage_limit, usage_limit_per_customer=row.usage_limit_per_customer,
        customer_id=row.customer_id, customer_segments=tuple(row.customer_segments),
        minimum_order_amount=_money(row.minimum_order_amount, row.minimum_order_currency),
        first_order_only=row.first_order_only, starts_at=row.starts_at,
        expires_at=row.expires_at, batch_id=row.batch_id, is_active=row.is_active,
    )
    return Coupon(definition, row.updated_at, row.version)


COUPONS = AggregateMap[Coupon](
    kind="coupon", table=coupons, not_found=CouponNotFound, to_row=_coupon_row,
    from_rows=_coupon_from,
)


class CouponStore(AggregateStore[Coupon]):
    """The unique index on `code` is the last word on duplicates, as the port promises."""

    def flush(self) -> None:
        try:
            super().flush()
        except IntegrityError as error:
            if "code" not in str(error.orig):
                raise
            raise DuplicateCouponCode("coupon code already taken") from error


class SqlCouponRepository(AggregateRepository[Coupon]):
    def add_many(self, coupons: Sequence[Coupon]) -> None:
        # The store inserts every new row of a commit in one executemany.
        for coupon in coupons:
            self._store.add(coupon)


    def by_codes(self, codes: Collection[str]) -> list[Coupon]:
        if not codes:
            return []
        return self._store.all(
            sa.select(coupons).where(coupons.c.code.in_(sorted(set(codes))))
            .order_by(coupons.c.code)
        )

    def taken(self, codes: Collection[str]) -> set[str]:
        wanted = sorted(set(codes))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):  # bounded IN lists
            chunk = wanted[start:start + 500]
            found |= set(self._store.db.execute(
                sa.select(coupons.c.code).where(coupons.c.code.in_(chunk))).scalars())
        return found

    def count_for_promotion(self, promotion_id: str) -> int:
        return int(self._store.db.execute(
            sa.select(sa.func.count()).select_from(coupons)
            .where(coupons.c.promotion_id == promotion_id)).scalar_one())


# -- the usage ledger -----------------------------------------------------------------------------
_SAVEPOINT = "promotion_usage"
_P, _C, _K = promotions.c, coupons.c, campaigns.c
_U = promotion_usages.c


def _usage_row(usage: PromotionUsage) -> Values:
    return {
        "id": usage.usage_id, "promotion_id": usage.promotion_id, "order_id": usage.order_id,
        "coupon_id": usage.coupon_id, "campaign_id": usage.campaign_id,
        "customer_id": usage.customer_id, "status": usage.status.value,
        "currency": usage.discount.currency, "discount_amount": usage.discount.amount,
        "original_amount": usage.original_amount.amount,
        "final_amount": usage.final_amount.amount, "used_at": usage.used_at,
        "updated_at": usage.updated_at,
    }


def _usage_from(row: Row) -> PromotionUsage:
    return PromotionUsage(
        usage_id=row.id, promotion_id=row.promotion_id, order_id=row.order_id,
        discount=Money(row.discount_amount, row.currency),
        original_amount=Money(row.original_amount, row.currency),
        final_amount=Money(row.final_amount, row.currency), used_at=row.used_at,
        coupon_id=row.coupon_id, campaign_id=row.campaign_id, customer_id=row.customer_id,
        status=UsageStatus(row.status), updated_at=row.updated_at,
    )


class _Refused(Exception):
    def __init__(self, outcome: ApplyOutcome) -> None:
        self.outcome = outcome


class SqlPromotionUsageLedger:
    """The `PromotionUsageLedger` contract in SQL (see the port for the statements)."""

    def __init__(self, db: SqlTransaction) -> None:
        self._db = db

    def _existing(self, promotion_id: str, order_id: str) -> PromotionUsage | None:
        row = self._db.execute(sa.select(promotion_usages).where(
            _U.promotion_id == promotion_id, _U.order_id == order_id)).first()
        return None if row is None else _usage_from(row)

    def try_apply(self, request: UsageRequest) -> ApplyResult:
        existing = self._existing(request.promotion_id, request.order_id)
        if existing is not None:
            return ApplyResult(ApplyOutcome.ALREADY_APPLIED, existing)
        self._db.execute(sa.text(f"SAVEPOINT {_SAVEPOINT}"))
        try:
            result = self._apply(request)
        except _Refused as refusal:
            self._db.execute(sa.text(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}"))
            self._db.execute(sa.text(f"RELEASE SAVEPOINT {_SAVEPOINT}"))
            return ApplyResult(refusal.outcome)
        except IntegrityError:
            # A concurrent transaction recorded the same (promotion, order) first.
            self._db.execute(sa.text(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}"))
            self._db.execute(sa.text(f"RELEASE SAVEPOINT {_SAVEPOINT}"))
            first = self._existing(request.promotion_id, request.order_id)
            if first is None:
                raise
            return ApplyResult(ApplyOutcome.ALREADY_APPLIED, first)
        self._db.execute(sa.text(f"RELEASE SAVEPOINT {_SAVEPOINT}"))
        return result

    def _apply(self, request: UsageRequest) -> ApplyResult:
        db, customer = self._db, request.customer_id
        counted = db.execute(
            promotions.update()
            .where(_P.id == request.promotion_id, _P.is_active,
                   sa.or_(_P.total_usage_limit.is_(None),
                          _P.current_usage_count < _P.total_usage_limit))
            .values(current_usage_count=_P.current_usage_count + 1)
            .returning(_P.usage_limit_per_customer, _P.campaign_id)
        ).first()
        if counted is None:
            active = db.execute(sa.select(_P.is_active).where(
                _P.id == request.promotion_id)).scalar()
            raise _Refused(ApplyOutcome.USAGE_LIMIT_REACHED if active
                           else ApplyOutcome.PROMOTION_UNAVAILABLE)
        per_customer, campaign_id = counted.usage_limit_per_customer, counted.campaign_id
        if per_customer is not None and customer is None:
            raise _Refused(ApplyOutcome.CUSTOMER_LIMIT_REACHED)
        if customer is not None and not self._count_customer(
            promotion_customer_usage, "promotion_id", request.promotion_id, customer,
            per_customer,
        ):
            raise _Refused(ApplyOutcome.CUSTOMER_LIMIT_REACHED)

        coupon_exhausted, coupon_limit = False, None
        if request.coupon_id is not None:
            used = db.execute(
                coupons.update()
                .where(_C.id == request.coupon_id, _C.is_active,
                       _C.promotion_id == request.promotion_id,
                       sa.or_(_C.usage_limit.is_(None), _C.usage_count < _C.usage_limit))
                .values(usage_count=_C.usage_count + 1)
                .returning(_C.usage_count, _C.usage_limit, _C.usage_limit_per_customer)
            ).first()
            if used is None:
                raise _Refused(ApplyOutcome.COUPON_EXHAUSTED)
            if used.usage_limit_per_customer is not None and customer is None:
                raise _Refused(ApplyOutcome.COUPON_CUSTOMER_LIMIT_REACHED)
            if customer is not None and not self._count_customer(
                coupon_customer_usage, "coupon_id", request.coupon_id, customer,
                used.usage_limit_per_customer,
            ):
                raise _Refused(ApplyOutcome.COUPON_CUSTOMER_LIMIT_REACHED)
            coupon_limit = used.usage_limit
            coupon_exhausted = coupon_limit is not None and used.usage_count == coupon_limit

        budget_limit = budget_used = None
        if campaign_id is not None:
            budget = db.execute(sa.select(_K.budget_limit_amount, _K.budget_currency).where(
                _K.id == campaign_id)).first()
            if budget is not None and budget.budget_limit_amount is not None:
                if request.discount.currency != budget.budget_currency:
                    raise _Refused(ApplyOutcome.PROMOTION_UNAVAILABLE)
                spent = db.execute(
                    campaigns.update()
                    .where(_K.id == campaign_id,
                           _K.budget_used_amount + request.discount.amount
                           <= _K.budget_limit_amount)
                    .values(budget_used_amount=_K.budget_used_amount + request.discount.amount)
                    .returning(_K.budget_used_amount, _K.budget_limit_amount)
                ).first()
                if spent is None:
                    raise _Refused(ApplyOutcome.BUDGET_EXCEEDED)
                budget_limit = Money(spent.budget_limit_amount, budget.budget_currency)
                budget_used = Money(spent.budget_used_amount, budget.budget_currency)

        usage = PromotionUsage(
            usage_id=request.usage_id, promotion_id=request.promotion_id,
            order_id=request.order_id, discount=request.discount,
            original_amount=request.original_amount, final_amount=request.final_amount,
            used_at=request.used_at, coupon_id=request.coupon_id, campaign_id=campaign_id,
            customer_id=customer, updated_at=request.used_at,
        )
        db.execute(promotion_usages.insert(), _usage_row(usage))
        return ApplyResult(
            ApplyOutcome.APPLIED, usage, coupon_exhausted=coupon_exhausted,
            coupon_usage_limit=coupon_limit,
            budget_exhausted=budget_used is not None and budget_used == budget_limit,
            budget_limit=budget_limit, budget_used=budget_used,
        )

    def _count_customer(self, table: sa.Table, key: str, key_id: str, customer_id: str,
                        limit: int | None) -> bool:
        """`uses + 1` for (key, customer), inserted at 1, only while below `limit`."""
        statement: Any = upsert(self._db, table).values(
            {key: key_id, "customer_id": customer_id, "uses": 1})
        statement = statement.on_conflict_do_update(
            index_elements=[table.c[key], table.c.customer_id],
            set_={"uses": table.c.uses + 1},
            where=None if limit is None else table.c.uses < limit,
        ).returning(table.c.uses)
        return self._db.execute(statement).first() is not None

    def _move(self, order_id: str, to: UsageStatus, now: datetime) -> list[PromotionUsage]:
        rows = self._db.execute(
            promotion_usages.update()
            .where(_U.order_id == order_id, _U.status == UsageStatus.APPLIED.value)
            .values(status=to.value, updated_at=now)
            .returning(*promotion_usages.c)
        ).all()
        return sorted((_usage_from(r) for r in rows), key=lambda u: (u.used_at, u.usage_id))

    def release(self, order_id: str, *, now: datetime) -> list[PromotionUsage]:
        released = self._move(order_id, UsageStatus.CANCELLED, now)
        for usage in released:
            self._give_back(promotions, "current_usage_count", _P.id, usage.promotion_id, 1)
            if usage.coupon_id is not None:
                self._give_back(coupons, "usage_count", _C.id, usage.coupon_id, 1)
            if usage.customer_id is not None:
                self._give_back_customer(promotion_customer_usage, "promotion_id",
                                         usage.promotion_id, usage.customer_id)
                if usage.coupon_id is not None:
                    self._give_back_customer(coupon_customer_usage, "coupon_id",
                                             usage.coupon_id, usage.customer_id)
            if usage.campaign_id is not None:
                self._give_back(campaigns, "budget_used_amount", _K.id, usage.campaign_id,
                                usage.discount.amount)
        return released

    def _give_back(self, table: sa.Table, column: str, key: sa.Column[str], key_id: str,
                   by: int) -> None:
        counter = table.c[column]
        self._db.execute(table.update().where(key == key_id).values(
            {column: sa.case((counter >= by, counter - by), else_=0)}))

    def _give_back_customer(self, table: sa.Table, key: str, key_id: str,
                            customer_id: str) -> None:
        self._db.execute(table.update().where(
            table.c[key] == key_id, table.c.customer_id == customer_id, table.c.uses > 0,
        ).values(uses=table.c.uses - 1))

    def redeem(self, order_id: str, *, now: datetime) -> list[PromotionUsage]:
        return self._move(order_id, UsageStatus.REDEEMED, now)

    def for_order(self, order_id: str) -> list[PromotionUsage]:
        rows = self._db.execute(sa.select(promotion_usages).where(_U.order_id == order_id)
                                .order_by(_U.used_at, _U.id))
        return [_usage_from(r) for r in rows]

    def counts(
        self,
        *,
        promotion_ids: Collection[str],
        coupon_ids: Collection[str],
        campaign_ids: Collection[str],
        customer_id: str | None,
    ) -> UsageCounts:
        db = self._db

        def read(statement: Any) -> dict[str, int]:
            rows: list[Any] = list(db.execute(statement))
            return {str(key): int(count) for key, count in rows if count}

        def per_customer(table: sa.Table, key: str, ids: Collection[str]) -> dict[str, int]:
            if customer_id is None or not ids:
                return {}
            return read(sa.select(table.c[key], table.c.uses).where(
                table.c[key].in_(sorted(set(ids))), table.c.customer_id == customer_id))

        promotion_uses = read(sa.select(_P.id, _P.current_usage_count).where(
            _P.id.in_(sorted(set(promotion_ids))))) if promotion_ids else {}
        coupon_uses = read(sa.select(_C.id, _C.usage_count).where(
            _C.id.in_(sorted(set(coupon_ids))))) if coupon_ids else {}
        budgets: dict[str, Money] = {}
        if campaign_ids:
            for row in db.execute(sa.select(_K.id, _K.budget_used_amount, _K.budget_currency)
                                  .where(_K.id.in_(sorted(set(campaign_ids))),
                                         _K.budget_limit_amount.is_not(None))):
                budgets[row.id] = Money(int(row.budget_used_amount), row.budget_currency)
        return UsageCounts(
            promotion_uses=promotion_uses,
            promotion_customer_uses=per_customer(promotion_customer_usage, "promotion_id",
                                                 promotion_ids),
            coupon_uses=coupon_uses,
            coupon_customer_uses=per_customer(coupon_customer_usage, "coupon_id", coupon_ids),
            campaign_budget_used=budgets,
        )
