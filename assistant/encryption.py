"""`store encrypt|decrypt|rekey|export-key|import-key`: move a store between plain and
encrypted, or to a new key, so that a crash at any moment leaves a usable store.

Every move is the same four steps: copy the store into a new file under the new key
(sqlcipher_export), verify the copy (page HMACs, quick_check, row counts of every table),
atomically rename it over the store, then overwrite the old plain file's blocks. Until the
rename the old file is the store; after it, the new one is. A new keyring key is saved
under a "next" entry before the copy and becomes the current one after the rename, and
unlocking tries both, so no crash can separate a store from its key.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant import keys
from assistant.cipher import connect, file_state, require_cipher_module
from assistant.errors import StoreError
from assistant.keys import StoreKey
from assistant.runtime import Runtime

TMP_SUFFIX = ".rekey-tmp"  # the copy being written; never the store
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def _prepare(rt: Runtime) -> Path:
    """Nothing else may have the file open while it is swapped (checked again by lock)."""
    from assistant.daemon import is_running
    from assistant.ipc import daemon_dir

    path = rt.config.store.path
    if is_running(daemon_dir(path)):
        raise StoreError("stop the daemon first: assistant daemon stop")
    if file_state(path) == "new":
        raise StoreError(f"{path}: there is no index yet; run: assistant index")
    return path


def _new_key(path: Path, kind: str, passphrase_env: str) -> StoreKey:
    if kind == "keyring":
        if keys.keyring_backend() is None:
            raise StoreError(keys.no_keyring_message())
        return keys.random_key()
    return keys.new_passphrase(path, env=passphrase_env)


def _default_kind(rt: Runtime) -> str:
    mode = rt.config.store.encryption
    if mode in ("keyring", "passphrase"):
        return mode
    return "keyring" if keys.keyring_backend() is not None else "passphrase"


def encrypt(rt: Runtime, kind: str | None = None, progress: Progress = _quiet) -> dict[str, Any]:
    """Encrypt a plain store in place; its plain file is overwritten afterwards."""
    path = _prepare(rt)
    if file_state(path) == "encrypted":
        raise StoreError(f"{path} is already encrypted (to change its key: assistant store rekey)")
    require_cipher_module()
    new = _new_key(path, kind or _default_kind(rt), keys.PASSPHRASE_ENV)
    rt.close()
    _swap(path, None, new, progress, scrub=True)
    rt._key = new
    return {"path": str(path), "encrypted": True, "key": new.where}


def decrypt(rt: Runtime, progress: Progress = _quiet) -> dict[str, Any]:
    """Turn an encrypted store into a plain file (its keyring entries are dropped)."""
    path = _prepare(rt)
    old = rt.store_key
    if old is None:
        raise StoreError(f"{path} is not encrypted")
    rt.close()
    _swap(path, old, None, progress, scrub=False)
    rt._key = None
    return {"path": str(path), "encrypted": False, "key": None}


def rekey(rt: Runtime, kind: str | None = None, progress: Progress = _quiet) -> dict[str, Any]:
    """A new key (or passphrase) for an encrypted store; the old one stops working."""
    path = _prepare(rt)
    old = rt.store_key
    if old is None:
        raise StoreError(f"{path} is not encrypted; encrypt it with: assistant store encrypt")
    new = _new_key(path, kind or old.kind, keys.NEW_PASSPHRASE_ENV)
    rt.close()
    _swap(path, old, new, progress, scrub=False)
    rt._key = new
    return {"path": str(path), "encrypted": True, "key": new.where}


def export_key(rt: Runtime) -> str:
    """The text of a key file for this store (to carry it to another machine)."""
    key = rt.store_key
    path = rt.config.store.path
    if key is None:
        raise StoreError(f"{path} is not encrypted: there is no key to export")
    if key.kind != "keyring":
        raise StoreError(
            f"{path} is unlocked by a passphrase, not a stored key: on the other machine set "
            f"${keys.PASSPHRASE_ENV} or type the passphrase when asked"
        )
    return keys.key_file_text(key)


def import_key(rt: Runtime, text: str, origin: str) -> dict[str, Any]:
    """Keep the key from a key file in this machine's OS key store, once it opens the store."""
    from assistant.cipher import opens

    path = rt.config.store.path
    key = keys.parse_key_file(text, origin)
    if file_state(path) != "encrypted":
        raise StoreError(
            f"{path} is not an encrypted index; copy the index file there first, then import its key"
        )
    if not opens(path, key, require_cipher_module()):
        raise StoreError(f"{origin}: this key does not open {path}; nothing was saved")
    keys.keyring_save(path, key)
    keys.keyring_forget(path, pending=True)
    return {"path": str(path), "key": keys.where_keyring(keys.keyring_backend())}


