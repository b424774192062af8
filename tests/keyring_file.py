"""A keyring backend kept in a JSON file, for tests: never the person's real key store.

In-process: ``keyring.set_keyring(FileKeyring())``; in a child process:
PYTHON_KEYRING_BACKEND=keyring_file.FileKeyring with this folder on PYTHONPATH.
$TEST_KEYRING_FILE names the file; $TEST_KEYRING_LOCKED makes every call fail as a locked
Secret Service collection does.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError

FILE_ENV = "TEST_KEYRING_FILE"
LOCKED_ENV = "TEST_KEYRING_LOCKED"


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]  # as usable as a desktop key store

    def _load(self) -> dict[str, str]:
        if os.environ.get(LOCKED_ENV):
            raise KeyringLocked("the collection is locked")
        path = Path(os.environ[FILE_ENV])
        return json.loads(path.read_text()) if path.exists() else {}

    def _save(self, data: dict[str, str]) -> None:
        Path(os.environ[FILE_ENV]).write_text(json.dumps(data))

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}/{username}"] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("no such entry")
        self._save(data)
