"""The fixed pieces of the generated mixin module, written here as they appear in it.

:mod:`envoxy.mixin.source` picks the pieces a set of rules needs and writes the parts that depend
on the rules (the columns, the templates, the listener's body) around them.
"""

from __future__ import annotations

from textwrap import dedent

__all__ = ["INSERTED_ROW", "MAKERS", "REGISTER", "STATEMENT_NOW"]


def _code(text: str) -> str:
    return dedent(text).strip("\n")


# A fresh value for a field, by the name of its maker (see envoxy.mixin.plan).
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

# The column default of a ``now`` field, by the maker of its values: one template, filled for
# the naive and the aware clock.
_STATEMENT_NOW = _code('''
    def _statement_now_{kind}(context: DefaultExecutionContext) -> datetime.datetime:
        """The UTC time of this statement: one clock read for all its rows, and on insert
        one value for all the row's timestamp fields."""
        cache = context.__dict__
        now: datetime.datetime | None = cache.get("_envoxy_utc_now_{kind}")
        if now is None:
            now = cache["_envoxy_utc_now_{kind}"] = _utc_now_{kind}()
        return now
''')

STATEMENT_NOW: dict[str, tuple[str, str]] = {
    f"_utc_now_{kind}": (f"_statement_now_{kind}", _STATEMENT_NOW.format(kind=kind))
    for kind in ("naive", "aware")
}


# What the column default of a template field reads.
INSERTED_ROW = _code('''
    def _inserted_row(
        context: DefaultExecutionContext, names: tuple[str, ...]
    ) -> tuple[str, Mapping[str, Any]]:
        """The table and the values of the row being inserted, ``names`` among them.

        Defaults run in column order and a template's fields come first, so their values, given
        or generated, are in the row's parameters. A multi-VALUES insert
        (``insert().values([...])``) is the exception: it hands the defaults a stand-in column
        (the table's column as ``original``), isolates the values given for each row, and keeps
        those generated for row n under ``<name>_m<n>`` (row 0: ``<name>``).
        """
        ctx: Any = context  # SQLAlchemy leaves these attributes unannotated
        statement = ctx.__dict__.get("_envoxy_insert")
        if statement is None:  # the first row: what holds for every row of the statement
            column = ctx.current_column
            table = getattr(column, "original", column).table.name
            multi = ctx.get_current_parameters() is not ctx.current_parameters
            statement = ctx.__dict__["_envoxy_insert"] = (table, multi)
        table, multi = statement
        if not multi:
            return table, ctx.current_parameters
        values: dict[str, Any] = ctx.get_current_parameters()
        original = getattr(ctx.current_column, "original", None)
        suffix = "" if original is None else f"_m{ctx.current_column.index + 1}"
        for name in names:
            if values.get(name) is None:
                values[name] = ctx.current_parameters.get(name + suffix)
        return table, values
''')

REGISTER = _code('''
    _lock = threading.Lock()


    def register_envoxy_listeners() -> None:
        """Fill the columns of every ``EnvoxyMixin`` model when the ORM flushes a new object.

        Idempotent and thread-safe. The listener hangs on the mixin and propagates, so it covers
        models declared before and after this call and touches no other model. Without it the
        column defaults still fill every column at INSERT time.
        """
        with _lock:
            if not event.contains(EnvoxyMixin, "before_insert", _fill_on_insert):
                event.listen(EnvoxyMixin, "before_insert", _fill_on_insert, propagate=True,
                             raw=True)
''')
