"""`assistant store encrypt|decrypt|rekey|export-key|import-key`: thin over encryption.py."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.errors import StoreError
from assistant.runtime import Runtime

store_app = typer.Typer(
    help="Encryption at rest: encrypt, decrypt or rekey the index; move its key.",
    no_args_is_help=True,
)

KindOption = Annotated[
    str | None,
    typer.Option(
        "--to",
        help="keyring (a random key in the OS key store) or passphrase "
        "($ASSISTANT_PASSPHRASE / $ASSISTANT_NEW_PASSPHRASE for rekey, else asked).",
    ),
]


def _rt(ctx: typer.Context) -> Runtime:
    return ctx.find_root().obj  # type: ignore[no-any-return]


def _kind(value: str | None) -> str | None:
    if value not in (None, "keyring", "passphrase"):
        raise StoreError(f"--to must be keyring or passphrase, got {value!r}")
    return value


def _say(line: str) -> None:
    typer.echo(line, err=True)


def _done(result: dict[str, Any], what: str) -> None:
    where = f"; key: {result['key']}" if result.get("key") else ""
    typer.echo(f"{result['path']}: {what}{where}")


def register(app: typer.Typer, user_errors: Any) -> None:
    app.add_typer(store_app, name="store")

    @store_app.command("encrypt")
    @user_errors
    def encrypt(ctx: typer.Context, to: KindOption = None) -> None:
        """Encrypt a plain index in place (copy, verify, swap, then overwrite the plain file)."""
        from assistant import encryption

        _done(encryption.encrypt(_rt(ctx), _kind(to), progress=_say), "encrypted")

    @store_app.command("decrypt")
    @user_errors
    def decrypt(ctx: typer.Context) -> None:
        """Make the index a plain SQLite file again (and drop its key from the key store)."""
        from assistant import encryption

        _done(encryption.decrypt(_rt(ctx), progress=_say), "decrypted: now a plain file")

    @store_app.command("rekey")
    @user_errors
    def rekey(ctx: typer.Context, to: KindOption = None) -> None:
        """Re-encrypt the index under a new key or passphrase; the old one stops working."""
        from assistant import encryption

        _done(encryption.rekey(_rt(ctx), _kind(to), progress=_say), "rekeyed")

    @store_app.command("export-key")
    @user_errors
    def export_key(
        ctx: typer.Context,
        file: Annotated[
            Path | None, typer.Argument(help="Key file to write (0600); default: stdout.")
        ] = None,
    ) -> None:
        """Write the index's key to a file, to open the index on another machine."""
        from assistant import encryption

        text = encryption.export_key(_rt(ctx))
        if file is None or str(file) == "-":
            sys.stdout.write(text)
            return
        try:
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise StoreError(f"{file} exists; choose a new file name") from None
        except OSError as exc:
            raise StoreError(f"{file}: cannot write ({exc.strerror})") from None
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        typer.echo(f"wrote {file}: keep it as safe as the index itself")

    @store_app.command("import-key")
    @user_errors
    def import_key(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="Key file from export-key ('-': stdin).")],
    ) -> None:
        """Keep a key from export-key in this machine's OS key store (checked first)."""
        from assistant import encryption

        if str(file) == "-":
            text, origin = sys.stdin.read(), "stdin"
        else:
            try:
                text, origin = file.read_text(encoding="utf-8"), str(file)
            except (OSError, UnicodeDecodeError) as exc:
                raise StoreError(f"{file}: cannot read ({exc})") from None
        _done(encryption.import_key(_rt(ctx), text, origin), "key imported")
