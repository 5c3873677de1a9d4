"""Every choice in a list's filters can be left empty (#16 item 5): a select without an empty
choice sends its first value with every search (the student list's "Kursas" once added
`course=1` to a search by status)."""

from __future__ import annotations

import re

import django_filters
import pytest
from django import forms

from edureg.institutions.filters import InstitutionFilter
from edureg.programmes.filters import CatalogueFilter
from edureg.pupils.filters import EnrolmentFilter
from edureg.students.filters import StudyRightFilter

pytestmark = pytest.mark.django_db
FILTERS = [EnrolmentFilter, StudyRightFilter, CatalogueFilter, InstitutionFilter]


@pytest.mark.parametrize("filterset", FILTERS, ids=lambda f: f.__name__)
def test_every_select_of_a_filter_offers_an_empty_choice_and_selects_it(filterset):  # type: ignore[no-untyped-def]
    form = filterset(data={}, queryset=filterset._meta.model.objects.none()).form
    selects = [
        field for field in form.visible_fields() if isinstance(field.field.widget, forms.Select)
    ]
    assert selects, "the filter has choices to check"
    for field in selects:
        html = str(field)
        assert re.search(r'<option value=""[^>]*>', html), f"{field.name}: no empty choice"
        # Nothing but the empty choice is preselected, so a search sends only what was chosen
        assert not re.search(r'<option value="[^"]+"[^>]* selected', html), field.name


def test_a_search_by_status_leaves_the_course_empty():  # type: ignore[no-untyped-def]
    from edureg.students.models import StudyRight

    form = StudyRightFilter(data={"status": "studying"}, queryset=StudyRight.objects.none()).form
    html = str(form["course"])
    assert re.search(r'<option value="" selected>', html)
    assert form.is_valid() and form.cleaned_data["course"] is None


def test_the_filters_are_all_checked():  # type: ignore[no-untyped-def]
    """A new list filter joins FILTERS above."""
    import edureg.institutions.filters
    import edureg.programmes.filters
    import edureg.pupils.filters
    import edureg.students.filters

    found = {
        value
        for module in (
            edureg.institutions.filters,
            edureg.programmes.filters,
            edureg.pupils.filters,
            edureg.students.filters,
        )
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, django_filters.FilterSet)
        and value is not django_filters.FilterSet
        and value.__module__ == module.__name__
    }
    assert found <= set(FILTERS)
