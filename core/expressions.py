"""The restricted expression language: parse, check against an allow-list, rewrite and evaluate."""

from __future__ import annotations

import ast
import builtins
import functools
import math
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ClassVar

from core.bounds import HELPERS
from core.errors import ExpressionError

__all__ = [
    "ALLOWED_FUNCTIONS",
    "ALLOWED_METHODS",
    "MAX_DEPTH",
    "MAX_GROWTH",
    "MAX_INT_DIGITS",
    "MAX_POWER_EXPONENT",
    "MAX_REPEAT",
    "MAX_SOURCE_LENGTH",
    "SECRET_FUNCTION",
    "SECRET_NAME_PATTERN",
    "Expression",
    "clear_expression_cache",
    "evaluate",
    "parse_expression",
    "run_time_bounds",
    "to_python_ast",
    "unbounded",
    "with_bounds",
]

ALLOWED_FUNCTIONS: frozenset[str] = frozenset(
    {
        "abs",
        "all",
        "any",
        "bool",
        "dict",
        "float",
        "int",
        "len",
        "list",
        "max",
        "min",
        "round",
        "sorted",
        "str",
        "sum",
    }
)
"""Built-in functions an expression may call; all are pure on JSON data."""

ALLOWED_METHODS: frozenset[str] = frozenset(
    {
        # str
        "capitalize",
        "count",
        "endswith",
        "find",
        "isalnum",
        "isalpha",
        "isdigit",
        "isspace",
        "join",
        "lower",
        "lstrip",
        "replace",
        "rstrip",
        "split",
        "startswith",
        "strip",
        "title",
        "upper",
        # dict
        "get",
        "items",
        "keys",
        "values",
    }
)
"""Method names an expression may call (``str`` and ``dict`` methods; never ``format``)."""

SECRET_FUNCTION = "secret"
"""``secret("name")`` names a stored secret; only activity arguments may use it (core.secrets)."""

SECRET_NAME_PATTERN = r"[a-z][a-z0-9_]{0,63}"
"""Secret names: lower case, so each maps to one ``WB_SECRET_<NAME>`` environment variable."""

_SECRET_NAME = re.compile(SECRET_NAME_PATTERN)

MAX_SOURCE_LENGTH = 2000
"""Longest accepted expression source, in characters."""

MAX_DEPTH = 64
"""Deepest accepted nesting of syntax-tree nodes."""

MAX_INT_DIGITS = 20
"""Most digits an integer literal may have."""

MAX_POWER_EXPONENT = 64
"""Largest absolute value of the literal exponent of ``**``."""

MAX_REPEAT = 10_000
"""Largest literal count for repeating a string or list with ``*``."""

MAX_GROWTH = 10_000
"""Largest product of the growth factors of nested growing operations (see docs/expressions.md)."""

# Growth factor assumed for a growing operation whose size effect is not known statically.
_UNKNOWN_GROWTH = 1000

_INPUT = "input"

UPDATE_ARGS = "args"
"""The name of a workflow update's input in its validator and result expressions; elsewhere
``args`` is a variable name like any other."""

# Allowed node types with nothing further to check; others are handled in _Checker or rejected.
_PLAIN_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression,
    ast.BoolOp,
    ast.BinOp,
    ast.Dict,
    ast.UnaryOp,
    ast.IfExp,
    ast.Compare,
    ast.List,
    ast.Tuple,
    ast.Set,
    ast.Subscript,
    ast.Slice,
    ast.JoinedStr,
    ast.Load,
    ast.And,
    ast.Or,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.Is,
    ast.IsNot,
    ast.In,
    ast.NotIn,
)

_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
_ALLOWED_NODES = _PLAIN_NODES + _ARITHMETIC

_OPERATOR_SYMBOLS = {
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.MatMult: "@",
    ast.Invert: "~",
}

