"""``docs/coverage.md`` is what ``python -m tests.coverage_table`` generates from the swagger
and the code: a new client call (or a route) changes the table, and a stale table fails here."""

from __future__ import annotations

from tests import coverage_table


def test_the_coverage_table_is_up_to_date() -> None:
    expected = coverage_table.render()
    actual = coverage_table.TABLE.read_text(encoding="utf-8")
    assert actual == expected, "docs/coverage.md is stale: run python -m tests.coverage_table"


def test_the_swagger_has_nakamas_87_operations() -> None:
    operations = coverage_table.swagger_operations()
    assert len(operations) == 87
    assert len({op for op, _, _ in operations}) == 87


def test_every_mark_names_a_swagger_operation() -> None:
    known = {op for op, _, _ in coverage_table.swagger_operations()}
    assert set(coverage_table.client_calls()) <= known
