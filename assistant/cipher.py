"""The store file at rest: plain or encrypted, which key opens it, and what to report."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from assistant import keys
from assistant.errors import StoreError
from assistant.keys import PASSPHRASE_ENV, StoreKey

SQLITE_HEADER = b"SQLite format 3\x00"
CIPHER = "SQLCipher {version} (AES-256-CBC pages with HMAC-SHA512; passphrases: PBKDF2-HMAC-SHA512, 256,000 rounds)"
Warn = Callable[[str], None]


def file_state(path: Path) -> str:
    """ "new" (absent or empty), "plain" (an SQLite header), "encrypted" (bytes that look
    random: SQLCipher leaves nothing readable, not even a header) or "unknown" (damaged)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except FileNotFoundError:
        return "new"
    if not head:
        return "new"
    if head.startswith(SQLITE_HEADER):
        return "plain"
    # 1,024 random bytes hold ~251 distinct values; text or zeroed garbage far fewer.
    return "encrypted" if len(head) == 1024 and len(set(head)) > 200 else "unknown"


def cipher_module() -> ModuleType | None:
    from assistant.store import CIPHER_MODULES, pick_sqlite_module

    try:
        return pick_sqlite_module(CIPHER_MODULES)
    except StoreError:
        return None


def require_cipher_module() -> ModuleType:
    module = cipher_module()
    if module is None:
        raise StoreError("encryption needs the sqlcipher3 package: pip install sqlcipher3")
    return module


def connect(path: Path, key: StoreKey | None, module: ModuleType) -> Any:
    """A raw connection with the key applied and sqlite-vec loaded (for copying and checks)."""
    import sqlite_vec

    from assistant.store import apply_key

    db = module.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30.0)
    apply_key(db, key)
    db.enable_load_extension(True)
    sqlite_vec.load(db)
    db.enable_load_extension(False)
    return db


def opens(path: Path, key: StoreKey, module: ModuleType) -> bool:
    """Does ``key`` open the file? (SQLCipher checks each page's HMAC: a wrong key reads
    as "file is not a database", and nothing is written.)"""
    # Read-only: a connection that cannot read the pages must not checkpoint on close either.
    db = module.connect(
        f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=30.0
    )
    try:
        from assistant.store import apply_key

        apply_key(db, key)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except module.DatabaseError as exc:
        if "not a database" in str(exc):
            return False
        raise StoreError(f"{path}: cannot read the index ({exc})") from None
    finally:
        db.close()


# --- unlocking -------------------------------------------------------------------------------


def unlock(path: Path, mode: str, warn: Warn) -> StoreKey | None:
    """The key for the store at ``path`` (None: it is, or will be created, plain)."""
    state = file_state(path)
    if state == "encrypted":
        return find_key(path, mode)
    if state == "new":
        return key_for_new_store(path, mode, warn)
    return None


def find_key(path: Path, mode: str) -> StoreKey:
    """The key that opens this encrypted store, or one line saying what to do."""
    module = require_cipher_module()
    env = keys.passphrase_from_env()
    candidates = [env] if env else []
    keyring_problem: StoreError | None = None
    if mode != "passphrase":
        try:
            candidates += keys.keyring_keys(path)
        except StoreError as exc:
            keyring_problem = exc
    for key in candidates:
        if opens(path, key, module):
            if key.pending:  # a rekey stopped after the swap: finish it
                keys.keyring_save(path, key)
                keys.keyring_forget(path, pending=True)
            return key
    if env is None and mode != "keyring" and keys.can_prompt():
        for _ in range(3):
            key = keys.prompt_passphrase(path)
            if opens(path, key, module):
                return key
            os.write(2, b"wrong passphrase\n")
        raise StoreError(f"{path}: wrong passphrase; the index is unchanged")
    raise StoreError(_no_key_message(path, env, candidates, keyring_problem))


