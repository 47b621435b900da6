"""UUIDs read as Nakama's Go library reads them (``_protocol/uuids.py``)."""

from __future__ import annotations

import pytest

from gameservices._protocol.uuids import canonical_uuid, is_uuid

ID = "d98e2b82-5dbd-4814-b658-5d7ff7a0fcb7"
PLAIN = ID.replace("-", "")


@pytest.mark.parametrize(
    "form",
    [
        ID,
        ID.upper(),
        PLAIN,
        "{" + ID + "}",
        "{" + PLAIN + "}",
        "urn:uuid:" + ID,
        "urn:uuid:" + PLAIN,
    ],
)
def test_the_forms_go_takes_read_as_the_canonical_id(form: str) -> None:
    assert canonical_uuid(form) == ID
    assert is_uuid(form)


@pytest.mark.parametrize(
    "form",
    [
        PLAIN[:4] + "-" + PLAIN[4:],  # hyphens anywhere: Python's uuid.UUID takes it
        "URN:UUID:" + ID,
        "urn:uuid:{" + ID + "}",
        ID + "\n",
        " " + ID,
        ID[:-1],
        "",
        None,
        7,
    ],
)
def test_other_forms_are_not_ids(form: object) -> None:
    assert canonical_uuid(form) is None
    assert not is_uuid(form)


def test_the_nil_uuid_only_when_asked_for() -> None:
    nil = "00000000-0000-0000-0000-000000000000"
    assert canonical_uuid(nil) is None
    assert canonical_uuid(nil, nil=True) == nil
    assert is_uuid(nil)
