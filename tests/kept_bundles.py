"""Bundles of compiler version 3 kept as it wrote them, and runs recorded on them.

Version 3 called activities with positional arguments; version 4 with one input object. The
kept bundles and histories show that versions deployed before keep working beside newer ones.
"""

from __future__ import annotations

from core.compiler.bundle import BUNDLE_FILES, Bundle
from core.config import REPO_ROOT

#: ``<example>/`` with the four bundle files (the golden files of compiler version 3).
V3_BUNDLES = REPO_ROOT / "tests" / "fixtures" / "bundles_v3"
#: ``<example>/<scenario>.json``: runs recorded on those bundles (python -m
#: core.deploy.record_histories at compiler version 3).
V3_HISTORIES = REPO_ROOT / "tests" / "fixtures" / "histories_v3"


def kept_v3_bundle(example: str) -> Bundle:
    """The bundle compiler version 3 wrote for ``example``."""
    folder = V3_BUNDLES / example
    bundle = Bundle.from_files({name: (folder / name).read_text() for name in BUNDLE_FILES})
    assert bundle.manifest["compiler_version"] == "3" and not bundle.input_objects
    return bundle
