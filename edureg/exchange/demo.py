"""Demo data of the data exchange: a recipient's system under an active data-provision
agreement (the Vilnius city municipality's education system, persons' names and birth dates
and pupils' enrolments of Vilnius, no personal code), and the agency's right to manage
agreements for the demo agency user."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from oauth2_provider.models import Application

from edureg.access import services as access_services
from edureg.access.models import ClientBinding, FunctionArea, Level, RoleAssignment, ScopeKind
from edureg.core.context import Actor
from edureg.exchange.agreement_models import Agreement
from edureg.exchange.agreements import services
from edureg.institutions.models import Municipality

SYSTEM = Actor.system("seed_demo")
DEMO_RECIPIENT_ID = "demo-vilnius-recipient"
DEMO_RECIPIENT_SECRET = "demo-vilnius-recipient-secret"  # noqa: S105  (published, demo only)
DEMO_AGREEMENT_NUMBER = "DTS-2026/01"
DEMO_SCOPE = {
    "persons": ["id", "given_names", "family_name", "birth_date"],
    "enrolments": ["id", "person", "group", "institution", "kind", "valid_from", "valid_to"],
}


def agreements_seed() -> Agreement | None:
    """The demo recipient, its agreement, and the agency user's right to manage agreements."""
    agency = get_user_model().objects.filter(username="agentura").first()
    if (
        agency is not None
        and not RoleAssignment.objects.filter(
            user=agency, function_area=FunctionArea.AGREEMENTS
        ).exists()
    ):
        access_services.role_grant(
            actor=SYSTEM,
            user=agency,
            scope_kind=ScopeKind.NATIONAL,
            function_area=FunctionArea.AGREEMENTS,
            level=Level.MANAGER,
        )
    existing = Agreement.objects.filter(number=DEMO_AGREEMENT_NUMBER).first()
    if existing is not None:
        return existing
    vilnius = Municipality.objects.filter(code="LT-57").first()
    if vilnius is None:
        return None
    if Application.objects.filter(client_id=DEMO_RECIPIENT_ID).exists():
        binding = ClientBinding.objects.get(application__client_id=DEMO_RECIPIENT_ID)
    else:
        binding, _secret = services.recipient_client_register(
            actor=SYSTEM,
            name="Vilniaus miesto švietimo informacinė sistema",
            areas=[FunctionArea.PUPIL_PERSONAL],
            scope_kind=ScopeKind.MUNICIPALITY,
            municipality=vilnius,
            client_id=DEMO_RECIPIENT_ID,
            secret=DEMO_RECIPIENT_SECRET,
        )
    today = timezone.localdate()
    return services.agreement_create(
        actor=SYSTEM,
        number=DEMO_AGREEMENT_NUMBER,
        recipient="Vilniaus miesto savivaldybės administracija",
        recipient_code="188710061",
        legal_basis="Lietuvos Respublikos švietimo įstatymo 53 straipsnis; Mokinių registro "
        "nuostatai",
        purpose="Vaikų, gyvenančių savivaldybėje, mokymosi apskaita",
        scope=DEMO_SCOPE,
        valid_from=today.replace(month=1, day=1),
        valid_to=dt.date(today.year + 3, 1, 1),
        clients=[binding],
    )


# --- Inbound feeds ---------------------------------------------------------------------------


UNKNOWN_BORN = dt.date(1979, 4, 4)