# Constructs a user would recognise, by node type, with why each is rejected.
_REJECTED_NODES: dict[type[ast.AST], tuple[str, str]] = {
    ast.Lambda: ("lambda", "Expressions cannot define functions with lambda."),
    ast.NamedExpr: ("walrus (:=)", "Expressions cannot assign variables with :=."),
    ast.ListComp: ("list comprehension", "Comprehensions are not supported; use a loop node."),
    ast.SetComp: ("set comprehension", "Comprehensions are not supported; use a loop node."),
    ast.DictComp: ("dict comprehension", "Comprehensions are not supported; use a loop node."),
    ast.GeneratorExp: (
        "generator expression",
        "Generator expressions are not supported; use a loop node.",
    ),
    ast.Await: ("await", "Expressions cannot await."),
    ast.Yield: ("yield", "Expressions cannot yield."),
    ast.YieldFrom: ("yield", "Expressions cannot yield."),
    ast.Starred: ("starred (*)", "Unpacking with * is not supported in expressions."),
}

_STATEMENT_CONSTRUCTS: dict[type[ast.AST], str] = {
    ast.Import: "import",
    ast.ImportFrom: "import",
    ast.Assign: "assignment",
    ast.AugAssign: "assignment",
    ast.AnnAssign: "assignment",
    ast.Delete: "del",
    ast.FunctionDef: "def",
    ast.AsyncFunctionDef: "def",
    ast.ClassDef: "class",
    ast.For: "for loop",
    ast.AsyncFor: "for loop",
    ast.While: "while loop",
    ast.If: "if statement",
}

# Format specs in f-strings: only fill/align/sign/width/grouping/precision/type, width and
# precision at most three digits so `{x:>999999999}` cannot allocate a gigabyte.
_SAFE_FORMAT_SPEC = re.compile(
    r"(.?[<>=^])?[+\- ]?z?#?0?(\d{1,3})?[,_]?(\.\d{1,3})?[bcdeEfFgGnosxX%]?", re.S
)

# Calls whose result is a str or list, so `*` on them is repetition (see _is_sequence).
_SEQUENCE_FUNCTIONS = frozenset({"str", "list", "sorted"})
_SEQUENCE_METHODS = frozenset(
    {
        "capitalize",
        "join",
        "lower",
        "lstrip",
        "replace",
        "rstrip",
        "split",
        "strip",
        "title",
        "upper",
    }
)

_FUNCTION_OBJECTS: dict[str, Any] = {name: getattr(builtins, name) for name in ALLOWED_FUNCTIONS}

# The checked helpers of core.bounds that stand in for operations that can grow a value.
_BINARY_HELPERS: dict[type[ast.operator], str] = {
    ast.Mult: "_mul",
    ast.Add: "_add",
    ast.Pow: "_pow",
    ast.Mod: "_mod",
}
_FUNCTION_HELPERS = {"str": "_str", "sum": "_sum", "sorted": "_sorted"}
_METHOD_HELPERS = {"join": "_join", "replace": "_replace"}
_CONVERSIONS = {-1: "", ord("s"): "s", ord("r"): "r", ord("a"): "a"}

_BOUNDED: ContextVar[bool] = ContextVar("bounded", default=True)


def run_time_bounds() -> bool:
    """Whether generated and evaluated code checks sizes at run time (always, but in benchmarks)."""
    return _BOUNDED.get()


@contextmanager
def unbounded() -> Iterator[None]:
    """Build code without the run-time bounds, for benchmarks that measure what they cost.

    A context variable, not a global switch, so other threads and tasks keep their bounds.
    """
    token = _BOUNDED.set(False)
    try:
        yield
    finally:
        _BOUNDED.reset(token)


@dataclass(frozen=True)
class Expression:
    """An expression that passed the allow-list check.

    Attributes:
        source: the text as the user wrote it.
        tree: the checked syntax tree, as parsed (never mutated).
        variables: bare names used, other than ``input`` and allowed function names.
        input_fields: top-level input fields read with a constant key (``input.x``,
            ``input["x"]``, ``input.get("x")`` give ``"x"``).
        secrets: names of the stored secrets read with ``secret("name")``.
        arg_fields: fields of a workflow update's input read with a constant key
            (``args.x``, ``args["x"]``, ``args.get("x")``); ``args`` itself is in
            ``variables``, as it is a variable outside an update's expressions.
    """

    source: str
    tree: ast.Expression
    variables: frozenset[str]
    input_fields: frozenset[str]
    secrets: frozenset[str] = frozenset()
    arg_fields: frozenset[str] = frozenset()


