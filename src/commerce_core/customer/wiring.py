"""Customer's handlers, built from what the composition root gives it."""

from __future__ import annotations

from commerce_core.customer import commands as c
from commerce_core.customer import handlers as h
from commerce_core.customer import privacy as p
from commerce_core.customer import reactions as r
from commerce_core.customer.locations import Locations
from commerce_core.customer.ports import CustomerOrders, CustomerUnitOfWork
from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory


class CustomerWiring:
    def __init__(self, uow: UnitOfWorkFactory[CustomerUnitOfWork], clock: Clock,
                 ids: IdGenerator, orders: CustomerOrders, locations: Locations | None) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids
        self._orders, self._locations = orders, locations

    def handlers(self) -> Handlers:
        uow, clock, ids, orders = self._uow, self._clock, self._ids, self._orders
        return {
            c.RegisterCustomer: h.RegisterCustomerHandler(uow, clock, ids),
            c.VerifyCustomer: h.VerifyCustomerHandler(uow, clock),
            c.UpdateProfile: h.UpdateProfileHandler(uow, clock),
            c.UpdatePreferences: h.UpdatePreferencesHandler(uow, clock),
            c.ActivateCustomer: h.ActivateCustomerHandler(uow, clock),
            c.DeactivateCustomer: h.DeactivateCustomerHandler(uow, clock),
            c.SuspendCustomer: h.SuspendCustomerHandler(uow, clock),
            c.ChangeCustomerGroup: h.ChangeCustomerGroupHandler(uow, clock),
            c.AddAddress: h.AddAddressHandler(uow, clock, ids, self._locations),
            c.UpdateAddress: h.UpdateAddressHandler(uow, clock, ids, self._locations),
            c.DeleteAddress: h.DeleteAddressHandler(uow, clock),
            c.SetDefaultAddress: h.SetDefaultAddressHandler(uow, clock),
            c.DefineSegment: h.DefineSegmentHandler(uow, clock),
            c.AssignSegment: h.AssignSegmentHandler(uow, clock),
            c.RemoveSegment: h.RemoveSegmentHandler(uow, clock),
            c.EvaluateSegments: h.EvaluateSegmentsHandler(uow, clock, orders),
            c.RequestAccountDeletion: p.RequestAccountDeletionHandler(uow, clock, orders),
            c.CancelAccountDeletion: p.CancelAccountDeletionHandler(uow, clock),
            c.ProcessScheduledDeletions: p.ProcessScheduledDeletionsHandler(uow, clock, orders),
            c.ExportCustomerData: p.ExportCustomerDataHandler(uow, orders),
        }

    def subscribers(self) -> list[Subscriber]:
        return [Subscriber.of(r.ProfileOnCustomerRegistered(self._clock)),
                Subscriber.of(r.VerifyOnEmailVerified(self._clock))]