# --- the swap --------------------------------------------------------------------------------


def _swap(
    path: Path, old: StoreKey | None, new: StoreKey | None, progress: Progress, *, scrub: bool
) -> None:
    if new is not None and new.kind == "keyring":
        keys.keyring_save(path, new, pending=True)
    _copy_and_replace(path, old, new, progress, scrub=scrub)
    # The swap is done. Tidying the key store is best effort: unlocking tries the "next"
    # entry too, and a stale entry for a plain or passphrase store is never used.
    try:
        if new is not None and new.kind == "keyring":
            keys.keyring_save(path, new)
        else:
            keys.keyring_forget(path)
        keys.keyring_forget(path, pending=True)
    except StoreError:
        pass


def _copy_and_replace(
    path: Path, old: StoreKey | None, new: StoreKey | None, progress: Progress, *, scrub: bool
) -> None:
    module = require_cipher_module()
    tmp = path.with_name(path.name + TMP_SUFFIX)
    src = connect(path, old, module)
    old_fd: int | None = None
    try:
        src.execute("PRAGMA busy_timeout = 2000")
        # Exclusive and out of WAL mode: no other connection can be reading the file, and
        # no -wal (or -journal: the journal stays in memory) of the old store can outlive
        # it under the store's name and be replayed into the new file.
        src.execute("PRAGMA locking_mode = EXCLUSIVE")
        try:
            src.execute("PRAGMA journal_mode = MEMORY").fetchone()
            src.execute("BEGIN EXCLUSIVE")
            src.execute("COMMIT")
        except module.OperationalError:
            raise StoreError(
                f"{path} is in use (the daemon or another assistant command); stop it and try again"
            ) from None
        for leftover in _tmp_files(tmp):
            leftover.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        os.close(fd)
        progress(f"copying {path} into {tmp.name}")
        src.execute("ATTACH DATABASE ? AS target KEY ?", (str(tmp), new.material() if new else ""))
        src.execute("SELECT sqlcipher_export('target')")
        (version,) = src.execute("PRAGMA main.user_version").fetchone()
        src.execute(f"PRAGMA target.user_version = {int(version)}")
        src.execute("DETACH DATABASE target")
        _verify(src, tmp, new, module)
        _fsync(tmp)
        progress("copy verified; replacing the store")
        if scrub:
            old_fd = os.open(path, os.O_RDWR)
        os.replace(tmp, path)
        _fsync(path.parent)
        progress("replaced")
    except BaseException:
        if old_fd is not None:
            os.close(old_fd)
        src.close()
        for leftover in _tmp_files(tmp):
            leftover.unlink(missing_ok=True)
        raise
    src.close()  # only the old, now nameless file is unlocked: no -wal or -journal exists
    if old_fd is not None:
        _overwrite(old_fd)
        progress("old plain file overwritten")


def _tmp_files(tmp: Path) -> list[Path]:
    return [Path(str(tmp) + s) for s in ("", "-journal", "-wal", "-shm")]


def _verify(src: Any, tmp: Path, key: StoreKey | None, module: Any) -> None:
    """The copy opens with its key, every page checks out, and every table has as many rows."""
    dst = connect(tmp, key, module)
    try:
        if key is not None and dst.execute("PRAGMA cipher_integrity_check").fetchall():
            raise StoreError(
                f"{tmp}: the encrypted copy failed its page check; the store is unchanged"
            )
        if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise StoreError(f"{tmp}: the copy failed quick_check; the store is unchanged")
        tables = [
            name
            for (name, sql) in src.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
            )
            if not (sql or "").upper().startswith("CREATE VIRTUAL")
        ]
        for name in tables:
            quoted = '"' + name.replace('"', '""') + '"'
            (a,) = src.execute(f"SELECT count(*) FROM main.{quoted}").fetchone()
            (b,) = dst.execute(f"SELECT count(*) FROM main.{quoted}").fetchone()
            if a != b:
                raise StoreError(
                    f"{tmp}: the copy has {b} rows in {name}, the store {a}; the store is unchanged"
                )
        dst.execute("PRAGMA journal_mode = WAL").fetchone()  # as Store opens it
    finally:
        dst.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _overwrite(fd: int) -> None:
    """Zero the old plain file through a descriptor opened before the rename: no name
    points at it any more, so a crash here leaves no readable file behind."""
    try:
        size = os.fstat(fd).st_size
        block = bytes(1 << 20)
        os.lseek(fd, 0, os.SEEK_SET)
        written = 0
        while written < size:
            written += os.write(fd, block[: min(len(block), size - written)])
        os.fsync(fd)
    finally:
        os.close(fd)
