"""The compiler: a validated graph in, a bundle of Temporal worker code out."""

from core.compiler.bundle import BUNDLE_FILES, Bundle, manifest_text
from core.compiler.children import ChildTarget, children_from_json, children_to_json
from core.compiler.errors import CompileError
from core.compiler.pipeline import COMPILER_VERSION, DEFAULT_TASK_QUEUE, compile_graph

__all__ = [
    "BUNDLE_FILES",
    "COMPILER_VERSION",
    "DEFAULT_TASK_QUEUE",
    "Bundle",
    "ChildTarget",
    "CompileError",
    "children_from_json",
    "children_to_json",
    "compile_graph",
    "manifest_text",
]
