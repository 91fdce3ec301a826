"""The generated functions that depend on the rules: template renderers, column defaults, the
bulk-insert filling and the ORM listener.

Each is laid out through :mod:`envoxy.mixin.layout`, so any rules that compile give code that
``ruff format`` leaves alone and no line over 100 columns. A field's name is used as it stands
where it fits; in locals (``<name>_values``, ``new_<name>``) and template parameters a long name
is replaced by ``_f<n>``, which no field can be called (field names never start with ``_``).
"""

from __future__ import annotations

from envoxy.mixin.blocks import template_blocks
from envoxy.mixin.layout import WIDTH, Call, Items, Node, fstring_pieces, lay, quote, signature, width
from envoxy.mixin.plan import FieldPlan

__all__ = [
    "Plans",
    "bulk_fills",
    "column_default",
    "constant",
    "doc_text",
    "docstring",
    "field_defaults",
    "filled_rows",
    "listener",
    "mixin_defaults",
    "renders",
]

Plans = tuple[FieldPlan, ...]

_LOCAL_FROM = 16  # a field name longer than this gets a short local name


def local(plans: Plans, p: FieldPlan) -> str:
    return p.name if len(p.name) <= _LOCAL_FROM else f"_f{plans.index(p)}"


def constant(plans: Plans, p: FieldPlan, suffix: str) -> str:
    return f"{local(plans, p).upper()}_{suffix}"


def doc_text(text: str, room: int) -> str:
    """``text`` escaped for a docstring, cut to ``room`` columns (ending in ``...``) if longer.

    Backslashes, quotes and control characters from rules.yaml must not end the docstring or
    break the module; a space or quote at the end is escaped, or ruff would change it.
    """
    atoms = [repr(c)[1:-1].replace('"', '\\"') for c in text]
    if width("".join(atoms)) > room:
        kept: list[str] = []
        for atom in atoms:
            if width("".join(kept) + atom) > room - 3:
                break
            kept.append(atom)
        atoms = [*kept, "..."]
    if atoms and atoms[-1] in (" ", '\\"'):
        atoms[-1] = "\\x20" if atoms[-1] == " " else "\\x22"
    return "".join(atoms)


def docstring(indent: int, words: list[str]) -> list[str]:
    """A docstring of ``words`` (separated by single spaces), wrapped to the line length."""
    pad = " " * indent
    lines: list[str] = []
    current = f'{pad}"""{words[0]}'
    for i, word in enumerate(words[1:], 2):
        closing = 3 if i == len(words) else 0
        if width(f"{current} {word}") + closing > WIDTH:
            lines.append(current)
            current = f"{pad}{word}"
        else:
            current = f"{current} {word}"
    return [*lines, f'{current}"""']


# -- templates ---------------------------------------------------------------------------------


def _strip_prefix(plans: Plans, p: FieldPlan) -> list[str]:
    """The lines that take the first matching prefix off the table's name."""
    prefixes = constant(plans, p, "STRIP_PREFIXES")
    line = f"    table = next((table[len(x) :] for x in {prefixes} if table.startswith(x)), table)"
    if width(line) <= WIDTH:
        return [line]
    return [
        f"    _prefixes = {prefixes}",
        "    table = next((table[len(x) :] for x in _prefixes if table.startswith(x)), table)",
    ]


def _template(plans: Plans, p: FieldPlan, room: int) -> list[str]:
    """The template as an f-string, or as f-string pieces that each fit in ``room`` columns."""
    names = {n: local(plans, q) for q in plans for n in [q.name]}
    return fstring_pieces(p.spec.value.template or "", names, room)


