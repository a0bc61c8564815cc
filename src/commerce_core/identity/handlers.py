"""Identity use cases: registration, sign-in with lockout, MFA, refresh rotation, roles.

A failed sign-in commits the failure before it is refused (the lockout counter must survive
the refusal). Tokens are handed out only after the transaction that records them committed:
if the store cannot write the rotation, nothing new is issued (fail-closed).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from datetime import datetime, timedelta

from attrs import frozen

from commerce_core.identity.commands import (
    AssignRole,
    ChangeUserStatus,
    CompleteOidcLogin,
    ConfirmMfa,
    CreateStaffUser,
    EnrollMfa,
    IssueAppToken,
    Login,
    Logout,
    Reauthenticate,
    RefreshTokens,
    RegisterApp,
    RegisterCustomer,
    RequestEmailVerification,
    RequestPasswordReset,
    ResetPassword,
    RevokeApp,
    RevokeRole,
    RevokeSession,
    VerifyEmail,
    VerifyMfa,
)
from commerce_core.identity.errors import (
    AppNotFound,
    AuthenticationFailed,
    EmailTaken,
    InvalidClient,
    InvalidIdentityInput,
    InvalidMfaCode,
    InvalidScope,
    InvalidToken,
    MfaState,
    NotStaff,
    OidcFailed,
    OidcStateMismatch,
    OneTimeTokenInvalid,
    PermissionDenied,
    RefreshTokenReused,
    SessionNotFound,
    UnknownProvider,
    UsernameTaken,
    UserNotFound,
    WeakPassword,
)
from commerce_core.identity.model import (
    Account,
    AccountKind,
    AccountStatus,
    AppClient,
    OAuthLink,
    Session,
)
from commerce_core.identity.ports import (
    AccessClaims,
    IdentityKit,
    IdentityUnitOfWork,
    OidcProvider,
)
from commerce_core.identity.queries import (
    AppToken,
    Enrolment,
    LoginResult,
    MfaConfirmed,
    OidcStart,
    RegisteredApp,
    TokenPair,
)
from commerce_core.identity.roles import permissions_of
from commerce_core.shared.bus import Handlers
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import CommerceError, ConcurrencyConflict
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.permissions import ALL_PERMISSIONS, Permission
from commerce_core.shared.uow import UnitOfWorkFactory, retrying

# An account made by an OpenID sign-in has no password: no argon2 hash ever equals this.
NO_PASSWORD = "!"
BOOTSTRAP_OPERATOR = "operator"  # the operator token's name as an actor
RECOVERY_CODES = 10
# Control characters are named: `\s` differs between regex dialects (Python counts \x1c-\x1f).
_EMAIL = re.compile(r"^[^@\s\x00-\x20\x7f-\x9f]+@[^@\s\x00-\x20\x7f-\x9f]+"
                    r"\.[^@\s\x00-\x20\x7f-\x9f]+$")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_SPECIAL = re.compile(r"[^A-Za-z0-9]")


@frozen
class IdentityPolicy:
    access_ttl: timedelta = timedelta(hours=1)
    customer_session: timedelta = timedelta(days=30)
    staff_session: timedelta = timedelta(hours=4)
    max_sessions: int = 10
    totp_window: int = 1  # steps either side: one 30 s step of clock drift
    # The token just rotated, presented again this soon, is a client's duplicate request (two
    # tabs, a retry) racing the rotation: refused, but the session is not ended for it.
    reuse_grace: timedelta = timedelta(seconds=5)
    reset_ttl: timedelta = timedelta(hours=1)
    verification_ttl: timedelta = timedelta(hours=24)
    oidc_ttl: timedelta = timedelta(minutes=10)  # from leaving for the provider to coming back
    # How long a proof of the account (sign-in, second factor, `POST /auth/reauthenticate`)
    # covers the sensitive actions of `roles.STEP_UP`.
    step_up_window: timedelta = timedelta(minutes=15)


def check_password(password: str) -> None:
    """At least 8 characters with upper- and lower-case letters, a digit and a special one."""
    missing = [what for what, ok in (
        ("8 characters", len(password) >= 8),
        ("an upper-case letter", any(c.isupper() for c in password)),
        ("a lower-case letter", any(c.islower() for c in password)),
        ("a digit", any(c.isdigit() for c in password)),
        ("a special character", bool(_SPECIAL.search(password))),
    ) if not ok]
    if missing:
        raise WeakPassword("the password needs " + ", ".join(missing), missing=missing)
    if len(password) > 1024:
        raise WeakPassword("the password is longer than 1024 characters")


def normal_email(email: str) -> str:
    cleaned = email.strip().lower()
    if not _EMAIL.match(cleaned) or len(cleaned) > 254:
        raise InvalidIdentityInput(f"{email!r} is not an email address", field="email")
    return cleaned


def digest(secret: str) -> str:
    """Tokens and recovery codes are high-entropy random strings: SHA-256 suffices to keep
    them out of storage in clear (a slow hash is for guessable passwords)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_refresh(session_id: str) -> str:
    # The session id in front finds the family; only the digest of the whole token is stored.
    return f"{session_id}.{secrets.token_urlsafe(32)}"


