"""Lithuanian order and diacritic-free name search, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edureg.core.collation import fold, sort_key
from edureg.people.selectors import person_list
from edureg.people.tests.factories import PersonFactory

# As PostgreSQL's ICU collation lt-x-icu sorts them (Y and Į with I, Č after C, …).
LITHUANIAN_ORDER = [
    "azuolas",
    "Ąžuolas",
    "Balciunas",
    "Balčiūnas",
    "Cibulskis",
    "Čepas",
    "Egle",
    "Ėglė",
    "Eglynas",
    "Įgaunis",
    "Ikas",
    "Yla",
    "Ylikas",
    "Ivanauskas",
    "Jankus",
    "Sabonis",
    "Šimkus",
    "Zabiela",
    "Žukas",
]


def test_the_python_key_sorts_by_the_lithuanian_alphabet():
    assert sorted(reversed(LITHUANIAN_ORDER), key=sort_key) == LITHUANIAN_ORDER


@given(st.text(alphabet="aąbcčdeęėfghiįyjklmnoprsštuųūvzžAĄČŠŽ -", max_size=12))
def test_folding_leaves_no_lithuanian_letter_and_keeps_the_length(name):
    folded = fold(name)
    assert len(folded) == len(name)
    assert not set(folded) & set("ąčęėįšųūž")
    assert folded == folded.lower()


@pytest.mark.django_db
def test_the_people_list_is_in_lithuanian_order(admin_actor):
    for family_name in reversed(LITHUANIAN_ORDER):
        PersonFactory(family_name=family_name)
    listed = [p.family_name for p in person_list(actor=admin_actor)]
    assert listed == LITHUANIAN_ORDER


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["balciunaite", "BALČIŪN", "Balčiūnaitė", "Ąžuolė balciun", "azuole"],
)
def test_a_name_search_ignores_case_and_diacritics(admin_actor, query):
    wanted = PersonFactory(given_names="Ąžuolė", family_name="Balčiūnaitė")
    PersonFactory(given_names="Jonas", family_name="Petraitis")
    assert list(person_list(actor=admin_actor, query=query)) == [wanted]
