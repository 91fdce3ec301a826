"""The fixed pieces of the generated mixin module, written here as they appear in it.

:mod:`envoxy.mixin.source` picks the pieces a set of rules needs and writes the parts that depend
on the rules (the columns, the templates, the listener's body) around them.
"""

from __future__ import annotations

from textwrap import dedent

__all__ = [
    "BATCH_MAKERS",
    "BULK_INSERT",
    "MAKERS",
    "STATEMENT",
    "STATEMENT_NOW",
    "TEMPLATE_VALUES",
    "UUID4_BYTES",
    "register",
]


def _code(text: str) -> str:
    return dedent(text).strip("\n")


# A fresh value for a field, by the name of its maker (see envoxy.mixin.plan): what the ORM
# listener calls for each new object.
MAKERS: dict[str, str] = {
    "_new_uuid": _code('''
        def _new_uuid() -> uuid.UUID:
            """A fresh UUID4, for a native UUID column."""
            return uuid.uuid4()
    '''),
    "_new_uuid_text": _code('''
        # RFC 4122 variant: the 17th hex digit is 10xx in binary, so one of "89ab".
        _UUID4_VARIANT = dict(zip("0123456789abcdef", "89ab" * 4, strict=True))


        def _new_uuid_text() -> str:
            """A fresh UUID4 in its 36-character text form.

            The bits ``str(uuid.uuid4())`` has, without building a UUID object on the way: this
            runs once per inserted row, and that object is most of its cost.
            """
            digits = os.urandom(16).hex()
            return (f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-"
                    f"{_UUID4_VARIANT[digits[16]]}{digits[17:20]}-{digits[20:]}")
    '''),
    "_new_uuid_hex": _code('''
        def _new_uuid_hex() -> str:
            """A fresh UUID4 as 32 hexadecimal digits."""
            return uuid.uuid4().hex
    '''),
    "_utc_now_naive": _code('''
        def _utc_now_naive() -> datetime.datetime:
            """The current UTC time, naive: TIMESTAMP WITHOUT TIME ZONE stores it as given,
            whereas an aware value would first be converted to the session's TimeZone."""
            return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    '''),
    "_utc_now_aware": _code('''
        def _utc_now_aware() -> datetime.datetime:
            """The current UTC time, aware, for TIMESTAMP WITH TIME ZONE."""
            return datetime.datetime.now(datetime.timezone.utc)
    '''),
}

# What the batch makers below share: the random bytes of many UUID4s, and their text.
UUID4_BYTES = _code('''
    # The version sits in the high nibble of byte 6 (0100: version 4), the RFC 4122 variant in the
    # top two bits of byte 8 (10); every other bit is random, as in uuid.uuid4().
    _SET_VERSION_4 = bytes(byte & 0x0F | 0x40 for byte in range(256))
    _SET_RFC_4122_VARIANT = bytes(byte & 0x3F | 0x80 for byte in range(256))
    # Where the 32 hexadecimal digits of a UUID go in its text form, 8-4-4-4-12.
    _TEXT_POSITIONS = tuple(i for i in range(36) if i not in (8, 13, 18, 23))
    # Below this many rows, the one-at-a-time makers are quicker than a batch's fixed costs.
    _BATCH_FROM = 8


    def _uuid4_bytes(count: int) -> bytes:
        """The 16 bytes of each of ``count`` fresh UUID4s, back to back: one read of the
        operating system's random source for all of them."""
        raw = bytearray(os.urandom(16 * count))
        raw[6::16] = raw[6::16].translate(_SET_VERSION_4)
        raw[8::16] = raw[8::16].translate(_SET_RFC_4122_VARIANT)
        return bytes(raw)


    def _uuid_texts(raw: bytes) -> list[str]:
        """The 36-character text form of each UUID in ``raw``.

        Each digit position is filled for every UUID by one slice copy, rather than one string
        built per UUID: a third of the cost.
        """
        count = len(raw) // 16
        digits = raw.hex().encode("ascii")
        text = bytearray(b"-" * (36 * count))
        for digit, position in enumerate(_TEXT_POSITIONS):
            text[position::36] = digits[digit::32]
        joined = text.decode("ascii")
        return [joined[start:start + 36] for start in range(0, 36 * count, 36)]
''')

