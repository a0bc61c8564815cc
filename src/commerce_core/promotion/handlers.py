"""Promotion use cases: administration, and the usage lifecycle driven by order events."""

from __future__ import annotations

from typing import Any

import attrs
from attrs import frozen

from commerce_core.promotion import services
from commerce_core.promotion.commands import (
    ActivateCampaign,
    ApplyPromotionUsages,
    CreateCampaign,
    CreateCoupon,
    CreatePromotion,
    DeactivateCampaign,
    DeactivateCoupon,
    DisablePromotion,
    GenerateCoupons,
    RedeemPromotionUsages,
    ReleasePromotionUsages,
)
from commerce_core.promotion.coupons import generate_codes
from commerce_core.promotion.errors import CouponNotFound, DuplicateCouponCode
from commerce_core.promotion.events import BulkCouponsGenerated
from commerce_core.promotion.model import (
    Campaign,
    CampaignDefinition,
    Coupon,
    CouponDefinition,
    CouponType,
    Promotion,
    PromotionDefinition,
    PromotionUsage,
    normalise_code,
)
from commerce_core.promotion.ports import CouponCodeGenerator, PromotionUnitOfWork
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory, retrying

Uow = UnitOfWorkFactory[PromotionUnitOfWork]


class CreateCampaignHandler:
    def __init__(self, uow: Uow, clock: Clock, ids: IdGenerator) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def __call__(self, cmd: CreateCampaign) -> str:
        now = self._clock.now()
        definition = CampaignDefinition(
            campaign_id=self._ids.new_id(), created_at=now, **attrs.asdict(cmd, recurse=False)
        )
        with self._uow() as uow:
            uow.campaigns.add(Campaign.create(definition, now=now))
            uow.commit()
        return definition.campaign_id


class ActivateCampaignHandler:
    def __init__(self, uow: Uow, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: ActivateCampaign) -> None:
        with self._uow() as uow:
            uow.campaigns.get(cmd.campaign_id).activate(now=self._clock.now())
            uow.commit()


class DeactivateCampaignHandler:
    """The campaign and all its promotions stop together, in one transaction (scenario 26):
    validation never sees a live promotion of a dead campaign."""

    def __init__(self, uow: Uow, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: DeactivateCampaign) -> None:
        now = self._clock.now()
        with self._uow() as uow:
            uow.campaigns.get(cmd.campaign_id).deactivate(cmd.reason, now=now)
            for promotion in uow.promotions.for_campaign(cmd.campaign_id):
                promotion.deactivate(f"campaign deactivated: {cmd.reason}", now=now)
            uow.commit()


class CreatePromotionHandler:
    def __init__(self, uow: Uow, clock: Clock, ids: IdGenerator) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def __call__(self, cmd: CreatePromotion) -> str:
        now = self._clock.now()
        definition = PromotionDefinition(
            promotion_id=self._ids.new_id(), created_at=now, **attrs.asdict(cmd, recurse=False)
        )
        with self._uow() as uow:
            if cmd.campaign_id is not None:
                uow.campaigns.get(cmd.campaign_id)
            uow.promotions.add(Promotion.create(definition, now=now))
            uow.commit()
        return definition.promotion_id


class DisablePromotionHandler:
    def __init__(self, uow: Uow, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: DisablePromotion) -> None:
        with self._uow() as uow:
            uow.promotions.get(cmd.promotion_id).deactivate(cmd.reason, now=self._clock.now())
            uow.commit()


class CreateCouponHandler:
    def __init__(self, uow: Uow, clock: Clock, ids: IdGenerator) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def __call__(self, cmd: CreateCoupon) -> str:
        now = self._clock.now()
        fields = attrs.asdict(cmd, recurse=False)
        fields["code"] = normalise_code(cmd.code)
        definition = CouponDefinition(coupon_id=self._ids.new_id(), created_at=now, **fields)
        with self._uow() as uow:
            uow.promotions.get(cmd.promotion_id)
            if uow.coupons.taken([definition.code]):
                raise DuplicateCouponCode(f"coupon code {definition.code} is taken",
                                          code=definition.code)
            uow.coupons.add(Coupon.issue(definition, now=now))
            uow.commit()
        return definition.coupon_id


@frozen
class GeneratedCoupons:
    batch_id: str
    codes: tuple[str, ...]


