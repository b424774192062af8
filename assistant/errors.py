"""The error types a user can see; each carries one sentence meant for them."""

from __future__ import annotations


class AssistantError(Exception):
    """A problem the user can act on. ``str(err)`` is one line, shown as is."""


class ConfigError(AssistantError):
    """The configuration file is missing, malformed or names a bad value."""


class StoreError(AssistantError):
    """The SQLite store cannot be opened, is corrupt or was built differently."""


class ModelError(AssistantError):
    """An embedding or language model cannot be found or loaded."""


class SourceError(AssistantError):
    """One source file cannot be read or parsed. Always names the file."""

    def __init__(self, path: object, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem
