"""The bundle store: compiled bundles written once as importable packages under one root folder."""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from core.compiler.bundle import BUNDLE_FILES, Bundle
from core.errors import WorkflowBuilderError

logger = logging.getLogger(__name__)

_PACKAGE = re.compile(r"^[a-z][a-z0-9_]*$")
_INIT_TEXT = '"""A deployed Workflow Builder bundle; generated, never edited in place."""\n'


class BundleStoreError(WorkflowBuilderError):
    """A bundle cannot be written to or read from disk.

    Attributes:
        path: the folder or file at fault.
        reason: what is wrong with it.
    """

    def __init__(self, reason: str, *, path: Path) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class StoredBundle:
    """A bundle on disk as the package ``<root>/<package>/``.

    Attributes:
        root: the folder that goes on ``sys.path`` so the package imports by name.
        package: the package name, unique per workflow type and file contents.
        bundle: the bundle the package holds.
    """

    root: Path
    package: str
    bundle: Bundle

    @property
    def path(self) -> Path:
        """The package folder."""
        return self.root / self.package


def package_name(bundle: Bundle) -> str:
    """Return the package name of a bundle: ``wf_<workflow type>_<first 8 digest hex digits>``.

    The workflow type already carries the version (``order_approval_v3``), and the digest makes
    two different builds of one version two different packages.

    Raises:
        BundleStoreError: the workflow type cannot be part of a Python package name.
    """
    name = f"wf_{bundle.workflow_type}_{bundle.digest[:8]}"
    if not _PACKAGE.match(name):
        raise BundleStoreError(
            f"workflow type {bundle.workflow_type!r} cannot name a Python package",
            path=Path(name),
        )
    return name


class BundleStore:
    """Writes bundles as immutable packages under ``root``.

    A package is never rewritten: the workflow sandbox re-reads ``workflow.py`` from disk for
    every new run, so changing a file in place would change the code of running workers.

    Args:
        root: the folder holding one sub-folder per package; created when missing.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, bundle: Bundle) -> StoredBundle:
        """Write a bundle as ``<root>/<package>/`` (all files at once), or reuse an identical one.

        Returns:
            Where the bundle is stored.

        Raises:
            BundleStoreError: the package folder exists with different files, or the folder
                cannot be written.
        """
        package = package_name(bundle)
        target = self.root / package
        files = {**bundle.files, "__init__.py": _INIT_TEXT}
        if not target.exists():
            self._write_new(target, files)
        self._check_same(target, files)
        return StoredBundle(root=self.root, package=package, bundle=bundle)

    def _write_new(self, target: Path, files: dict[str, str]) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=self.root))
        except OSError as exc:
            raise BundleStoreError(
                f"cannot create the folder ({exc.strerror})", path=self.root
            ) from exc
        try:
            for name, text in files.items():
                (staging / name).write_text(text, encoding="utf-8")
            try:
                # rename() of a folder is atomic: readers see all files or none.
                os.rename(staging, target)
                logger.info("wrote bundle %s", target)
            except OSError:
                if not target.is_dir():
                    raise
                # Another writer won the race; _check_same compares its files with ours.
        except OSError as exc:
            raise BundleStoreError(
                f"cannot write the bundle ({exc.strerror})", path=target
            ) from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _check_same(self, target: Path, files: dict[str, str]) -> None:
        for name, text in files.items():
            path = target / name
            try:
                same = path.read_text(encoding="utf-8") == text
            except OSError:
                same = False
            if not same:
                raise BundleStoreError(
                    f"the package exists with a different or missing {name}; packages are "
                    "immutable, so remove the folder or deploy under a new version",
                    path=target,
                )


def read_bundle(directory: Path) -> Bundle:
    """Read the bundle files of a folder (an exported bundle or a stored package).

    Raises:
        BundleStoreError: a bundle file is missing or ``manifest.json`` is not a JSON object.
    """
    files: dict[str, str] = {}
    for name in BUNDLE_FILES:
        try:
            files[name] = (directory / name).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise BundleStoreError(
                f"no {name}: a bundle folder holds {', '.join(BUNDLE_FILES)}", path=directory
            ) from None
        except OSError as exc:
            raise BundleStoreError(f"cannot read {name} ({exc.strerror})", path=directory) from exc
    try:
        return Bundle.from_files(files)
    except ValueError as exc:
        raise BundleStoreError(str(exc), path=directory) from None