class GenerateCouponsHandler:
    """Up to 10,000 unique codes in one transaction, announced by one batch event."""

    def __init__(self, uow: Uow, clock: Clock, ids: IdGenerator,
                 codes: CouponCodeGenerator) -> None:
        self._uow, self._clock, self._ids, self._codes = uow, clock, ids, codes

    def __call__(self, cmd: GenerateCoupons) -> GeneratedCoupons:
        now = self._clock.now()
        batch_id = self._ids.new_id()
        single = cmd.usage_limit == 1
        with self._uow() as uow:
            uow.promotions.get(cmd.promotion_id)
            codes = generate_codes(cmd.prefix, cmd.count, self._codes.random_block,
                                   uow.coupons.taken)
            uow.coupons.add_many([
                Coupon.issue(CouponDefinition(
                    coupon_id=self._ids.new_id(), promotion_id=cmd.promotion_id, code=code,
                    created_at=now, batch_id=batch_id,
                    coupon_type=CouponType.SINGLE_USE if single else CouponType.MULTI_USE,
                    usage_limit=cmd.usage_limit,
                    usage_limit_per_customer=cmd.usage_limit_per_customer,
                    customer_segments=cmd.customer_segments,
                    minimum_order_amount=cmd.minimum_order_amount,
                    first_order_only=cmd.first_order_only, starts_at=cmd.starts_at,
                    expires_at=cmd.expires_at,
                ), now=now, announce=False)
                for code in codes
            ])
            prefix = codes[0].split("-")[0]
            uow.record(BulkCouponsGenerated(cmd.promotion_id, batch_id, prefix, len(codes), now))
            uow.commit()
        return GeneratedCoupons(batch_id, tuple(codes))


class DeactivateCouponHandler:
    def __init__(self, uow: Uow, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: DeactivateCoupon) -> None:
        code = normalise_code(cmd.code)
        with self._uow() as uow:
            found = uow.coupons.by_codes([code])
            if not found:
                raise CouponNotFound(f"no coupon {code}", code=code)
            found[0].deactivate(cmd.reason, now=self._clock.now())
            uow.commit()


class ApplyPromotionUsagesHandler:
    """Usage reservation (spec §2.2): all of an order's usages or none. A concurrency conflict
    on the unit of work is retried; a refusal (limit, budget) is final."""

    def __init__(self, uow: Uow, clock: Clock, ids: IdGenerator) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def __call__(self, cmd: ApplyPromotionUsages) -> list[PromotionUsage]:
        def attempt() -> list[PromotionUsage]:
            with self._uow() as uow:
                usages = services.apply_usages(
                    uow, order_id=cmd.order_id, customer_id=cmd.customer_id, usages=cmd.usages,
                    now=self._clock.now(), ids=self._ids,
                )
                uow.commit()
                return usages

        result: list[PromotionUsage] = retrying(attempt, retry_on=ConcurrencyConflict, attempts=3)
        return result


class ReleasePromotionUsagesHandler:
    def __init__(self, uow: Uow, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: ReleasePromotionUsages) -> int:
        with self._uow() as uow:
            released = services.release_usages(uow, cmd.order_id, reason=cmd.reason,
                                               now=self._clock.now())
            uow.commit()
        return len(released)


class RedeemPromotionUsagesHandler:
    def __init__(self, uow: Uow, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: RedeemPromotionUsages) -> int:
        with self._uow() as uow:
            redeemed = services.redeem_usages(uow, cmd.order_id, now=self._clock.now())
            uow.commit()
        return len(redeemed)


class ReleasePromotionUsageOnOrderCancelled:
    """`order.cancelled` -> applied usages become cancelled and give back counters and budget.
    Idempotent beyond the inbox: a second delivery finds nothing applied (scenario 24)."""

    name = "promotion.release_usage_on_order_cancelled"
    event_type = "order.cancelled"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        order_id = str(envelope.payload["order_id"])
        services.release_usages(uow, order_id, reason="order_cancelled", now=self._clock.now())


class SettlePromotionUsageOnOrderStatusChanged:
    """`order.status_changed`: delivered/completed -> redeemed; refunded -> released
    (cancellation has its own subscriber above)."""

    name = "promotion.settle_usage_on_order_status_changed"
    event_type = "order.status_changed"
    REDEEM_ON = frozenset({"delivered", "completed"})
    RELEASE_ON = frozenset({"refunded"})

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def wants(self, envelope: EventEnvelope) -> bool:
        return str(envelope.payload.get("new_status", "")) in self.REDEEM_ON | self.RELEASE_ON

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        order_id = str(envelope.payload["order_id"])
        status = str(envelope.payload.get("new_status", ""))
        if status in self.REDEEM_ON:
            services.redeem_usages(uow, order_id, now=self._clock.now())
        elif status in self.RELEASE_ON:
            services.release_usages(uow, order_id, reason=f"order_{status}",
                                    now=self._clock.now())