def feeds_demo_files_write() -> dict[str, Path]:
    """A file for each inbound feed, about people of the demo data, in the feeds' format, written
    to `FEEDS_DROP_DIR/demo/` for the agency to run: upload one on `/feeds/`, or copy it into
    the feed's `incoming/` directory for the pick-up. Each file has good records and one that
    is refused, so that a run shows both. Nothing is applied here; reading a few people keeps
    the seed fast."""
    import csv
    import io

    from django.conf import settings

    from edureg.exchange.feeds.base import feeds
    from edureg.people.demo import personal_code
    from edureg.people.models import Person
    from edureg.pupils.learning_models import ExamResult
    from edureg.pupils.models import Enrolment
    from edureg.students.models import END_STATUSES, StudyRight

    today = timezone.localdate()
    pupils = list(
        Enrolment.objects.filter(
            valid_to__isnull=True,
            person__date_of_death__isnull=True,
            person__personal_code__isnull=False,
        )
        .select_related("person")
        .order_by("pk")[:3]
    )
    rights = list(
        StudyRight.objects.exclude(status__in=END_STATUSES)
        .filter(person__date_of_death__isnull=True, person__personal_code__isnull=False)
        .select_related("person", "institution")
        .order_by("pk")[:4]
    )
    adults = list(
        Person.objects.filter(
            birth_date__lt=today.replace(year=today.year - 25), personal_code__isnull=False
        ).order_by("pk")[:3]
    )
    if len(pupils) < 3 or len(rights) < 4 or len(adults) < 3:
        return {}
    rng = random.Random(14)
    taken = set(
        Person.objects.filter(
            birth_date__in=[UNKNOWN_BORN, today - dt.timedelta(days=10)]
        ).values_list("personal_code", flat=True)
    )
    # Valid codes of nobody in the demo data: one to be born, one to be refused as unknown.
    unknown = personal_code(rng, birth_date=UNKNOWN_BORN, sex="V", used=taken)
    newborn = personal_code(rng, birth_date=today - dt.timedelta(days=10), sex="M", used=taken)
    day = (today - dt.timedelta(days=3)).isoformat()
    rows: dict[str, tuple[list[str], list[list[Any]]]] = {
        "population": (
            [
                "local_id",
                "event",
                "personal_code",
                "date",
                "given_names",
                "family_name",
                "municipality",
                "guardian_personal_code",
                "relation",
            ],
            [
                ["GR-1", "birth", newborn, "", "Austėja", "Demonstruotė", "LT-57", "", ""],
                [
                    "GR-2",
                    "guardianship",
                    newborn,
                    day,
                    "",
                    "",
                    "",
                    adults[0].personal_code,
                    "parent",
                ],
                [
                    "GR-3",
                    "name",
                    adults[1].personal_code,
                    day,
                    adults[1].given_names,
                    f"{adults[1].family_name}-Naujienė"[:200],
                    "",
                    "",
                    "",
                ],
                ["GR-4", "residence", adults[2].personal_code, day, "", "", "LT-13", "", ""],
                ["GR-5", "death", pupils[0].person.personal_code, day, "", "", "", "", ""],
                ["GR-6", "death", rights[0].person.personal_code, day, "", "", "", "", ""],
                ["GR-7", "name", unknown, day, "Nėra", "Tokio", "", "", ""],
            ],
        ),
        "foreigners": (
            ["local_id", "personal_code", "kind", "valid_from", "valid_to", "citizenship"],
            [
                ["LGL-0001", pupils[1].person.personal_code, "temporary", day, "", "UA"],
                ["LGL-0002", adults[2].personal_code, "permanent", day, "", ""],
                ["LGL-0003", unknown, "temporary", day, "", "BY"],
            ],
        ),
        "loans": (
            ["local_id", "personal_code", "institution", "kind", "amount", "granted_on"],
            [
                [
                    "VSF-P-1",
                    rights[1].person.personal_code,
                    rights[1].institution.jar_code,
                    "tuition",
                    "1450.00",
                    day,
                ],
                [
                    "VSF-P-2",
                    rights[2].person.personal_code,
                    rights[2].institution.jar_code,
                    "living",
                    "2000.00",
                    day,
                ],
                [
                    "VSF-P-3",
                    rights[2].person.personal_code,
                    rights[2].institution.jar_code,
                    "living",
                    "0",
                    day,
                ],
            ],
        ),
        "support": (
            ["local_id", "personal_code", "institution", "amount", "valid_from", "valid_to"],
            [
                [
                    "SPIS-1",
                    rights[3].person.personal_code,
                    rights[3].institution.jar_code,
                    "175.00",
                    day,
                    (today + dt.timedelta(days=150)).isoformat(),
                ],
                [
                    "SPIS-2",
                    unknown,
                    rights[3].institution.jar_code,
                    "175.00",
                    day,
                    (today + dt.timedelta(days=150)).isoformat(),
                ],
            ],
        ),
    }
    results = list(
        ExamResult.objects.filter(score__isnull=False)
        .select_related("exam__subject", "exam__session", "person")
        .order_by("pk")[:2]
    )
    exam_rows: list[list[Any]] = [
        # An appeal raised the points of a result already recorded.
        [
            f"NEC-{r.pk}",
            r.person.personal_code,
            r.exam.session.school_year,
            r.exam.subject.code,
            r.exam.kind,
            min(100, (r.score or 0) + 3),
            "",
        ]
        for r in results
    ]
    exam_rows.append(["NEC-X", unknown, 2025, "mathematics", "state_maturity", 50, ""])
    rows["exam-centre"] = (
        ["local_id", "personal_code", "school_year", "subject", "level", "score", "grade"],
        exam_rows,
    )
    folder = Path(settings.FEEDS_DROP_DIR) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    slugs = {feed.slug for feed in feeds()}
    for slug, (columns, data) in rows.items():
        assert slug in slugs
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(data)
        path = folder / f"{slug}.csv"
        path.write_text(out.getvalue(), encoding="utf-8")
        written[slug] = path
    return written
