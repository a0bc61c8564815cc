"""Identity routes: sign-up, sign-in, MFA, refresh, sessions, the JWKS, and staff users and
roles under `/admin`.

The admin routes here check the caller's permission themselves (`require`): a staff access
token with a verified second factor and the permission, or the operator token, which acts as
the bootstrap super user named `operator`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, unquote

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Request, Response
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, RedirectResponse

from commerce_core.app import Commerce
from commerce_core.cart.commands import MergeGuestCart
from commerce_core.identity.errors import (
    AuthenticationFailed,
    InvalidClient,
    InvalidIdentityInput,
    PermissionDenied,
)
from commerce_core.identity.model import Account, AppClient
from commerce_core.identity.queries import LoginResult, TokenPair
from commerce_core.identity.roles import BUILT_IN_ROLES
from commerce_core.shared.errors import CommerceError
from commerce_core.shared.permissions import Permission
from commerce_core.shared.principal import ANONYMOUS, Principal
from entrypoints.http import access
from entrypoints.http.access import PUBLIC, SignedInDep
from entrypoints.http.dependencies import CommerceDep
from entrypoints.http.problems import PROBLEM_RESPONSES, HttpProblem, problem
from entrypoints.http.ratelimit import rate_limited
from entrypoints.http.schemas.cart import CartMergeOut
from entrypoints.http.schemas.common import MAX_OFFSET, RequestBody
from entrypoints.identity_keys import warn_if_dev_keys

router = APIRouter(tags=["auth"])
admin = APIRouter(tags=["users and roles"])

_bearer = HTTPBearer(auto_error=False, scheme_name="access token",
                     description="`Authorization: Bearer <access token>` from /auth/login")


def _unauthenticated(detail: str) -> HttpProblem:
    return HttpProblem(401, "auth.unauthenticated", detail,
                       headers={"WWW-Authenticate": "Bearer"})


def current_principal(principal: SignedInDep) -> Principal:
    """The caller an identity access token names (a second factor may still be owed)."""
    if principal.subject is None or principal.session_id is None:
        # Known, but not signed in through /auth/login (the operator token, an app): no
        # session of theirs to act on here.
        raise HttpProblem(403, "auth.forbidden", "This route is for a signed-in session.")
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require(permission: Permission) -> Callable[..., str]:
    """The acting staff account id (or `operator`) when the caller holds `permission`."""
    checked = access.require(permission)

    # A default, not `Annotated`: the annotation is a string and `checked` is not a global.
    def actor(principal: Principal = Depends(checked)) -> str:
        return principal.subject or "operator"

    return actor


# bodies


EMAIL_PATTERN = (r"^[^@\s\x00-\x20\x7f-\x9f]+@[^@\s\x00-\x20\x7f-\x9f]+"
                 r"\.[^@\s\x00-\x20\x7f-\x9f]+$")
ROLE_PATTERN = "^(" + "|".join(sorted(BUILT_IN_ROLES)) + ")$"
SCOPE_PATTERN = "^(" + "|".join(re.escape(p.value) for p in Permission) + ")$"
RoleName = Annotated[str, Field(pattern=ROLE_PATTERN)]
ScopeName = Annotated[str, Field(pattern=SCOPE_PATTERN)]
PASSWORD_RULE = ("At least 8 characters with an upper-case and a lower-case letter, a digit and "
                 "a special character")


class RegisterIn(RequestBody):
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    password: str = Field(min_length=8, max_length=1024, description=PASSWORD_RULE)
    name: str = Field("", max_length=200)
    locale: str = Field("vi", max_length=16)


class AccountOut(BaseModel):
    id: str
    kind: str
    email: str
    username: str | None
    name: str
    customer_id: str | None
    status: str
    roles: list[str]
    permissions_version: int
    mfa_enabled: bool
    email_verified: bool
    created_at: datetime

    @classmethod
    def of(cls, a: Account) -> AccountOut:
        return cls(id=a.id, kind=a.kind.value, email=a.email, username=a.username,
                   name=a.name, customer_id=a.customer_id, status=a.status.value,
                   roles=list(a.roles), permissions_version=a.permissions_version,
                   mfa_enabled=a.mfa_enabled, email_verified=a.email_verified,
                   created_at=a.created_at)


CartTokenHeader = Annotated[str | None, Header(
    alias=access.CART_TOKEN_HEADER, min_length=1, max_length=200,
    description="With `cart_id` in the body: the guest cart's token")]


class LoginIn(RequestBody):
    identifier: str = Field(max_length=254, description="Email, or a staff username")
    password: str = Field(max_length=1024)
    user_type: Literal["customer", "staff"] = "customer"
    cart_id: str | None = Field(
        None, max_length=100,
        description="A guest cart to merge into the customer's cart on sign-in; send its "
                    "token as `X-Cart-Token`")


class TokensOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"
    expires_in: int
    session_id: str
    mfa_verified: bool

    @classmethod
    def of(cls, t: TokenPair) -> TokensOut:
        return cls(access_token=t.access_token, refresh_token=t.refresh_token,
                   expires_in=t.expires_in, session_id=t.session_id,
                   mfa_verified=t.mfa_verified)


class LoginOut(TokensOut):
    mfa_required: bool = Field(description="True: the token allows only the /auth/mfa routes "
                                           "until a code is verified")
    mfa_enrolled: bool

    cart: CartMergeOut | None = Field(
        None, description="With `cart_id`: the merge of the guest cart (null when no cart was "
                          "given, a second factor is still owed, or the cart could not merge)")

    @classmethod
    def of_login(cls, r: LoginResult, cart: CartMergeOut | None = None) -> LoginOut:
        return cls(**TokensOut.of(r.tokens).model_dump(), mfa_required=r.mfa_required,
                   mfa_enrolled=r.mfa_enrolled, cart=cart)


class CodeIn(RequestBody):
    code: str = Field(min_length=6, max_length=32,
                      description="A 6-digit TOTP code, or a recovery code")


class RefreshIn(RequestBody):
    refresh_token: str = Field(max_length=512)


class EnrolmentOut(BaseModel):
    provisioning_uri: str = Field(description="Shown once: scan it into an authenticator app")
    secret: str


class ConfirmedOut(TokensOut):
    recovery_codes: list[str] = Field(description="Shown once; each works once")


class SessionOut(BaseModel):
    id: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    user_agent: str
    ip: str
    mfa_verified: bool
    current: bool


class StaffIn(RequestBody):
    username: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    password: str = Field(min_length=8, max_length=1024, description=PASSWORD_RULE)
    name: str = Field("", max_length=200)
    roles: list[RoleName] = Field(default_factory=list, max_length=20)


class RoleIn(RequestBody):
    role: RoleName


class RoleOut(BaseModel):
    name: str
    permissions: list[str]


# sign-up and sign-in


@router.post("/auth/register",
             dependencies=[PUBLIC, Depends(rate_limited("registration"))],
             status_code=201, summary="Create a customer account")
def register(body: RegisterIn, commerce: CommerceDep) -> AccountOut:
    return AccountOut.of(commerce.identity.register(body.email, body.password, name=body.name,
                                                    locale=body.locale))


@router.post("/auth/login",
             dependencies=[PUBLIC, Depends(rate_limited("login"))],
             summary="Sign in: tokens, with `mfa_required` when a second "
                                     "factor is owed")
def login(body: LoginIn, request: Request, commerce: CommerceDep,
          cart_token: CartTokenHeader = None) -> LoginOut:
    if body.cart_id is not None:
        # The guest cart is checked before signing in: a wrong token changes nothing.
        access.Shopper(ANONYMOUS, cart_token).cart(commerce, body.cart_id)
    client = request.client.host if request.client else ""
    result = commerce.identity.login(body.identifier, body.password,
                                     staff=body.user_type == "staff",
                                     user_agent=request.headers.get("user-agent", ""),
                                     ip=client)
    return LoginOut.of_login(result, _merge_on_login(commerce, body.cart_id, result))


def _merge_on_login(commerce: Commerce, cart_id: str | None,
                    result: LoginResult) -> CartMergeOut | None:
    if cart_id is None or result.mfa_required:
        return None
    customer_id = commerce.identity.authenticate(result.tokens.access_token).customer_id
    if customer_id is None:
        return None
    try:
        merged = commerce.handle(MergeGuestCart(cart_id, customer_id))
    except CommerceError:
        return None  # the sign-in stands; `POST /carts/{id}/merge` says why
    return CartMergeOut.of(merged, commerce.cart.get(merged.cart_id))


@router.post("/auth/refresh",
             dependencies=[PUBLIC, Depends(rate_limited("token_refresh"))],
             summary="A new token pair for a refresh token, which is spent")
def refresh(body: RefreshIn, commerce: CommerceDep) -> TokensOut:
    return TokensOut.of(commerce.identity.refresh(body.refresh_token))


@router.post("/auth/mfa/enroll", summary="Start TOTP enrolment: the secret, shown once")
def enroll(principal: PrincipalDep, commerce: CommerceDep) -> EnrolmentOut:
    assert principal.subject is not None
    enrolment = commerce.identity.enroll_mfa(principal.subject)
    return EnrolmentOut(provisioning_uri=enrolment.provisioning_uri, secret=enrolment.secret)


@router.post("/auth/mfa/confirm",
             summary="Confirm enrolment with a first code: MFA-verified tokens and the "
                     "recovery codes")
def confirm(body: CodeIn, principal: PrincipalDep, commerce: CommerceDep) -> ConfirmedOut:
    assert principal.subject is not None
    assert principal.session_id is not None
    done = commerce.identity.confirm_mfa(principal.subject, principal.session_id, body.code)
    return ConfirmedOut(**TokensOut.of(done.tokens).model_dump(),
                        recovery_codes=list(done.recovery_codes))


@router.post("/auth/mfa/verify", summary="Verify a TOTP or recovery code: MFA-verified tokens")
def verify(body: CodeIn, principal: PrincipalDep, commerce: CommerceDep) -> TokensOut:
    assert principal.subject is not None
    assert principal.session_id is not None
    return TokensOut.of(commerce.identity.verify_mfa(principal.subject, principal.session_id,
                                                     body.code))


class ReauthenticateIn(RequestBody):
    password: str = Field(max_length=1024)
    code: str | None = Field(None, min_length=6, max_length=32,
                             description="A TOTP or recovery code, when a second factor is "
                                         "enrolled")


@router.post("/auth/reauthenticate", status_code=204,
             dependencies=[Depends(rate_limited("login"))],
             summary="Step-up: prove your account again before a sensitive action",
             description="Sensitive staff actions (users.manage, roles.assign, system.admin) "
                         "need a proof of the account from the last 15 minutes; after that "
                         "they answer 401 `auth.reauthentication_required`. The password, plus "
                         "a code when MFA is enrolled; wrong proofs count towards the lockout.")
def reauthenticate(body: ReauthenticateIn, principal: PrincipalDep,
                   commerce: CommerceDep) -> Response:
    assert principal.subject is not None
    assert principal.session_id is not None
    commerce.identity.reauthenticate(principal.subject, principal.session_id, body.password,
                                     body.code)
    return Response(status_code=204)


@router.post("/auth/logout", status_code=204, summary="End this session")
def logout(principal: PrincipalDep, commerce: CommerceDep) -> Response:
    assert principal.session_id is not None
    commerce.identity.logout(principal.session_id)
    return Response(status_code=204)


@router.get("/auth/sessions", summary="Your open sessions, oldest first")
def sessions(principal: PrincipalDep, commerce: CommerceDep) -> list[SessionOut]:
    assert principal.subject is not None
    return [SessionOut(id=s.id, created_at=s.created_at, last_used_at=s.last_used_at,
                       expires_at=s.expires_at, user_agent=s.user_agent, ip=s.ip,
                       mfa_verified=s.mfa_verified, current=s.current)
            for s in commerce.identity.sessions(principal.subject,
                                                current=principal.session_id)]


@router.delete("/auth/sessions/{session_id}", status_code=204,
               summary="End one of your sessions")
def revoke_session(session_id: str, principal: PrincipalDep,
                   commerce: CommerceDep) -> Response:
    assert principal.subject is not None
    commerce.identity.revoke_session(principal.subject, session_id)
    return Response(status_code=204)


class EmailIn(RequestBody):
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    user_type: Literal["customer", "staff"] = "customer"


class ResetIn(RequestBody):
    token: str = Field(max_length=512)
    password: str = Field(min_length=8, max_length=1024, description=PASSWORD_RULE)


class TokenIn(RequestBody):
    token: str = Field(max_length=512)


@router.post("/auth/password/forgot",
             dependencies=[PUBLIC, Depends(rate_limited("password_reset"))],
             status_code=202, response_class=Response,
             summary="Send a reset link (valid 1 h) if the email has an account; the answer is "
                     "the same either way")
def forgot_password(body: EmailIn, commerce: CommerceDep) -> Response:
    commerce.identity.request_password_reset(body.email, staff=body.user_type == "staff")
    return Response(status_code=202)


@router.post("/auth/password/reset",
             dependencies=[PUBLIC, Depends(rate_limited("password_reset"))],
             status_code=204,
             summary="Set a new password with a reset link's token; every session ends")
def reset_password(body: ResetIn, commerce: CommerceDep) -> Response:
    commerce.identity.reset_password(body.token, body.password)
    return Response(status_code=204)


@router.post("/auth/email/verification", dependencies=[PUBLIC], status_code=202,
             response_class=Response,
             summary="Send a new verification link (valid 24 h) to an unverified account")
def request_verification(body: EmailIn, commerce: CommerceDep) -> Response:
    commerce.identity.request_email_verification(body.email)
    return Response(status_code=202)


@router.post("/auth/email/verify",
             dependencies=[PUBLIC],
             summary="Verify the email with a verification link's token")
def verify_email(body: TokenIn, commerce: CommerceDep) -> AccountOut:
    return AccountOut.of(commerce.identity.verify_email(body.token))


OIDC_COOKIE = "commerce_oidc"


@router.get("/auth/oidc/{provider}/start", dependencies=[PUBLIC], status_code=302,
            summary="Sign in with an OpenID provider: redirects there, binding the attempt to "
                    "this browser with an HttpOnly cookie")
def oidc_start(provider: str, request: Request, commerce: CommerceDep) -> Response:
    callback = str(request.url_for("oidc_callback", provider=provider))
    start = commerce.identity.oidc_begin(provider, callback)
    response = RedirectResponse(start.url, status_code=302)
    response.set_cookie(OIDC_COOKIE, start.binding, max_age=600, httponly=True,
                        secure=request.url.scheme == "https", samesite="lax",
                        path="/auth/oidc")
    return response


@router.get("/auth/oidc/{provider}/callback", dependencies=[PUBLIC], name="oidc_callback",
            summary="The provider's return: tokens when the state matches this browser's")
def oidc_callback(
    provider: str, request: Request, commerce: CommerceDep,
    code: Annotated[str, Query(max_length=2048)],
    state: Annotated[str, Query(max_length=512)],
) -> Response:
    binding = request.cookies.get(OIDC_COOKIE, "")
    client = request.client.host if request.client else ""
    result = commerce.identity.oidc_complete(
        provider, code=code, state=state, binding=binding,
        user_agent=request.headers.get("user-agent", ""), ip=client)
    response = JSONResponse(LoginOut.of_login(result).model_dump())
    response.delete_cookie(OIDC_COOKIE, path="/auth/oidc")
    return response


@router.get("/.well-known/jwks.json",
            dependencies=[PUBLIC],
            summary="The public keys that verify access tokens")
def jwks(commerce: CommerceDep, response: Response) -> dict[str, Any]:
    response.headers["Cache-Control"] = "public, max-age=300"
    return commerce.identity.jwks()


# staff users and roles


@admin.get("/users", summary="Staff users, by username (deleted ones left out)")
def list_users(
    commerce: CommerceDep, _: Annotated[str, Depends(require(Permission.USERS_READ))],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[AccountOut]:
    return [AccountOut.of(a) for a in commerce.identity.users(limit=limit, offset=offset)]


@admin.post("/users", status_code=201,
            summary="Create a staff user (MFA enrolment is due at the first sign-in)")
def create_user(body: StaffIn, commerce: CommerceDep,
                actor: Annotated[str, Depends(require(Permission.USERS_MANAGE))]) -> AccountOut:
    if body.roles and actor != "operator":
        # Creating a user with roles is assigning them: the same permission is needed.
        _check(commerce, actor, Permission.ROLES_ASSIGN)
    return AccountOut.of(commerce.identity.create_staff_user(
        body.username, body.email, body.password, name=body.name, roles=tuple(body.roles),
        created_by=actor))


def _check(commerce: Commerce, actor: str, permission: Permission) -> None:
    if permission.value not in commerce.identity.permissions(actor):
        raise PermissionDenied(f"this needs the permission {permission.value}",
                               permission=permission.value)


@admin.get("/users/{account_id}", summary="One staff user")
def get_user(account_id: str, commerce: CommerceDep,
             _: Annotated[str, Depends(require(Permission.USERS_READ))]) -> AccountOut:
    return AccountOut.of(commerce.identity.user(account_id))


@admin.post("/users/{account_id}/roles", summary="Give a role (never to yourself)")
def assign_role(account_id: str, body: RoleIn, commerce: CommerceDep,
                actor: Annotated[str, Depends(require(Permission.ROLES_ASSIGN))]) -> AccountOut:
    return AccountOut.of(commerce.identity.assign_role(account_id, body.role, by=actor))


@admin.delete("/users/{account_id}/roles/{role}", summary="Take a role away")
def revoke_role(account_id: str, role: Annotated[str, Path(pattern=ROLE_PATTERN)],
                commerce: CommerceDep,
                actor: Annotated[str, Depends(require(Permission.ROLES_ASSIGN))]) -> AccountOut:
    return AccountOut.of(commerce.identity.revoke_role(account_id, role, by=actor))


class StatusIn(RequestBody):
    status: Literal["active", "inactive", "suspended", "deleted"]


@admin.put("/users/{account_id}/status",
           summary="Suspend, deactivate, delete or reactivate a staff user (never yourself); "
                   "anything but active ends their sessions at once")
def change_status(account_id: str, body: StatusIn, commerce: CommerceDep,
                  actor: Annotated[str, Depends(require(Permission.USERS_MANAGE))]
                  ) -> AccountOut:
    return AccountOut.of(commerce.identity.change_status(account_id, body.status, by=actor))


@admin.get("/roles", summary="The built-in roles and their permissions")
def list_roles(commerce: CommerceDep,
               _: Annotated[str, Depends(require(Permission.USERS_READ))]) -> list[RoleOut]:
    return [RoleOut(name=name, permissions=sorted(permissions))
            for name, permissions in sorted(commerce.identity.roles().items())]


class AppIn(RequestBody):
    name: str = Field(max_length=100, pattern=r"\S")
    scopes: list[ScopeName] = Field(min_length=1, max_length=50,
                              description="Permission names (GET /admin/roles lists them)")


class AppOut(BaseModel):
    client_id: str
    name: str
    scopes: list[str]
    status: str
    created_by: str
    created_at: datetime


class RegisteredAppOut(AppOut):
    client_secret: str = Field(description="Shown once; only its digest is kept")


def _app_out(app: AppClient) -> dict[str, Any]:
    return {"client_id": app.id, "name": app.name, "scopes": list(app.scopes),
            "status": app.status.value, "created_by": app.created_by,
            "created_at": app.created_at}


@admin.post("/apps", status_code=201,
            summary="Register an app for OAuth2 client credentials (its secret is shown once)")
def register_app(body: AppIn, commerce: CommerceDep,
                 actor: Annotated[str, Depends(require(Permission.SYSTEM_ADMIN))]
                 ) -> RegisteredAppOut:
    registered = commerce.identity.register_app(body.name, tuple(body.scopes),
                                                created_by=actor)
    return RegisteredAppOut(**_app_out(registered.app),
                            client_secret=registered.client_secret)


@admin.get("/apps", summary="Registered apps, by name")
def list_apps(commerce: CommerceDep,
              _: Annotated[str, Depends(require(Permission.USERS_READ))]) -> list[AppOut]:
    return [AppOut(**_app_out(a)) for a in commerce.identity.apps(limit=500)]


@admin.delete("/apps/{client_id}", summary="Revoke an app: its tokens stop working at once")
def revoke_app(client_id: str, commerce: CommerceDep,
               _: Annotated[str, Depends(require(Permission.SYSTEM_ADMIN))]) -> AppOut:
    return AppOut(**_app_out(commerce.identity.revoke_app(client_id)))


class AppTokenOut(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    scope: str


@router.post("/auth/token",
             dependencies=[PUBLIC, Depends(rate_limited("token_refresh"))],
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/x-www-form-urlencoded": {"schema": {
                     "type": "object", "required": ["grant_type"],
                     "properties": {
                         "grant_type": {"type": "string", "enum": ["client_credentials"]},
                         "client_id": {"type": "string", "maxLength": 200},
                         "client_secret": {"type": "string", "maxLength": 500},
                         "scope": {"type": "string", "maxLength": 2000}}}}}}},
             summary="OAuth2 client credentials (RFC 6749 §4.4): a form with "
                                    "grant_type, client_id, client_secret (or HTTP Basic), "
                                    "scope")
async def app_token(request: Request, commerce: CommerceDep) -> AppTokenOut:
    body = await request.body()
    if len(body) > 4096:
        raise InvalidIdentityInput("the token request is too large")
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    if form.get("grant_type") != "client_credentials":
        raise InvalidIdentityInput("grant_type must be client_credentials",
                                   error="unsupported_grant_type")
    client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
    basic = request.headers.get("authorization", "")
    if basic.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(basic[6:].strip(), validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            raise InvalidClient("malformed Basic credentials") from None
        user, _, password = decoded.partition(":")
        client_id, client_secret = unquote(user), unquote(password)
    scopes = tuple(form.get("scope", "").split())
    token = await run_in_threadpool(commerce.identity.app_token, client_id, client_secret,
                                    scopes)
    return AppTokenOut(access_token=token.access_token, expires_in=token.expires_in,
                       scope=" ".join(token.scopes))


async def _authentication_failed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AuthenticationFailed)
    return problem(request, 401, exc.code, exc.message, title="Unauthorized",
                   extensions=exc.details,
                   headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def install(app: FastAPI) -> None:
    """The routes, and 401 for every failed authentication (the core's categories have no
    such status)."""
    warn_if_dev_keys(app.state.settings)
    app.add_exception_handler(AuthenticationFailed, _authentication_failed)
    app.include_router(router, responses=PROBLEM_RESPONSES)
    app.include_router(admin, prefix="/admin", responses=PROBLEM_RESPONSES)
