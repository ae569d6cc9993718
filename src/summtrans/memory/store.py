"""Translation memory: a persistent SQLite store of segment translations and summaries.

Every model output is remembered under a key that names everything that could change it: the
model's identity (hub id + revision, or a fingerprint of a local model's files), the engine, the
compute type, the output-changing generation settings, opaque extra settings (glossary,
protection, prefix) and the normalized source. A different model or setting never returns a stale
translation. Human translations imported from TMX are kept apart, keyed on the source alone: they
win over model output for any model.

The database lives next to the converted models (``$SUMMTRANS_CACHE_DIR/memory.sqlite3``), runs in
WAL mode with a busy timeout, and writes in short ``BEGIN IMMEDIATE`` transactions, so several
processes (two CLI runs, the workers of a distributed run) can share it. (WAL needs a local file
system: not NFS.) Lookups and stores are batched: one query per chunk of keys, one transaction
per stored group. A size cap evicts the least recently used model entries (never imports).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import MemoryStoreError
from ..models.hub import cache_root
from ..records import MEMORY, MEMORY_IMPORT, MODEL, ORIGINS
from .key import MemoryContext, model_identity, normalize_source
from .key import key_digest as _digest

__all__ = [
    "MEMORY",
    "MEMORY_IMPORT",
    "MODEL",
    "ORIGINS",
    "Memory",
    "MemoryContext",
    "MemoryOptions",
    "MemoryStoreError",
    "model_identity",
    "normalize_source",
]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
DB_NAME = "memory.sqlite3"
_CHUNK = 500  # keys per `IN (…)` query: far below SQLite's variable limit
_RUNS_KEPT = 50
# A hit refreshes `last_used` only when it is older than this: LRU at minute granularity, and
# repeated lookups stay read-only (no write lock) for concurrent workers.
TOUCH_AFTER_S = 600.0
_SEGMENT, _SUMMARY, _NOTE = "segment", "summary", "note"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS contexts (ctx TEXT PRIMARY KEY, description TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY,          -- sha256(kind, ctx, normalized source)
    kind TEXT NOT NULL,            -- segment | summary
    ctx TEXT NOT NULL,             -- contexts.ctx
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    created REAL NOT NULL,
    last_used REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entries_last_used ON entries (last_used);
CREATE TABLE IF NOT EXISTS imports (
    key TEXT PRIMARY KEY,          -- sha256(normalized source)
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    origin_file TEXT NOT NULL,
    created REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    finished REAL NOT NULL,
    pid INTEGER NOT NULL,
    hits INTEGER NOT NULL,
    imported INTEGER NOT NULL,
    misses INTEGER NOT NULL,
    stored INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class MemoryOptions:
    """Where the translation memory is and how it is used (--no-memory: no Memory at all)."""

    path: Path | None = None  # the SQLite file; None = <cache root>/memory.sqlite3
    max_bytes: int = 1 << 30  # size cap; least recently used model entries are evicted past it
    busy_timeout_s: float = 30.0  # how long a writer waits for another process's transaction

    def resolved_path(self) -> Path:
        return self.path if self.path is not None else cache_root() / DB_NAME


@dataclass(frozen=True)
class Hit:
    """A remembered translation."""

    text: str
    origin: str  # MEMORY or MEMORY_IMPORT


@dataclass(frozen=True)
class Entry:
    """One stored pair (for export and tests)."""

    source: str
    target: str
    origin: str  # MEMORY or MEMORY_IMPORT
    context: str = ""  # the context description (model entries) or the imported file's name


@dataclass
class RunCounts:
    """Counts of one Memory object's lifetime (one run of one process)."""

    hits: int = 0  # model entries found
    imported: int = 0  # imported human translations found
    misses: int = 0  # sources that went to the model
    stored: int = 0  # entries written

    @property
    def lookups(self) -> int:
        return self.hits + self.imported + self.misses


@dataclass(frozen=True)
class RunStats:
    finished: float  # epoch seconds
    hits: int
    imported: int
    misses: int
    stored: int

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.imported + self.misses
        return (self.hits + self.imported) / total if total else 0.0


