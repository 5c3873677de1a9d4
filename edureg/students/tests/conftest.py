import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    """The register speaks Lithuanian by default; these tests read its messages in English
    (the Lithuanian ones are checked in test_messages_lt.py, under their own override)."""
    with translation.override("en"):
        yield
