"""The generator's registry: steps that load data, and sources of ledger entries.

A later app adds a module `bench/steps/<app>.py` that decorates its loader with `@step(...)`;
`bench.generate` imports every module of `bench.steps` and runs the steps in dependency order.
If the app's decisions append to the ledger, its entries come from one of two kinds of source:

- `@ledger_source(name, sql)`: the ledger step reads the app's rows back from the database in
  time order and turns each into an entry. The simple way, for thousands of rows.
- `ctx.ledger_spool(name)`: the step records each entry while it generates the decision, with
  the payload in hand (`LedgerSpool.add`), and tells the spool how far its time has advanced
  (`release`). Nothing is read back nor parsed again; the way for millions of rows (the cases
  step: every timeline event).

The ledger step runs last and merges every spool and every SQL source by time into one chain,
so the chain stays valid and in time order whatever apps add.
"""

from __future__ import annotations

import datetime
import heapq
import importlib
import itertools
import os
import pkgutil
import queue
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field


@dataclass
class Step:
    name: str
    func: Callable
    after: tuple[str, ...] = ()
    last: bool = False  # run after every other step (the ledger chains what they recorded)


@dataclass
class LedgerSource:
    """SQL returning rows ordered by time, each turned into one ledger entry by `to_entry`.

    `sql` must return `created_at` (timestamptz) as its FIRST column and be ordered by it
    (ties broken by a stable key). `to_entry(row)` returns
    `(created_at, actor_id, action, object_type, object_id, payload dict)`.
    """

    name: str
    sql: str
    to_entry: Callable
    order: int = 0


_STEPS: dict[str, Step] = {}
_SOURCES: dict[str, LedgerSource] = {}


def step(name: str, *, after: tuple[str, ...] | list[str] = (), last: bool = False):
    """Register `func(ctx)` as the generator step `name`, run after the steps named in `after`
    (or after every other step, with `last`)."""
    def register(func):
        _STEPS[name] = Step(name, func, tuple(after), last)
        return func
    return register


def ledger_source(name: str, sql: str, *, order: int = 0):
    """Register `to_entry(row)` turning each row of `sql` into a ledger entry (see LedgerSource)."""
    def register(func):
        _SOURCES[name] = LedgerSource(name, sql, func, order)
        return func
    return register


def discover() -> None:
    """Import every module of bench.steps so that they register themselves."""
    import bench.steps as package

    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"bench.steps.{info.name}")


def steps_in_order() -> list[Step]:
    """Return the registered steps, each after the steps it names (a topological order)."""
    ordered: list[Step] = []
    state: dict[str, int] = {}

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise RuntimeError(f"generator steps depend on each other in a cycle: {chain}")
        if name not in _STEPS:
            raise RuntimeError(f"generator step {chain[-1]!r} runs after unknown step {name!r}")
        state[name] = 1
        for dep in _STEPS[name].after:
            visit(dep, (*chain, name))
        state[name] = 2
        ordered.append(_STEPS[name])

    for name in sorted(_STEPS):
        visit(name, (name,))
    return [s for s in ordered if not s.last] + [s for s in ordered if s.last]


def ledger_sources() -> list[LedgerSource]:
    return sorted(_SOURCES.values(), key=lambda s: (s.order, s.name))


@dataclass
class Context:
    """What steps share: the scale, a seeded random generator, the time the data ends at, the
    database connection, and what earlier steps produced (`ids`, `counts`, `bench`)."""

    scale: float
    seed: int
    now: object  # aware datetime: the generated history ends here
    rnd: object
    connection: object  # a psycopg2 connection (autocommit off)
    ids: dict = field(default_factory=dict)  # e.g. unit ids, enterprise id range
    counts: dict = field(default_factory=dict)  # rows loaded per table
    bench: dict = field(default_factory=dict)  # what the harness needs: heavy enterprise, users
    log: Callable = print
    connect: Callable | None = None  # returns a new connection set up like `connection`
    spools: dict = field(default_factory=dict)  # name → LedgerSpool, for the ledger step

    def n(self, full: int, minimum: int = 1) -> int:
        """Return `full` scaled, at least `minimum`."""
        return max(minimum, int(round(full * self.scale)))

    def ledger_spool(self, name: str) -> LedgerSpool:
        """Return the spool the step records its ledger entries in (see LedgerSpool)."""
        if name not in self.spools:
            self.spools[name] = LedgerSpool(name)
        return self.spools[name]