def parse_expression(source: str) -> Expression:
    """Parse and check an expression.

    Args:
        source: the expression text.

    Returns:
        The checked expression with the variables and input fields it reads. Results are
        cached (validation and the compiler each ask for every expression), so the tree is
        shared between callers and must not be changed.

    Raises:
        ExpressionError: the text is not an expression, or uses a construct outside the
            allowed subset, or could exhaust memory or time (see docs/expressions.md).
    """
    if not isinstance(source, str):
        raise ExpressionError("syntax", f"An expression must be text, not {type(source).__name__}.")
    return _parse_checked(source)


@functools.lru_cache(maxsize=16384)
def _parse_checked(source: str) -> Expression:
    if len(source) > MAX_SOURCE_LENGTH:
        raise ExpressionError(
            "too long",
            f"The expression is {len(source)} characters long; "
            f"at most {MAX_SOURCE_LENGTH} are allowed.",
        )
    tree = _parse(source)
    _check_depth(tree, source)
    checker = _Checker()
    checker.visit(tree)
    return Expression(
        source=source,
        tree=tree,
        variables=frozenset(checker.variables),
        input_fields=frozenset(checker.fields_read[_INPUT]),
        secrets=frozenset(checker.secrets),
        arg_fields=frozenset(checker.fields_read[UPDATE_ARGS]),
    )


def clear_expression_cache() -> None:
    """Forget every parsed expression (benchmarks measure cold parsing with it)."""
    _parse_checked.cache_clear()


def to_python_ast(
    expression: Expression,
    *,
    input_ref: ast.expr,
    variable_ref: Callable[[str], ast.expr],
    locations: bool = True,
) -> ast.expr:
    """Rewrite a checked expression into the AST that generated workflow code embeds.

    ``input`` becomes ``input_ref``, bare variable names become ``variable_ref(name)``,
    ``a.b`` not followed by a call becomes ``a["b"]``. Operations that can grow a value
    (``* + ** %``, ``str``, ``sum``, ``sorted``, ``join``, ``replace``, f-strings) become calls
    of the checked helpers of core.bounds (``_mul(a, b)``...); other calls stay as they are.

    Args:
        expression: a result of parse_expression.
        input_ref: the expression to use for ``input`` (copied at each use), e.g. ``self.input``.
        variable_ref: builds the expression for a workflow variable, e.g. ``self.vars["name"]``;
            it must return a new tree at each call (no node may appear twice in the result).
        locations: give every node location info, which ``compile()`` needs; code that only
            turns the tree into text (``ast.unparse``) can skip that work.

    Returns:
        A fresh tree; ``expression.tree`` is left untouched.
    """
    # Re-parsing gives a fresh tree far faster than deepcopy (the text was checked already).
    rewriter = _Rewriter(input_ref, variable_ref, bounded=run_time_bounds())
    body = rewriter.visit(_parse(expression.source).body)
    return ast.fix_missing_locations(ast.Expression(body=body)).body if locations else body


def with_bounds(code: ast.expr) -> ast.expr:
    """Code rewritten by :func:`to_python_ast` without the bounds, given them now (in place).

    For code that must see the plain operators first: the compiler finds where ``secret()``
    stands in ``+`` and f-strings, then bounds what the workflow computes around it.
    """
    result = _Bounder(bounded=run_time_bounds()).visit(code)
    assert isinstance(result, ast.expr)
    return result


def evaluate(
    expression: Expression, *, input: Mapping[str, Any], variables: Mapping[str, Any]
) -> Any:
    """Evaluate a checked expression with only the allowed functions available.

    Args:
        expression: a result of parse_expression.
        input: the workflow input.
        variables: the workflow variables by name.

    Returns:
        The value of the expression.

    Raises:
        Exception: whatever the expression raises on this data, e.g. KeyError for a missing
            field or variable, TypeError for mismatched types, ZeroDivisionError, or
            core.bounds.LimitError for a value larger than a run-time limit.
    """
    body = to_python_ast(
        expression,
        input_ref=ast.Name(id="_input", ctx=ast.Load()),
        variable_ref=lambda name: ast.Subscript(
            value=ast.Name(id="_vars", ctx=ast.Load()),
            slice=ast.Constant(value=name),
            ctx=ast.Load(),
        ),
    )
    code = compile(ast.Expression(body=body), "<expression>", "eval")
    namespace = {"__builtins__": {}, **_FUNCTION_OBJECTS, **HELPERS}
    # Safe to eval: the tree passed the allow-list and the only builtins are the allowed
    # functions and the checked helpers of core.bounds.
    return eval(code, namespace, {"_input": input, "_vars": variables})


