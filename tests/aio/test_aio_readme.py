"""The README's async examples run (fenced ``py``: the base install, whose suite runs the
``python`` blocks, has no aiobotocore), and the async venv is inside the declared ranges."""

from __future__ import annotations

import ast
import importlib.metadata
import pathlib
import re

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = pathlib.Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Async clients (aiobotocore, aioboto3)", 1)[1].split("\n## ", 1)[0]
BLOCKS = re.findall(r"^```py\n(.*?)^```", SECTION, re.M | re.S)


def test_the_section_shows_the_three_ways() -> None:
    assert len(BLOCKS) == 3
    assert "async with mock_kms_import()" in BLOCKS[0]
    assert "@mock_kms_import" in BLOCKS[1] and "async def" in BLOCKS[1]
    assert "async def test_" in BLOCKS[2] and "kms_import" in BLOCKS[2]
    assert "pip install 'kms-import-mock[async]'" in SECTION
    assert not re.search(r"^```python", SECTION, re.M)  # the base suite would run it


def _block_id(block: str) -> str:
    """``aioboto3`` for the block that needs it: the newest aiobotocore's matrix session, where
    aioboto3 cannot be installed, deselects it by that name."""
    return "aioboto3" if "import aioboto3" in block else f"block{BLOCKS.index(block)}"


@pytest.mark.parametrize("block", BLOCKS, ids=[_block_id(b) for b in BLOCKS])
def test_the_readme_async_blocks_run(pytester: pytest.Pytester, block: str) -> None:
    """Module-level code runs on import; ``async def test_`` functions run with the fixture."""
    pytester.makepyfile(test_readme_async=block)
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider",
        "-o", "asyncio_default_fixture_loop_scope=function",
    )  # fmt: skip
    tests = block.count("\nasync def test_")
    if tests:
        result.assert_outcomes(passed=tests)
    else:  # collected, imported (the example ran), no test in it
        assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED, result.stdout.str()


def _nox() -> dict[str, object]:
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    return {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id.isupper()
    }  # fmt: skip


def test_the_botocore_the_matrix_pins_for_an_end_is_one_that_aiobotocore_accepts() -> None:
    """At either end (this venv is one), the noxfile's botocore and boto3 for it are inside the
    installed aiobotocore's own requirement; in between, the installed botocore is."""
    nox = _nox()
    installed = importlib.metadata.version("aiobotocore")
    requires = [Requirement(r) for r in importlib.metadata.requires("aiobotocore") or []]
    (botocore_req,) = [r for r in requires if r.name == "botocore" and not r.marker]
    pins: dict[str, str] = nox["AIOBOTOCORE_BOTO"]  # type: ignore[assignment]
    botocore = pins.get(installed, importlib.metadata.version("botocore"))
    assert botocore_req.specifier.contains(Version(botocore)), (installed, botocore_req)
    oldest, newest = str(nox["AIOBOTOCORE_OLDEST"]), str(nox["AIOBOTOCORE_NEWEST"])
    assert Version(oldest) <= Version(installed) <= Version(newest)