# ``count`` fresh values at once, and the text of each (what a template shows), by the name of
# the one-at-a-time maker they stand for: what a column default makes for a statement's rows.
BATCH_MAKERS: dict[str, tuple[str, str]] = {
    "_new_uuid": (
        "_new_uuid_batch",
        _code('''
        def _new_uuid_batch(count: int) -> tuple[list[uuid.UUID], list[str]]:
            """``count`` fresh UUID4s for a native UUID column, and their text.

            Each is built as CPython's uuid module builds the UUIDs it generates
            (``UUID._from_int``): bits made right here need no checking, and
            ``uuid.UUID(int=...)`` would double the cost.
            """
            if count < _BATCH_FROM:
                made = [_new_uuid() for _ in range(count)]
                return made, [str(value) for value in made]
            raw = _uuid4_bytes(count)
            new, put, unknown = object.__new__, object.__setattr__, uuid.SafeUUID.unknown
            made = []
            for high, low in struct.iter_unpack(">QQ", raw):
                value = new(uuid.UUID)
                put(value, "int", high << 64 | low)
                put(value, "is_safe", unknown)
                made.append(value)
            return made, _uuid_texts(raw)
    '''),
    ),
    "_new_uuid_text": (
        "_new_uuid_text_batch",
        _code('''
        def _new_uuid_text_batch(count: int) -> tuple[list[str], list[str]]:
            """``count`` fresh UUID4s in their 36-character text form (twice: value and text)."""
            if count < _BATCH_FROM:
                made = [_new_uuid_text() for _ in range(count)]
            else:
                made = _uuid_texts(_uuid4_bytes(count))
            return made, made
    '''),
    ),
    "_new_uuid_hex": (
        "_new_uuid_hex_batch",
        _code('''
        def _new_uuid_hex_batch(count: int) -> tuple[list[str], list[str]]:
            """``count`` fresh UUID4s as 32 hexadecimal digits each (twice: value and text)."""
            if count < _BATCH_FROM:
                made = [_new_uuid_hex() for _ in range(count)]
            else:
                digits = _uuid4_bytes(count).hex()
                made = [digits[start:start + 32] for start in range(0, 32 * count, 32)]
            return made, made
    '''),
    ),
}

# The column defaults of the ``now`` fields, by the maker of their values: one template, filled
# for the naive and the aware clock.
_STATEMENT_NOW = _code('''
    def _statement_now_{kind}(context: DefaultExecutionContext) -> datetime.datetime:
        """The UTC time of this statement: one clock read for all its rows, and on insert one
        value for all the row's timestamp fields."""
        ctx: Any = context
        try:
            now: datetime.datetime = ctx._envoxy_utc_now_{kind}
        except AttributeError:  # the statement's first value
            now = ctx._envoxy_utc_now_{kind} = _utc_now_{kind}()
        return now
''')

STATEMENT_NOW: dict[str, tuple[str, str]] = {
    f"_utc_now_{kind}": (f"_statement_now_{kind}", _STATEMENT_NOW.format(kind=kind))
    for kind in ("naive", "aware")
}

# How the column defaults of the generated fields (ids, templates) share out a statement's values.
STATEMENT = _code('''
    # SQLAlchemy calls a column default once per row. Making one value per call costs more than the
    # database's own work on a bulk insert, so each default makes the values of all the statement's
    # rows on its first call and hands them out one per call. They are kept on the statement's
    # execution context, which no other statement shares.


    def _statement_rows(context: Any) -> list[dict[str, Any]] | None:
        """The parameters of each row of this INSERT; None for a multi-VALUES insert
        (``insert().values([...])``), whose rows share one set of parameters."""
        if context.get_current_parameters() is not context.current_parameters:
            return None
        rows: list[dict[str, Any]] = context.compiled_parameters
        return rows


    def _statement_values(
        context: Any,
        name: str,
        make_batch: Callable[[int], tuple[list[Any], list[str]]],
        make_one: Callable[[], Any],
    ) -> Callable[[], Any]:
        """What hands out this statement's generated values of field ``name``, one per call."""
        rows = _statement_rows(context)
        if rows is None:  # a multi-VALUES insert: one value per call
            return make_one
        values, texts = make_batch(len(rows))
        context.__dict__["_envoxy_text_" + name] = texts  # for the templates that show them
        return iter(values).__next__
''')

# What the column default of a template field uses.
TEMPLATE_VALUES = _code('''
    def _row_values(context: Any, names: tuple[str, ...]) -> list[Any]:
        """The values of ``names`` in the row being inserted, given or generated.

        A template's fields come before it, so their defaults have run. A multi-VALUES insert
        hands the defaults a stand-in column (the table's column as ``original``), isolates the
        values given for each row, and keeps those generated for row n under ``<name>_m<n>``
        (row 0: ``<name>``).
        """
        values: dict[str, Any] = context.get_current_parameters()
        every_row: dict[str, Any] = context.current_parameters
        if values is every_row:
            return [values[name] for name in names]
        original = getattr(context.current_column, "original", None)
        suffix = "" if original is None else f"_m{context.current_column.index + 1}"
        return [every_row.get(name + suffix) if values.get(name) is None else values[name]
                for name in names]


    def _template_values(
        context: Any,
        render: Callable[..., str],
        render_rows: Callable[..., list[str]],
        names: tuple[str, ...],
    ) -> Callable[[], str]:
        """What hands out this statement's values of a template reading the fields ``names``.

        Rendered for all rows at once from the values of those fields, generated by this
        statement or given by the caller; row by row for a multi-VALUES insert, or when a
        default that is not the mixin's fills one of the fields row by row.
        """
        column = context.current_column
        table: str = getattr(column, "original", column).table.name
        rows = _statement_rows(context)
        if rows is not None:
            filled_by_defaults = {c.key for c in context.prefetch_cols}
            columns = []
            for name in names:
                texts: list[Any] | None = context.__dict__.get("_envoxy_text_" + name)
                if texts is None:
                    if name in filled_by_defaults:
                        break
                    texts = [row[name] for row in rows]  # given by the caller
                columns.append(texts)
            else:
                return iter(render_rows(table, len(rows), *columns)).__next__
        return lambda: render(table, *_row_values(context, names))
''')