@dataclass(frozen=True)
class MemoryStats:
    """What `summtrans memory stats` shows."""

    path: Path
    entries: int  # model segment translations
    summaries: int  # remembered summaries
    imports: int  # imported human translations
    contexts: int  # distinct model/settings contexts
    size_bytes: int  # database + WAL on disk
    runs: list[RunStats]  # the last runs, newest first


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Memory:
    """A handle on the memory database. One per process: a handle copied into a forked child
    reconnects there on first use. Use as a context manager, or call `close()` (which records
    this run's counts for `stats()`)."""

    def __init__(self, options: MemoryOptions | None = None) -> None:
        self.options = options or MemoryOptions()
        self.path = self.options.resolved_path()
        self.counts = RunCounts()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._known_ctx: set[str] = set()
        self._connect()

    # -- connection ----------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            self._known_ctx = set()
            self._conn, self._pid = _open(self.path, self.options.busy_timeout_s), os.getpid()
        return self._conn

    def close(self) -> None:
        """Record this run's counts (when anything was looked up) and close the connection."""
        if self._conn is None or self._pid != os.getpid():
            self._conn = None
            return
        if self.counts.lookups or self.counts.stored:
            _record_run(self._conn, self.counts)
        self._conn.close()
        self._conn = None

    def __enter__(self) -> Memory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- segments ------------------------------------------------------------------------

    def lookup(self, ctx: MemoryContext, sources: Sequence[str], *, count: bool = True) -> dict[str, Hit]:
        """Remembered translations of `sources` (keyed by the source string as given).

        Imported human translations win over model entries. Hits' `last_used` is refreshed (when
        older than TOUCH_AFTER_S) in one statement per chunk; the counts of this run are updated
        (unless `count=False`: a look ahead, e.g. to size work).
        """
        conn = self._connect()
        norm = {s: normalize_source(s) for s in dict.fromkeys(sources) if s.strip()}
        by_import_key: dict[str, list[str]] = {}
        for s, n in norm.items():
            by_import_key.setdefault(_digest("import", n), []).append(s)
        hits: dict[str, Hit] = {}
        for keys in _chunks(list(by_import_key)):
            q = f"SELECT key, target FROM imports WHERE key IN ({','.join('?' * len(keys))})"
            for key, target in conn.execute(q, keys):
                for s in by_import_key[key]:
                    hits[s] = Hit(target, MEMORY_IMPORT)
        cdig = ctx.digest()
        by_key: dict[str, list[str]] = {}
        for s, n in norm.items():
            if s not in hits:
                by_key.setdefault(_digest(_SEGMENT, cdig, n), []).append(s)
        stale: list[str] = []
        touch_before = time.time() - TOUCH_AFTER_S
        for keys in _chunks(list(by_key)):
            q = f"SELECT key, target, last_used FROM entries WHERE key IN ({','.join('?' * len(keys))})"
            for key, target, last_used in conn.execute(q, keys):
                if last_used < touch_before:
                    stale.append(key)
                for s in by_key[key]:
                    hits[s] = Hit(target, MEMORY)
        self._touch(stale)
        if not count:
            return hits
        imported = sum(h.origin == MEMORY_IMPORT for h in hits.values())
        self.counts.imported += imported
        self.counts.hits += len(hits) - imported
        self.counts.misses += len(norm) - len(hits)
        return hits

    def store(self, ctx: MemoryContext, pairs: Iterable[tuple[str, str]]) -> int:
        """Remember (source, translation) pairs for `ctx` in one transaction; returns how many."""
        cdig = ctx.digest()
        now = time.time()
        rows = {}
        for source, target in pairs:
            n = normalize_source(source)
            if n:
                rows[_digest(_SEGMENT, cdig, n)] = (_SEGMENT, cdig, n, target, now, now)
        return self._insert(ctx, rows)

    # -- summaries -----------------------------------------------------------------------

    def lookup_summary(self, ctx: MemoryContext, text: str) -> str | None:
        """The remembered summary of exactly `text` (no normalization) under `ctx`, or None."""
        summary = self._get(_digest(_SUMMARY, ctx.digest(), text))
        if summary is None:
            self.counts.misses += 1
        else:
            self.counts.hits += 1
        return summary

    def store_summary(self, ctx: MemoryContext, text: str, summary: str) -> None:
        cdig, now = ctx.digest(), time.time()
        self._insert(ctx, {_digest(_SUMMARY, cdig, text): (_SUMMARY, cdig, text, summary, now, now)})

    # -- notes: small facts about a whole text (e.g. its detected language) ---------------

    def lookup_note(self, ctx: MemoryContext, text: str) -> str | None:
        """A value remembered about exactly `text` under `ctx` (keyed on its SHA-256), or None.
        Notes do not count as segment hits or misses."""
        return self._get(_digest(_NOTE, ctx.digest(), _sha256(text)))

    def store_notes(self, ctx: MemoryContext, notes: Iterable[tuple[str, str]]) -> None:
        """Remember (text, value) pairs under `ctx` in one transaction."""
        cdig, now, rows = ctx.digest(), time.time(), {}
        for text, value in notes:
            sha = _sha256(text)
            rows[_digest(_NOTE, cdig, sha)] = (_NOTE, cdig, f"sha256:{sha}", value, now, now)
        self._insert(ctx, rows, counted=False)  # notes are not translations

    # -- imports (TMX) -------------------------------------------------------------------

    def import_pairs(self, pairs: Iterable[tuple[str, str]], origin_file: str) -> int:
        """Store human translations; a later import of the same source replaces an earlier one."""
        return _import_pairs(self._connect(), pairs, origin_file)

    def entries(self, *, imports: bool = True, model: bool = True) -> Iterator[Entry]:
        """Every stored segment pair (summaries excluded), imports first, each in insertion order."""
        return _entries(self._connect(), imports=imports, model=model)

    # -- maintenance ---------------------------------------------------------------------

    def stats(self, runs: int = 10) -> MemoryStats:
        return _stats(self._connect(), self.path, runs)

    def clear(self, *, imports: bool = True) -> None:
        """Delete every model entry and run record (and the imports unless `imports=False`), then shrink the file."""
        self._known_ctx = set()
        _clear(self._connect(), imports=imports)

    def used_bytes(self) -> int:
        """Bytes the live pages take (the file does not shrink when rows are deleted)."""
        return _used_bytes(self._connect())

    def evict(self, max_bytes: int | None = None) -> int:
        """Delete least recently used model entries until the live data fits 90% of the cap."""
        cap = self.options.max_bytes if max_bytes is None else max_bytes
        conn = self._connect()
        if _used_bytes(conn) <= cap:
            return 0
        with _transaction(conn):
            removed = _evict_lru(conn, cap)
        self._known_ctx = set()
        log.info("translation memory: evicted %d least recently used entries", removed)
        return removed

    # -- internals -----------------------------------------------------------------------

    def _get(self, key: str) -> str | None:
        """The target stored under `key` (its `last_used` refreshed when stale), or None."""
        row = self._connect().execute("SELECT target, last_used FROM entries WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        if row[1] < time.time() - TOUCH_AFTER_S:
            self._touch([key])
        return row[0]

    def _touch(self, keys: Sequence[str]) -> None:
        if not keys:
            return
        conn = self._connect()
        now = time.time()
        with _transaction(conn):
            for chunk in _chunks(list(keys)):
                conn.execute(
                    f"UPDATE entries SET last_used = ? WHERE key IN ({','.join('?' * len(chunk))})", (now, *chunk)
                )

    def _insert(self, ctx: MemoryContext, rows: Mapping[str, tuple], *, counted: bool = True) -> int:
        if not rows:
            return 0
        conn = self._connect()
        cdig = ctx.digest()
        with _transaction(conn):
            if cdig not in self._known_ctx:
                conn.execute("INSERT OR IGNORE INTO contexts VALUES (?, ?)", (cdig, ctx.description()))
            conn.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)", [(k, *v) for k, v in rows.items()])
        self._known_ctx.add(cdig)
        if counted:
            self.counts.stored += len(rows)
        if self.options.max_bytes:
            self.evict()
        return len(rows)


