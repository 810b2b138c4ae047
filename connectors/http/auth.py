"""API keys: hashed at rest (SHA-256), compared in constant time, mapped to roles and payers.

The key file is JSON: ``{"keys": [{"user": ..., "role": ..., "payers": [...] | null,
"sha256": ...}]}``. Only the digest of a key is ever stored; ``parley keys add`` prints the
key itself once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request

from assistant.errors import ConfigError, InputError
from assistant.scope import Scope
from assistant.settings import Settings

Role = Literal["reader", "negotiator", "admin"]
ROLES: tuple[Role, ...] = ("reader", "negotiator", "admin")
KEY_PREFIX = "pk_"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user, a role and, optionally, the payers they may see."""

    user: str
    role: Role
    payers: tuple[str, ...] | None = None

    def has_role(self, needed: Role) -> bool:
        """True when this caller's role is at least ``needed``."""
        return ROLES.index(self.role) >= ROLES.index(needed)

    @property
    def scope(self) -> Scope:
        """The payers this key may see (``Scope.everyone()`` for a key without a list)."""
        return Scope.of(self.payers)


def keys_file(settings: Settings) -> Path:
    """Where API key digests live."""
    return settings.api_keys_file or (settings.data_dir / "api_keys.json")


def hash_key(key: str) -> str:
    """Hex SHA-256 of an API key (what the key file stores)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class _Entry:
    digest: str
    principal: Principal


class KeyStore:
    """API key digests read from the key file; re-read when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: list[_Entry] = []
        self._mtime: float | None = None
        self._lock = threading.Lock()

    def _load(self) -> list[_Entry]:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            return []
        with self._lock:
            if mtime != self._mtime:
                self._entries = [_parse_entry(e) for e in _read(self.path).get("keys", [])]
                self._mtime = mtime
            return self._entries

    def authenticate(self, key: str) -> Principal | None:
        """The principal for ``key``, or None. Every entry is compared (constant time)."""
        digest = hash_key(key)
        found: Principal | None = None
        for entry in self._load():
            if hmac.compare_digest(digest, entry.digest):
                found = entry.principal
        return found

    def add(self, user: str, role: str, payers: list[str] | None = None) -> str:
        """Create a key for ``user``; store its digest; return the key (shown once)."""
        if role not in ROLES:
            raise InputError(f"role must be one of {', '.join(ROLES)}, not '{role}'")
        if not user.strip():
            raise InputError("user must not be empty")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        data = _read(self.path) if self.path.exists() else {"keys": []}
        data.setdefault("keys", []).append(
            {"user": user.strip(), "role": role, "payers": payers or None, "sha256": hash_key(key)}
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(self.path)
        return key


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"The API key file {path} cannot be read; fix or recreate it.") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"The API key file {path} must hold a JSON object with 'keys'.")
    return data


def _parse_entry(raw: dict) -> _Entry:
    role = raw.get("role", "reader")
    if role not in ROLES:
        raise ConfigError(f"API key for '{raw.get('user')}' has an unknown role '{role}'.")
    payers = raw.get("payers")
    return _Entry(
        digest=str(raw.get("sha256", "")),
        principal=Principal(
            user=str(raw.get("user", "")),
            role=role,
            payers=tuple(payers) if payers is not None else None,
        ),
    )


def _presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("x-api-key") or None


def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the authenticated caller, or 401."""
    key = _presented_key(request)
    challenge = {"WWW-Authenticate": "Bearer"}
    if not key:
        raise HTTPException(
            401, "Missing API key: send 'Authorization: Bearer <key>'.", headers=challenge
        )
    principal = request.app.state.keys.authenticate(key)
    if principal is None:
        raise HTTPException(401, "Invalid API key.", headers=challenge)
    request.state.user = principal.user
    return principal


def require(role: Role, every_payer: bool = False):  # type: ignore[no-untyped-def]
    """Dependency factory: the caller must hold at least ``role`` (else 403) and, with
    ``every_payer``, a key that is not limited to some payers."""

    def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.has_role(role):
            raise HTTPException(403, f"This needs the '{role}' role.")
        if every_payer and principal.scope.scoped:
            raise HTTPException(403, EVERY_PAYER)
        return principal

    return dependency


# Which payer a file concerns is known only once it has been read, and a file can change any
# payer's terms, rates or remittances: ingesting (and reading the jobs' per-file results) is
# for keys that see every payer.
EVERY_PAYER = ("This needs an admin key for every payer: a file's payer is known only once it "
               "is read, and a file can change any payer's data.")


Reader = Annotated[Principal, Depends(require("reader"))]
Negotiator = Annotated[Principal, Depends(require("negotiator"))]
Admin = Annotated[Principal, Depends(require("admin", every_payer=True))]