# The hook that fills the rows of a bulk INSERT before SQLAlchemy reads them.
BULK_INSERT = _code('''
    # Below this many rows the column defaults' cost per row is small: such an INSERT is left to
    # them, with SQLAlchemy's behaviour unchanged.
    _BULK_FROM = 8


    def _is_mixin_table(table: Any) -> bool:
        """Whether ``table`` has every column the mixin fills, each with the mixin's default."""
        for name, default in _MIXIN_DEFAULTS.items():
            column = table.c.get(name)
            if column is None or column.default is None or column.default.arg is not default:
                return False
        return True


    def _fill_bulk_insert(
        connection: sa.Connection,
        statement: Any,
        rows: list[dict[str, Any]],
        params: dict[str, Any],
        execution_options: Any,
    ) -> tuple[Any, list[dict[str, Any]], dict[str, Any]]:
        """Fill the rows of a bulk INSERT into a table of the mixin before SQLAlchemy reads them.

        The column defaults would produce the same values, but SQLAlchemy calls them once per row
        and column, and on a bulk insert that machinery costs as much as the values. Only a plain
        ``table.insert()`` or ``insert(Model)`` with many rows (Core executemany, ORM bulk insert,
        ``bulk_insert_mappings``, ``bulk_save_objects``) qualifies; any other INSERT (with
        ``.values()``, RETURNING, ``return_defaults()``, ON CONFLICT, ...) is left to the column
        defaults, which also report the values they made. The rows are copies: the caller's
        dicts are not changed.
        """
        if (len(rows) < _BULK_FROM or not isinstance(statement, sa.Insert)
                or not _is_mixin_table(statement.table)
                or not statement.compare(statement.table.insert())):
            return statement, rows, params
        return statement, _filled_rows(statement.table.name, rows), params
''')

_REGISTER = _code('''
    _lock = threading.Lock()


    def register_envoxy_listeners({signature}) -> None:
        """Fill the columns of every ``EnvoxyMixin`` model when the ORM flushes a new object{also}.

        Idempotent and thread-safe. The mapper listener hangs on the mixin and propagates, so it
        covers models declared before and after this call and touches no other model. Without
        them the column defaults still fill every column at INSERT time.{hook}
        """
        with _lock:
            if not event.contains(EnvoxyMixin, "before_insert", _fill_on_insert):
                event.listen(EnvoxyMixin, "before_insert", _fill_on_insert, propagate=True,
                             raw=True){listen}
''')
_BULK_REGISTER = {
    "signature": "*, bulk_inserts: bool = True",
    "also": ",\n    and the rows of bulk INSERTs into their tables",
    "hook": """

    The bulk-insert hook hangs on every Engine and passes every statement it does not fill
    through unchanged; but once an Engine listener exists, SQLAlchemy dispatches events for every
    statement, a few microseconds each. ``bulk_inserts=False`` leaves bulk INSERTs to the column
    defaults (same values, slower) and registers no hook, or removes this module's.""",
    "listen": """
        hooked = event.contains(sa.Engine, "before_execute", _fill_bulk_insert)
        if bulk_inserts and not hooked:
            event.listen(sa.Engine, "before_execute", _fill_bulk_insert, retval=True)
        elif hooked and not bulk_inserts:
            event.remove(sa.Engine, "before_execute", _fill_bulk_insert)""",
}


def register(bulk: bool) -> str:
    """``register_envoxy_listeners``, registering the bulk-insert hook too when there is one."""
    parts = (
        _BULK_REGISTER
        if bulk
        else {
            **dict.fromkeys(_BULK_REGISTER, ""),
            "signature": _BULK_REGISTER["signature"],
            "hook": (
                "\n\n    ``bulk_inserts`` changes nothing here: these rules leave bulk INSERTs to the"
                " column\n    defaults."
            ),
        }
    )
    return _REGISTER.format(**parts)