class LedgerSpool:
    """Ledger entries a step records while it generates the decisions, for the ledger step.

    `add` takes the entry of a decision with its payload: the digest is computed at once (the
    ledger's own `ledger_payload_digest`) and the payload dropped. Entries may come out of time
    order — a step generating case after case produces each case's later steps before the next
    case is submitted —, so `release(until)` is the step's promise that no entry earlier than
    `until` will follow; the spool then writes those up to `until`, in time order, to a
    temporary file. Entries at the same time keep the order in which they were added.
    `entries()`, after the step's last `add`, yields them all in time order.
    """

    def __init__(self, name: str):
        from portal.ledger.services import ledger_payload_digest

        self.name = name
        self._digest = ledger_payload_digest
        self._pending: list[tuple] = []  # a heap of (created_at, sequence, COPY text)
        self._sequence = itertools.count()
        self._released = None
        self._file = tempfile.TemporaryFile(  # noqa: SIM115 (closed by entries())
            "w+", encoding="utf-8", suffix=".ledger", dir=os.environ.get("BENCH_TMP"))

    def add(self, created_at: datetime.datetime, actor_id: int | None, action: str,
            object_type: str, object_id: str, payload: dict) -> None:
        """Record the entry of one decision (what `ledger_append` is given, as plain values).

        Actions, object types and ids are identifiers: they are written as they are, so they
        may not hold a tab, a newline or a backslash.
        """
        if self._released is not None and created_at < self._released:
            raise ValueError(f"ledger spool {self.name!r}: an entry at {created_at} came after "
                             f"the step released the entries up to {self._released}")
        if _SPECIAL.search(f"{action}{object_type}{object_id}"):
            raise ValueError(f"ledger spool {self.name!r}: tab, newline or backslash in "
                             f"{action!r} {object_type!r} {object_id!r}")
        actor = NULL if actor_id is None else actor_id
        text = (f"{created_at.isoformat()}\t{actor}\t{action}\t{object_type}\t{object_id}\t"
                f"{self._digest(payload)}\n")
        heapq.heappush(self._pending, (created_at, next(self._sequence), text))

    def release(self, until: datetime.datetime) -> None:
        """Write out the entries up to `until`; the step adds none earlier from now on."""
        pending, pop, ready = self._pending, heapq.heappop, []
        while pending and pending[0][0] <= until:
            ready.append(pop(pending)[2])
        self._file.write("".join(ready))
        self._released = until

    def entries(self) -> Iterator[tuple]:
        """Yield `(created_at, actor_id, action, object_type, object_id, payload_digest, text)`
        in time order, `text` being the first six in COPY text format; then drop the spool."""
        while self._pending:
            self._file.write(heapq.heappop(self._pending)[2])
        self._file.seek(0)
        parse = datetime.datetime.fromisoformat
        with self._file as lines:
            for line in lines:
                text = line[:-1]
                at, actor_id, action, object_type, object_id, digest = text.split("\t")
                yield (parse(at), None if actor_id == NULL else int(actor_id), action,
                       object_type, object_id, digest, text)


# --- COPY ------------------------------------------------------------------------------------

