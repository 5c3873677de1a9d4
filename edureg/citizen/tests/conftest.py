import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    """These tests read the portal in English unless a test says otherwise (the Lithuanian
    catalogue is checked by its own tests under their own override)."""
    with translation.override("en"):
        yield