def _no_key_message(
    path: Path, env: StoreKey | None, tried: list[StoreKey], problem: StoreError | None
) -> str:
    if env is not None:
        return (
            f"{path}: the passphrase in ${PASSPHRASE_ENV} does not open this index (wrong "
            "passphrase?); the index is unchanged: set the right one and try again"
        )
    if problem is not None:
        return f"{path} is encrypted, but {problem}"
    backend = keys.keyring_backend()
    if tried:
        return (
            f"{path}: the key kept for it in the {tried[0].where} does not open it; bring the "
            "right one with: assistant store import-key FILE, or set "
            f"${PASSPHRASE_ENV} if it uses a passphrase; the index is unchanged"
        )
    if backend is None:
        return (
            f"{path} is encrypted and no key for it is available here (no usable OS key store, "
            f"${PASSPHRASE_ENV} not set): set {PASSPHRASE_ENV} if it uses a passphrase, or bring "
            "its key with: assistant store import-key FILE (from: assistant store export-key)"
        )
    return (
        f"{path} is encrypted, but the {keys.where_keyring(backend)} holds no key for it: "
        "bring it with: assistant store import-key FILE (from: assistant store export-key), "
        f"or set {PASSPHRASE_ENV} if it uses a passphrase"
    )


def key_for_new_store(path: Path, mode: str, warn: Warn) -> StoreKey | None:
    """The key a new store is created with: the OS key store, else a passphrase from the
    environment; with neither (a server, CI) the store is created plain, said once."""
    if mode == "none":
        return None
    if cipher_module() is None:
        if mode != "auto":
            require_cipher_module()
        warn(
            f"{path} is created unencrypted: the sqlcipher3 package is missing; "
            "install it, then run: assistant store encrypt"
        )
        return None
    if mode in ("auto", "keyring"):
        if keys.keyring_backend() is not None:
            key = keys.random_key()
            keys.keyring_save(path, key)
            return key
        if mode == "keyring":
            raise StoreError(f'[store] encryption = "keyring", but {keys.no_keyring_message()}')
    if mode == "passphrase":
        return keys.new_passphrase(path)
    env = keys.passphrase_from_env()
    if env is not None:
        keys.check_new_passphrase(env.secret)
        return env
    warn(
        f"{path} is created unencrypted: no OS key store and no ${PASSPHRASE_ENV} here; "
        "encrypt it later with: assistant store encrypt"
    )
    return None


def open_error(path: Path, key: StoreKey | None, exc: Exception) -> StoreError:
    """The one line for a file SQLite refused at open."""
    if key is None and file_state(path) == "encrypted":
        return StoreError(
            f"{path} is encrypted and was opened without its key; use the assistant command "
            "(it finds the key), or check [store] path"
        )
    if key is not None and "not a database" in str(exc):
        return StoreError(
            f"{path}: the key ({key.where}) does not open this index; the index is unchanged"
        )
    return StoreError(
        f"{path}: the index is damaged or not an assistant index ({exc}); "
        "rebuild it with: assistant index --rebuild"
    )


# --- reporting -------------------------------------------------------------------------------


def describe(store: Any, mode: str) -> dict[str, Any]:
    """What status and doctor say: the cipher, and where the key lives (never the key)."""
    key: StoreKey | None = store.key
    if key is None:
        why = (
            'as [store] encryption = "none" asks'
            if mode == "none"
            else "NOT encrypted: anyone who can read the file can read your data"
        )
        return {
            "encrypted": False,
            "mode": mode,
            "cipher": None,
            "key": None,
            "summary": f"plain file, {why}; encrypt it with: assistant store encrypt",
        }
    (version,) = store.db.execute("PRAGMA cipher_version").fetchone()
    cipher = CIPHER.format(version=version.split()[0])
    where = key.where
    if key.kind == "keyring":
        where += f", service '{keys.SERVICE}', entry '{keys.entry_name(store.path)}'"
    return {
        "encrypted": True,
        "mode": mode,
        "cipher": cipher,
        "key": {"kind": key.kind, "where": where},
        "summary": f"encrypted with SQLCipher {version.split()[0]} (AES-256); key: {where}",
    }
