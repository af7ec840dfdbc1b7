"""Sphinx configuration of the kms-import-mock documentation (Markdown pages through MyST)."""

from __future__ import annotations

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # autodoc imports the package from this tree, installed or not

project = "kms-import-mock"
author = "kms-import-mock contributors"
copyright = "kms-import-mock contributors"  # noqa: A001 - Sphinx's name

from kms_import_mock import __all__ as _public  # noqa: E402

try:
    from importlib.metadata import version as _version

    release = _version("kms-import-mock")
except Exception:  # noqa: BLE001 - a tree without an install still builds
    release = "0.1.0"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "undoc-members": False}
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# Off-line builds: no inventories fetched, so references to the standard library stay plain text.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}

html_theme = "furo"
html_title = f"kms-import-mock {release}"

#: checked by the test suite: every name the package exports has a reference entry
PUBLIC_NAMES = tuple(_public)
