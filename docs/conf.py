"""Sphinx configuration of the kms-import-mock documentation (Markdown pages through MyST)."""

from __future__ import annotations

import pathlib
import re
import sys
from typing import Any

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


# `-W` does not catch a placeholder left unfilled or a role written with doubled braces: MyST
# renders `{name}` and `{{doc}}` as plain text. So after the build, the visible text of every
# page (code excluded) is searched for them, and the build fails on any.
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{[A-Za-z_][A-Za-z0-9_]*\}")
_CODE = re.compile(r"<(pre|code|script|style)\b.*?</\1>", re.S)
_TAG = re.compile(r"<[^>]+>")


def unfilled_placeholders(html: str) -> list[str]:
    """The placeholder-like strings in a page's text outside code."""
    text = _TAG.sub(" ", _CODE.sub(" ", html))
    return _PLACEHOLDER.findall(text)


def _check_placeholders(app: Any, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    found = {
        page.relative_to(app.outdir).as_posix(): hits
        for page in sorted(pathlib.Path(app.outdir).rglob("*.html"))
        if not page.relative_to(app.outdir).parts[0].startswith("_")
        and (hits := unfilled_placeholders(page.read_text(encoding="utf-8")))
    }
    if found:
        raise RuntimeError(f"unfilled placeholders in the built pages (fix their sources): {found}")


def setup(app: Any) -> dict[str, bool]:
    app.connect("build-finished", _check_placeholders)
    return {"parallel_read_safe": True}
