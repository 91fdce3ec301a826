"""Every write path fills every field, in each profile on the databases it fits (legacy and
native on PostgreSQL and SQLite, mysql on MariaDB), with the shipped rules' UUID4 ids and with
UUIDv7 ids (``value: uuid7``, profiles ``*-uuid7``).

Each (implementation, profile, backend) runs all of ``mixin_scenarios`` once: the runtime mixin
in this process, the generated module in a fresh interpreter without envoxy. PostgreSQL sessions
run in Asia/Kathmandu, MariaDB ones at its offset (+05:45), and so does this process's local time,
so a timestamp written in local time, or an aware one written into ``TIMESTAMP WITHOUT TIME
ZONE``, lands 5h45 off and fails.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import mysql_database_url
from tests.mixin import mixin_scenarios as scenarios
from tests.mixin.support import (
    SHIPPED_RULES,
    as_utc,
    decode,
    decode_rows,
    generate_module,
    postgres_schema,
    run_generated,
)

# Every test reads one batch per (implementation, profile, backend) that runs all the scenarios
# against a real database: seconds each.
pytestmark = pytest.mark.slow

IMPLS = ("runtime", "generated")
# (profile, backend): each profile on the databases it fits (native cannot apply on MariaDB, and
# legacy's DATETIME keeps no fractional seconds there: docs/RULES.md). The same paths with UUIDv7
# ids are another minute of the suite each, so skippable with -m "not slow".
SLOW: tuple[pytest.MarkDecorator, ...] = (pytest.mark.slow,)
CASES = [
    *(
        pytest.param(profile, backend, id=f"{backend}-{profile}", marks=marks)
        for backend in ("sqlite", "postgresql")
        for profile, marks in [("legacy", ()), ("native", ()), ("legacy-uuid7", SLOW), ("native-uuid7", SLOW)]
    ),
    pytest.param("mysql", "mariadb", id="mariadb-mysql"),
    pytest.param("mysql-uuid7", "mariadb", id="mariadb-mysql-uuid7", marks=pytest.mark.slow),
]
LOCAL_TIME_ZONE = "Asia/Kathmandu"
ALL = [
    *scenarios.INSERTS,
    *scenarios.BULK_INSERTS,
    *scenarios.UPDATES,
    "threads",
    "threads_core",
    "time_zones",
]

Batch = Callable[[str, str, str], dict[str, Any]]

# An empty database per backend, in a batch's directory: its URL.
DATABASES: dict[str, Callable[[Path], contextlib.AbstractContextManager[str]]] = {
    "sqlite": lambda directory: contextlib.nullcontext(f"sqlite:///{directory / 'test.sqlite'}"),
    "postgresql": lambda directory: postgres_schema(),
    "mariadb": lambda directory: mysql_database_url("envoxy_m"),
}
# The session time zone each backend's scenarios ran in (SQLite has none).
SESSION_TIME_ZONES = {"sqlite": None, "postgresql": "Asia/Kathmandu", "mariadb": "+05:45"}


@contextlib.contextmanager
def local_time_zone(name: str) -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


def storage(profile: str) -> str:
    """The rules' profile: ``legacy`` or ``mysql`` (text ids, naive times), or ``native``."""
    return profile.split("-")[0]


def id_version(profile: str) -> int:
    return 7 if profile.endswith("-uuid7") else 4


def _rules_file(profile: str, directory: Path) -> Path:
    if profile == "legacy":
        return SHIPPED_RULES
    path = directory / profile / "rules.yaml"
    if not path.exists():
        path.parent.mkdir(parents=True)
        text = SHIPPED_RULES.read_text(encoding="utf-8")
        text = text.replace("profile: legacy", f"profile: {storage(profile)}")
        if id_version(profile) == 7:
            assert "    value: uuid4\n" in text
            text = text.replace("    value: uuid4\n", "    value: uuid7\n")
        path.write_text(text, encoding="utf-8")
    return path


