"""The compiler: a validated graph in, a bundle of Temporal worker code out."""

from core.codegen.children import ChildTarget, build_options, children_of
from core.codegen.errors import CompileError
from core.compiler.bundle import BUNDLE_FILES, Bundle, manifest_text
from core.compiler.pipeline import COMPILER_VERSION, DEFAULT_TASK_QUEUE, compile_graph

__all__ = [
    "BUNDLE_FILES",
    "COMPILER_VERSION",
    "DEFAULT_TASK_QUEUE",
    "Bundle",
    "ChildTarget",
    "CompileError",
    "build_options",
    "children_of",
    "compile_graph",
    "manifest_text",
]