NULL = r"\N"
_SPECIAL = re.compile(r"[\\\t\n\r]")
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_escape(value) -> str:
    r"""Return `value` in PostgreSQL COPY text format (\N for NULL, backslash escapes)."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = value if type(value) is str else str(value)
    if _SPECIAL.search(text):
        text = text.translate(_ESCAPES)
    return text


def pg_array(values) -> str:
    """Return a text[] literal for COPY (elements quoted)."""
    inner = ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return "{" + inner + "}"


class _LineReader:
    """A file-like object over an iterator of COPY lines, for `cursor.copy_expert`."""

    def __init__(self, lines: Iterator[str]):
        self._lines = lines
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        size = 1 << 16 if size is None or size < 0 else size
        parts, have = [self._buffer], len(self._buffer)
        while have < size:
            chunk = "".join(itertools.islice(self._lines, 512))
            if not chunk:
                break
            data = chunk.encode("utf-8")
            parts.append(data)
            have += len(data)
        data = b"".join(parts)
        self._buffer = data[size:]
        return data[:size]

    readline = read


def copy_rows(ctx: Context, table: str, columns: list[str], rows) -> int:
    """COPY `rows` (tuples of Python values in `columns` order) into `table`; return the count."""
    count = 0

    def lines():
        nonlocal count
        esc = copy_escape
        for row in rows:
            count += 1
            yield "\t".join([esc(v) for v in row]) + "\n"

    with ctx.connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", _LineReader(lines()))
    ctx.counts[table] = ctx.counts.get(table, 0) + count
    return count


def copy_lines(ctx: Context, table: str, columns: list[str], lines) -> int:
    """COPY already formatted lines (tab-separated, escaped, ending in a newline)."""
    count = 0

    def counted():
        nonlocal count
        for line in lines:
            count += 1
            yield line

    with ctx.connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN",
                           _LineReader(counted()))
    ctx.counts[table] = ctx.counts.get(table, 0) + count
    return count


class _ChunkReader:
    """A file-like object over an iterator of large text chunks: one chunk per read (psycopg2
    sends whatever `read` returns, however long), so nothing waits for more to be generated."""

    def __init__(self, chunks: Iterator[str]):
        self._chunks = chunks

    def read(self, size: int = -1) -> bytes:
        return next(self._chunks, "").encode("utf-8")


class BackgroundCopy:
    """COPY into `table` on a connection and a thread of their own, from the text the caller
    writes (whole lines in COPY text format): PostgreSQL ingests on the second core while Python
    goes on generating. Leaving the block by an exception aborts the COPY.

        with BackgroundCopy(ctx, "cases_caseevent", EVENT_COLUMNS) as events:
            events.write(lines)
    """

    _BATCH = 256  # writes per queue item, so that the queue's locking stays negligible
    _ABORT = object()

    def __init__(self, ctx: Context, table: str, columns: list[str]):
        self._ctx, self._table = ctx, table
        self._sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        self._queue: queue.Queue = queue.Queue(maxsize=64)
        self._batch: list[str] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._copy, name=f"COPY {table}", daemon=True)
        self.lines = 0

    def __enter__(self) -> BackgroundCopy:
        self._thread.start()
        return self

    def write(self, text: str) -> None:
        self._batch.append(text)
        if len(self._batch) >= self._BATCH:
            self._put("".join(self._batch))
            self._batch = []

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc is None and self._batch:
            self._put("".join(self._batch))
        self._put(None if exc is None else self._ABORT)
        self._thread.join()
        if exc is None:
            if self._error is not None:
                raise RuntimeError(f"COPY into {self._table} failed") from self._error
            self._ctx.counts[self._table] = self._ctx.counts.get(self._table, 0) + self.lines

    def _put(self, item) -> None:
        # Never wait for good on a COPY that failed: its error is raised here instead.
        while self._thread.is_alive():
            try:
                self._queue.put(item, timeout=1)
                return
            except queue.Full:
                pass
        if item is not None and item is not self._ABORT:
            raise RuntimeError(f"COPY into {self._table} failed") from self._error

    def _chunks(self) -> Iterator[str]:
        for chunk in iter(self._queue.get, None):
            if chunk is self._ABORT:
                raise RuntimeError("the generating step failed")  # PostgreSQL rolls back
            self.lines += chunk.count("\n")
            yield chunk

    def _copy(self) -> None:
        conn = None
        try:
            conn = self._ctx.connect()
            with conn.cursor() as cursor:
                cursor.copy_expert(self._sql, _ChunkReader(self._chunks()))
        except BaseException as error:  # raised again in the generating thread (__exit__)
            self._error = error
        finally:
            if conn is not None:
                conn.close()


def set_sequence(ctx: Context, table: str, column: str = "id") -> None:
    with ctx.connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                       f"COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)",
                       [table, column])