def _run(impl: str, rules: Path, url: str, directory: Path) -> dict[str, Any]:
    if impl == "generated":
        module = generate_module(rules, directory, "app_envoxy_mixin")
        env = {"TZ": LOCAL_TIME_ZONE, "PATH": os.environ.get("PATH", "")}
        return run_generated(module, url, ALL, env)
    from envoxy.mixin import build_mixin_module
    from envoxy.rules import load_rules

    built = build_mixin_module(load_rules(rules))
    with local_time_zone(LOCAL_TIME_ZONE):
        # Through JSON, like the generated module's results, so both meet the same assertions.
        return json.loads(json.dumps(scenarios.run(built, url, ALL)))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Batch]:
    """Results of all scenarios for an (implementation, profile, backend), run on first use."""
    cache: dict[tuple[str, str, str], dict[str, Any] | BaseException] = {}
    base = tmp_path_factory.mktemp("mixin")
    with contextlib.ExitStack() as stack:

        def get(impl: str, profile: str, backend: str) -> dict[str, Any]:
            key = (impl, profile, backend)
            if key not in cache:
                directory = base / "-".join(key)
                directory.mkdir()
                try:
                    url = stack.enter_context(DATABASES[backend](directory))
                    cache[key] = _run(impl, _rules_file(profile, base), url, directory)
                except BaseException as e:  # a skip, or a failure every test of the batch shares
                    cache[key] = e
            found = cache[key]
            if isinstance(found, BaseException):
                raise found
            return found

        yield get


# -- expectations ----------------------------------------------------------------------------------


def outcome(results: dict[str, Any], scenario: str) -> dict[str, Any]:
    result: dict[str, Any] = results[scenario]
    if "error" in result:
        pytest.fail(f"scenario {scenario} raised:\n{result['error']}")
    return result


def check_id(value: Any, profile: str) -> None:
    """A UUID4 (or UUIDv7): as canonical 36-character text in the legacy and mysql profiles, a
    ``uuid.UUID`` in native. The ids the scenarios give (UUID4s) are the caller's, kept as given."""
    if str(value) in (scenarios.GIVEN_ID, scenarios.GIVEN_ID_ONLY):
        return
    if storage(profile) != "native":
        assert isinstance(value, str)
        value = uuid.UUID(value) if str(uuid.UUID(value)) == value else None
    assert isinstance(value, uuid.UUID)
    assert (value.version, value.variant) == (id_version(profile), uuid.RFC_4122)


def check_order(ids: list[Any], profile: str, t0: dt.datetime, t1: dt.datetime) -> None:
    """UUIDv7s made one after another sort in that order, and carry the millisecond they were
    made in; UUID4s carry no order."""
    if id_version(profile) != 7:
        return
    assert ids == sorted(ids) and len(set(ids)) == len(ids), ids
    for value in ids:
        made = uuid.UUID(str(value)).int >> 80
        assert int(t0.timestamp() * 1000) <= made <= int(t1.timestamp() * 1000) + 1, (value, t0, t1)


def check_stamp_type(value: Any, profile: str, backend: str) -> None:
    assert isinstance(value, dt.datetime)
    # Only PostgreSQL keeps a zone; SQLite's DATETIME is naive text either way.
    aware = storage(profile) == "native" and backend == "postgresql"
    assert (value.tzinfo is not None) is aware, value


def given_id(profile: str, text: str) -> Any:
    return text if storage(profile) != "native" else uuid.UUID(text)


def href(scenario: str, row_id: Any) -> str:
    return f"/v3/data-layer/{scenarios.table_name(scenario)}/{row_id}"


