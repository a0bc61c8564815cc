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

from adapters.sql.aggregates import AggregateMap, AggregateRepository, AggregateStore, Row
from adapters.sql.codec import AS_JSON_LIST, IGNORED, RowCodec, by_value, column, flat, money
from adapters.sql.pricing import upsert
from adapters.sql.reference import PROMOTIONS as PROMOTIONS_KIND
from adapters.sql.reference import ReferenceReads, read
from adapters.sql.tables.promotion import (
    campaigns,
    coupon_customer_usage,
    coupons,
    promotion_customer_usage,
    promotion_usages,
    promotions,
)
from adapters.sql.terms import TERM
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

CAMPAIGNS = AggregateMap[Campaign](
    kind="campaign",
    not_found=CampaignNotFound,
    codec=RowCodec(
        Campaign, campaigns,
        not_mapped=("budget_used_amount",),  # moved by the usage ledger only
        definition=flat(
            CampaignDefinition, campaign_id=column("id"), campaign_type=by_value(CampaignType),
            budget_limit=money("budget_limit_amount", currency="budget_currency"),
            target_segments=AS_JSON_LIST,
        ),
        events=IGNORED,
    ),
)


_CAMPAIGNS_BY_IDS = (sa.select(campaigns)
                     .where(campaigns.c.id.in_(sa.bindparam("ids", expanding=True)))
                     .order_by(campaigns.c.id))


class SqlCampaignRepository(AggregateRepository[Campaign]):
    def __init__(self, store: AggregateStore[Campaign],
                 reference: ReferenceReads | None = None) -> None:
        super().__init__(store)
        self._reference = reference

    def by_ids(self, campaign_ids: Collection[str]) -> list[Campaign]:
        """Pricing's read (the campaigns of the live promotions), through the reference cache:
        one entry per set of ids."""
        if not campaign_ids:
            return []
        ids = tuple(sorted(set(campaign_ids)))
        return self._store.load(read(self._reference, self._store.db, PROMOTIONS_KIND,
                                     ("campaigns", ids), _CAMPAIGNS_BY_IDS, {"ids": list(ids)}))

    def list(self, *, active_only: bool = False) -> list[Campaign]:
        statement = sa.select(campaigns).order_by(campaigns.c.starts_at, campaigns.c.id)
        if active_only:
            statement = statement.where(campaigns.c.is_active)
        return self._store.all(statement)


# -- promotions -----------------------------------------------------------------------------------
PROMOTIONS = AggregateMap[Promotion](
    kind="promotion",
    not_found=PromotionNotFound,
    codec=RowCodec(
        Promotion, promotions,
        not_mapped=("current_usage_count",),  # moved by the usage ledger only
        definition=flat(
            PromotionDefinition,
            computed={"discount_type": lambda d: d.discount_type.value},
            promotion_id=column("id"), rule_kind=by_value(RuleKind),
            benefit=TERM, scope=TERM, conditions=TERM,
            minimum_order_amount=money("minimum_order_amount", currency="limits_currency"),
            maximum_discount_amount=money("maximum_discount_amount", currency="limits_currency"),
            customer_segments=AS_JSON_LIST,
        ),
        events=IGNORED,
    ),
)


_ACTIVE_PROMOTIONS = sa.select(promotions).where(promotions.c.is_active)


def _open_at(row: Row, at: datetime) -> bool:
    """The window `live` asks the database for, `starts_at <= at < ends_at`, on a cached row."""
    return ((row.starts_at is None or row.starts_at <= at)
            and (row.ends_at is None or row.ends_at > at))


class SqlPromotionRepository(AggregateRepository[Promotion]):
    def __init__(self, store: AggregateStore[Promotion],
                 reference: ReferenceReads | None = None) -> None:
        super().__init__(store)
        self._reference = reference

    def for_campaign(self, campaign_id: str) -> list[Promotion]:
        found = self._store.all(
            sa.select(promotions).where(promotions.c.campaign_id == campaign_id))
        return sorted(found, key=lambda p: p.definition.order_key)

    def live(self, at: datetime) -> list[Promotion]:
        """Pricing's read: the active rows from the reference cache, their window checked
        against `at` here, before any is decoded."""
        rows = read(self._reference, self._store.db, PROMOTIONS_KIND, "active",
                    _ACTIVE_PROMOTIONS)
        found = self._store.load([row for row in rows if _open_at(row, at)])
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
COUPONS = AggregateMap[Coupon](
    kind="coupon",
    not_found=CouponNotFound,
    codec=RowCodec(
        Coupon, coupons,
        not_mapped=("usage_count",),  # moved by the usage ledger only
        definition=flat(
            CouponDefinition, coupon_id=column("id"), coupon_type=by_value(CouponType),
            customer_segments=AS_JSON_LIST,
            minimum_order_amount=money("minimum_order_amount", currency="minimum_order_currency"),
        ),
        events=IGNORED,
    ),
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


# -- the usage ledger -----------------------------------------------------------------------------
_SAVEPOINT = "promotion_usage"
_P, _C, _K = promotions.c, coupons.c, campaigns.c
_U = promotion_usages.c


_USAGES = RowCodec(
    PromotionUsage, promotion_usages,
    usage_id=column("id"), status=by_value(UsageStatus), discount=money(),
    original_amount=money("original_amount"), final_amount=money("final_amount"),
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
        return None if row is None else _USAGES.decode(row)

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
        db.execute(promotion_usages.insert(), _USAGES.encode(usage))
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
        return sorted((_USAGES.decode(r) for r in rows), key=lambda u: (u.used_at, u.usage_id))

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
        return [_USAGES.decode(r) for r in rows]

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
