"""Run-time bounds of expressions: checked helpers for the operations that can build huge values.

Expressions are rewritten (core.expressions.to_python_ast) to call these helpers instead of the
raw operators and built-ins that can grow a value: ``*``, ``+``, ``**`` and ``%``, ``str``,
``sum``, ``sorted``, ``join``, ``replace`` and f-strings. Each checks the size of what it is
about to build *before* building it, so a step fails with a message naming the limit instead of
taking the worker's memory. The compiler copies this module's definitions into every generated
``workflow.py`` (bundles run with temporalio alone), and core.expressions.evaluate calls them
from here, so both agree. Hence: standard library only, and no imports but ``timedelta``, which
workflow.py imports anyway.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

MAX_TEXT_LENGTH = 1_000_000
"""Longest text an expression may build, in characters (Temporal's payloads stop at 2 MB)."""

MAX_ITEMS = 100_000
"""Most items a list or tuple built by an expression may hold (also the most ``sorted`` sorts)."""

MAX_NUMBER_DIGITS = 4300
"""Most decimal digits of an integer an expression may build (Python's own int-to-text limit)."""

MAX_DURATION_SECONDS = 315_360_000
"""Longest timer or wait an expression may ask for: 10 years (3,650 days), as for a duration
written literally (core.graph.values.MAX_DURATION; tests/unit/test_bounds.py holds them equal)."""

MAX_PAYLOAD_LENGTH = 1_900_000
"""Largest JSON value a step may send (activity arguments, child input, result), in characters:
below Temporal's 2 MiB limit on one payload, with room for its metadata."""

LOOP_FIRST_BUDGET = 100
"""Loop iterations a loop runs in one workflow task before its first pause in a run.

Temporal fails a workflow task that keeps the worker busy for 2 s and retries it for ever, so
a loop that does not wait pauses (a local activity ends the task's activation,
core.activities.pacing). Its pauses measure how fast it goes and size the next stretch to a
tenth of a second; until they can, it runs this many, the unmeasured risk: a hundred
iterations of a few steps take a millisecond or less, so even steps a thousand times slower
stay below 2 s. Counted per workflow task, so a loop whose steps wait on the server never
pauses."""

LOOP_PAUSES_PER_TASK = 10
"""Loop pauses one workflow task may take before a pause ends the task itself (a timer).

A local activity ends the activation, not the workflow task, which stays open while the
loop goes on: until it ends, nothing the loop did is saved and signals, queries and updates
wait. Ten pauses are about a second of the loop's work; a timer costs a trip to the server
(5 events, tens of ms)."""

# log2(10) < 10/3: a bit count at most this is at most MAX_NUMBER_DIGITS digits (to within 0.4%).
_MAX_NUMBER_BITS = MAX_NUMBER_DIGITS * 10 // 3
_SEQUENCES = (str, list, tuple)


class LimitError(ValueError):
    """A value an expression would build is larger than a run-time limit."""


def _too_large(value: Any, size: int) -> LimitError:
    """The error for a text, list or tuple of ``size`` (the kind of ``value``) over its limit."""
    if isinstance(value, str):
        what, unit, limit = "the text built is", "characters", MAX_TEXT_LENGTH
    else:
        what, unit, limit = f"the {type(value).__name__} built has", "items", MAX_ITEMS
    return LimitError(f"{what} {size:,} {unit}, more than the limit of {limit:,}")


def _check_size(value: Any, size: int) -> None:
    """Refuse building a text, list or tuple of the kind of ``value`` with ``size`` elements."""
    if size > (MAX_TEXT_LENGTH if isinstance(value, str) else MAX_ITEMS):
        raise _too_large(value, size)


def _check_bits(bits: int) -> None:
    if bits > _MAX_NUMBER_BITS:
        raise LimitError(
            f"the number built has about {bits * 3 // 10:,} digits, "
            f"more than the limit of {MAX_NUMBER_DIGITS:,}"
        )


def _text_estimate(value: Any, limit: int, *, as_json: bool = False) -> int:
    """About how many characters ``str(value)`` has, counting no further than just past ``limit``.

    Walks the value without building its text, so a list holding one long text a hundred
    thousand times is refused in a few steps rather than printed. A list of texts only or of
    numbers only is measured in one go (as fast as printing it); ``as_json`` counts text that is
    not ASCII as JSON writes it (``\\uXXXX``, six characters each).
    """
    size = 0
    stack = [value]
    while stack and size <= limit:
        item = stack.pop()
        kind = type(item)
        if kind is str:
            size += 2 + (len(item) if not as_json or item.isascii() else 6 * len(item))
        elif kind is list or kind is tuple or kind is set or kind is frozenset:
            size += 2 + 2 * len(item)
            if size <= limit:
                size += _flat_size(item, as_json, stack)
        elif kind is dict:
            size += 2 + 2 * len(item)
            if size <= limit:
                size += _flat_size(list(item), as_json, stack)
                size += _flat_size(list(item.values()), as_json, stack)
        elif kind is int:
            size += 1 + item.bit_length() * 3 // 10
        else:
            size += 24  # float, True, False, None
    return size


def _flat_size(items: Any, as_json: bool, stack: list[Any]) -> int:
    """The text size of items that are all texts or all plain numbers; else 0, stacking them."""
    kinds = set(map(type, items))
    if kinds == {str}:
        size = sum(map(len, items)) + 2 * len(items)
        if as_json and not all(map(str.isascii, items)):
            size *= 6
        return size
    if kinds == {int}:
        widest = max(max(items), -min(items))
        return len(items) * (2 + widest.bit_length() * 3 // 10)
    if kinds <= {float, bool, type(None)}:
        return 24 * len(items)
    stack.extend(items)
    return 0


def _check_text_of(value: Any) -> None:
    """Refuse writing ``value`` as text when its text would be longer than the limit."""
    if type(value) is not str:
        estimate = _text_estimate(value, MAX_TEXT_LENGTH)
        if estimate > MAX_TEXT_LENGTH:
            raise LimitError(
                f"the text built would be at least {estimate:,} characters, "
                f"more than the limit of {MAX_TEXT_LENGTH:,}"
            )


def _mul(left: Any, right: Any) -> Any:
    """``left * right``: repetition and integer products are sized first."""
    if isinstance(left, int) and isinstance(right, int):
        _check_bits(left.bit_length() + right.bit_length())
    elif isinstance(left, _SEQUENCES) and isinstance(right, int):
        _check_size(left, len(left) * right)
    elif isinstance(right, _SEQUENCES) and isinstance(left, int):
        _check_size(right, len(right) * left)
    return left * right


def _add(left: Any, right: Any) -> Any:
    """``left + right``: joined texts, lists and tuples are sized first."""
    if isinstance(left, _SEQUENCES) and type(left) is type(right):
        _check_size(left, len(left) + len(right))
    return left + right


def _pow(base: Any, exponent: Any) -> Any:
    """``base ** exponent``: an integer power is sized (float powers overflow by themselves).

    The fewest bits the power can have is checked before computing it, the bits it has after:
    what passes the first check is at most twice the limit, quick to compute.
    """
    if not (isinstance(base, int) and isinstance(exponent, int) and exponent > 0):
        return base**exponent
    _check_bits(max(0, base.bit_length() - 1) * exponent + 1)
    power = base**exponent
    _check_bits(power.bit_length())
    return power


def _mod(left: Any, right: Any) -> Any:
    """``left % right``, but never ``%`` formatting of text: its widths are unbounded."""
    if isinstance(left, str):
        raise LimitError(
            "% formatting of text is not allowed (its width is unbounded); use an f-string"
        )
    return left % right


def _str(*args: Any, **kwargs: Any) -> str:
    """``str(...)``, refused when the text would be over the limit."""
    if args:
        _check_text_of(args[0])
    return str(*args, **kwargs)


def _sum(iterable: Any, /, start: Any = 0) -> Any:
    """``sum(...)``; lists and tuples are concatenated in linear time, sized as they grow."""
    if not isinstance(start, (list, tuple)):
        return sum(iterable, start)
    total = list(start)
    for part in iterable:
        if type(part) is not type(start):
            raise TypeError(
                f'can only concatenate {type(start).__name__} (not "{type(part).__name__}") '
                f"to {type(start).__name__}"
            )
        _check_size(start, len(total) + len(part))
        total.extend(part)
    return total if isinstance(start, list) else tuple(total)


def _sorted(iterable: Any, /, **kwargs: Any) -> list[Any]:
    """``sorted(...)``, refused over the item limit (sorting costs n log n)."""
    if hasattr(iterable, "__len__"):
        _check_size([], len(iterable))
    result = sorted(iterable, **kwargs)
    _check_size(result, len(result))
    return result


def _join(separator: Any, parts: Any) -> Any:
    """``separator.join(parts)``, sized first."""
    if not isinstance(separator, str):
        return separator.join(parts)  # not text: whatever the object does (AttributeError)
    parts = list(parts)
    size = len(separator) * max(0, len(parts) - 1)
    for part in parts:
        size += len(part) if isinstance(part, str) else 0  # join itself refuses the others
    _check_size(separator, size)
    return separator.join(parts)


def _replace(text: Any, old: Any, new: Any, count: Any = -1) -> Any:
    """``text.replace(old, new[, count])``, sized first."""
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return text.replace(old, new, count)  # not text: the object's own errors
    if isinstance(count, int) and len(new) > len(old):
        found = text.count(old) if old else len(text) + 1
        if count >= 0:
            found = min(found, count)
        _check_size(text, len(text) + found * (len(new) - len(old)))
    return text.replace(old, new, count)


def _fstring(*parts: Any) -> str:
    """An f-string: text parts as they are, ``(value, conversion, spec)`` formatted; sized."""
    pieces = []
    total = 0
    for part in parts:
        if type(part) is tuple:
            value, conversion, spec = part
            _check_text_of(value)
            if conversion == "r":
                value = repr(value)
            elif conversion == "s":
                value = str(value)
            elif conversion == "a":
                value = ascii(value)
            part = format(value, spec)
        total += len(part)
        if total > MAX_TEXT_LENGTH:
            raise _too_large("", total)
        pieces.append(part)
    return "".join(pieces)


def _duration(seconds: Any) -> timedelta:
    """A timer's or wait's duration from an expression's number of seconds, checked."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"a duration is a number of seconds, not {type(seconds).__name__}")
    # NaN compares false with everything, so it fails this test too.
    if not 0 <= seconds <= MAX_DURATION_SECONDS:
        raise ValueError(
            f"the duration is {seconds!r} seconds; it must be between 0 and "
            f"{MAX_DURATION_SECONDS:,} (10 years)"
        )
    return timedelta(seconds=seconds)


def _payload(value: Any) -> Any:
    """``value``, refused when it is too large for one Temporal payload."""
    estimate = _text_estimate(value, MAX_PAYLOAD_LENGTH, as_json=True)
    if estimate > MAX_PAYLOAD_LENGTH:
        raise LimitError(
            f"the data sent would be at least {estimate:,} characters of JSON, more than the "
            f"limit of {MAX_PAYLOAD_LENGTH:,} (Temporal's limit for one payload is 2 MiB)"
        )
    return value


#: The helpers by the name generated code calls them with.
HELPERS = {
    name: globals()[name]
    for name in (
        "_mul",
        "_add",
        "_pow",
        "_mod",
        "_str",
        "_sum",
        "_sorted",
        "_join",
        "_replace",
        "_fstring",
        "_duration",
        "_payload",
    )
}
