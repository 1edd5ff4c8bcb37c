"""The Lambda layer ships the versions the tests run with: every pin in
layers/portfolio/requirements.txt is the version installed in the development environment,
and every runtime dependency the package declares is pinned there (boto3/botocore and what
only the tools use come from elsewhere)."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
LAYER_REQUIREMENTS = ROOT / "layers" / "portfolio" / "requirements.txt"
# In the Lambda runtime already, or used only by the CLI / local stack / thumbnails function.
NOT_IN_LAYER = {"boto3", "pillow", "cfn-flip", "moto"}


def _pins() -> dict[str, str]:
    pins = {}
    for raw_line in LAYER_REQUIREMENTS.read_text().splitlines():
        line = raw_line.split("#", 1)[0].strip()
        if line:
            match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;]+)", line)
            assert match, f"unpinned requirement in the layer: {line!r}"
            pins[match[1].lower()] = match[2]
    return pins


def test_layer_pins_are_the_tested_versions() -> None:
    for name, version in _pins().items():
        assert importlib.metadata.version(name) == version, name


def test_every_runtime_dependency_is_in_the_layer() -> None:
    declared = importlib.metadata.requires("portfolio-api") or []
    runtime = {
        re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower()
        for requirement in declared
        if "extra ==" not in requirement
    }
    assert runtime - NOT_IN_LAYER == set(_pins())
