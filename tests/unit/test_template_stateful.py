"""No deploy loses data (issue 11): every table is kept when the stack is deleted or when an
update would replace it, is protected from deletion, and can be restored to any second of the
last 35 days."""

from __future__ import annotations

import pytest

from portfolio.infra.template import load_template, resources

pytestmark = pytest.mark.unit

TABLES = resources(load_template(), "AWS::DynamoDB::Table")


@pytest.mark.parametrize("logical_id", sorted(TABLES))
def test_every_table_survives_deletes_and_replacements_and_can_be_restored(logical_id: str) -> None:
    table = TABLES[logical_id]
    assert table.get("DeletionPolicy") == "Retain"
    assert table.get("UpdateReplacePolicy") == "Retain"
    assert table["Properties"].get("DeletionProtectionEnabled") is True
    assert table["Properties"].get("PointInTimeRecoverySpecification") == {"PointInTimeRecoveryEnabled": True}


def test_the_template_declares_tables() -> None:
    # (the parametrized test above would pass vacuously on a template without tables)
    assert len(TABLES) >= 9
