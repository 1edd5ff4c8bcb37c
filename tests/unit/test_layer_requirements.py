"""The Lambda layer ships the versions the tests run with: every pin in
layers/portfolio/requirements.txt is the version installed in the development environment,
every runtime dependency the package declares is pinned there (what only the tools use comes
from elsewhere), and the AWS SDK is shipped whole: the built layer imports the boto3, botocore
and s3transfer it pins, never a mix with the runtime's."""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
LAYER_REQUIREMENTS = ROOT / "layers" / "portfolio" / "requirements.txt"
# Used only by the CLI / local stack / thumbnails function.
NOT_IN_LAYER = {"pillow", "cfn-flip", "moto", "requests"}
# The AWS SDK's packages, which the layer ships together or not at all.
SDK = ("boto3", "botocore", "s3transfer")


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
    # botocore and s3transfer are boto3's, pinned beside it (the SDK whole)
    assert runtime - NOT_IN_LAYER == set(_pins()) - {"botocore", "s3transfer"}


def test_the_aws_sdk_is_pinned_whole_and_consistent() -> None:
    pins = _pins()
    assert set(SDK) <= set(pins), "pynamodb brings botocore: boto3 and s3transfer must come with it"
    for package, dependency in (("boto3", "botocore"), ("boto3", "s3transfer"), ("s3transfer", "botocore")):
        specifiers = [
            Requirement(requirement).specifier
            for requirement in importlib.metadata.requires(package) or []
            if Requirement(requirement).name == dependency
        ]
        assert specifiers, f"{package} does not require {dependency}"
        assert all(spec.contains(pins[dependency]) for spec in specifiers), (package, dependency)


@pytest.mark.skipif(not os.environ.get("BUILT_LAYER"), reason="make build runs this on the built layer")
def test_the_built_layer_imports_the_sdk_it_pins() -> None:
    # Given the layer as `sam build` made it (BUILT_LAYER: its python/ folder), alone on the path
    built = Path(os.environ["BUILT_LAYER"]).resolve()
    assert (built / "botocore").is_dir(), built
    code = (
        f"import sys; sys.path[:0] = [{str(built)!r}]\n"
        "import boto3, botocore, s3transfer\n"
        "print(boto3.__version__, botocore.__version__, s3transfer.__version__)\n"
        "print(boto3.__file__, botocore.__file__, s3transfer.__file__)"
    )
    # When a fresh interpreter without site-packages imports the SDK
    output = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, check=True)
    versions, files = output.stdout.splitlines()
    # Then every package comes from the layer, at the pinned version
    pins = _pins()
    assert versions.split() == [pins[package] for package in SDK]
    assert all(Path(file).resolve().is_relative_to(built) for file in files.split())