def window(result: dict[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    return dt.datetime.fromisoformat(result["t0"]), dt.datetime.fromisoformat(result["t1"])


def check_inserted(result: dict[str, Any], scenario: str, profile: str, backend: str) -> None:
    rows = {r["name"]: r for r in decode_rows(result["rows"])}
    assert sorted(rows) == ["a", "b", "given", "id_only"]
    t0, t1 = window(result)
    for name in ("a", "b", "id_only"):
        row = rows[name]
        check_id(row["id"], profile)
        check_stamp_type(row["created"], profile, backend)
        check_stamp_type(row["updated"], profile, backend)
        assert t0 <= as_utc(row["created"]) <= t1, (row["created"], t0, t1)
        assert row["updated"] == row["created"]
        assert row["href"] == href(scenario, row["id"])
    assert rows["a"]["id"] != rows["b"]["id"]
    check_order([rows["a"]["id"], rows["b"]["id"]], profile, t0, t1)
    assert rows["id_only"]["id"] == given_id(profile, scenarios.GIVEN_ID_ONLY)

    given = rows["given"]
    assert given["id"] == given_id(profile, scenarios.GIVEN_ID)
    assert as_utc(given["created"]) == scenarios.GIVEN_CREATED
    assert as_utc(given["updated"]) == scenarios.GIVEN_UPDATED
    assert given["href"] == scenarios.GIVEN_HREF


def check_bulk(result: dict[str, Any], scenario: str, profile: str, backend: str) -> None:
    """Every row of a bulk insert filled: distinct ids, each href from its own row's id, one
    timestamp for the statement's rows; in rows that set some fields, those values kept."""
    assert result["caller_rows_unchanged"] is True
    rows = {r["name"]: r for r in decode_rows(result["rows"])}
    plain = [f"p{i:02}" for i in range(scenarios.BULK_PLAIN)]
    mixed = scenario in scenarios.MIXED_BULK
    extra = ["created_only", "given", "href_only", "id_only"] if mixed else []
    assert sorted(rows) == sorted([*plain, *extra])
    assert len({r["id"] for r in rows.values()}) == len(rows)
    t0, t1 = window(result)
    for name in plain:
        row = rows[name]
        check_id(row["id"], profile)
        check_stamp_type(row["created"], profile, backend)
        assert t0 <= as_utc(row["created"]) <= t1, (row["created"], t0, t1)
        assert row["updated"] == row["created"]
        assert row["href"] == href(scenario, row["id"])
    check_order([rows[name]["id"] for name in plain], profile, t0, t1)
    # One clock read per statement. The ORM sends consecutive rows that set the same fields as one
    # statement, so the given row splits its plain rows in two; Core sends all the rows as one.
    orm = mixed and scenario != "bulk_core_executemany"
    for statement in [plain[:8], plain[8:]] if orm else [plain]:
        assert len({rows[name]["created"] for name in statement}) == 1, statement
    if "returned" in result:
        returned = [(r[0], r[1]) for r in decode_rows_list(result["returned"])]
        assert returned == [(rows[name]["id"], rows[name]["href"]) for name in plain]
    if not mixed:
        return
    given = rows["given"]
    assert given["id"] == given_id(profile, scenarios.GIVEN_ID)
    assert as_utc(given["created"]) == scenarios.GIVEN_CREATED
    assert as_utc(given["updated"]) == scenarios.GIVEN_UPDATED
    assert given["href"] == scenarios.GIVEN_HREF
    id_only = rows["id_only"]
    assert id_only["id"] == given_id(profile, scenarios.GIVEN_ID_ONLY)
    assert id_only["href"] == href(scenario, id_only["id"])
    assert t0 <= as_utc(id_only["created"]) <= t1 and id_only["updated"] == id_only["created"]
    created_only = rows["created_only"]
    check_id(created_only["id"], profile)
    assert as_utc(created_only["created"]) == scenarios.GIVEN_CREATED
    assert t0 <= as_utc(created_only["updated"]) <= t1
    assert created_only["href"] == href(scenario, created_only["id"])
    href_only = rows["href_only"]
    check_id(href_only["id"], profile)
    assert href_only["href"] == scenarios.GIVEN_HREF
    assert t0 <= as_utc(href_only["created"]) <= t1


def decode_rows_list(rows: list[list[list[Any]]]) -> list[list[Any]]:
    return [[decode(v) for v in row] for row in rows]


def check_objects(result: dict[str, Any], profile: str) -> None:
    """After the flush the objects hold what was stored, in the columns' Python types."""
    rows = {r["name"]: r for r in decode_rows(result["rows"])}
    objects = decode_rows(result["objects"])
    assert sorted(o["name"] for o in objects) == sorted(rows)
    for obj in objects:
        row = rows[obj["name"]]
        check_id(obj["id"], profile)
        assert obj["id"] == row["id"]
        assert obj["href"] == row["href"]
        for field in ("created", "updated"):
            assert (obj[field].tzinfo is not None) is (storage(profile) == "native")
            assert as_utc(obj[field]) == as_utc(row[field])


def check_updated(result: dict[str, Any], scenario: str) -> None:
    before = {r["name"]: r for r in decode_rows(result["before"])}
    after = {r["name"]: r for r in decode_rows(result["rows"])}
    assert sorted(after) == ["a2", "b"]
    old, new = before["a"], after["a2"]
    for field in ("id", "created", "href"):
        assert new[field] == old[field]
    if scenario == "update_caller_sets_updated":
        assert as_utc(new["updated"]) == scenarios.GIVEN_UPDATED
    else:
        t0, t1 = window(result)
        assert t0 <= as_utc(new["updated"]) <= t1, (new["updated"], t0, t1)
        assert new["updated"] > old["updated"]
    assert after["b"] == before["b"]  # a statement that does not touch a row leaves it alone


def check_threads(result: dict[str, Any], scenario: str = "threads") -> None:
    assert result["errors"] == []
    rows = decode_rows(result["rows"])
    inserted = decode_rows(result["inserted"])
    total = scenarios.THREADS * scenarios.ROWS_PER_THREAD
    assert len(rows) == total
    assert len({r["id"] for r in rows}) == total
    final = {r["id"]: r for r in rows}
    assert len(inserted) == total
    assert {r["id"] for r in inserted} == set(final)
    for first in inserted:
        last = final[first["id"]]
        assert last["name"] == first["name"] + "!"
        assert last["created"] == first["created"]
        assert last["updated"] > first["updated"]
        assert last["updated"] >= last["created"]
        assert last["href"] == href(scenario, first["id"])


# -- the tests -------------------------------------------------------------------------------------

cases = pytest.mark.parametrize(("profile", "backend"), CASES)
impls = pytest.mark.parametrize("impl", IMPLS)


@impls
@cases
@pytest.mark.parametrize("scenario", scenarios.INSERTS)
def test_insert_path_fills_every_field(
    batch: Batch, impl: str, profile: str, backend: str, scenario: str
) -> None:
    result = outcome(batch(impl, profile, backend), scenario)
    check_inserted(result, scenario, profile, backend)
    if "objects" in result:
        check_objects(result, profile)


@impls
@cases
@pytest.mark.parametrize("scenario", scenarios.BULK_INSERTS)
def test_bulk_insert_path_fills_every_row(
    batch: Batch, impl: str, profile: str, backend: str, scenario: str
) -> None:
    check_bulk(outcome(batch(impl, profile, backend), scenario), scenario, profile, backend)


@impls
@cases
@pytest.mark.parametrize("scenario", scenarios.UPDATES)
def test_update_path_stamps_updated_only(
    batch: Batch, impl: str, profile: str, backend: str, scenario: str
) -> None:
    check_updated(outcome(batch(impl, profile, backend), scenario), scenario)


@impls
@cases
def test_eight_threads_insert_and_update(batch: Batch, impl: str, profile: str, backend: str) -> None:
    check_threads(outcome(batch(impl, profile, backend), "threads"))


@impls
@cases
def test_eight_threads_bulk_insert_and_update_through_core(
    batch: Batch, impl: str, profile: str, backend: str
) -> None:
    check_threads(outcome(batch(impl, profile, backend), "threads_core"), "threads_core")


@impls
@cases
def test_scenarios_ran_in_kathmandu(batch: Batch, impl: str, profile: str, backend: str) -> None:
    """Asia/Kathmandu is UTC+05:45 (no daylight saving): a value written in local time, or an
    aware one converted by a PostgreSQL session, would have missed the insert window by hours."""
    zones = outcome(batch(impl, profile, backend), "time_zones")
    assert zones == {
        "session": SESSION_TIME_ZONES[backend],
        "local_offset_minutes": 345.0,
    }
