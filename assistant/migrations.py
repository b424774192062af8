"""The schema as numbered migrations, applied in order and recorded in ``_migrations``.

Each migration is a small function of the open connection, run in its own transaction
with the row that records it. Never edit a released migration: add the next number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Migration = Callable[[Any], None]
MIGRATIONS: list[tuple[int, str, Migration]] = []


def migration(version: int) -> Callable[[Migration], Migration]:
    def register(fn: Migration) -> Migration:
        MIGRATIONS.append((version, fn.__name__, fn))
        MIGRATIONS.sort(key=lambda m: m[0])
        return fn

    return register


def _split_sql(script: str) -> list[str]:
    """Statements of a script (triggers keep their inner ';'). executescript would COMMIT."""
    statements: list[str] = []
    current: list[str] = []
    depth = 0
    for line in script.splitlines():
        code = line.split("--", 1)[0]
        if not code.strip():
            continue
        current.append(code)
        upper = code.upper()
        if re.search(r"\bBEGIN\s*$", upper.strip()) or upper.strip().endswith(" BEGIN"):
            depth += 1
        if upper.strip().startswith("END;"):
            depth -= 1
        if depth == 0 and code.rstrip().endswith(";"):
            statements.append("\n".join(current))
            current = []
    if current:
        statements.append("\n".join(current))
    return statements


@migration(1)
def m001_initial(db: Any) -> None:
    for statement in _split_sql(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,          -- the configured source kind: notes|calendar|messages
            format TEXT NOT NULL,        -- the parser: markdown, ics, mbox, whatsapp, ...
            hash TEXT NOT NULL,          -- sha256 of the file's bytes
            mtime REAL NOT NULL,
            size INTEGER NOT NULL,
            title TEXT,
            indexed_at REAL NOT NULL,
            problems TEXT                -- JSON list of per-item problems, or NULL
        );
        CREATE TABLE chunks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            kind TEXT NOT NULL,          -- note|event|message|email
            title TEXT,
            text TEXT NOT NULL,
            locator TEXT NOT NULL,
            time REAL,                   -- epoch seconds (UTC) or NULL
            time_end REAL,
            senders TEXT NOT NULL DEFAULT '',   -- newline-joined sender names
            text_hash TEXT NOT NULL,
            meta TEXT,
            UNIQUE (doc_id, ordinal)
        );
        CREATE INDEX chunks_time ON chunks(time);
        CREATE INDEX chunks_hash ON chunks(text_hash);
        CREATE VIRTUAL TABLE chunks_fts USING fts5(
            title, text, senders,
            content='chunks', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
            INSERT INTO chunks_fts(rowid, title, text, senders)
            VALUES (new.id, new.title, new.text, new.senders);
        END;
        CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
            INSERT INTO chunks_fts(chunks_fts, rowid, title, text, senders)
            VALUES ('delete', old.id, old.title, old.text, old.senders);
        END;
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            uid TEXT NOT NULL,
            title TEXT NOT NULL,
            location TEXT,
            description TEXT,
            attendees TEXT,              -- JSON list
            all_day INTEGER NOT NULL,
            recurring INTEGER NOT NULL,
            first_start REAL NOT NULL,   -- epoch seconds: no occurrence starts before
            last_end REAL,               -- epoch seconds: none ends after; NULL = unbounded
            ics TEXT NOT NULL,           -- self-contained VCALENDAR for expansion
            locator TEXT NOT NULL
        );
        CREATE INDEX events_span ON events(first_start, last_end);
        CREATE INDEX events_doc ON events(doc_id);
        """
    ):
        db.execute(statement)
    # Deleted text must not linger in FTS5's b-tree pages either.
    db.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('secure-delete', 1)")


@migration(2)
def m002_forgotten(db: Any) -> None:
    # Paths the user asked to forget: never indexed again until unforgotten.
    db.execute("CREATE TABLE forgotten (path TEXT PRIMARY KEY, at REAL NOT NULL)")


@migration(3)
def m003_occurrences(db: Any) -> None:
    # Event occurrences expanded at index time over a bounded horizon, so a calendar query
    # is one indexed range scan instead of re-expanding every series. All-day occurrences
    # are stored at UTC midnight of their dates and compared as dates by the reader.
    for statement in _split_sql(
        """
        CREATE TABLE occurrences (
            event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            start_at REAL NOT NULL,
            end_at REAL NOT NULL,
            all_day INTEGER NOT NULL,
            busy INTEGER NOT NULL,
            title TEXT,                  -- an override's own title, else NULL
            location TEXT
        );
        CREATE INDEX occurrences_start ON occurrences(start_at);
        CREATE INDEX occurrences_length ON occurrences(end_at - start_at);
        CREATE INDEX occurrences_event ON occurrences(event_id);
        CREATE TABLE event_coverage (
            event_id INTEGER PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
            covered_from REAL,           -- NULL: from the first occurrence
            covered_until REAL           -- NULL: to the last; else expand beyond it lazily
        );
        """
    ):
        db.execute(statement)