def _checked_scopes(scopes: tuple[str, ...]) -> tuple[str, ...]:
    unknown = sorted(set(scopes) - ALL_PERMISSIONS)
    if unknown:
        raise InvalidScope(f"not permission names: {', '.join(unknown)}", scopes=unknown)
    return tuple(sorted(set(scopes)))


def _one_time(account_id: str) -> str:
    return f"{account_id}.{secrets.token_urlsafe(32)}"


def _recovery_code() -> str:
    raw = secrets.token_hex(5)
    return f"{raw[:5]}-{raw[5:]}"


def _normal_recovery(code: str) -> str:
    return code.strip().lower().replace(" ", "")


class IdentityHandlers:
    def __init__(self, uow: UnitOfWorkFactory[IdentityUnitOfWork], kit: IdentityKit,
                 clock: Clock, ids: IdGenerator, policy: IdentityPolicy | None = None) -> None:
        self._uow, self._kit, self._clock, self._ids = uow, kit, clock, ids
        self.policy = policy or IdentityPolicy()
        self._dummy: str | None = None

    def handlers(self) -> Handlers:
        return {
            RegisterCustomer: self.register_customer,
            CreateStaffUser: self.create_staff_user,
            Login: self.login,
            RefreshTokens: self.refresh,
            EnrollMfa: self.enroll_mfa,
            ConfirmMfa: self.confirm_mfa,
            VerifyMfa: self.verify_mfa,
            Logout: self.logout,
            RevokeSession: self.revoke_session,
            AssignRole: self.assign_role,
            RevokeRole: self.revoke_role,
            RequestPasswordReset: self.request_password_reset,
            ResetPassword: self.reset_password,
            RequestEmailVerification: self.request_email_verification,
            VerifyEmail: self.verify_email,
            Reauthenticate: self.reauthenticate,
            RegisterApp: self.register_app,
            RevokeApp: self.revoke_app,
            IssueAppToken: self.issue_app_token,
            CompleteOidcLogin: self.complete_oidc,
            ChangeUserStatus: self.change_user_status,
        }

    # accounts

    def register_customer(self, cmd: RegisterCustomer) -> Account:
        email = normal_email(cmd.email)
        check_password(cmd.password)
        hashed = self._kit.hasher.hash(cmd.password)
        now = self._clock.now()
        with self._uow() as uow:
            if uow.accounts.by_email(AccountKind.CUSTOMER, email) is not None:
                raise EmailTaken("an account with this email exists", email=email)
            account = Account.customer(self._ids.new_id(), self._ids.new_id(), email,
                                       cmd.name.strip()[:200], cmd.locale[:16], hashed, now=now)
            token = _one_time(account.id)
            expires = now + self.policy.verification_ttl
            account.start_verification(digest(token), expires)
            uow.accounts.add(account)
            uow.commit()  # the unique index decides between concurrent registrations
        if self._kit.delivery is not None:
            self._kit.delivery.email_verification(email, token, expires, locale=account.locale,
                                                  customer_id=account.customer_id)
        return account

    def create_staff_user(self, cmd: CreateStaffUser) -> Account:
        email = normal_email(cmd.email)
        username = cmd.username.strip().lower()
        if not _USERNAME.match(username):
            raise InvalidIdentityInput(
                "a username is 2-64 characters: lower-case letters, digits, '.', '_', '-'",
                field="username")
        check_password(cmd.password)
        hashed = self._kit.hasher.hash(cmd.password)
        now = self._clock.now()
        with self._uow() as uow:
            if uow.accounts.by_email(AccountKind.STAFF, email) is not None:
                raise EmailTaken("a staff user with this email exists", email=email)
            if uow.accounts.by_username(username) is not None:
                raise UsernameTaken("this username is taken", username=username)
            account = Account.staff(self._ids.new_id(), username, email, cmd.name.strip()[:200],
                                    hashed, cmd.roles, created_by=cmd.created_by, now=now)
            uow.accounts.add(account)
            uow.commit()
        return account

    # sign-in

    def login(self, cmd: Login) -> LoginResult:
        now = self._clock.now()
        account_id, passed, rehashed = "", False, None
        try:
            with self._uow() as uow:
                account = self._find(uow, cmd.user_type, cmd.identifier)
                if account is None:
                    # Spend the same time as for a real account, so timing tells nothing.
                    self._kit.hasher.verify(self._dummy_hash(), cmd.password)
                    raise AuthenticationFailed("wrong email or password")
                account_id = account.id
                account.ensure_may_sign_in(now)
                if not self._kit.hasher.verify(account.password_hash, cmd.password):
                    account.password_failed(now)
                    uow.commit()
                    raise AuthenticationFailed("wrong email or password")
                passed = True
                rehashed = (self._kit.hasher.hash(cmd.password)
                            if self._kit.hasher.needs_rehash(account.password_hash) else None)
                account.password_passed(now, rehashed)
                session, refresh = self._start_session(uow, account, cmd.user_agent, cmd.ip,
                                                       now)
                uow.commit()
        except ConcurrencyConflict:
            # A concurrent sign-in of this account committed first. The password is checked
            # once; its outcome is recorded again on a fresh read, so a guess racing others is
            # still counted (the lockout holds) and a right password still signs in.
            result: LoginResult = retrying(
                lambda: self._record_login(account_id, passed, rehashed, cmd, now),
                retry_on=ConcurrencyConflict, attempts=50)
            return result
        return LoginResult(self._pair(account, session, refresh, now), account.needs_mfa,
                           account.mfa_enabled)

    def _record_login(self, account_id: str, passed: bool, rehashed: str | None, cmd: Login,
                      now: datetime) -> LoginResult:
        with self._uow() as uow:
            account = uow.accounts.get(account_id)
            account.ensure_may_sign_in(now)  # the racing failures may have locked it
            if not passed:
                account.password_failed(now)
                uow.commit()
                raise AuthenticationFailed("wrong email or password")
            account.password_passed(now, rehashed)
            session, refresh = self._start_session(uow, account, cmd.user_agent, cmd.ip, now)
            uow.commit()
        return LoginResult(self._pair(account, session, refresh, now), account.needs_mfa,
                           account.mfa_enabled)

    def _start_session(self, uow: IdentityUnitOfWork, account: Account, user_agent: str,
                       ip: str, now: datetime) -> tuple[Session, str]:
        open_sessions = uow.sessions.open_for(account.id, now)
        # The eleventh sign-in ends the oldest session: ten remain.
        for old in open_sessions[:max(0, len(open_sessions) - self.policy.max_sessions + 1)]:
            old.revoke("session_limit", now)
        refresh = _new_refresh(self._ids.new_id())
        session_id = refresh.partition(".")[0]
        lifetime = (self.policy.staff_session if account.is_staff
                    else self.policy.customer_session)
        session = Session.start(session_id, account, digest(refresh), lifetime=lifetime,
                                user_agent=user_agent, ip=ip, now=now)
        if not account.needs_mfa:
            session.mfa_verified = True  # no second factor owed
        uow.sessions.add(session)
        return session, refresh

    def refresh(self, cmd: RefreshTokens) -> TokenPair:
        session_id, _, secret = cmd.refresh_token.partition(".")
        if not session_id or not secret:
            raise InvalidToken("not a refresh token")
        presented = digest(cmd.refresh_token)
        now = self._clock.now()
        with self._uow() as uow:
            try:
                session = uow.sessions.get(session_id)
            except SessionNotFound:
                raise InvalidToken("not a refresh token") from None
            if session.rotated_hashes and hmac.compare_digest(
                    presented, session.rotated_hashes[-1]) \
                    and now - session.last_used_at < self.policy.reuse_grace:
                raise InvalidToken("the refresh token was just used")
            if any(hmac.compare_digest(presented, old) for old in session.rotated_hashes):
                session.revoke("refresh_reuse", now)
                uow.commit()
                raise RefreshTokenReused("the refresh token was already used; the session "
                                         "is revoked")
            if not hmac.compare_digest(presented, session.refresh_hash) \
                    or not session.active(now):
                raise InvalidToken("the refresh token is not valid")
            account = uow.accounts.get(session.account_id)
            if account.status is not AccountStatus.ACTIVE:
                session.revoke("account_inactive", now)
                uow.commit()
                raise InvalidToken("the account cannot sign in")
            refresh = _new_refresh(session.id)
            session.rotate(digest(refresh), now)
            try:
                uow.commit()
            except ConcurrencyConflict:
                # Another rotation of this token won: it holds the only new pair.
                raise InvalidToken("the refresh token was just used") from None
        return self._pair(account, session, refresh, now)

    # second factor

    def enroll_mfa(self, cmd: EnrollMfa) -> Enrolment:
        secret = self._kit.totp.new_secret()
        now = self._clock.now()
        with self._uow() as uow:
            account = uow.accounts.get(cmd.account_id)
            account.begin_mfa(self._kit.sealer.seal(secret), now)
            uow.commit()
        label = account.username or account.email
        return Enrolment(self._kit.totp.provisioning_uri(secret, label, self._kit.issuer),
                         secret)

    def confirm_mfa(self, cmd: ConfirmMfa) -> MfaConfirmed:
        now = self._clock.now()
        codes = tuple(_recovery_code() for _ in range(RECOVERY_CODES))
        with self._uow() as uow:
            account, session = self._own_session(uow, cmd.account_id, cmd.session_id, now)
            if account.mfa_enabled or account.totp_secret is None:
                raise MfaState("no enrolment is waiting for confirmation")
            step = self._kit.totp.match(self._kit.sealer.open(account.totp_secret), cmd.code,
                                        now, self.policy.totp_window)
            if step is None:
                raise InvalidMfaCode("the code is not valid")
            account.confirm_mfa(step, tuple(digest(c) for c in codes), now)
            refresh = _new_refresh(session.id)
            session.mark_mfa_verified(digest(refresh), now)
            uow.commit()
        return MfaConfirmed(self._pair(account, session, refresh, now), codes)

    def verify_mfa(self, cmd: VerifyMfa) -> TokenPair:
        now = self._clock.now()
        wrong = False
        try:
            with self._uow() as uow:
                account, session = self._own_session(uow, cmd.account_id, cmd.session_id, now)
                if not account.mfa_enabled or account.totp_secret is None:
                    raise MfaState("no second factor is enrolled; enrol one first")
                if not self._second_factor(account, cmd.code, now):
                    # Wrong codes count towards the lockout, as wrong passwords do.
                    wrong = True
                    account.password_failed(now)
                    uow.commit()
                    raise InvalidMfaCode("the code is not valid")
                refresh = _new_refresh(session.id)
                session.mark_mfa_verified(digest(refresh), now)
                uow.commit()
        except ConcurrencyConflict:
            if not wrong:
                raise  # a right code racing another use of the account: the client retries
            # A wrong code racing others is counted all the same (see `login`).
            retrying(lambda: self._count_failure(cmd.account_id, now),
                     retry_on=ConcurrencyConflict, attempts=50)
            raise InvalidMfaCode("the code is not valid") from None
        return self._pair(account, session, refresh, now)

    def reauthenticate(self, cmd: Reauthenticate) -> None:
        """Wrong proofs count towards the lockout like a wrong sign-in; a right one renews the
        session's `authenticated_at`."""
        now = self._clock.now()
        wrong: AuthenticationFailed | None = None
        try:
            with self._uow() as uow:
                account, session = self._own_session(uow, cmd.account_id, cmd.session_id, now)
                account.ensure_may_sign_in(now)
                if not self._kit.hasher.verify(account.password_hash, cmd.password):
                    wrong = AuthenticationFailed("wrong password")
                elif account.mfa_enabled and not (
                        cmd.code and self._second_factor(account, cmd.code, now)):
                    wrong = InvalidMfaCode("a valid second-factor code is needed")
                if wrong is not None:
                    account.password_failed(now)
                    uow.commit()
                    raise wrong
                session.reauthenticated(now)
                uow.commit()
        except ConcurrencyConflict:
            if wrong is None:
                raise
            retrying(lambda: self._count_failure(cmd.account_id, now),
                     retry_on=ConcurrencyConflict, attempts=50)
            raise wrong from None

    def _count_failure(self, account_id: str, now: datetime) -> None:
        with self._uow() as uow:
            uow.accounts.get(account_id).password_failed(now)
            uow.commit()

    def _second_factor(self, account: Account, code: str, now: datetime) -> bool:
        cleaned = code.strip().replace(" ", "")
        if cleaned.isdigit() and len(cleaned) == 6:
            assert account.totp_secret is not None
            step = self._kit.totp.match(self._kit.sealer.open(account.totp_secret), cleaned,
                                        now, self.policy.totp_window)
            if step is None:
                return False
            account.use_totp_step(step)  # a replayed code raises
            return True
        return account.use_recovery_code(digest(_normal_recovery(code)), now)

    # sessions

    def logout(self, cmd: Logout) -> None:
        now = self._clock.now()
        with self._uow() as uow:
            uow.sessions.get(cmd.session_id).revoke("logout", now)
            uow.commit()

    def revoke_session(self, cmd: RevokeSession) -> None:
        now = self._clock.now()
        with self._uow() as uow:
            session = uow.sessions.get(cmd.session_id)
            if session.account_id != cmd.account_id:
                raise SessionNotFound(f"session {cmd.session_id} not found", id=cmd.session_id)
            session.revoke(cmd.reason, now)
            uow.commit()

    # roles

    def assign_role(self, cmd: AssignRole) -> Account:
        return self._change_role(cmd.account_id, cmd.assigned_by, cmd.role, assign=True)

    def revoke_role(self, cmd: RevokeRole) -> Account:
        return self._change_role(cmd.account_id, cmd.revoked_by, cmd.role, assign=False)

    def _change_role(self, account_id: str, actor: str, role: str, *, assign: bool) -> Account:
        now = self._clock.now()
        with self._uow() as uow:
            if actor != BOOTSTRAP_OPERATOR:
                try:
                    acting = uow.accounts.get(actor)
                except UserNotFound:
                    raise PermissionDenied("unknown actor") from None
                if not acting.is_staff or acting.status is not AccountStatus.ACTIVE or \
                        Permission.ROLES_ASSIGN.value not in permissions_of(acting.roles):
                    raise PermissionDenied("assigning roles needs roles.assign",
                                           permission=Permission.ROLES_ASSIGN.value)
            account = uow.accounts.get(account_id)
            if not account.is_staff:
                raise NotStaff("roles are for staff users", id=account_id)
            if assign:
                account.assign_role(role, by=actor, now=now)
            else:
                account.revoke_role(role, by=actor, now=now)
            uow.commit()  # the role and the new permissions_version in one transaction
        return account

    def change_user_status(self, cmd: ChangeUserStatus) -> Account:
        try:
            status = AccountStatus(cmd.status)
        except ValueError:
            raise InvalidIdentityInput(
                f"status is one of {', '.join(s.value for s in AccountStatus)}",
                field="status") from None
        now = self._clock.now()
        with self._uow() as uow:
            account = uow.accounts.get(cmd.account_id)
            if not account.is_staff:
                raise NotStaff("customer status belongs to the customer context",
                                           id=cmd.account_id)
            ending = (uow.sessions.open_for(account.id, now)
                      if status is not AccountStatus.ACTIVE else [])
            account.change_status(status, by=cmd.changed_by, sessions_revoked=len(ending),
                                  now=now)
            for session in ending:
                session.revoke(f"account_{status.value}", now)
            uow.commit()
        return account

    # one-time links

    def request_password_reset(self, cmd: RequestPasswordReset) -> None:
        now = self._clock.now()
        try:
            email = normal_email(cmd.email)
        except InvalidIdentityInput:
            return
        with self._uow() as uow:
            account = uow.accounts.by_email(cmd.user_type, email)
            if account is None or account.status is not AccountStatus.ACTIVE:
                return  # the caller learns nothing about which emails exist
            token = _one_time(account.id)
            expires = now + self.policy.reset_ttl
            account.start_reset(digest(token), expires)
            uow.commit()
        if self._kit.delivery is not None:
            self._kit.delivery.password_reset(account.email, token, expires,
                                              locale=account.locale,
                                              customer_id=account.customer_id)
        return

    def reset_password(self, cmd: ResetPassword) -> None:
        """A new password; every open session of the account ends with the old one."""
        check_password(cmd.new_password)
        hashed = self._kit.hasher.hash(cmd.new_password)
        now = self._clock.now()
        with self._uow() as uow:
            account = self._token_owner(uow, cmd.token)
            sessions = uow.sessions.open_for(account.id, now)
            account.reset_password(digest(cmd.token), hashed, len(sessions), now)
            for session in sessions:
                session.revoke("password_reset", now)
            uow.commit()

    def request_email_verification(self, cmd: RequestEmailVerification) -> None:
        now = self._clock.now()
        try:
            email = normal_email(cmd.email)
        except InvalidIdentityInput:
            return
        with self._uow() as uow:
            account = uow.accounts.by_email(AccountKind.CUSTOMER, email)
            if account is None or account.email_verified:
                return
            token = _one_time(account.id)
            expires = now + self.policy.verification_ttl
            account.start_verification(digest(token), expires)
            uow.commit()
        if self._kit.delivery is not None:
            self._kit.delivery.email_verification(account.email, token, expires,
                                                  locale=account.locale,
                                                  customer_id=account.customer_id)
        return

    def verify_email(self, cmd: VerifyEmail) -> Account:
        now = self._clock.now()
        with self._uow() as uow:
            account = self._token_owner(uow, cmd.token)
            account.verify_email(digest(cmd.token), now)
            uow.commit()
        return account

    def _token_owner(self, uow: IdentityUnitOfWork, token: str) -> Account:
        account_id, _, secret = token.partition(".")
        if not account_id or not secret:
            raise OneTimeTokenInvalid("the link is not valid")
        try:
            return uow.accounts.get(account_id)
        except UserNotFound:
            raise OneTimeTokenInvalid("the link is not valid") from None

    # apps (OAuth2 client credentials)

    def register_app(self, cmd: RegisterApp) -> RegisteredApp:
        name = cmd.name.strip()
        if not name or len(name) > 100:
            raise InvalidIdentityInput("an app needs a name of 1-100 characters", field="name")
        scopes = _checked_scopes(cmd.scopes)
        if not scopes:
            raise InvalidScope("an app needs at least one scope")
        secret = secrets.token_urlsafe(32)
        app = AppClient.register(self._ids.new_id(), name, digest(secret), scopes,
                                 created_by=cmd.created_by, now=self._clock.now())
        with self._uow() as uow:
            uow.app_clients.add(app)
            uow.commit()
        return RegisteredApp(app, secret)

    def revoke_app(self, cmd: RevokeApp) -> AppClient:
        with self._uow() as uow:
            app = uow.app_clients.get(cmd.client_id)
            app.revoke(self._clock.now())
            uow.commit()
        return app

    def issue_app_token(self, cmd: IssueAppToken) -> AppToken:
        now = self._clock.now()
        with self._uow() as uow:
            try:
                app = uow.app_clients.get(cmd.client_id)
            except AppNotFound:
                app = None
        presented = digest(cmd.client_secret)
        if app is None or not hmac.compare_digest(presented, app.secret_hash) \
                or not app.active:
            raise InvalidClient("unknown client or wrong secret")
        asked = _checked_scopes(cmd.scopes) if cmd.scopes else app.scopes
        beyond = sorted(set(asked) - set(app.scopes))
        if beyond:
            raise InvalidScope(f"the client does not hold {', '.join(beyond)}", scopes=beyond)
        ttl = self.policy.access_ttl
        claims = AccessClaims(app.id, AccountKind.APP, "", (), 0, False, None, now, now + ttl,
                              tuple(sorted(asked)))
        return AppToken(self._kit.tokens.issue(claims), int(ttl.total_seconds()),
                        claims.scopes)

    # OpenID Connect

    def begin_oidc(self, provider: str, redirect_uri: str) -> OidcStart:
        chosen = self._provider(provider)
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = self._clock.now() + self.policy.oidc_ttl
        binding = self._kit.sealer.seal(json.dumps({
            "provider": provider, "state": state, "nonce": nonce, "redirect_uri": redirect_uri,
            "expires": int(expires.timestamp())}))
        return OidcStart(chosen.authorization_url(state=state, nonce=nonce,
                                                  redirect_uri=redirect_uri), binding)

    def complete_oidc(self, cmd: CompleteOidcLogin) -> LoginResult:
        provider = self._provider(cmd.provider)
        now = self._clock.now()
        try:
            bound = json.loads(self._kit.sealer.open(cmd.binding))
        except (CommerceError, ValueError):
            raise OidcStateMismatch("this browser did not start the sign-in") from None
        if bound.get("provider") != cmd.provider or not hmac.compare_digest(
                str(bound.get("state", "")).encode(), cmd.state.encode()):
            raise OidcStateMismatch("the sign-in's state does not match this browser's")
        if now.timestamp() >= float(bound.get("expires", 0)):
            raise OidcStateMismatch("the sign-in took too long; start again")
        external = provider.exchange(code=cmd.code, nonce=str(bound["nonce"]),
                                     redirect_uri=str(bound["redirect_uri"]))
        if not external.email or not external.email_verified:
            raise OidcFailed("the provider gave no verified email")
        email = normal_email(external.email)
        with self._uow() as uow:
            key = OAuthLink.key(cmd.provider, external.subject)
            try:
                account = uow.accounts.get(uow.oauth_links.get(key).account_id)
            except UserNotFound:
                # Find by the verified email and link (never a second account), or create.
                found = uow.accounts.by_email(AccountKind.CUSTOMER, email)
                if found is None:
                    found = Account.customer(self._ids.new_id(), self._ids.new_id(), email,
                                             external.name[:200], "vi", NO_PASSWORD, now=now)
                    found.email_verified = True
                    uow.accounts.add(found)
                account = found
                uow.oauth_links.add(OAuthLink.link(account, cmd.provider, external.subject,
                                                   email, now))
            account.ensure_may_sign_in(now)
            session, refresh = self._start_session(uow, account, cmd.user_agent, cmd.ip, now)
            uow.commit()
        return LoginResult(self._pair(account, session, refresh, now), account.needs_mfa,
                           account.mfa_enabled)

    def _provider(self, name: str) -> OidcProvider:
        for provider in self._kit.oidc:
            if provider.name == name:
                return provider
        raise UnknownProvider(f"no sign-in provider {name!r}", provider=name)

    # helpers

    def _find(self, uow: IdentityUnitOfWork, kind: AccountKind,
              identifier: str) -> Account | None:
        cleaned = identifier.strip().lower()
        if kind is AccountKind.STAFF and "@" not in cleaned:
            return uow.accounts.by_username(cleaned)
        return uow.accounts.by_email(kind, cleaned)

    def _own_session(self, uow: IdentityUnitOfWork, account_id: str, session_id: str,
                     now: datetime) -> tuple[Account, Session]:
        session = uow.sessions.get(session_id)
        if session.account_id != account_id or not session.active(now):
            raise InvalidToken("the session is not active")
        return uow.accounts.get(account_id), session

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self._kit.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy

    def _pair(self, account: Account, session: Session, refresh: str,
              now: datetime) -> TokenPair:
        ttl = self.policy.access_ttl
        claims = AccessClaims(account.id, account.kind, session.id, account.roles,
                              account.permissions_version, session.mfa_verified,
                              account.customer_id, now, now + ttl)
        return TokenPair(self._kit.tokens.issue(claims), refresh, int(ttl.total_seconds()),
                         session.id, session.mfa_verified)
