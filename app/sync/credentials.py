"""Where a hall PC keeps its centre credential (issue 13, item 7).

In the operating system's credential store when the machine has a usable one — Windows
Credential Locker, the Secret Service of a Linux desktop, the macOS Keychain, through
``keyring`` — and ``sync_state.credential`` then holds only a reference
(``keyring:<id>``). Without a usable backend (a server or CI without a desktop session, or
a store that refuses) the credential stays in the store, which is readable by its user only
(``app.store.private``). docs/operations.md says which applies where.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Final

from app.i18n import N_
from app.sync.protocol import SyncError

log = logging.getLogger(__name__)

SERVICE: Final = "HallDesk centre credential"
REF_PREFIX: Final = "keyring:"


class CredentialMissing(SyncError):
    def __init__(self) -> None:
        super().__init__(
            N_(
                "The centre credential is no longer in this computer's credential store. "
                "Enrol this PC again with a new code; unsynced work is kept."
            )
        )


def _backend() -> Any | None:
    """The keyring backend if it can really store secrets here, else None."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        found = keyring.get_keyring()
    except Exception:  # a broken keyring configuration: use the store
        log.warning("no usable credential store", exc_info=True)
        return None
    if isinstance(found, fail.Keyring) or getattr(found, "priority", 0) < 1:
        return None
    return found


def save(credential: str) -> str:
    """Keep ``credential``; returns what ``sync_state.credential`` holds (a reference when
    the credential store took it, the credential itself otherwise)."""
    backend = _backend()
    if backend is None:
        return credential
    ref = uuid.uuid4().hex
    try:
        backend.set_password(SERVICE, ref, credential)
    except Exception:  # locked, refused, no session bus: keep it in the store
        log.warning("the credential store refused the centre credential", exc_info=True)
        return credential
    return REF_PREFIX + ref


def load(stored: str) -> str:
    """The credential ``sync_state.credential`` stands for."""
    if not stored.startswith(REF_PREFIX):
        return stored
    try:
        import keyring

        found = keyring.get_keyring().get_password(SERVICE, stored[len(REF_PREFIX) :])
    except Exception:
        log.warning("the credential store cannot be read", exc_info=True)
        found = None
    if not found:
        raise CredentialMissing()
    return str(found)


def in_credential_store(stored: str) -> bool:
    return stored.startswith(REF_PREFIX)