def _open(path: Path, busy_timeout_s: float) -> sqlite3.Connection:
    """Connect in autocommit mode (transactions are explicit), WAL, busy timeout; create the schema."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
            log.warning("translation memory %s: WAL mode unavailable; concurrent runs will wait", path)
        conn.execute("PRAGMA synchronous = NORMAL")
        with _transaction(conn):
            for stmt in _SCHEMA.split(";"):
                if stmt.strip():
                    conn.execute(stmt)
            row = conn.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
            if row is None:
                conn.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        if row is not None and row[0] != str(SCHEMA_VERSION):
            conn.close()
            raise MemoryStoreError(
                f"{path}: translation memory schema {row[0]} is not supported "
                f"(this summtrans reads {SCHEMA_VERSION}); move the file away"
            )
    except sqlite3.DatabaseError as exc:
        raise MemoryStoreError(f"{path}: cannot use the translation memory ({exc})") from exc
    except OSError as exc:
        raise MemoryStoreError(f"{path}: cannot create the translation memory ({exc.strerror or exc})") from exc
    return conn


def _record_run(conn: sqlite3.Connection, c: RunCounts) -> None:
    """Record one run's counts for `stats()`, keeping the last _RUNS_KEPT."""
    with _transaction(conn):
        conn.execute(
            "INSERT INTO runs (finished, pid, hits, imported, misses, stored) VALUES (?, ?, ?, ?, ?, ?)",
            (time.time(), os.getpid(), c.hits, c.imported, c.misses, c.stored),
        )
        conn.execute("DELETE FROM runs WHERE id <= (SELECT MAX(id) FROM runs) - ?", (_RUNS_KEPT,))


