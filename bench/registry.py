"""The generator's registry: steps that load data, and sources of ledger entries.

A later app adds a module `bench/steps/<app>.py` that decorates its loader with `@step(...)`
(and, if its decisions append to the ledger, registers a `@ledger_source`); `bench.generate`
imports every module of `bench.steps` and runs the steps in dependency order. The ledger step
runs last and chains the entries of every source in time order, so the chain stays valid
whatever apps add.
"""

from __future__ import annotations

import importlib
import itertools
import pkgutil
import re
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

    def n(self, full: int, minimum: int = 1) -> int:
        """Return `full` scaled, at least `minimum`."""
        return max(minimum, int(round(full * self.scale)))


# --- COPY ------------------------------------------------------------------------------------

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


def set_sequence(ctx: Context, table: str, column: str = "id") -> None:
    with ctx.connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                       f"COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)",
                       [table, column])
