"""Code built once per generated module and reused wherever the same input recurs."""

from __future__ import annotations

import ast
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

#: key -> the code built for it, while :func:`sharing_code` is active.
_SHARED: ContextVar[dict[Hashable, ast.expr] | None] = ContextVar("shared_code", default=None)


@contextmanager
def sharing_code() -> Iterator[None]:
    """Within the block, :func:`shared` builds the code for each key once and then reuses it.

    Generated trees are only unparsed to text, where one subtree at several places is harmless,
    and rebuilding a common expression (a counter, a flag) or duration at every use was a large
    part of code generation. The block spans one module's generation, so compiles never share
    work.
    """
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def shared(key: Hashable, build: Callable[[], ast.expr]) -> ast.expr:
    """The code ``build()`` gives for ``key``: built once inside :func:`sharing_code`, else anew."""
    cache = _SHARED.get()
    if cache is None or not _hashable(key):
        # Not hashable: a param that is not text; build() reports it as a compile error.
        return build()
    code = cache.get(key)
    if code is None:
        code = cache[key] = build()
    return code


def _hashable(key: Hashable) -> bool:
    try:
        hash(key)
    except TypeError:
        return False
    return True
