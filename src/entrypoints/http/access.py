"""Who may call each route, declared on the route, and the checks behind the declarations.

Every operation declares one of three kinds of access (a test walks the app and fails on a
route without one):

- `permit(Permission.X)` (in `dependencies=[...]`): staff or apps holding that permission.
  Anonymous callers get 401, callers without it 403 `auth.forbidden`.
- `ShopperDep` (a parameter): open to shoppers, who reach a cart, checkout or order only as
  its customer or with the cart's guest token (`X-Cart-Token`); anyone else gets the same 404
  an unknown id gets, so existence does not leak.
- `PUBLIC` (in `dependencies=[...]`): the catalog, search, health, and the payment provider
  routes (which a provider's signature authenticates).

The caller is resolved from `Authorization: Bearer ...` alone, through the app's authenticator
chain (`entrypoints.auth`); no other header names a caller (`X-User-ID` and the like are never
read). The document FastAPI serves states each operation's security and, in `x-permission` or
`x-access`, what it needs.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import cache
from typing import Annotated, Any, Final, Literal, cast

from attrs import frozen
from fastapi import Depends, FastAPI, Header, Request
from fastapi.params import Depends as DependsParam
from fastapi.routing import iter_route_contexts

from commerce_core.app import Commerce
from commerce_core.cart.errors import CartNotFound
from commerce_core.checkout.errors import CheckoutNotFound
from commerce_core.checkout.model import CheckoutSaga
from commerce_core.ordering.errors import OrderNotFound
from commerce_core.ordering.model import Order
from commerce_core.shared.errors import CommerceError, ServiceUnavailable
from commerce_core.shared.permissions import Permission
from commerce_core.shared.principal import Principal
from entrypoints.auth import AuthenticatorChain, Unauthenticated, require_permission
from entrypoints.http.problems import HttpProblem

CART_TOKEN_HEADER: Final = "X-Cart-Token"
SCHEME: Final = "bearer"
_MARK: Final = "__commerce_access__"
_CHALLENGE: Final = {"WWW-Authenticate": 'Bearer realm="commerce"'}
_INVALID_CHALLENGE: Final = {"WWW-Authenticate": 'Bearer realm="commerce", error="invalid_token"'}


@frozen
class Access:
    # account: any signed-in caller, on their own account; customer: a signed-in customer.
    kind: Literal["public", "shopper", "permission", "account", "customer"]
    permission: str | None = None


def _declares(access: Access) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def mark(dependency: Callable[..., Any]) -> Callable[..., Any]:
        setattr(dependency, _MARK, access)
        return dependency
    return mark


def hash_token(token: str) -> str:
    """What is stored for a guest token: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def authenticators_of(app: FastAPI) -> AuthenticatorChain:
    return cast(AuthenticatorChain, app.state.authenticators)


def current_principal(request: Request) -> Principal:
    """The caller the bearer token names, `ANONYMOUS` without one; 401 for a token no
    authenticator accepts or an `Authorization` header that is not a bearer."""
    header = request.headers.get("authorization")
    credential: str | None = None
    if header is not None:
        scheme, _, value = header.strip().partition(" ")
        credential = value.strip()
        if scheme.lower() != "bearer" or not credential:
            raise HttpProblem(401, "auth.invalid_token",
                              "The Authorization header must be `Bearer <token>`.",
                              headers=_INVALID_CHALLENGE)
    try:
        principal = authenticators_of(request.app).principal(credential)
    except ServiceUnavailable:
        raise  # the authenticator's backend is down: 503, and the caller is refused meanwhile
    except CommerceError as error:
        # Any refusal of the credential itself (unknown, expired, revoked) is a 401.
        raise HttpProblem(401, error.code, error.message, headers=_INVALID_CHALLENGE) from None
    request.state.principal = principal  # who the audit log names for this request's commands
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


@cache
def require(permission: Permission) -> Callable[..., Principal]:
    """The dependency admitting callers that hold `permission` (one per permission, so
    FastAPI resolves it once per request)."""

    @_declares(Access("permission", permission.value))
    def check(request: Request, principal: PrincipalDep) -> Principal:
        action = f"{request.method} {request.url.path}"
        try:
            require_permission(principal, permission.value, action)
        except Unauthenticated as error:
            raise HttpProblem(401, error.code, error.message, headers=_CHALLENGE) from None
        return principal

    check.__name__ = f"require_{permission.name.lower()}"
    return check


def permit(permission: Permission) -> DependsParam:
    """For a route's `dependencies=[...]`: callers need `permission`."""
    return cast(DependsParam, Depends(require(permission)))


@_declares(Access("public"))
def public() -> None:
    """Anyone may call: published data, health, or a route a provider's signature guards."""


PUBLIC: Final = cast(DependsParam, Depends(public))


@_declares(Access("account"))
def signed_in(principal: PrincipalDep) -> Principal:
    """Any signed-in caller, acting on their own account (their sessions, their second
    factor): 401 for the anonymous caller."""
    if not principal.is_authenticated:
        raise HttpProblem(401, "auth.unauthenticated",
                          "This route needs `Authorization: Bearer <access token>`.",
                          headers=_CHALLENGE)
    return principal


