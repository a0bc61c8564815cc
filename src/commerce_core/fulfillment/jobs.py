"""Fulfillment jobs the worker runs on an interval: SLA breaches, auto-completion of shipped
fulfillments, expiry of unstarted pick lists. Each item changes in its own transaction."""

from __future__ import annotations

import logging
from typing import Any

from commerce_core.fulfillment.commands import (
    CheckFulfillmentSla,
    CompleteShippedFulfillments,
    ExpirePicklists,
)
from commerce_core.fulfillment.model import ACTIVE, FulfillmentPolicy, FulfillmentStatus
from commerce_core.fulfillment.picklists import PicklistStatus
from commerce_core.fulfillment.ports import FulfillmentUnitOfWork
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.uow import UnitOfWorkFactory

log = logging.getLogger("commerce.fulfillment")

Factory = UnitOfWorkFactory[FulfillmentUnitOfWork]


class _Job:
    def __init__(self, uow: Factory, clock: Clock, policy: FulfillmentPolicy) -> None:
        self._uow, self._clock, self._policy = uow, clock, policy

    def _each(self, ids: list[str], step: Any) -> int:
        """Run `step(uow, id)` for each id in its own transaction; a lost race is skipped."""
        done = 0
        for entity_id in ids:
            try:
                with self._uow() as uow:
                    if step(uow, entity_id):
                        done += 1
                    uow.commit()
            except ConcurrencyConflict:
                log.info("%s changed meanwhile; the next run looks again", entity_id)
        return done


class CompleteShippedFulfillmentsHandler(_Job):
    """Shipped for longer than the policy says (7 days) and never reported delivered."""

    def __call__(self, cmd: CompleteShippedFulfillments) -> int:
        now = self._clock.now()
        with self._uow() as uow:
            due = uow.fulfillments.in_status_since(
                FulfillmentStatus.SHIPPED.value, now - self._policy.auto_complete_after,
                cmd.batch_size)

        def step(uow: FulfillmentUnitOfWork, fulfillment_id: str) -> bool:
            uow.fulfillments.get(fulfillment_id).complete("auto_completed", now=now)
            return True

        return self._each(due, step)


class CheckFulfillmentSlaHandler(_Job):
    def __call__(self, cmd: CheckFulfillmentSla) -> int:
        now = self._clock.now()
        with self._uow() as uow:
            watched = [f.id for f in uow.fulfillments.list(
                statuses=sorted(s.value for s in ACTIVE), limit=cmd.batch_size)
                if f.status.value not in f.sla_breaches and now - f.created_at > f.sla(
                    self._policy)]
        return self._each(watched, lambda uow, fid: uow.fulfillments.get(fid).check_sla(
            self._policy, now=now))


class ExpirePicklistsHandler(_Job):
    """Lists nobody started in time expire; their fulfillments go back to planning."""

    def __call__(self, cmd: ExpirePicklists) -> int:
        now = self._clock.now()
        with self._uow() as uow:
            due = [p.id for p in uow.picklists.list(statuses=[PicklistStatus.GENERATED.value],
                                                    limit=cmd.batch_size)
                   if p.expires_at <= now]

        def step(uow: FulfillmentUnitOfWork, picklist_id: str) -> bool:
            picklist = uow.picklists.get(picklist_id)
            if not picklist.expire(now=now):
                return False
            for fulfillment_id in picklist.fulfillment_ids:
                uow.fulfillments.get(fulfillment_id).back_to_planning(now=now)
            return True

        return self._each(due, step)
