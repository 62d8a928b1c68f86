"""Input limits: what a graph file, a run input, a signal or a query may hold, checked on entry."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import GraphFormatError, WorkflowBuilderError

#: Temporal's own refusal threshold for one payload (its ``limit.blobSize.error``, 2 MiB).
TEMPORAL_BLOB_LIMIT = 2 * 1024 * 1024


@dataclass(frozen=True)
class InputLimits:
    """The bounds every outside input is held to.

    Attributes:
        max_depth: objects and arrays nested inside each other; deeper input would exhaust
            the recursion of every reader after ours (pydantic, freezing, Temporal's encoder).
        max_int_digits: decimal digits of an integer (Python itself refuses over 4,300 when
            turning text into a number, with a message naming none of our fields).
        max_text_chars: characters of one string, key or value.
        max_nodes: nodes of one graph; validation and compile are linear in them, and 10,000
            stays within a second for both (see bench/compile.py).
        max_edges: edges of one graph (a node has few outputs; four per node is ample).
        max_document_bytes: size of a graph file or an input file before it is parsed.
        max_payload_bytes: a run input or signal payload as Temporal's JSON converter encodes
            it: a quarter below Temporal's 2 MiB blob limit, the headroom being for what one
            request adds around it (memo, headers, a child's own input built from it).
    """

    max_depth: int = 64
    max_int_digits: int = 1000
    max_text_chars: int = 1024 * 1024
    max_nodes: int = 10_000
    max_edges: int = 40_000
    max_document_bytes: int = 16 * 1024 * 1024
    max_payload_bytes: int = TEMPORAL_BLOB_LIMIT * 3 // 4


#: The limits in force.
LIMITS = InputLimits()


class InputLimitError(WorkflowBuilderError):
    """An input is over one of the :class:`InputLimits`, or is not JSON data at all.

    Attributes:
        limit: which bound, as a user would name it (``nesting depth``, ``integer size``,
            ``text size``, ``unicode text``, ``number``, ``node count``, ``edge count``,
            ``document size``, ``payload size``, ``JSON value``, ``JSON syntax``).
        where: the JSON path of the value (``input.items[3].name``), or a position in the text
            (``input, line 2, column 9``) when the value could not even be read.
        reason: what is over the limit, by how much.
    """

    def __init__(self, *, limit: str, where: str, reason: str) -> None:
        self.limit = limit
        self.where = where
        self.reason = reason
        #: The one problem as ``(where, reason)``, as a graph format error lists them.
        self.problems: tuple[tuple[str, str], ...] = ((where, reason),)
        # Not super(): graph readers mix this class with GraphFormatError, whose __init__ wants
        # a problem list; the message is the same whichever class a reader catches it as.
        WorkflowBuilderError.__init__(self, f"{where}: {reason}")


def read_json(text: str | bytes, *, where: str, limits: InputLimits = LIMITS) -> Any:
    """Parse JSON text and check the value against ``limits``.

    Args:
        text: the JSON text (bytes must be UTF-8).
        where: what the text is, the root of every JSON path in errors (``input``,
            ``signal 'approve' payload``); "" for a graph document, whose paths start at
            its top-level keys (``nodes[2].params``).
        limits: the bounds.

    Raises:
        InputLimitError: the text is too long, or its value is over a limit.
        json.JSONDecodeError: the text is not JSON (with its line and column).
        UnicodeDecodeError: bytes that are not UTF-8.
    """
    if len(text) > limits.max_document_bytes:
        raise InputLimitError(
            limit="document size",
            where=where or "document",
            reason=f"the text is {len(text):,} bytes long; at most "
            f"{limits.max_document_bytes:,} are read",
        )
    try:
        value = json.loads(text, parse_constant=_refuse_constant(where))
    except json.JSONDecodeError:
        raise
    except RecursionError:
        # The parser's own recursion guard, long before the stack is at risk: find where.
        raise _too_deep(_as_text(text), where, limits) from None
    except ValueError as error:
        # CPython refuses integers over sys.get_int_max_str_digits() digits while parsing.
        if "digits" not in str(error):
            raise
        raise _long_integer(_as_text(text), where, limits) from None
    check_value(value, where=where, limits=limits)
    return value


def read_file(path: Path, *, limits: InputLimits = LIMITS) -> bytes:
    """A file's bytes, read no further than one byte past ``max_document_bytes`` (enough for
    :func:`read_json` to refuse it), so a huge file costs no memory.

    Raises:
        OSError: the file cannot be read.
    """
    with path.open("rb") as file:
        return file.read(limits.max_document_bytes + 1)


def read_input(text: str | bytes, *, where: str, limits: InputLimits = LIMITS) -> Any:
    """:func:`read_json` for input someone typed or sent: malformed JSON is an
    :class:`InputLimitError` too (limit ``JSON syntax``), so one error type covers bad input.
    """
    try:
        return read_json(text, where=where, limits=limits)
    except json.JSONDecodeError as error:
        position = f"line {error.lineno}, column {error.colno}"
        raise InputLimitError(
            limit="JSON syntax",
            where=f"{where}, {position}" if where else position,
            reason=f"malformed JSON: {error.msg}",
        ) from None
    except UnicodeDecodeError as error:
        raise InputLimitError(
            limit="JSON syntax",
            where=f"{where}, byte {error.start}" if where else f"byte {error.start}",
            reason="not UTF-8 text",
        ) from None


def check_value(value: Any, *, where: str, limits: InputLimits = LIMITS) -> None:
    """Check that ``value`` is JSON data within ``limits``: depth, integers, numbers, text.

    Walks the value without recursion, so any depth is reported rather than crashing.

    Raises:
        InputLimitError: the first value over a limit (or not JSON data), with its JSON path.
    """
    # Each entry: (value, depth of its container, parent entry, key in the parent). Paths are
    # built only for an error, by following the parents. Plain scalars within the limits are
    # passed over where they are met (most of a document), anything else is pushed.
    max_chars, max_bits = limits.max_text_chars, int(limits.max_int_digits * 3.33)
    stack: list[tuple[Any, int, Any, Any]] = [(value, 0, None, None)]
    while stack:
        entry = stack.pop()
        item, depth = entry[0], entry[1]
        kind = type(item)
        if kind is dict or kind is list or isinstance(item, (Mapping, Sequence)):
            if isinstance(item, (str, bytes, bytearray)):
                _check_leaf(item, entry, where, limits)
                continue
            if depth >= limits.max_depth:
                raise _error("nesting depth", entry, where, _depth_reason(limits))
            if isinstance(item, Mapping):
                for key in item:
                    if type(key) is not str:
                        shown = repr(key)[:40]
                        raise _error("JSON value", entry, where, f"the key {shown} is not text")
                    if len(key) > max_chars or not key.isascii():
                        _check_text(key, entry, where, limits)
                children: Any = item.items()
            else:
                children = enumerate(item)
            for key, child in children:
                kind = type(child)
                if kind is str:
                    if len(child) <= max_chars and child.isascii():
                        continue
                elif kind is int:
                    if child.bit_length() <= max_bits:
                        continue
                elif kind is float:
                    if child - child == 0:  # neither infinite nor NaN
                        continue
                elif child is None or kind is bool:
                    continue
                stack.append((child, depth + 1, entry, key))
        else:
            _check_leaf(item, entry, where, limits)


def _check_leaf(item: Any, entry: Any, root: str, limits: InputLimits) -> None:
    """Check a value that is not a container (a string, a number, or no JSON at all)."""
    if isinstance(item, str):
        _check_text(item, entry, root, limits)
    elif isinstance(item, bool) or item is None:
        return
    elif isinstance(item, int):
        _check_integer(item, entry, root, limits)
    elif isinstance(item, float):
        if not math.isfinite(item):
            raise _error("number", entry, root, f"{item} is not a finite number")
    else:
        raise _error("JSON value", entry, root, f"a {type(item).__name__} is not JSON data")


def check_payload(value: Any, *, where: str, limits: InputLimits = LIMITS) -> int:
    """Check a value to send to Temporal: JSON data within ``limits``, and small enough.

    Returns:
        Its size in bytes as Temporal's JSON converter encodes it.

    Raises:
        InputLimitError: a value over a limit, or the whole over ``max_payload_bytes``.
    """
    check_value(value, where=where, limits=limits)
    # As temporalio's JSON payload converter writes it (compact, ASCII escapes).
    size = len(json.dumps(value, separators=(",", ":")))
    if size > limits.max_payload_bytes:
        raise InputLimitError(
            limit="payload size",
            where=where or "payload",
            reason=f"{size:,} bytes as JSON; at most {limits.max_payload_bytes:,} may be sent "
            f"(Temporal refuses payloads over {TEMPORAL_BLOB_LIMIT:,})",
        )
    return size


def require_object(value: Any, *, where: str, what: str = "input fields") -> Mapping[str, Any]:
    """``value`` when it is a JSON object (a mapping), else the error saying what it is.

    Raises:
        InputLimitError: ``value`` is not an object (limit ``JSON value``).
    """
    if isinstance(value, Mapping):
        return value
    kind = {list: "an array", str: "text", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else f"a {type(value).__name__}"
    )
    raise InputLimitError(
        limit="JSON value", where=where, reason=f"must be a JSON object of {what}, not {kind}"
    )


def json_path(root: str, keys: Sequence[Any]) -> str:
    """``root.key[3]["odd key"]``: where a value sits (long keys and deep paths shortened)."""
    path = root
    if len(keys) > _PATH_KEYS:
        hidden = len(keys) - _PATH_KEYS
        keys = [*keys[: _PATH_KEYS // 2], f"<{hidden} levels>", *keys[-_PATH_KEYS // 2 :]]
    for key in keys:
        if isinstance(key, int):
            path += f"[{key}]"
        elif key.isidentifier() or key.startswith("<"):
            path += f".{key}" if path else key
        else:
            shown = key if len(key) <= 40 else key[:37] + "..."
            path += f"[{json.dumps(shown, ensure_ascii=True)}]"
    return path or "document"


#: Keys a path shows at most: the first and last halves, the levels between counted.
_PATH_KEYS = 8


def _path(entry: Any, root: str) -> str:
    keys = []
    while entry is not None and entry[2] is not None:
        keys.append(entry[3])
        entry = entry[2]
    return json_path(root, keys[::-1])


def _error(limit: str, entry: Any, root: str, reason: str) -> InputLimitError:
    return InputLimitError(limit=limit, where=_path(entry, root), reason=reason)


def _depth_reason(limits: InputLimits) -> str:
    return f"nested more than {limits.max_depth} objects or arrays deep"


def _check_text(text: str, entry: Any, root: str, limits: InputLimits) -> None:
    if len(text) > limits.max_text_chars:
        reason = f"{len(text):,} characters of text; at most {limits.max_text_chars:,}"
        raise _error("text size", entry, root, reason)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        # A JSON escape such as "\ud800" decodes to half a character, which no file, database
        # or payload can then hold.
        reason = (
            f"holds a lone surrogate ({text[error.start]!r}) at character {error.start}, "
            "which is not Unicode text"
        )
        raise _error("unicode text", entry, root, reason) from None


def _check_integer(number: int, entry: Any, root: str, limits: InputLimits) -> None:
    # Counted from the bits: turning a huge integer into text is itself what Python limits.
    digits = int(abs(number).bit_length() * math.log10(2)) + 1
    if digits > limits.max_int_digits:
        reason = f"an integer of about {digits:,} digits; at most {limits.max_int_digits:,}"
        raise _error("integer size", entry, root, reason)


def _refuse_constant(where: str) -> Any:
    def refuse(name: str) -> Any:
        raise InputLimitError(
            limit="number",
            where=where or "document",
            reason=f"{name} is not a JSON number (JSON has no NaN or Infinity)",
        )

    return refuse


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},:]', re.DOTALL)
_LONG_DIGITS = re.compile(r"\d{1000,}")


def _too_deep(text: str, root: str, limits: InputLimits) -> InputLimitError:
    """The error for text nested beyond ``limits.max_depth``, with the path where it goes over."""
    # Containers open so far, each [its current key or index]; strings are skipped whole.
    stack: list[list[Any]] = []
    last_string = ""
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            if len(stack) >= limits.max_depth:
                keys = [frame[0] for frame in stack]
                where = f"{json_path(root, keys)} ({_position(text, match.start())})"
                return InputLimitError(
                    limit="nesting depth", where=where, reason=_depth_reason(limits)
                )
            stack.append([0] if token == "[" else [""])
        elif token in "]}":
            if stack:
                stack.pop()
        elif token == "," and stack and isinstance(stack[-1][0], int):
            stack[-1][0] += 1
        elif token == ":" and stack:
            stack[-1][0] = last_string
        elif token.startswith('"'):
            last_string = json.loads(token)
    return InputLimitError(
        limit="nesting depth", where=root or "document", reason=_depth_reason(limits)
    )


def _long_integer(text: str, root: str, limits: InputLimits) -> InputLimitError:
    match = _LONG_DIGITS.search(text)
    digits = len(match.group()) if match else 0
    where = root
    if match:
        where = (
            f"{root}, {_position(text, match.start())}" if root else _position(text, match.start())
        )
    return InputLimitError(
        limit="integer size",
        where=where or "document",
        reason=f"an integer of {digits:,} digits; at most {limits.max_int_digits:,}",
    )


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _as_text(text: str | bytes) -> str:
    return text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text


class GraphLimitError(InputLimitError, GraphFormatError):
    """A graph document over an input limit: unreadable, as a malformed document is, so every
    reader that handles :class:`GraphFormatError` reports it."""