def _render(plans: Plans, p: FieldPlan) -> str:
    """The function that fills a template for one row: ``{table}`` (prefix stripped) and the
    row's fields. The template becomes an f-string as it stands: the compiler admits only plain
    placeholders (``{table}`` and field names, no conversion or format spec), and an f-string
    costs a quarter of ``str.format``; this runs once per inserted row."""
    params = ["table: str", *(f"{local(plans, q)}: Any" for q in _needs(plans, p))]
    head = f'    """``{p.name}`` of a row of ``table``: '
    lines = [
        *signature(p.maker or "", params, "str"),
        head + doc_text(p.spec.value.template or "", WIDTH - width(head) - 3) + '"""',
    ]
    if p.spec.value.strip_prefix:
        lines += _strip_prefix(plans, p)
    one = _template(plans, p, WIDTH)
    if len(one) == 1 and width(f"    return {one[0]}") <= WIDTH:
        lines.append(f"    return {one[0]}")
    else:
        pieces = _template(plans, p, WIDTH - 8)
        lines += ["    return (", *(f"        {x}" for x in pieces), "    )"]
    return "\n".join(lines)


def _needs(plans: Plans, p: FieldPlan) -> list[FieldPlan]:
    return [next(q for q in plans if q.name == n) for n in p.needs]


_FROM_FIELDS = "from the values of the fields it reads."


def _render_rows(plans: Plans, p: FieldPlan) -> str:
    """The same template for many rows at once: one comprehension, no call per row."""
    needs = [local(plans, q) for q in _needs(plans, p)]
    params = ["table: str", "count: int", *(f"{n}_values: list[Any]" for n in needs)]
    lines = [
        *signature(p.batch or "", params, "list[str]"),
        *docstring(4, f"``{p.name}`` of ``count`` rows of ``table``, {_FROM_FIELDS}".split(" ")),
    ]
    if p.spec.value.strip_prefix:
        lines += _strip_prefix(plans, p)
    loop: str | tuple[str, Call] | None
    if not needs:
        suffix, loop = " * count", None
    elif len(needs) == 1:
        suffix, loop = "", f"for {needs[0]} in {needs[0]}_values"
    else:
        zipped = Call("zip", (*(f"{n}_values" for n in needs), "strict=True"))
        suffix, loop = "", (f"for {', '.join(needs)} in ", zipped)
    lines += _comprehension(plans, p, loop, suffix)
    return "\n".join(lines)


def _comprehension(plans: Plans, p: FieldPlan, loop: str | tuple[str, Call] | None, suffix: str) -> list[str]:
    """``return [<template> <loop>]<suffix>``, laid out as ruff does."""
    (one,) = _template(plans, p, 10**12)
    flat_loop = "" if loop is None else (loop if isinstance(loop, str) else loop[0] + lay(loop[1], 0)[0])
    line = f"    return [{one}{' ' + flat_loop if flat_loop else ''}]{suffix}"
    if width(line) <= WIDTH:
        return [line]
    hugged = f"        {one}{' ' + flat_loop if flat_loop else ''}"
    if width(hugged) <= WIDTH:
        return ["    return [", hugged, f"    ]{suffix}"]
    element = [f"        {one}"]
    if width(element[0]) > WIDTH:
        element = ["        (", *(f"            {x}" for x in _template(plans, p, WIDTH - 12)), "        )"]
    if loop is None:
        looped: list[str] = []
    elif isinstance(loop, str):
        looped = [f"        {loop}"]
    else:
        looped = lay(loop[1], 8, loop[0])
    return ["    return [", *element, *looped, f"    ]{suffix}"]


def renders(plans: Plans) -> list[str]:
    templates = [p for p in plans if p.shape == "template"]
    return [code for p in templates for code in (_render(plans, p), _render_rows(plans, p))]


# -- column defaults ----------------------------------------------------------------------------


def _statement_default(p: FieldPlan, returns: str, first: Node) -> str:
    """The column default of a generated field: its values for the whole statement are made on
    the first call (``first``), then handed out one per row."""
    return "\n".join(
        [
            *signature(f"_default_{p.name}", ["context: DefaultExecutionContext"], returns),
            "    ctx: Any = context  # SQLAlchemy leaves these attributes unannotated",
            "    try:",
            f"        take = ctx._envoxy_next_{p.name}",
            "    except AttributeError:  # the statement's first row",
            *lay(first, 8, "take = "),
            f"        ctx._envoxy_next_{p.name} = take",
            f"    value: {returns} = take()",
            "    return value",
        ]
    )


