"""Customer routes: the signed-in customer's own account under `/me`, the customer admin under
`/admin/customers`, and the public location hierarchy under `/locations`.

`/me` routes act for the customer the bearer names: an address id of another customer is simply
not in the caller's book (404), never someone else's data.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, Field

from commerce_core.customer.commands import AddressFields, SegmentRule
from commerce_core.customer.locations import Location
from commerce_core.customer.model import Address, Customer, Preferences, Segment
from commerce_core.customer.segments import FACTS
from commerce_core.shared.permissions import Permission
from entrypoints.http.access import PUBLIC, CustomerDep, permit
from entrypoints.http.dependencies import CommerceDep
from entrypoints.http.schemas.common import MAX_OFFSET, Integral, RequestBody

me = APIRouter(tags=["my account"])
admin = APIRouter(tags=["customers admin"])
locations = APIRouter(tags=["locations"])

def _customer_id(principal: CustomerDep) -> str:
    assert principal.customer_id is not None
    return principal.customer_id


MeDep = Annotated[str, Depends(_customer_id)]


# -- bodies ----------------------------------------------------------------------------------
class PreferencesOut(BaseModel):
    email_marketing: bool
    sms_marketing: bool
    push: bool
    newsletter: bool
    data_sharing: bool
    analytics_tracking: bool
    cookie_consent: bool
    order_updates: bool
    promotional_emails: bool
    language: str
    currency: str
    custom: dict[str, str]

    @classmethod
    def of(cls, p: Preferences) -> PreferencesOut:
        return cls(email_marketing=p.email_marketing, sms_marketing=p.sms_marketing,
                   push=p.push, newsletter=p.newsletter, data_sharing=p.data_sharing,
                   analytics_tracking=p.analytics_tracking, cookie_consent=p.cookie_consent,
                   order_updates=p.order_updates, promotional_emails=p.promotional_emails,
                   language=p.language, currency=p.currency, custom=dict(p.custom))


class PreferencesPatch(RequestBody):
    email_marketing: bool | None = None
    sms_marketing: bool | None = None
    push: bool | None = None
    newsletter: bool | None = None
    data_sharing: bool | None = None
    analytics_tracking: bool | None = None
    cookie_consent: bool | None = None
    order_updates: bool | None = None
    promotional_emails: bool | None = None
    language: str | None = Field(None, min_length=2, max_length=10)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    custom: dict[str, str] | None = None


class AddressOut(BaseModel):
    id: str
    kind: str
    label: str
    first_name: str
    last_name: str
    company: str | None
    phone: str
    line1: str
    line2: str | None
    location_id: str
    ward: str
    district: str | None
    province: str
    country_code: str
    postal_code: str | None
    is_default: bool
    formatted: str = Field(description="Street, ward, district, province, country")

    @classmethod
    def of(cls, a: Address, formatted: str) -> AddressOut:
        return cls(id=a.id, kind=a.kind, label=a.label, first_name=a.first_name,
                   last_name=a.last_name, company=a.company, phone=a.phone, line1=a.line1,
                   line2=a.line2, location_id=a.location_id, ward=a.ward, district=a.district,
                   province=a.province, country_code=a.country_code,
                   postal_code=a.postal_code, is_default=a.is_default, formatted=formatted)


class AddressIn(RequestBody):
    first_name: str = Field(min_length=1, max_length=200)
    last_name: str = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=8, max_length=20)
    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(None, max_length=200)
    location_id: str = Field(min_length=1, max_length=100,
                             description="The ward (`GET /locations/{id}/children`)")
    kind: Literal["shipping", "billing"] = "shipping"
    label: Literal["home", "office", "other"] = "home"
    postal_code: str | None = Field(None, max_length=20)
    company: str | None = Field(None, max_length=200)
    make_default: bool = False

    def fields(self) -> AddressFields:
        return AddressFields(self.first_name, self.last_name, self.phone, self.line1,
                             self.location_id, self.line2, self.kind, self.label,
                             self.postal_code, self.company)


class ProfileOut(BaseModel):
    id: str
    email: str
    first_name: str
    last_name: str
    phone: str | None
    date_of_birth: date | None
    gender: str | None
    customer_type: str
    status: str
    email_verified: bool
    group: str
    segments: list[str]
    deletion_scheduled_at: datetime | None
    created_at: datetime
    version: int = Field(description="Send it back as `version` to update safely")

    @classmethod
    def of(cls, c: Customer) -> ProfileOut:
        return cls(id=c.id, email=c.email, first_name=c.first_name, last_name=c.last_name,
                   phone=c.phone, date_of_birth=c.date_of_birth, gender=c.gender,
                   customer_type=c.customer_type, status=c.status.value,
                   email_verified=c.email_verified, group=c.group, segments=list(c.segments),
                   deletion_scheduled_at=c.deletion_scheduled_at, created_at=c.created_at,
                   version=c.version)


class ProfilePatch(RequestBody):
    first_name: str | None = Field(None, min_length=1, max_length=100)
    last_name: str | None = Field(None, min_length=1, max_length=100)
    phone: str | None = Field(None, max_length=20)
    date_of_birth: date | None = None
    gender: Literal["female", "male", "other", "undisclosed"] | None = None
    customer_type: Literal["individual", "business"] | None = None
    version: int | None = Field(None, ge=0, description="The version read: refused with 409 "
                                "`customer.stale_version` when the profile changed since")


class DeletionIn(RequestBody):
    reason: str = Field("customer_request", max_length=500)


class DeletionOut(BaseModel):
    scheduled_for: datetime | None


# -- /me -------------------------------------------------------------------------------------
def _address_out(commerce: CommerceDep, address: Address) -> AddressOut:
    return AddressOut.of(address, commerce.customers.format_address(address))


@me.get("/me/profile", summary="My profile")
def my_profile(commerce: CommerceDep, customer_id: MeDep) -> ProfileOut:
    return ProfileOut.of(commerce.customers.get(customer_id))


@me.patch("/me/profile", summary="Change my profile (optimistic: send the version read)")
def change_my_profile(body: ProfilePatch, commerce: CommerceDep,
                      customer_id: MeDep) -> ProfileOut:
    changes = body.model_dump(exclude_unset=True)
    version = changes.pop("version", None)
    return ProfileOut.of(commerce.customers.update_profile(customer_id, changes,
                                                           expected_version=version))


@me.get("/me/preferences", summary="My preferences")
def my_preferences(commerce: CommerceDep, customer_id: MeDep) -> PreferencesOut:
    return PreferencesOut.of(commerce.customers.get(customer_id).preferences)


@me.patch("/me/preferences", summary="Change my preferences")
def change_my_preferences(body: PreferencesPatch, commerce: CommerceDep,
                          customer_id: MeDep) -> PreferencesOut:
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    customer = commerce.customers.update_preferences(customer_id, changes)
    return PreferencesOut.of(customer.preferences)


@me.get("/me/addresses", summary="My address book, the default first")
def my_addresses(commerce: CommerceDep, customer_id: MeDep) -> list[AddressOut]:
    book = commerce.customers.get(customer_id).addresses
    ordered = sorted(book, key=lambda a: (not a.is_default, a.created_at, a.id))
    return [_address_out(commerce, a) for a in ordered]


@me.post("/me/addresses", status_code=201,
         summary="Add an address (the first becomes the default)")
def add_my_address(body: AddressIn, commerce: CommerceDep, customer_id: MeDep) -> AddressOut:
    address = commerce.customers.add_address(customer_id, body.fields(),
                                             make_default=body.make_default)
    return _address_out(commerce, address)


@me.get("/me/addresses/{address_id}", summary="One of my addresses")
def my_address(address_id: str, commerce: CommerceDep, customer_id: MeDep) -> AddressOut:
    return _address_out(commerce, commerce.customers.get(customer_id).address(address_id))


@me.put("/me/addresses/{address_id}", summary="Replace one of my addresses")
def replace_my_address(address_id: str, body: AddressIn, commerce: CommerceDep,
                       customer_id: MeDep) -> AddressOut:
    address = commerce.customers.update_address(customer_id, address_id, body.fields())
    if body.make_default and not address.is_default:
        commerce.customers.set_default_address(customer_id, address_id)
        address = commerce.customers.get(customer_id).address(address_id)
    return _address_out(commerce, address)


@me.delete("/me/addresses/{address_id}", status_code=204,
           summary="Delete one of my addresses (deleting the default promotes another)")
def delete_my_address(address_id: str, commerce: CommerceDep, customer_id: MeDep) -> Response:
    commerce.customers.delete_address(customer_id, address_id)
    return Response(status_code=204)


@me.post("/me/addresses/{address_id}/default", summary="Make this my default address")
def default_my_address(address_id: str, commerce: CommerceDep,
                       customer_id: MeDep) -> AddressOut:
    customer = commerce.customers.set_default_address(customer_id, address_id)
    return _address_out(commerce, customer.address(address_id))


@me.get("/me/export", summary="Everything the shop holds about me, as JSON")
def export_me(commerce: CommerceDep, customer_id: MeDep) -> dict[str, Any]:
    return commerce.customers.export(customer_id)


@me.post("/me/deletion", status_code=202,
         summary="Ask for my account to be deleted (in 30 days; refused while an order is "
                 "in progress)")
def request_my_deletion(commerce: CommerceDep, customer_id: MeDep,
                        body: DeletionIn | None = None) -> DeletionOut:
    when = commerce.customers.request_deletion(customer_id, (body or DeletionIn()).reason)
    return DeletionOut(scheduled_for=when)


@me.delete("/me/deletion", summary="Keep my account: cancel its scheduled deletion")
def cancel_my_deletion(commerce: CommerceDep, customer_id: MeDep) -> DeletionOut:
    commerce.customers.cancel_deletion(customer_id)
    return DeletionOut(scheduled_for=None)


# -- /admin/customers ------------------------------------------------------------------------
class CustomerAdminOut(ProfileOut):
    registration_source: str
    addresses: list[AddressOut]
    last_login_at: datetime | None


def _admin_out(commerce: CommerceDep, c: Customer) -> CustomerAdminOut:
    return CustomerAdminOut(
        **ProfileOut.of(c).model_dump(), registration_source=c.registration_source,
        addresses=[_address_out(commerce, a) for a in c.addresses],
        last_login_at=c.last_login_at)


class ReasonIn(RequestBody):
    reason: str = Field("operator", min_length=1, max_length=500)


class GroupIn(RequestBody):
    group: str = Field(min_length=1, max_length=63, pattern=r"^[a-z0-9][a-z0-9_-]*$")


class RuleIn(RequestBody):
    field: str = Field(pattern="^(" + "|".join(FACTS) + ")$",
                       description="A customer fact: " + ", ".join(FACTS))
    operator: Literal["gt", "lt", "eq", "contains"]
    value: str = Field(max_length=200)
    weight: Annotated[int, Integral] = Field(1, ge=0, le=100, strict=True)


SegmentId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$",
                                 description="a-z, 0-9, - and _")]


class SegmentIn(RequestBody):
    name: str = Field(min_length=1, max_length=100)
    rules: list[RuleIn] = Field(default_factory=list, max_length=20)
    is_active: bool = Field(True, strict=True)


class SegmentOut(BaseModel):
    id: str
    name: str
    rules: list[dict[str, Any]]
    is_active: bool

    @classmethod
    def of(cls, s: Segment) -> SegmentOut:
        return cls(id=s.id, name=s.name, is_active=s.is_active,
                   rules=[{"field": r.field, "operator": r.operator, "value": r.value,
                           "weight": r.weight} for r in s.rules])


@admin.get("/customers",
           dependencies=[permit(Permission.CUSTOMERS_READ)],
           summary="Customers, newest first")
def list_customers(
    commerce: CommerceDep,
    status: Annotated[Literal["pending_verification", "active", "inactive", "suspended",
                              "deleted"] | None, Query()] = None,
    group: Annotated[str | None, Query(max_length=63)] = None,
    segment: Annotated[str | None, Query(max_length=63)] = None,
    email: Annotated[str | None, Query(max_length=254, description="Part of the email")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[CustomerAdminOut]:
    found = commerce.customers.list(status=status, group=group, segment=segment,
                                    email_contains=email, limit=limit, offset=offset)
    return [_admin_out(commerce, c) for c in found]


@admin.get("/customers/segments",
           dependencies=[permit(Permission.CUSTOMERS_READ)],
           summary="Stored segments (besides the built-in ones)")
def list_segments(commerce: CommerceDep) -> list[SegmentOut]:
    return [SegmentOut.of(s) for s in commerce.customers.segments()]


@admin.put("/customers/segments/{segment_id}",
           dependencies=[permit(Permission.CUSTOMERS_MANAGE)],
           summary="Create or replace a segment")
def define_segment(segment_id: SegmentId, body: SegmentIn, commerce: CommerceDep) -> SegmentOut:
    rules = tuple(SegmentRule(r.field, r.operator, r.value, r.weight) for r in body.rules)
    return SegmentOut.of(commerce.customers.define_segment(segment_id, body.name, rules,
                                                           is_active=body.is_active))


@admin.post("/segment-evaluations",
            dependencies=[permit(Permission.CUSTOMERS_MANAGE)],
            summary="Run the segment evaluator now")
def evaluate_segments(commerce: CommerceDep) -> dict[str, int]:
    run = commerce.customers.evaluate_segments()
    return {"customers": run.customers, "added": run.added, "removed": run.removed}


@admin.get("/customers/{customer_id}",
           dependencies=[permit(Permission.CUSTOMERS_READ)],
           summary="One customer")
def get_customer(customer_id: str, commerce: CommerceDep) -> CustomerAdminOut:
    return _admin_out(commerce, commerce.customers.get(customer_id))


@admin.post("/customers/{customer_id}/suspend",
            dependencies=[permit(Permission.CUSTOMERS_MANAGE)],
            summary="Suspend a customer")
def suspend_customer(customer_id: str, commerce: CommerceDep,
                     body: ReasonIn | None = None) -> CustomerAdminOut:
    reason = (body or ReasonIn()).reason
    return _admin_out(commerce, commerce.customers.suspend(customer_id, reason))


@admin.post("/customers/{customer_id}/activate",
            dependencies=[permit(Permission.CUSTOMERS_MANAGE)],
            summary="Activate a customer again")
def activate_customer(customer_id: str, commerce: CommerceDep,
                      body: ReasonIn | None = None) -> CustomerAdminOut:
    reason = (body or ReasonIn()).reason
    return _admin_out(commerce, commerce.customers.activate(customer_id, reason))


@admin.put("/customers/{customer_id}/group",
           dependencies=[permit(Permission.CUSTOMERS_MANAGE)],
           summary="Move a customer to a pricing group")
def change_group(customer_id: str, body: GroupIn, commerce: CommerceDep) -> CustomerAdminOut:
    return _admin_out(commerce, commerce.customers.change_group(customer_id, body.group))


@admin.put("/customers/{customer_id}/segments/{segment_id}",
           dependencies=[permit(Permission.CUSTOMERS_MANAGE)],
           summary="Put a customer in a segment")
def assign_segment(customer_id: str, segment_id: str,
                   commerce: CommerceDep) -> CustomerAdminOut:
    return _admin_out(commerce, commerce.customers.assign_segment(customer_id, segment_id))


@admin.delete("/customers/{customer_id}/segments/{segment_id}",
              dependencies=[permit(Permission.CUSTOMERS_MANAGE)],
              summary="Take a customer out of a segment")
def remove_segment(customer_id: str, segment_id: str,
                   commerce: CommerceDep) -> CustomerAdminOut:
    return _admin_out(commerce, commerce.customers.remove_segment(customer_id, segment_id))


# -- /locations ------------------------------------------------------------------------------
class LocationOut(BaseModel):
    id: str
    code: str
    name: str
    name_en: str | None
    type: str
    parent_id: str | None
    country_code: str
    is_active: bool

    @classmethod
    def of(cls, loc: Location) -> LocationOut:
        return cls(id=loc.id, code=loc.code, name=loc.name, name_en=loc.name_en,
                   type=loc.type, parent_id=loc.parent_id, country_code=loc.country_code,
                   is_active=loc.is_active)


class LocationDetail(LocationOut):
    path: list[LocationOut] = Field(description="From the country down to this location")


class ValidationOut(BaseModel):
    valid: bool
    errors: list[str]
    path: list[LocationOut]


@locations.get("/locations",
               dependencies=[PUBLIC],
               summary="The countries (roots of the hierarchy)")
def roots(commerce: CommerceDep) -> list[LocationOut]:
    return [LocationOut.of(loc) for loc in commerce.customers.locations.children(None)]


@locations.get("/locations/{location_id}", dependencies=[PUBLIC], summary="A location and its path")
def location(location_id: str, commerce: CommerceDep) -> LocationDetail:
    hierarchy = commerce.customers.locations
    found = hierarchy.get(location_id)
    return LocationDetail(**LocationOut.of(found).model_dump(),
                          path=[LocationOut.of(p) for p in hierarchy.path(location_id)])


@locations.get("/locations/{location_id}/children",
               dependencies=[PUBLIC],
               summary="The places directly under it")
def children(location_id: str, commerce: CommerceDep) -> list[LocationOut]:
    return [LocationOut.of(loc) for loc in commerce.customers.locations.children(location_id)]


@locations.get("/locations/{location_id}/validate", dependencies=[PUBLIC],
               summary="Whether the location is active, of a type, under a parent")
def validate(
    location_id: str, commerce: CommerceDep,
    parent_id: Annotated[str | None, Query(max_length=100)] = None,
    type: Annotated[str | None, Query(max_length=20)] = None,
) -> ValidationOut:
    check = commerce.customers.locations.validate(location_id, parent_id=parent_id,
                                                  leaf_type=type)
    return ValidationOut(valid=check.valid, errors=list(check.errors),
                         path=[LocationOut.of(p) for p in check.path])
