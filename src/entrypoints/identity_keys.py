"""Identity's keys from settings, or generated development keys said out loud.

A live shop sets `COMMERCE_IDENTITY_SIGNING_KEYS` and `COMMERCE_IDENTITY_SEALING_KEY`. Without
them a development key pair is generated once and kept in a 0600 file next to the SQLite
database (or under the user's config directory), so the CLI and the server agree on it;
every process that uses it logs a warning. An in-memory shop keeps its generated keys in
memory only.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from pathlib import Path

import attrs

from adapters import identity
from adapters.identity.oidc import OidcClient
from commerce_core.identity.ports import IdentityKit
from commerce_core.shared.errors import InvalidInput
from entrypoints.settings import Settings

log = logging.getLogger("commerce.identity")

_PEM = re.compile(r"-----BEGIN [A-Z ]+-----.+?-----END [A-Z ]+-----", re.DOTALL)


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "commerce"


def split_pems(text: str) -> list[str]:
    return _PEM.findall(text.replace("\\n", "\n"))


def _write_private(path: Path, content: str) -> None:
    """Atomically, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _default_dev_keys_file(settings: Settings) -> Path:
    """Next to a SQLite database (the shop and its keys travel together), else in the user's
    config directory."""
    url = settings.database_url
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return Path(f"{url.removeprefix('sqlite:///').split('?')[0]}.identity-dev-keys.json")
    return config_dir() / "identity-dev-keys.json"


def _dev_keys(settings: Settings) -> tuple[str, str]:
    if settings.database_url.startswith("memory://"):
        return identity.generate_signing_key_pem(), identity.generate_sealing_key()
    path = Path(settings.identity_dev_keys_file or _default_dev_keys_file(settings))
    if not path.exists():
        _write_private(path, json.dumps({
            "signing_key": identity.generate_signing_key_pem(),
            "sealing_key": identity.generate_sealing_key(),
        }))
    stored = json.loads(path.read_text())
    return str(stored["signing_key"]), str(stored["sealing_key"])


DEV_KEYS_WARNING = (
    "IDENTITY IS USING GENERATED DEVELOPMENT KEYS: set COMMERCE_IDENTITY_SIGNING_KEYS and "
    "COMMERCE_IDENTITY_SEALING_KEY before going live (docs/identity.md)")


def uses_dev_keys(settings: Settings) -> bool:
    return settings.identity_signing_keys is None or settings.identity_sealing_key is None


def warn_if_dev_keys(settings: Settings) -> None:
    """Said by the processes that serve (the HTTP app); one-shot CLI commands print it."""
    if uses_dev_keys(settings):
        log.warning(DEV_KEYS_WARNING)


def sealing_key(settings: Settings) -> str:
    """Identity's sealing key: the configured one, else the development key."""
    sealing = settings.identity_sealing_key
    return sealing.get_secret_value() if sealing is not None else _dev_keys(settings)[1]


def build_identity_kit(settings: Settings) -> IdentityKit:
    signing = settings.identity_signing_keys
    sealing = settings.identity_sealing_key
    if signing is None or sealing is None:
        dev_signing, dev_sealing = _dev_keys(settings)
    pems = split_pems(signing.get_secret_value()) if signing is not None else [dev_signing]
    if not pems:
        raise InvalidInput("COMMERCE_IDENTITY_SIGNING_KEYS holds no PEM key")
    try:
        kit = identity.kit(
            pems,
            sealing.get_secret_value() if sealing is not None else dev_sealing,
            issuer=settings.identity_issuer, audience=settings.identity_audience,
        )
    except ValueError as exc:
        raise InvalidInput(f"identity keys: {exc}") from exc
    return attrs.evolve(kit, oidc=build_oidc_providers(settings))


def build_oidc_providers(settings: Settings) -> tuple[OidcClient, ...]:
    if settings.identity_oidc_providers is None:
        return ()
    try:
        entries = json.loads(settings.identity_oidc_providers.get_secret_value())
        return tuple(OidcClient(str(e["name"]), str(e["issuer"]), str(e["client_id"]),
                                str(e["client_secret"])) for e in entries)
    except (ValueError, TypeError, KeyError) as exc:
        # The value holds client secrets: name the problem, never echo it.
        raise InvalidInput("COMMERCE_IDENTITY_OIDC_PROVIDERS: a JSON list of objects with "
                           f"name, issuer, client_id, client_secret ({type(exc).__name__})"
                           ) from None