def _id_default(p: FieldPlan) -> str:
    call = Call("_statement_values", ("ctx", quote(p.name), p.batch or "", p.maker or ""))
    return _statement_default(p, p.annotation, call)


def _template_default(p: FieldPlan) -> str:
    names = Items("(", tuple(quote(n) for n in p.needs))
    call = Call("_template_values", ("ctx", p.maker or "", p.batch or "", names))
    return _statement_default(p, "str", call)


# The column default function a field of each shape gets, if any (clocks share one per clock).
_FIELD_DEFAULTS = {"id": _id_default, "template": _template_default}


def field_defaults(plans: Plans) -> list[str]:
    return [_FIELD_DEFAULTS[p.shape](p) for p in plans if p.shape in _FIELD_DEFAULTS]


def column_default(p: FieldPlan) -> str | None:
    """What a field's column default is: its own function, or the statement's clock."""
    if p.shape in _FIELD_DEFAULTS:
        return f"_default_{p.name}"
    return p.batch if p.shape == "clock" else None


# -- bulk inserts --------------------------------------------------------------------------------


def _now_locals(plans: Plans) -> dict[str, str]:
    """The local name of each clock's reading: ``now``, or ``now_naive`` and ``now_aware``."""
    order = [block.name for block in template_blocks("values")]
    makers = sorted({p.maker or "" for p in plans if p.shape == "clock"}, key=order.index)
    return {m: "now" if len(makers) == 1 else "now_" + m.rsplit("_", 1)[1] for m in makers}


def bulk_fills(plans: Plans) -> bool:
    """Whether the bulk-insert hook can fill these fields: it makes ids and timestamps, and
    renders templates from them; a template reading another template, or a field only the
    caller sets, is left to the column defaults."""
    generated = {p.name for p in plans if p.shape in ("id", "clock")}
    return any(p.maker for p in plans) and all(
        set(p.needs) <= generated for p in plans if p.shape == "template"
    )


def mixin_defaults(plans: Plans) -> str:
    """``_MIXIN_DEFAULTS``: how the bulk-insert hook knows a table of the mixin."""
    entries = tuple(f"{quote(p.name)}: {column_default(p)}" for p in plans if column_default(p))
    return "\n".join(lay(Items("{", entries), 0, "_MIXIN_DEFAULTS: dict[str, Any] = "))


def _condition(p: FieldPlan) -> list[str]:
    """``if`` the caller left the template's field out but set a field it reads."""
    needs = [f"{quote(n)} in row" for n in p.needs]
    mine = f"{quote(p.name)} not in row"
    given = needs[0] if len(needs) == 1 else f"({' or '.join(needs)})"
    line = f"        if {mine} and {given}:"
    if width(line) <= WIDTH:
        return [line]
    if len(needs) == 1:
        return ["        if (", f"            {mine}", f"            and {needs[0]}", "        ):"]
    head = f"        if {mine} and ("
    inner = f"            {' or '.join(needs)}"
    if width(head) <= WIDTH and width(inner) <= WIDTH:
        return [head, inner, "        ):"]
    return [head, f"            {needs[0]}", *(f"            or {n}" for n in needs[1:]), "        ):"]