def _import_pairs(conn: sqlite3.Connection, pairs: Iterable[tuple[str, str]], origin_file: str) -> int:
    now = time.time()
    rows = {}
    for source, target in pairs:
        n = normalize_source(source)
        if n and target.strip():
            rows[_digest("import", n)] = (n, target, origin_file, now)
    with _transaction(conn):
        conn.executemany("INSERT OR REPLACE INTO imports VALUES (?, ?, ?, ?, ?)", [(k, *v) for k, v in rows.items()])
    return len(rows)


def _entries(conn: sqlite3.Connection, *, imports: bool, model: bool) -> Iterator[Entry]:
    if imports:
        for source, target, origin_file in conn.execute(
            "SELECT source, target, origin_file FROM imports ORDER BY created, source"
        ):
            yield Entry(source, target, MEMORY_IMPORT, origin_file)
    if model:
        q = (
            "SELECT e.source, e.target, c.description FROM entries e JOIN contexts c USING (ctx) "
            "WHERE e.kind = ? ORDER BY e.created, e.source"
        )
        for source, target, description in conn.execute(q, (_SEGMENT,)):
            yield Entry(source, target, MEMORY, description)


def _stats(conn: sqlite3.Connection, path: Path, runs: int) -> MemoryStats:
    counts = dict(conn.execute("SELECT kind, COUNT(*) FROM entries GROUP BY kind").fetchall())
    last = [
        RunStats(*row)
        for row in conn.execute(
            "SELECT finished, hits, imported, misses, stored FROM runs ORDER BY id DESC LIMIT ?", (runs,)
        )
    ]
    return MemoryStats(
        path=path,
        entries=counts.get(_SEGMENT, 0),
        summaries=counts.get(_SUMMARY, 0),
        imports=conn.execute("SELECT COUNT(*) FROM imports").fetchone()[0],
        contexts=conn.execute("SELECT COUNT(*) FROM contexts").fetchone()[0],
        size_bytes=sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists()),
        runs=last,
    )


def _clear(conn: sqlite3.Connection, *, imports: bool) -> None:
    with _transaction(conn):
        for table in ("entries", "contexts", "runs", *(("imports",) if imports else ())):
            conn.execute(f"DELETE FROM {table}")
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _used_bytes(conn: sqlite3.Connection) -> int:
    pages = conn.execute("PRAGMA page_count").fetchone()[0] - conn.execute("PRAGMA freelist_count").fetchone()[0]
    return pages * conn.execute("PRAGMA page_size").fetchone()[0]


def _evict_lru(conn: sqlite3.Connection, cap: int) -> int:
    """Inside a transaction: delete the least recently used entries until the live pages fit 90% of
    `cap`. Deleting rows frees pages only approximately, so it deletes by estimate and re-measures."""
    removed = 0
    for _ in range(16):
        used = _used_bytes(conn)
        count = conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
        if used <= 0.9 * cap or not count:
            break
        n = min(count, int((used - 0.9 * cap) * count / used) + 1)  # bytes per entry: an estimate
        conn.execute("DELETE FROM entries WHERE key IN (SELECT key FROM entries ORDER BY last_used LIMIT ?)", (n,))
        removed += n
    conn.execute("DELETE FROM contexts WHERE ctx NOT IN (SELECT DISTINCT ctx FROM entries)")
    return removed


class _transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (rollback on error): a writer takes the lock up front, so
    two processes never deadlock upgrading read locks; the busy timeout makes the other wait."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")


def translate_with_memory(
    sources: Sequence[str],
    memory: Memory | None,
    ctx: MemoryContext,
    translate: Callable[[list[str]], list[str]],
) -> list[tuple[str, str]]:
    """Translate `sources` through the memory: `translate` runs only on the misses (each distinct
    normalized source once), whose results are stored. Returns (translation, origin) per source."""
    if memory is None:
        return [(t, MODEL) for t in translate(list(sources))] if sources else []
    hits = memory.lookup(ctx, sources)
    first_of: dict[str, str] = {}  # normalized source -> the first original that needs the model
    for s in sources:
        if s not in hits:
            first_of.setdefault(normalize_source(s), s)
    misses = list(first_of.values())
    outputs = translate(misses) if misses else []
    if len(outputs) != len(misses):
        raise ValueError(f"translate returned {len(outputs)} outputs for {len(misses)} inputs")
    memory.store(ctx, [(s, o) for s, o in zip(misses, outputs) if s.strip()])
    fresh = dict(zip(first_of, outputs))
    result = []
    for s in sources:
        hit = hits.get(s)
        result.append((hit.text, hit.origin) if hit else (fresh[normalize_source(s)], MODEL))
    return result
