"""The domain's rules stay pure: importing one loads no AWS SDK, no ORM, no Pillow, no
Powertools and none of ``portfolio.data``. Use cases (the modules that call ``portfolio.data``)
are listed apart; the rules are what a Lambda without those packages, a CLI check or a unit
test can import on their own (the upload function needs the upload rules without Pillow)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "layers" / "portfolio" / "portfolio" / "domain"
# The domain modules that call portfolio.data (use cases); every other one is a pure rule.
USE_CASES = {"auth", "card_cache", "catalogue", "media", "portfolios", "uploads"}
FORBIDDEN = ("boto3", "botocore", "pynamodb", "PIL", "aws_lambda_powertools", "portfolio.data")
RULES = sorted(
    path.stem for path in DOMAIN.glob("*.py") if path.stem != "__init__" and path.stem not in USE_CASES
)


def test_the_use_cases_are_the_only_domain_modules_that_call_the_data_layer() -> None:
    imports_data = re.compile(r"^\s*(?:from|import) portfolio\.data\b", re.MULTILINE)
    callers = {
        path.stem for path in DOMAIN.glob("*.py") if imports_data.search(path.read_text(encoding="utf-8"))
    }
    assert callers == USE_CASES


@pytest.mark.parametrize("module", RULES)
def test_a_rule_module_imports_nothing_but_rules(module: str) -> None:
    code = (
        f"import sys, portfolio.domain.{module}\n"
        f"print(','.join(name for name in {FORBIDDEN!r} if name in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "layers" / "portfolio")},
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "", f"portfolio.domain.{module} loads {result.stdout.strip()}"