def filled_rows(plans: Plans) -> str:
    now = _now_locals(plans)
    made = [p for p in plans if p.maker]
    names = {p.name: local(plans, p) for p in plans}
    listed = [p for p in made if p.shape != "clock"]
    lines = [
        "def _filled_rows(table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:",
        '    """Copies of ``rows`` with the fields the caller left out filled in, the same values',
        "    the column defaults would give: the caller's values are kept, and a template reading",
        '    a field the caller set is rendered from it."""',
        *(["    count = len(rows)"] if listed else []),
        *(f"    {value} = {maker}()" for maker, value in now.items()),
    ]
    shown: dict[str, str] = {}  # a field's value, as its template reads it, for all rows
    each: dict[str, str] = {}  # a field's value in one row
    for p in made:
        n = names[p.name]
        if p.shape == "id":
            lines.append(f"    {n}_values, {n}_texts = {p.batch}(count)")
            shown[p.name], each[p.name] = f"{n}_texts", f"new_{n}"
        elif p.shape == "clock":
            shown[p.name], each[p.name] = f"[{now[p.maker or '']}] * count", now[p.maker or ""]
        else:
            args = ("table", "count", *(shown[x] for x in p.needs))
            lines += lay(Call(p.batch or "", args), 4, f"{n}_values = ")
            each[p.name] = f"new_{n}"
    lines.append("    filled = []")
    if listed:
        targets = ", ".join(f"new_{names[p.name]}" for p in listed)
        columns = Call("zip", ("rows", *(f"{names[p.name]}_values" for p in listed), "strict=True"))
        loop = lay(columns, 4, f"for row, {targets} in ", ":")
        if width(loop[0]) > WIDTH:  # too many fields for one line of targets: unpack below
            lines += lay(Call("zip", columns.args[1:]), 4, "made = ")
            unpack = f"        {targets} = values"
            loop = ["    for row, values in zip(rows, made, strict=True):"]
            if width(unpack) <= WIDTH:
                loop.append(unpack)
            else:
                news = [f"            new_{names[p.name]}," for p in listed]
                loop += ["        (", *news, "        ) = values"]
        lines += loop
    else:
        lines.append("    for row in rows:")
    for p in made:
        if p.shape == "template" and p.needs:
            args = ("table", *(f"row.get({quote(x)}, {each[x]})" for x in p.needs))
            lines += [*_condition(p), *lay(Call(p.maker or "", args), 12, f"new_{names[p.name]} = ")]
    entries = (*(f"{quote(p.name)}: {each[p.name]}" for p in made), "**row")
    lines += lay(Call("filled.append", (Items("{", entries),)), 8)
    lines.append("    return filled")
    return "\n".join(lines)


# -- the ORM listener ---------------------------------------------------------------------------


def _listener_reads(plans: Plans, name: str) -> str:
    """How the listener reads field ``name`` for a template: the fields it fills are set by
    then; one only the caller sets may be absent, and renders as None, as in the defaults."""
    filled = any(p.name == name and p.maker for p in plans)
    return f"values[{quote(name)}]" if filled else f"values.get({quote(name)})"


def listener(plans: Plans) -> str:
    local_now = _now_locals(plans)
    if not any(p.maker for p in plans):
        body = ["    return  # the rules leave every value to the caller"]
    else:
        body = ["    values = state.dict  # what the caller set; an unset attribute is absent"]
    body += [f"    {name} = {maker}()" for maker, name in local_now.items()]
    templates = [p for p in plans if p.shape == "template"]
    if templates:
        body.append(f"    table = mapper.columns[{quote(templates[0].name)}].table.name")
    for p in plans:
        if p.maker is None:
            continue
        value: Node
        if p.shape == "id":
            value = f"{p.maker}()"
        elif p.shape == "clock":
            value = local_now[p.maker]
        else:
            value = Call(p.maker, ("table", *(_listener_reads(plans, n) for n in p.needs)))
        target = f"values[{quote(p.name)}] = "
        assign = lay(value, 8, target)
        if len(assign) > 1 or width(assign[0]) > WIDTH:
            assign = [*lay(value, 8, "value = "), f"        {target}value"]
        body += [f"    if values.get({quote(p.name)}) is None:", *assign]
    return "\n".join(
        [
            "def _fill_on_insert(",
            "    mapper: Mapper[Any], connection: sa.Connection, state: InstanceState[Any]",
            ") -> None:",
            "    # Filling the object, rather than leaving it to the column defaults, puts the values on",
            "    # it before the INSERT (later before_insert listeners see them) and costs the ORM less.",
            "    # The INSERT is built from the new object's __dict__; writing there directly skips the",
            "    # attribute events and history, which a row not yet stored has no use for.",
            *body,
        ]
    )
