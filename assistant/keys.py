"""Where a store's key lives: the OS key store (via keyring), a passphrase, or nowhere."""

from __future__ import annotations

import getpass
import os
import re
import secrets
import sys
from dataclasses import dataclass, field
from typing import Any

from assistant.errors import StoreError

PASSPHRASE_ENV = "ASSISTANT_PASSPHRASE"
NEW_PASSPHRASE_ENV = "ASSISTANT_NEW_PASSPHRASE"  # `store rekey` to a passphrase, without a TTY
SERVICE = "assistant"
MIN_PASSPHRASE = 8
_KEY_FILE = re.compile(r"^assistant-store-key-v1 ([0-9a-f]{64})$")


@dataclass(frozen=True)
class StoreKey:
    """A key that opens (or will open) one encrypted store. Never printed or logged."""

    kind: str  # "keyring": 256 random bits, hex | "passphrase": stretched by SQLCipher's KDF
    secret: str = field(repr=False)
    where: str  # for status/doctor: where the key lives, never the key itself
    pending: bool = False  # found under the keyring's "next" entry of an unfinished rekey

    def material(self) -> str:
        """What SQLCipher is given: a raw key (x'...', no KDF) or the passphrase (stretched)."""
        return f"x'{self.secret}'" if self.kind == "keyring" else self.secret

    def pragma(self) -> str:
        """The same as an SQL string literal, for ``PRAGMA key = ...``."""
        return "'" + self.material().replace("'", "''") + "'"


# --- the OS key store --------------------------------------------------------------------


def keyring_backend() -> Any | None:
    """The keyring backend to keep keys in, or None when there is no usable one here.

    keyring's own rule: a backend of priority >= 1 is recommended. A weaker one (a
    plain-text file) counts only when the person chose it (PYTHON_KEYRING_BACKEND or
    keyringrc.cfg); the "fail" and "null" backends never do.
    """
    try:
        import keyring
        import keyring.core
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - a broken backend plugin means "none usable"
        return None
    name = type(backend).__module__
    if name.endswith(("backends.fail", "backends.null")):
        return None
    chosen = bool(os.environ.get("PYTHON_KEYRING_BACKEND"))
    return backend if chosen or float(backend.priority) >= 1 else None


def backend_name(backend: Any) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__name__}".removeprefix("keyring.backends.")


def entry_name(path: os.PathLike[str] | str, pending: bool = False) -> str:
    return ("store-next:" if pending else "store:") + os.path.abspath(path)


def _keyring_error(backend: Any, exc: Exception) -> StoreError:
    return StoreError(
        f"the OS key store ({backend_name(backend)}) could not be used "
        f"({type(exc).__name__}: {exc}); unlock it and try again, "
        f"or use a passphrase (${PASSPHRASE_ENV})"
    )


def keyring_keys(path: os.PathLike[str] | str) -> list[StoreKey]:
    """The keys the OS key store holds for this store: the current one, then the one of
    a rekey that was interrupted (tried second, so a crash mid-rekey never locks you out)."""
    backend = keyring_backend()
    if backend is None:
        return []
    found = []
    for pending in (False, True):
        try:
            secret = backend.get_password(SERVICE, entry_name(path, pending))
        except Exception as exc:  # noqa: BLE001 - locked, refused, D-Bus gone: one line
            raise _keyring_error(backend, exc) from None
        if secret and re.fullmatch(r"[0-9a-f]{64}", secret):
            found.append(StoreKey("keyring", secret, where_keyring(backend), pending))
    return found


def where_keyring(backend: Any) -> str:
    return f"OS key store ({backend_name(backend)})"


def keyring_save(path: os.PathLike[str] | str, key: StoreKey, *, pending: bool = False) -> None:
    backend = keyring_backend()
    if backend is None:
        raise StoreError(no_keyring_message())
    try:
        backend.set_password(SERVICE, entry_name(path, pending), key.secret)
    except Exception as exc:  # noqa: BLE001
        raise _keyring_error(backend, exc) from None


def keyring_forget(path: os.PathLike[str] | str, *, pending: bool = False) -> None:
    """Drop an entry; a missing entry or key store is not an error (nothing to drop)."""
    backend = keyring_backend()
    if backend is None:
        return
    try:
        if backend.get_password(SERVICE, entry_name(path, pending)) is not None:
            backend.delete_password(SERVICE, entry_name(path, pending))
    except Exception as exc:  # noqa: BLE001
        raise _keyring_error(backend, exc) from None


def no_keyring_message() -> str:
    return (
        "no usable OS key store here (Secret Service/KWallet on Linux, Keychain on macOS; "
        f"none answers); use a passphrase instead: set ${PASSPHRASE_ENV} or run in a terminal"
    )


def random_key() -> StoreKey:
    backend = keyring_backend()
    where = where_keyring(backend) if backend is not None else "OS key store"
    return StoreKey("keyring", secrets.token_hex(32), where)


# --- passphrases ---------------------------------------------------------------------------


def passphrase_from_env(name: str = PASSPHRASE_ENV) -> StoreKey | None:
    value = os.environ.get(name)
    if not value:
        return None
    return StoreKey("passphrase", value, f"passphrase (${name})")


def can_prompt() -> bool:
    return sys.stdin.isatty()


def prompt_passphrase(path: os.PathLike[str] | str, *, new: bool = False) -> StoreKey:
    """Ask on the terminal (twice for a new passphrase)."""
    try:
        if not new:
            value = getpass.getpass(f"Passphrase for {path}: ")
            return StoreKey("passphrase", value, "passphrase (typed)")
        value = getpass.getpass(f"New passphrase for {path}: ")
        check_new_passphrase(value)
        if getpass.getpass("Type it again: ") != value:
            raise StoreError("the two passphrases differ; nothing was changed")
    except EOFError:
        raise StoreError("no passphrase was typed; nothing was changed") from None
    return StoreKey("passphrase", value, "passphrase (typed)")


def check_new_passphrase(value: str) -> None:
    if len(value) < MIN_PASSPHRASE:
        raise StoreError(f"a passphrase needs at least {MIN_PASSPHRASE} characters")
    if "\x00" in value:
        raise StoreError("a passphrase cannot contain a NUL character")


def new_passphrase(path: os.PathLike[str] | str, env: str = PASSPHRASE_ENV) -> StoreKey:
    """A passphrase for a store being encrypted: from ``env``, else typed twice."""
    key = passphrase_from_env(env)
    if key is not None:
        check_new_passphrase(key.secret)
        return key
    if can_prompt():
        return prompt_passphrase(path, new=True)
    raise StoreError(f"no passphrase: set ${env} or run this in a terminal")


# --- key files (moving a store to another machine) -------------------------------------------


def key_file_text(key: StoreKey) -> str:
    return f"assistant-store-key-v1 {key.secret}\n"


def parse_key_file(text: str, origin: str) -> StoreKey:
    match = _KEY_FILE.match(text.strip())
    if match is None:
        raise StoreError(f"{origin}: not a key file made by: assistant store export-key")
    return StoreKey("keyring", match.group(1), f"key file {origin}")
