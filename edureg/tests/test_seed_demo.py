"""`manage.py seed_demo`'s generators: reproducible, of the country's shape. What the seeded data
holds is checked in `edureg/tests/test_demo_small.py`, which seeds once."""

from __future__ import annotations

from collections import Counter

import pytest

from edureg.core.demo import Scale, apportion
from edureg.institutions.demo import institutions_generate, municipality_weights
from edureg.people.demo import female_family_name, people_generate


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
