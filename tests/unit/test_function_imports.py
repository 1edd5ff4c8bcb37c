"""Every function imports with what Lambda gives it: the runtime, the portfolio layer (its pins)
and the function's own requirements.txt. What only the tools use (Pillow outside the
thumbnails function, moto, requests, cfn-flip) is not there: a handler that imports it would
fail on its first invocation, which no in-process test would notice."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from portfolio.infra.template import functions, load_template

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
# Distributions the development environment has and the layer does not ship -> their modules.
NOT_IN_THE_LAYER = {"pillow": "PIL", "moto": "moto", "requests": "requests", "cfn-flip": "cfn_flip"}

_IMPORT_WITHOUT = """
import importlib.abc, importlib.util, sys

class Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (not in this function's Lambda)")
        return None

sys.meta_path.insert(0, Missing())
spec = importlib.util.spec_from_file_location("app", SOURCE)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
"""


def _requirements(code_uri: Path) -> set[str]:
    path = code_uri / "requirements.txt"
    if not path.is_file():
        return set()
    names = set()
    for raw_line in path.read_text(encoding="utf-8").splitlines():
        line = raw_line.split("#", 1)[0].strip()
        if line:
            names.add(re.split(r"[\[<>=!~; ]", line, maxsplit=1)[0].lower())
    return names


@pytest.mark.parametrize("function", sorted(functions(load_template())))
def test_the_handler_imports_with_only_the_layer_and_its_own_requirements(function: str) -> None:
    # Given the function's code and what its Lambda environment holds
    spec = functions(load_template())[function]
    code_uri = ROOT / spec.code_uri
    blocked = {module for name, module in NOT_IN_THE_LAYER.items() if name not in _requirements(code_uri)}
    source = (code_uri / spec.handler.rpartition(".")[0].replace(".", "/")).with_suffix(".py")
    # When a fresh interpreter imports the handler's module without the rest
    code = f"BLOCKED = {sorted(blocked)!r}\nSOURCE = {str(source)!r}\n{_IMPORT_WITHOUT}"
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "layers" / "portfolio")]),
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environment,
        cwd=code_uri,
        timeout=120,
        check=False,
    )
    # Then it loads
    assert result.returncode == 0, result.stderr[-3000:]
