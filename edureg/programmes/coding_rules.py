"""The state-code rules, seeded on migrate and edited by the agency afterwards.

Study programmes follow the real codes (DESIGN.md §6): a 4-digit type-and-cycle prefix, the
study-field-group letter, "X", a 3-digit sequence. 6121 university bachelor, 6531 college
professional bachelor, 6211 master and 7330 residency are seen in real codes; 6011 integrated
and 7111 doctoral are ours. Other kinds (no public rule found) use a letter and 8 digits:
P vocational, G1/G2/G3 primary/basic/secondary (7 digits), I pre-school, R pre-primary,
N NVŠ.
"""

# (kind, study_type, cycle, prefix, uses_field_group, infix, sequence_digits)
CODING_RULES = [
    ("study", "university", "bachelor", "6121", True, "X", 3),
    ("study", "college", "professional_bachelor", "6531", True, "X", 3),
    ("study", "university", "master", "6211", True, "X", 3),
    ("study", "university", "integrated", "6011", True, "X", 3),
    ("study", "university", "residency", "7330", True, "X", 3),
    ("study", "university", "doctoral", "7111", True, "X", 3),
    ("vocational", "", "", "P", False, "", 8),
    ("primary", "", "", "G1", False, "", 7),
    ("basic", "", "", "G2", False, "", 7),
    ("secondary", "", "", "G3", False, "", 7),
    ("preschool", "", "", "I", False, "", 8),
    ("preprimary", "", "", "R", False, "", 8),
    ("nvs", "", "", "N", False, "", 8),
]


def coding_rules_seed() -> int:
    from edureg.programmes.models import CodingRule

    created = 0
    for kind, study_type, cycle, prefix, letter, infix, digits in CODING_RULES:
        _, was_created = CodingRule.objects.get_or_create(
            kind=kind,
            study_type=study_type,
            cycle=cycle,
            defaults={
                "prefix": prefix,
                "uses_field_group": letter,
                "infix": infix,
                "sequence_digits": digits,
            },
        )
        created += was_created
    return created
