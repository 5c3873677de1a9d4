"""Countries by their ISO 3166-1 alpha-2 code, and their names in the active language.

The register keeps a country as its code (citizenship, a mobility's host country, where prior
education was acquired); a person reads its name: "Lietuva" on a Lithuanian page, "Lithuania"
on an English one (pycountry's ISO 3166 catalogues)."""

from __future__ import annotations

import gettext as gettext_module
from functools import cache
from typing import Any

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries)


def validate_country_code(value: str) -> None:
    if value not in COUNTRY_CODES:
        raise ValidationError(
            _("“%(value)s” is not an ISO 3166 country code."),
            code="country_code",
            params={"value": value},
        )


@cache
def _translations(language: str) -> Any:
    return gettext_module.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def country_name(code: str | None) -> str:
    """A country's name in the active language; an unknown code as it is, none as "—"."""
    country = pycountry.countries.get(alpha_2=code) if code else None
    if country is None:
        return code or "—"
    if (get_language() or "lt").startswith("en"):
        return str(country.name)
    return str(_translations("lt").gettext(country.name))