@migration(4)
def m004_occurrence_identity(db: Any) -> None:
    # One slot can hold two occurrences of a series (two overrides moved there, or one moved
    # onto another's slot): the instance an override moved (its RECURRENCE-ID, NULL for
    # an occurrence where the rule puts it) tells them apart. Calendars indexed before
    # this lost such occurrences, so the next `assistant index` reads them again.
    db.execute("ALTER TABLE occurrences ADD COLUMN recurrence_id REAL")
    db.execute("UPDATE documents SET mtime = -1, hash = '' WHERE format = 'ics'")


@migration(5)  # 4 is the calendar's (issue 13): numbered after it so the two merge cleanly
def m005_skipped_files(db: Any) -> None:
    # Files in a messages or auto source that no format recognised: kept so `status` lists
    # them until they are indexed or removed (a silent skip would be silent data loss).
    db.execute(
        "CREATE TABLE skipped_files (path TEXT PRIMARY KEY, reason TEXT NOT NULL, "
        "detail TEXT NOT NULL, at REAL NOT NULL)"
    )


@migration(6)
def m006_cancelled_events(db: Any) -> None:
    # Cancelled events are kept (with no occurrences) so a question about one can say it
    # was cancelled; calendars indexed before dropped them, so they are read again.
    db.execute("ALTER TABLE events ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0")
    db.execute("UPDATE documents SET mtime = -1, hash = '' WHERE format = 'ics'")


@migration(7)
def m007_terms_in_every_script(db: Any) -> None:
    # The keyword index holds prepared terms (assistant/tokens.py: Chinese segmented, each
    # language Snowball-stemmed) instead of Porter over the raw text, which kept a run of
    # Chinese characters as one token and stemmed English only. chunk_terms keeps each
    # chunk's detected language and terms (the FTS table's external content); the terms of
    # an existing index are prepared here, so it keeps working without a re-index.
    from assistant.tokens import entry

    for statement in _split_sql(
        """
        DROP TRIGGER chunks_ai;
        DROP TRIGGER chunks_ad;
        DROP TABLE chunks_fts;
        CREATE TABLE chunk_terms (
            chunk_id INTEGER PRIMARY KEY,   -- chunks.id
            lang TEXT NOT NULL,             -- detected once at index time (ISO 639-1)
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            senders TEXT NOT NULL
        );
        CREATE INDEX chunk_terms_lang ON chunk_terms(lang);
        CREATE VIRTUAL TABLE chunks_fts USING fts5(
            title, text, senders,
            content='chunk_terms', content_rowid='chunk_id',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER chunk_terms_ai AFTER INSERT ON chunk_terms BEGIN
            INSERT INTO chunks_fts(rowid, title, text, senders)
            VALUES (new.chunk_id, new.title, new.text, new.senders);
        END;
        CREATE TRIGGER chunk_terms_ad AFTER DELETE ON chunk_terms BEGIN
            INSERT INTO chunks_fts(chunks_fts, rowid, title, text, senders)
            VALUES ('delete', old.chunk_id, old.title, old.text, old.senders);
        END;
        CREATE TRIGGER chunks_terms_gone AFTER DELETE ON chunks BEGIN
            DELETE FROM chunk_terms WHERE chunk_id = old.id;
        END;
        """
    ):
        db.execute(statement)
    db.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('secure-delete', 1)")
    rows = db.execute("SELECT id, title, text, senders FROM chunks").fetchall()
    db.executemany(
        "INSERT INTO chunk_terms(chunk_id, lang, title, text, senders) VALUES (?,?,?,?,?)",
        ((chunk_id, *entry(title, text, senders)) for chunk_id, title, text, senders in rows),
    )


@migration(8)
def m008_one_message_per_chunk(db: Any) -> None:
    # Chat messages were indexed in windows of up to 6; each is now its own chunk, ranked
    # with its neighbours (assistant/neighbours.py), so a hit costs one message to read.
    # Chat exports are read again by the next `assistant index` (their windows stay
    # searchable until then); emails were always one per chunk.
    db.execute(
        "UPDATE documents SET mtime = -1, hash = '' "
        "WHERE id IN (SELECT doc_id FROM chunks WHERE kind = 'message')"
    )