def _parse(source: str) -> ast.Expression:
    """Parse source in eval mode, turning every parser failure into an ExpressionError."""
    # Leading blanks make the parser report "unexpected indent"; users paste them by accident.
    text = source.lstrip()
    lead = source[: len(source) - len(text)]
    try:
        return ast.parse(text, mode="eval")
    except SyntaxError as error:
        statement = _statement_construct(text)
        if statement is not None:
            raise ExpressionError(statement, _statement_reason(statement)) from None
        raise ExpressionError("syntax", _syntax_reason(error, lead, text)) from None
    except (ValueError, RecursionError, MemoryError) as error:
        raise ExpressionError("syntax", f"The expression cannot be parsed: {error}.") from None


def _statement_construct(text: str) -> str | None:
    """Name the statement in text if it is a statement rather than an expression."""
    try:
        module = ast.parse(text, mode="exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    for statement in module.body:
        if not isinstance(statement, ast.Expr):
            return _STATEMENT_CONSTRUCTS.get(type(statement), "statement")
    return None


def _statement_reason(construct: str) -> str:
    if construct == "import":
        return "Expressions cannot import modules; only the listed functions are available."
    if construct == "assignment":
        return "Expressions cannot assign; use a set-variable node to store a value."
    return (
        f"An expression cannot contain a statement ({construct}); "
        "write a single expression such as x if c else y."
    )


def _syntax_reason(error: SyntaxError, lead: str, text: str) -> str:
    if not text:
        return "The expression is empty."
    line = (error.lineno or 1) + lead.count("\n")
    column = error.offset or 1
    if line == lead.count("\n") + 1:
        column += len(lead) - (lead.rfind("\n") + 1)
    return f"Invalid syntax at line {line}, column {column}: {error.msg}."


def _check_depth(tree: ast.AST, source: str) -> None:
    """Reject trees nested deeper than MAX_DEPTH, iteratively so a deep tree cannot overflow."""
    # Each level of nesting below the top three (Expression, the expression, a Load context)
    # takes at least one character of source, so short text cannot be too deep: skip the walk.
    if len(source) + 3 <= MAX_DEPTH:
        return
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(
                "deep nesting",
                f"The expression is nested more than {MAX_DEPTH} levels deep; split it into steps.",
            )
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _is_dunder(name: str) -> bool:
    return name.startswith("__")


def _int_literal(node: ast.AST) -> int | None:
    """The value of an int literal, optionally negated, else None (bools are not ints here)."""
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -1 if isinstance(node.op, ast.USub) else 1
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return sign * node.value
    return None


def _number_literal(node: ast.AST) -> float | None:
    """The value of an int or float literal, optionally negated, else None."""
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -1 if isinstance(node.op, ast.USub) else 1
        node = node.operand
    value = node.value if isinstance(node, ast.Constant) else None
    # bool is an int subclass, but not a number literal here.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return sign * value
    return None


def _is_sequence(node: ast.AST) -> bool:
    """Whether node statically yields a str, bytes, list or tuple, so `*` on it repeats."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (str, bytes))
    if isinstance(node, (ast.List, ast.Tuple, ast.JoinedStr)):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mult)):
        return _is_sequence(node.left) or _is_sequence(node.right)
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name):
            return node.func.id in _SEQUENCE_FUNCTIONS
        return isinstance(node.func, ast.Attribute) and node.func.attr in _SEQUENCE_METHODS
    return False


def _string_literal(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


class _Checker(ast.NodeVisitor):
    """Walks a parsed tree, rejecting anything outside the allow-list and collecting names."""

    _methods: ClassVar[dict[type, Callable[[Any, Any], None]]] = {}

    def __init__(self) -> None:
        self.variables: set[str] = set()
        #: Fields of ``input`` and ``args`` read with a constant key.
        self.fields_read: dict[str, set[str]] = {_INPUT: set(), UPDATE_ARGS: set()}
        self.secrets: set[str] = set()
        # Product of growth factors of the growing operations enclosing the current node.
        self._growth = 1

    def visit(self, node: ast.AST) -> None:
        # NodeVisitor.visit builds and looks up the method name anew for every node.
        method = self._methods.get(type(node))
        if method is None:
            found = getattr(type(self), "visit_" + type(node).__name__, _Checker.generic_visit)
            method = self._methods.setdefault(type(node), found)
        method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        rejected = _REJECTED_NODES.get(type(node))
        if rejected is not None:
            raise ExpressionError(*rejected)
        symbol = _OPERATOR_SYMBOLS.get(type(node))
        if symbol is not None:
            raise ExpressionError(
                f"bitwise operator '{symbol}'",
                f"The operator {symbol} is not supported in expressions.",
            )
        if not isinstance(node, _ALLOWED_NODES):
            name = type(node).__name__
            raise ExpressionError(
                name.lower(), f"The construct {name} is not supported in expressions."
            )
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                for child in value:
                    if isinstance(child, ast.AST):
                        self.visit(child)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if value is Ellipsis:
            raise ExpressionError(
                "ellipsis (...)", "The ... literal is not supported in expressions."
            )
        if type(value) is int and abs(value) >= 10**MAX_INT_DIGITS:
            raise ExpressionError(
                "huge number literal",
                f"An integer literal may have at most {MAX_INT_DIGITS} digits.",
            )
        if isinstance(value, complex):
            raise ExpressionError(
                "complex number literal", "Complex numbers are not supported in expressions."
            )

    def visit_Name(self, node: ast.Name) -> None:
        if _is_dunder(node.id):
            raise ExpressionError(
                f"dunder name '{node.id}'",
                f"Names starting with two underscores ('{node.id}') are not allowed.",
            )
        if node.id in ALLOWED_FUNCTIONS or node.id == SECRET_FUNCTION:
            raise ExpressionError(
                f"function '{node.id}' used as a value",
                f"'{node.id}' is a built-in function here; call it as {node.id}(...). "
                "A workflow variable with this name cannot be used in expressions.",
            )
        if node.id != _INPUT:
            self.variables.add(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self._check_attribute_name(node.attr)
        self._field_read(node.value, node.attr)
        self.visit(node.value)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        self._field_read(node.value, _string_literal(node.slice))
        self.generic_visit(node)

    def _field_read(self, root: ast.AST, key: str | None) -> None:
        """Note ``key`` read from ``input`` or ``args`` (a constant key of a bare root)."""
        if key is not None and isinstance(root, ast.Name):
            fields = self.fields_read.get(root.id)
            if fields is not None:
                fields.add(key)

    def visit_Dict(self, node: ast.Dict) -> None:
        if any(key is None for key in node.keys):
            raise ExpressionError(
                "dict unpacking (**)", "Unpacking with ** is not supported in expressions."
            )
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id == SECRET_FUNCTION:
            self._secret(node)
            return
        if isinstance(func, ast.Name):
            if func.id not in ALLOWED_FUNCTIONS:
                raise ExpressionError(
                    f"call to '{func.id}'",
                    f"'{func.id}' is not an allowed function; "
                    f"allowed: {', '.join(sorted(ALLOWED_FUNCTIONS))}.",
                )
        elif isinstance(func, ast.Attribute):
            self._check_attribute_name(func.attr)
            if func.attr not in ALLOWED_METHODS:
                raise ExpressionError(
                    f"call to method '{func.attr}'",
                    f"'.{func.attr}()' is not an allowed method; "
                    f"allowed: {', '.join(sorted(ALLOWED_METHODS))}.",
                )
            if func.attr == "get" and node.args:
                self._field_read(func.value, _string_literal(node.args[0]))
        else:
            raise ExpressionError(
                "call of a computed value",
                "Only allowed functions and methods can be called, by name.",
            )
        for keyword in node.keywords:
            if keyword.arg is None:
                raise ExpressionError(
                    "dict unpacking (**)", "Unpacking with ** is not supported in expressions."
                )
        with self._growing(self._call_growth(node)):
            for child in (*node.args, *(keyword.value for keyword in node.keywords)):
                self.visit(child)
            if isinstance(func, ast.Attribute):
                self.visit(func.value)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if isinstance(node.op, ast.Pow):
            factor = self._power_growth(node)
        elif isinstance(node.op, ast.Mult):
            factor = self._repeat_growth(node)
        else:
            factor = 1
            if isinstance(node.op, ast.Mod) and _is_sequence(node.left):
                raise ExpressionError(
                    "% string formatting",
                    "Use an f-string instead of % formatting (it can pad without limit).",
                )
        with self._growing(factor):
            self.generic_visit(node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> None:
        if node.format_spec is not None:
            parts = node.format_spec.values if isinstance(node.format_spec, ast.JoinedStr) else []
            literal = [part for part in parts if isinstance(part, ast.Constant)]
            if len(literal) != len(parts):
                raise ExpressionError(
                    "computed format spec",
                    "An f-string format spec must be written literally, like {x:.2f}.",
                )
            spec = "".join(str(part.value) for part in literal)
            if not _SAFE_FORMAT_SPEC.fullmatch(spec):
                raise ExpressionError(
                    "f-string format spec",
                    f"The format spec ':{spec}' is not allowed; "
                    "width and precision have at most 3 digits.",
                )
        self.visit(node.value)

    def _secret(self, node: ast.Call) -> None:
        """``secret("name")``: one literal name, so the secrets a graph needs are known."""
        name = _string_literal(node.args[0]) if len(node.args) == 1 else None
        if name is None or node.keywords:
            raise ExpressionError(
                "secret() without a literal name",
                'secret() takes one name written literally, like secret("crm_token").',
            )
        if not _SECRET_NAME.fullmatch(name):
            raise ExpressionError(
                f"secret name {name!r}",
                "A secret name uses lower-case letters, digits and underscores, starting with a "
                "letter (at most 64 characters).",
            )
        self.secrets.add(name)

    def _check_attribute_name(self, attr: str) -> None:
        if _is_dunder(attr):
            raise ExpressionError(
                f"dunder name '{attr}'",
                f"Names starting with two underscores ('{attr}') are not allowed.",
            )

    def _power_growth(self, node: ast.BinOp) -> int:
        exponent = _number_literal(node.right)
        if exponent is None or not math.isfinite(exponent) or abs(exponent) > MAX_POWER_EXPONENT:
            raise ExpressionError(
                "power with a large exponent",
                "The exponent of ** must be a number written literally, "
                f"between -{MAX_POWER_EXPONENT} and {MAX_POWER_EXPONENT}.",
            )
        return max(1, math.ceil(abs(exponent)))

    def _repeat_growth(self, node: ast.BinOp) -> int:
        for sequence, count in ((node.left, node.right), (node.right, node.left)):
            if _is_sequence(sequence):
                times = _int_literal(count)
                if times is None or abs(times) > MAX_REPEAT:
                    raise ExpressionError(
                        "repetition with a large count",
                        f"A string or list may be repeated with * only by a whole number written "
                        f"literally, at most {MAX_REPEAT}.",
                    )
                return max(1, abs(times))
        return 1

    @staticmethod
    def _call_growth(node: ast.Call) -> int:
        """How many times larger than its inputs a call's result can be (1 if it cannot grow)."""
        if not isinstance(node.func, ast.Attribute):
            return 1
        if node.func.attr == "join":
            separator = _string_literal(node.func.value)
            return _UNKNOWN_GROWTH if separator is None else len(separator) + 1
        if node.func.attr == "replace" and len(node.args) >= 2:
            old, new = _string_literal(node.args[0]), _string_literal(node.args[1])
            if old is None or new is None:
                return _UNKNOWN_GROWTH
            if not old:
                return len(new) + 1
            return max(1, math.ceil(len(new) / len(old)))
        return 1

    @contextmanager
    def _growing(self, factor: int) -> Iterator[None]:
        """Multiply the growth product by factor while the operands of one operation are visited."""
        product = self._growth * factor
        if product > MAX_GROWTH:
            raise ExpressionError(
                "nested growing operations",
                "Nested repetition, powers, join or replace could build a huge value "
                f"(growth factor {product} > {MAX_GROWTH}); split the expression into steps.",
            )
        previous, self._growth = self._growth, product
        try:
            yield
        finally:
            self._growth = previous


def _clone(node: Any) -> Any:
    """A deep copy of a small AST, several times faster than ``copy.deepcopy``."""
    if isinstance(node, ast.AST):
        fields = {name: _clone(getattr(node, name)) for name in node._fields if hasattr(node, name)}
        return type(node)(**fields)
    if isinstance(node, list):
        return [_clone(item) for item in node]
    return node


class _Bounder(ast.NodeTransformer):
    """Puts the checked helpers of core.bounds in place of operations that can grow a value."""

    def __init__(self, *, bounded: bool = True) -> None:
        self._bounded = bounded

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self._visit_call_parts(node)
        if not self._bounded:
            return node
        func = node.func
        if isinstance(func, ast.Name) and func.id in _FUNCTION_HELPERS:
            func.id = _FUNCTION_HELPERS[func.id]
        elif isinstance(func, ast.Attribute) and func.attr in _METHOD_HELPERS:
            # text.join(parts) -> _join(text, parts): the helper sizes the result first.
            helper = ast.Name(id=_METHOD_HELPERS[func.attr], ctx=ast.Load())
            node = ast.Call(func=helper, args=[func.value, *node.args], keywords=node.keywords)
        return node

    def _visit_call_parts(self, node: ast.Call) -> None:
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        node.left = self.visit(node.left)
        node.right = self.visit(node.right)
        helper = _BINARY_HELPERS.get(type(node.op)) if self._bounded else None
        number = _number_literal(node.left) is not None or _number_literal(node.right) is not None
        if helper is None or (helper == "_add" and number):
            # Adding a number never joins texts or lists (it adds, or raises TypeError): _add
            # would check nothing, and its call is most of what `count + 1` costs a loop.
            return node
        call = ast.Call(
            func=ast.Name(id=helper, ctx=ast.Load()), args=[node.left, node.right], keywords=[]
        )
        return ast.copy_location(call, node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.expr:
        """``f"a{x!r:>5}"`` -> ``_fstring("a", (x, "r", ">5"))``: formatted and sized in turn."""
        if not self._bounded:
            node.values = [self.visit(part) for part in node.values]
            return node
        parts: list[ast.expr] = []
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                # The checker allows only literal format specs.
                spec = "".join(
                    str(piece.value)
                    for piece in getattr(part.format_spec, "values", ())
                    if isinstance(piece, ast.Constant)
                )
                conversion = ast.Constant(value=_CONVERSIONS[part.conversion])
                parts.append(
                    ast.Tuple(
                        elts=[self.visit(part.value), conversion, ast.Constant(value=spec)],
                        ctx=ast.Load(),
                    )
                )
            else:
                parts.append(part)
        call = ast.Call(func=ast.Name(id="_fstring", ctx=ast.Load()), args=parts, keywords=[])
        return ast.copy_location(call, node)


class _Rewriter(_Bounder):
    """Rewrites a copied tree for embedding: input/variables to refs, attribute access to items,
    and (with ``bounded``) growing operations to the checked helpers, in one walk."""

    def __init__(
        self, input_ref: ast.expr, variable_ref: Callable[[str], ast.expr], *, bounded: bool
    ) -> None:
        super().__init__(bounded=bounded)
        self._input_ref = input_ref
        self._variable_ref = variable_ref

    def visit_Name(self, node: ast.Name) -> ast.expr:
        # Copies, so no node is shared between two places in the tree.
        if node.id == _INPUT:
            return ast.copy_location(_clone(self._input_ref), node)
        return ast.copy_location(self._variable_ref(node.id), node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        item = ast.Subscript(
            value=self.visit(node.value), slice=ast.Constant(value=node.attr), ctx=ast.Load()
        )
        return ast.copy_location(item, node)

    def _visit_call_parts(self, node: ast.Call) -> None:
        # The callee is an allowed function name or method attribute and stays as written.
        if isinstance(node.func, ast.Attribute):
            node.func.value = self.visit(node.func.value)
        node.args = [self.visit(arg) for arg in node.args]
        node.keywords = [self.visit(keyword) for keyword in node.keywords]
