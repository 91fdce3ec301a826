"""Template: the value makers of the generated module (see ``envoxy.rules.values``).

A maker ``_new_x()`` makes one value (the ORM listener calls it for each new object); its batch
maker ``_new_x_batch(count)`` makes a statement's values at once and returns them with the text
a template shows for each (the column defaults and the bulk-insert hook call it).
"""

from __future__ import annotations

import datetime
import os
import struct
import threading
import time
import uuid


# @block _new_uuid
def _new_uuid() -> uuid.UUID:
    """A fresh UUID4, for a native UUID column."""
    return uuid.uuid4()


# @block _new_uuid_text
# RFC 4122 variant: the 17th hex digit is 10xx in binary, so one of "89ab".
_UUID4_VARIANT = dict(zip("0123456789abcdef", "89ab" * 4, strict=True))


def _new_uuid_text() -> str:
    """A fresh UUID4 in its 36-character text form.

    The bits ``str(uuid.uuid4())`` has, without building a UUID object on the way: this
    runs once per inserted row, and that object is most of its cost.
    """
    digits = os.urandom(16).hex()
    return (
        f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-"
        f"{_UUID4_VARIANT[digits[16]]}{digits[17:20]}-{digits[20:]}"
    )


# @block _new_uuid_hex
def _new_uuid_hex() -> str:
    """A fresh UUID4 as 32 hexadecimal digits."""
    return uuid.uuid4().hex


# @block _utc_now_naive
def _utc_now_naive() -> datetime.datetime:
    """The current UTC time, naive: TIMESTAMP WITHOUT TIME ZONE stores it as given,
    whereas an aware value would first be converted to the session's TimeZone."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


# @block _utc_now_aware
def _utc_now_aware() -> datetime.datetime:
    """The current UTC time, aware, for TIMESTAMP WITH TIME ZONE."""
    return datetime.datetime.now(datetime.timezone.utc)


# @block uuid4_bytes
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
    return [joined[start : start + 36] for start in range(0, 36 * count, 36)]


# @block _new_uuid_batch
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


# @block _new_uuid_text_batch
def _new_uuid_text_batch(count: int) -> tuple[list[str], list[str]]:
    """``count`` fresh UUID4s in their 36-character text form (twice: value and text)."""
    if count < _BATCH_FROM:
        made = [_new_uuid_text() for _ in range(count)]
    else:
        made = _uuid_texts(_uuid4_bytes(count))
    return made, made


# @block _new_uuid_hex_batch
def _new_uuid_hex_batch(count: int) -> tuple[list[str], list[str]]:
    """``count`` fresh UUID4s as 32 hexadecimal digits each (twice: value and text)."""
    if count < _BATCH_FROM:
        made = [_new_uuid_hex() for _ in range(count)]
    else:
        digits = _uuid4_bytes(count).hex()
        made = [digits[start : start + 32] for start in range(0, 32 * count, 32)]
    return made, made


# @block uuid7_ints
# UUIDv7 (RFC 9562, section 5.7): 48 bits of Unix time in milliseconds, big-endian; version 7;
# 12 bits rand_a; variant 10; 62 bits rand_b. Ids made here sort in the order they were made,
# within a statement and across calls and threads, by the RFC's "monotonic random" method
# (section 6.2, method 2): rand_a and rand_b form one 74-bit counter, seeded at random with its
# top bit clear when the millisecond changes and otherwise raised by a random step of 1 to 2**32,
# so ids made in the same millisecond stay unguessable. A clock that stands still or goes back
# keeps the last millisecond; a counter that would overflow moves it on by one.
_UUID7_LOCK = threading.Lock()
_UUID7_LAST = [0, 0]  # the millisecond and the counter of the latest id made
_UUID7_COUNTER_END = 1 << 74
_UUID7_RAND_B = (1 << 62) - 1
_UUID7_FIXED_BITS = 0x7 << 76 | 0b10 << 62  # version 7, RFC 9562 variant


def _uuid7_ints(count: int) -> list[int]:
    """The 128-bit values of ``count`` fresh UUIDv7s, each above the one made before it."""
    noise = os.urandom(10 + 4 * count)
    steps = [step + 1 for (step,) in struct.iter_unpack(">I", noise[10:])]
    made = []
    with _UUID7_LOCK:
        millisecond, counter = _UUID7_LAST
        now = time.time_ns() // 1_000_000
        if now > millisecond:
            millisecond, counter = now, int.from_bytes(noise[:10], "big") >> 7
        for step in steps:
            counter += step
            if counter >= _UUID7_COUNTER_END:  # ~2**42 ids in one millisecond: take the next
                millisecond, counter = millisecond + 1, int.from_bytes(noise[:10], "big") >> 7
            made.append(
                millisecond << 80
                | (counter >> 62) << 64
                | counter & _UUID7_RAND_B
                | _UUID7_FIXED_BITS
            )
        _UUID7_LAST[:] = [millisecond, counter]
    return made


def _uuid7_text(value: int) -> str:
    """The 36-character text form of a 128-bit UUID value."""
    digits = f"{value:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


# @block _new_uuid7
def _new_uuid7() -> uuid.UUID:
    """A fresh UUIDv7, for a native UUID column."""
    return uuid.UUID(int=_uuid7_ints(1)[0])


# @block _new_uuid7_text
def _new_uuid7_text() -> str:
    """A fresh UUIDv7 in its 36-character text form."""
    return _uuid7_text(_uuid7_ints(1)[0])


# @block _new_uuid7_hex
def _new_uuid7_hex() -> str:
    """A fresh UUIDv7 as 32 hexadecimal digits."""
    return f"{_uuid7_ints(1)[0]:032x}"


# @block _new_uuid7_batch
def _new_uuid7_batch(count: int) -> tuple[list[uuid.UUID], list[str]]:
    """``count`` fresh UUIDv7s for a native UUID column, in order, and their text."""
    values = _uuid7_ints(count)
    return [uuid.UUID(int=value) for value in values], [_uuid7_text(value) for value in values]


# @block _new_uuid7_text_batch
def _new_uuid7_text_batch(count: int) -> tuple[list[str], list[str]]:
    """``count`` fresh UUIDv7s in their 36-character text form, in order (twice: value and
    text)."""
    made = [_uuid7_text(value) for value in _uuid7_ints(count)]
    return made, made


# @block _new_uuid7_hex_batch
def _new_uuid7_hex_batch(count: int) -> tuple[list[str], list[str]]:
    """``count`` fresh UUIDv7s as 32 hexadecimal digits each, in order (twice: value and
    text)."""
    made = [f"{value:032x}" for value in _uuid7_ints(count)]
    return made, made
