"""`manage.py seed_demo` fills an empty database with valid, audited, reproducible demo data."""

from __future__ import annotations

import re
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from stdnum.lt import asmens

from edureg.core.audit import verify_all
from edureg.core.demo import DEMO_ADMIN_USERNAME, Scale, apportion
from edureg.core.models import ChangeLogEntry
from edureg.institutions.demo import institutions_generate, municipality_weights
from edureg.institutions.models import Institution, InstitutionKind, Municipality
from edureg.institutions.validators import validate_jar_code
from edureg.people.demo import female_family_name, people_generate
from edureg.people.identity import birth_date_from_code, sex_from_code
from edureg.people.models import Person


def _seed_small(seed: int = 3) -> str:
    out = StringIO()
    call_command("seed_demo", "--scale", "small", "--seed", str(seed), stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "persons": Person.objects.count(),
        "institutions": Institution.objects.count(),
        "person versions": Person.history.count(),
        "institution versions": Institution.history.count(),
        "change log": ChangeLogEntry.objects.count(),
        "users": get_user_model().objects.count(),
    }


@pytest.mark.django_db
def test_small_seed_gives_valid_people_and_institutions_with_history():
    # Given a freshly migrated database
    # When the small demo data is seeded
    output = _seed_small()

    # Then every Lithuanian has a valid personal code that agrees with the birth date and sex
    people = list(Person.objects.all())
    learners = [p for p in people if not p.wards.exists()]
    assert 350 <= len(learners) <= 450
    # and parents of some of the children, who are no learners themselves
    assert 40 <= len(people) - len(learners) <= 200
    coded = [p for p in people if p.personal_code]
    assert len(coded) >= 0.9 * len(people)
    for person in coded:
        assert asmens.is_valid(person.personal_code), person.personal_code
        assert birth_date_from_code(person.personal_code) == person.birth_date
        assert sex_from_code(person.personal_code) == person.sex
    # and foreigners have a register-assigned id and a foreign citizenship instead
    for person in people:
        if not person.personal_code:
            assert person.foreign_id and person.foreign_id.startswith("U")
            assert person.citizenship != "LT"
    # and the 60 municipalities are all there
    assert Municipality.objects.count() == 60
    # and every institution's legal-entity code is valid; only free teachers go without one
    institutions = list(Institution.objects.select_related("main_group", "main_type"))
    for institution in institutions:
        if institution.kind == InstitutionKind.FREE_TEACHER:
            assert institution.jar_code == ""
        else:
            validate_jar_code(institution.jar_code)
    kinds = Counter(i.kind for i in institutions)
    assert kinds[InstitutionKind.FREE_TEACHER] == 1
    assert kinds[InstitutionKind.BRANCH] == 1
    branch = next(i for i in institutions if i.kind == InstitutionKind.BRANCH)
    assert branch.parent is not None and branch.jar_code == branch.parent.jar_code
    groups = Counter(i.main_group.code for i in institutions)
    assert groups["university"] == 2 and groups["college"] == 1 and groups["vocational"] == 1
    assert groups["school"] >= 20
    # and each person has exactly one version, and the audit chains verify
    versions = Counter(Person.history.values_list("id", flat=True))
    assert set(versions) == {p.pk for p in people}
    assert set(versions.values()) == {1}
    assert verify_all() == []
    # and the demo administrator can log in, and the summary says what was done
    assert get_user_model().objects.get(username=DEMO_ADMIN_USERNAME).is_superuser
    # (the bulk of them generated in bulk; the documents' demo class is registered one by one)
    generated = int(re.search(r"persons: generated (\d+)", output).group(1))
    assert f"persons: {generated}/{generated}" in output and 350 <= generated <= len(learners)
    assert "families: " in output
    assert "Done in" in output


@pytest.mark.django_db
def test_seeding_again_if_empty_changes_nothing():
    # Given a seeded database
    _seed_small()
    before = _counts()
    # When seeding again with --if-empty
    out = StringIO()
    call_command("seed_demo", "--scale", "small", "--if-empty", stdout=out)
    # Then nothing changes and the command says so
    assert _counts() == before
    assert "not loaded" in out.getvalue()


@pytest.mark.django_db
def test_seeding_a_database_with_data_is_refused():
    _seed_small()
    before = _counts()
    with pytest.raises(CommandError, match="already holds"):
        _seed_small(seed=4)
    assert _counts() == before


def test_same_seed_same_data_other_seed_other_data():
    # Generation needs no database: compare what two runs would insert.
    def generate(seed: int) -> tuple[list, list]:
        institutions = institutions_generate(scale=Scale.SMALL, seed=seed)
        people = people_generate(
            scale=Scale.SMALL, seed=seed, municipalities=municipality_weights(Scale.SMALL)
        )
        return institutions, people

    first, again, other = generate(3), generate(3), generate(4)
    assert first == again
    assert first[0] != other[0]
    assert first[1] != other[1]
    # Public ids, too, are reproducible and differ between seeds.
    assert [p.public_id for p in first[1]] == [p.public_id for p in again[1]]
    assert not {p.public_id for p in first[1]} & {p.public_id for p in other[1]}


def test_national_scale_has_the_country_shape():
    institutions = institutions_generate(scale=Scale.NATIONAL, seed=1)
    groups = Counter(spec.main_group for spec in institutions if spec.kind != "branch")
    assert 950 <= groups["school"] <= 1050
    assert groups["university"] == 17 and groups["college"] == 19
    assert len({spec.municipality for spec in institutions}) == 60
    jar_codes = [s.jar_code for s in institutions if s.kind not in ("branch", "free_teacher")]
    assert len(jar_codes) == len(set(jar_codes))
    register_ids = [s.register_id for s in institutions]
    assert len(register_ids) == len(set(register_ids))
    # The largest city has the most schools.
    schools = Counter(s.municipality for s in institutions if s.main_group == "school")
    assert schools.most_common(1)[0][0] == "LT-57"


@pytest.mark.parametrize(
    ("male", "unmarried", "married"),
    [
        ("Kazlauskas", "Kazlauskaitė", "Kazlauskienė"),
        ("Adomaitis", "Adomaitytė", "Adomaitienė"),
        ("Kairys", "Kairytė", "Kairienė"),
        ("Butkus", "Butkutė", "Butkienė"),
        ("Stankevičius", "Stankevičiūtė", "Stankevičienė"),
        ("Mažeika", "Mažeikaitė", "Mažeikienė"),
    ],
)
def test_female_family_names(male: str, unmarried: str, married: str):
    assert female_family_name(male) == unmarried
    assert female_family_name(male, married=True) == married


def test_apportion_keeps_the_total_and_the_minimum():
    parts = apportion(100, [600, 300, 4, 1], minimum=1)
    assert sum(parts) == 100
    assert min(parts) == 1
    assert parts[0] > parts[1] > parts[2]