@_declares(Access("customer"))
def signed_in_customer(principal: PrincipalDep) -> Principal:
    """A signed-in customer, on their own account: 401 anonymous, 403 for staff and apps."""
    if not principal.is_authenticated:
        raise HttpProblem(401, "auth.unauthenticated",
                          "This route needs `Authorization: Bearer <access token>`.",
                          headers=_CHALLENGE)
    if principal.customer_id is None:
        raise HttpProblem(403, "auth.forbidden", "Only a signed-in customer has an account here.")
    return principal


SignedInDep = Annotated[Principal, Depends(signed_in)]
CustomerDep = Annotated[Principal, Depends(signed_in_customer)]


def staff_only(principal: PrincipalDep) -> None:
    """The guard on the whole `/admin` tree, under each route's own permission: no admin
    route answers the anonymous caller, even one added without a declaration."""
    if not principal.is_authenticated:
        raise HttpProblem(401, "auth.unauthenticated",
                          "Admin routes need `Authorization: Bearer <token>`.",
                          headers=_CHALLENGE)


@frozen
class Shopper:
    """A shopper's reach: their own customer id (from the bearer) and the guest token sent."""

    principal: Principal
    cart_token: str | None

    def _admits(self, customer_id: str | None, token_hash: str | None) -> bool:
        if self.principal.owns(customer_id):
            return True
        if self.cart_token is None or token_hash is None:
            return False
        return hmac.compare_digest(hash_token(self.cart_token), token_hash)

    def cart(self, commerce: Commerce, cart_id: str) -> None:
        """Returns when the shopper may reach the cart; else the unknown cart's 404."""
        access = commerce.cart.access(cart_id)
        if not self._admits(access.customer_id, access.access_token_hash):
            raise CartNotFound(f"cart {cart_id} not found", id=cart_id)

    def order(self, commerce: Commerce, order_id: str) -> Order:
        order = commerce.orders.get(order_id)
        if not self._reaches_cart_of(commerce, order.customer_id, order.cart_id):
            raise OrderNotFound(f"order {order_id} not found", id=order_id)
        return order

    def checkout(self, commerce: Commerce, checkout_id: str) -> CheckoutSaga:
        saga = commerce.checkout.get(checkout_id)
        if not self._reaches_cart_of(commerce, saga.customer_id, saga.cart_id):
            raise CheckoutNotFound(f"checkout {checkout_id} not found", id=checkout_id)
        return saga

    def _reaches_cart_of(self, commerce: Commerce, customer_id: str | None,
                         cart_id: str) -> bool:
        # An order or checkout belongs to its customer, and to whoever holds its cart's token.
        if self.principal.owns(customer_id):
            return True
        try:
            access = commerce.cart.access(cart_id)
        except CartNotFound:
            return False
        return self._admits(access.customer_id, access.access_token_hash)


@_declares(Access("shopper"))
def shopper_access(
    principal: PrincipalDep,
    cart_token: Annotated[str | None, Header(
        alias=CART_TOKEN_HEADER, min_length=1, max_length=200,
        description="The guest token `POST /carts` answered; reaches the cart, its checkouts "
                    "and its order. A signed-in customer needs none for their own.")] = None,
) -> Shopper:
    return Shopper(principal, cart_token)


ShopperDep = Annotated[Shopper, Depends(shopper_access)]


def declared_access(route: Any) -> list[Access]:
    """The access declarations in a route's dependency tree (one, when it is declared well)."""
    found: list[Access] = []
    seen: set[int] = set()
    stack = [route.dependant] if getattr(route, "dependant", None) is not None else []
    while stack:
        dependant = stack.pop()
        for sub in dependant.dependencies:
            access = getattr(sub.call, _MARK, None)
            if access is not None and id(sub.call) not in seen:
                seen.add(id(sub.call))
                found.append(access)
            stack.append(sub)
    return found


def document_access(app: FastAPI) -> None:
    """State every operation's security in the document: the bearer scheme, and what the
    operation needs (`x-permission`, or `x-access: public|shopper`)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        first = app.openapi_schema is None
        document = build()
        if first:
            schemes = document.setdefault("components", {}).setdefault("securitySchemes", {})
            schemes[SCHEME] = {
                "type": "http", "scheme": "bearer",
                "description": "A token an authenticator of the chain accepts: the operator "
                               "token, or a staff, customer or app token.",
            }
            paths = document.get("paths", {})
            for route in iter_route_contexts(app.routes):
                if not getattr(route, "include_in_schema", False) or route.path not in paths:
                    continue
                declared = declared_access(route)
                for method in route.methods or ():
                    operation = paths[route.path].get(method.lower())
                    if operation is None or len(declared) != 1:
                        continue
                    _describe(operation, declared[0])
        return document

    # FastAPI documents replacing `app.openapi` to post-process the document; mypy sees a method.
    app.openapi = openapi  # type: ignore[method-assign]


def _describe(operation: dict[str, Any], access: Access) -> None:
    if access.kind == "permission":
        operation["security"] = [{SCHEME: []}]
        operation["x-permission"] = access.permission
    elif access.kind in ("account", "customer"):
        operation["security"] = [{SCHEME: []}]
        operation["x-access"] = access.kind
    elif access.kind == "shopper":
        # The bearer is optional: a guest reaches their cart with its token instead.
        operation["security"] = [{}, {SCHEME: []}]
        operation["x-access"] = "shopper"
    else:
        operation["security"] = []
        operation["x-access"] = "public"
