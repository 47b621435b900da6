"""The database schema and its one migration.

Invariants:
- ``PRAGMA user_version`` says which schema a file holds: 0 is a new file or one made before
  reset periods (records keyed by board and owner, tie order kept in a ``seq`` column), 1 has
  reset periods, 2 adds the social tables (``SOCIAL``: friend edges, groups and their members,
  notifications), made by ``CREATE ... IF NOT EXISTS`` like every table; storage objects
  (``storage``) are such an added table too.
- ``prepare`` runs on the writer thread before any job: it migrates a version-0 file in one
  transaction (its records become the only period, ``expiry`` 0, of their board) and then makes
  whatever is missing, so a file is always entirely one version. Tables that are only added
  (``user_profiles``) are made on every start, so older files of the current version get them.
"""

from __future__ import annotations

import sqlite3

__all__ = ["SCHEMA", "SCHEMA_VERSION", "SOCIAL", "prepare"]

SCHEMA_VERSION = 2

# Records by board period (expiry: the period's reset time, 0 for a board that never resets).
_RECORDS = """
CREATE TABLE {exists}records(
    board TEXT NOT NULL,
    expiry INTEGER NOT NULL,
    owner INTEGER NOT NULL,
    score INTEGER NOT NULL,
    subscore INTEGER NOT NULL,
    num_score INTEGER NOT NULL,
    metadata TEXT NOT NULL,
    create_time INTEGER NOT NULL,
    update_time INTEGER NOT NULL,
    PRIMARY KEY(board, expiry, owner)
) WITHOUT ROWID;
"""

# Storage objects: Nakama's storage table; user_id is the owner's uuid text, the nil uuid for
# system objects. Events: what POST /v2/event accepted, in arrival order (``timestamp``: the
# event's own time, NULL when the client sent none).
_STORAGE = """
CREATE TABLE IF NOT EXISTS storage(
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    user_id TEXT NOT NULL,
    value TEXT NOT NULL,
    version TEXT NOT NULL,
    read INTEGER NOT NULL,
    write INTEGER NOT NULL,
    create_time REAL NOT NULL,
    update_time REAL NOT NULL,
    PRIMARY KEY(collection, key, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS storage_public ON storage(collection, read, key, user_id);
CREATE INDEX IF NOT EXISTS storage_owner ON storage(collection, user_id, read, key);
CREATE TABLE IF NOT EXISTS events(
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    properties TEXT NOT NULL,
    timestamp REAL,
    external INTEGER NOT NULL,
    received REAL NOT NULL
);
"""

SCHEMA = """
CREATE TABLE IF NOT EXISTS users(
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL UNIQUE,
    custom_id TEXT UNIQUE,
    email TEXT UNIQUE,
    password TEXT,
    create_time INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS user_devices(
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS revoked_tokens(
    digest TEXT PRIMARY KEY,
    exp INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idempotency(
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY(user_id, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idempotency_created ON idempotency(created);
CREATE TABLE IF NOT EXISTS user_profiles(
    user_id INTEGER PRIMARY KEY,
    display_name TEXT,
    avatar_url TEXT,
    lang_tag TEXT NOT NULL DEFAULT 'en',
    location TEXT,
    timezone TEXT,
    update_time INTEGER NOT NULL
);
""" + _RECORDS.format(exists="IF NOT EXISTS ")
SCHEMA += _STORAGE

# Friends: two edges per pair (``state`` as the source sees it); ``position`` orders a list
# (Nakama: the time the pair first met), shared by both edges of a pair.
# Groups: ``state`` of a member is 0 superadmin .. 4 banned; ``position`` orders members.
# Notifications: ``seq`` orders them (oldest first) and is what a cursor names.
SOCIAL = """
CREATE TABLE IF NOT EXISTS user_edges(
    source TEXT NOT NULL,
    destination TEXT NOT NULL,
    state INTEGER NOT NULL,
    position INTEGER NOT NULL,
    update_time INTEGER NOT NULL,
    metadata TEXT NOT NULL,
    PRIMARY KEY(source, destination)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS user_edges_list ON user_edges(source, state, position);
CREATE INDEX IF NOT EXISTS user_edges_position ON user_edges(position);
CREATE TABLE IF NOT EXISTS groups(
    id TEXT PRIMARY KEY,
    creator_id TEXT NOT NULL,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    avatar_url TEXT NOT NULL,
    lang_tag TEXT NOT NULL,
    metadata TEXT NOT NULL,
    open INTEGER NOT NULL,
    edge_count INTEGER NOT NULL,
    max_count INTEGER NOT NULL,
    create_time INTEGER NOT NULL,
    update_time INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS group_edges(
    group_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    state INTEGER NOT NULL,
    position INTEGER NOT NULL,
    update_time INTEGER NOT NULL,
    PRIMARY KEY(group_id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS group_edges_user ON group_edges(user_id, state, position);
CREATE INDEX IF NOT EXISTS group_edges_list ON group_edges(group_id, state, position);
CREATE INDEX IF NOT EXISTS group_edges_position ON group_edges(position);
CREATE TABLE IF NOT EXISTS notifications(
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    content TEXT NOT NULL,
    code INTEGER NOT NULL,
    sender_id TEXT NOT NULL,
    create_time INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS notifications_user ON notifications(user_id, seq);
"""

_MIGRATE_0_TO_1 = (
    "ALTER TABLE records RENAME TO records_v0",
    _RECORDS.format(exists=""),
    "INSERT INTO records(board, expiry, owner, score, subscore, num_score, metadata,"
    " create_time, update_time) SELECT board, 0, owner, score, subscore, num_score, metadata,"
    " create_time, update_time FROM records_v0",
    "DROP TABLE records_v0",
)


def _has_column(conn: sqlite3.Connection, table: str, column: str) -> bool:
    return any(row[1] == column for row in conn.execute(f"PRAGMA table_info({table})"))


def _create_missing(conn: sqlite3.Connection) -> None:
    """Tables added since a file reached the current version (each ``IF NOT EXISTS``, so a
    new table needs no version of its own)."""
    for statement in (SCHEMA + SOCIAL).split(";"):
        if statement.strip():
            conn.execute(statement)


def prepare(conn: sqlite3.Connection) -> None:
    """Bring the file to ``SCHEMA_VERSION`` (blocking; the writer thread, autocommit mode)."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version >= SCHEMA_VERSION:
        _create_missing(conn)
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if _has_column(conn, "records", "seq"):
            for statement in _MIGRATE_0_TO_1:
                conn.execute(statement)
        for statement in (SCHEMA + SOCIAL).split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
