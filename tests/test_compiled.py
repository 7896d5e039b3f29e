"""The build runs what it says: setup.py's compiled modules are all compiled (mypyc) in a
compiled build, and all plain source otherwise. CI runs the whole suite both ways; this test
stops the compiled run from passing on source that shadowed the build."""

from __future__ import annotations

import ast
import importlib
import os
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPECT_COMPILED = os.environ.get("HARVESTER_EXPECT_COMPILED") == "1"


def _compiled_list() -> list[str]:
    """setup.py's COMPILED, read as data: running setup.py would start a build."""
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "COMPILED" for target in node.targets
        ):
            return list(ast.literal_eval(node.value))
    raise AssertionError("setup.py names no COMPILED modules")


def test_setup_names_existing_modules() -> None:
    paths = _compiled_list()
    assert paths
    for path in paths:
        assert (ROOT / path).is_file(), path


def test_each_module_is_compiled_exactly_when_the_build_is() -> None:
    for path in _compiled_list():
        name = path.removesuffix(".py").replace("/", ".")
        where = importlib.import_module(name).__file__ or ""
        compiled = where.endswith(tuple(EXTENSION_SUFFIXES))
        assert compiled == EXPECT_COMPILED, f"{name} loaded from {where}"


def _method_calls(path: Path, name: str) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == name
        and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "str")
    ]


def test_compiled_modules_lower_text_as_python_does() -> None:
    """x.lower() on a str compiles to mypyc's own routine, which on Python before 3.13 lowers
    one character at a time: "ΟΔΟΣ" gives "οδοσ", not Python's "οδος", and a Greek address
    then no longer matches the roster. str.lower(x) stays Python's method."""
    found = {
        path: lines for path in _compiled_list() if (lines := _method_calls(ROOT / path, "lower"))
    }
    assert not found, f"write str.lower(x), not x.lower(), in compiled modules: {found}"
