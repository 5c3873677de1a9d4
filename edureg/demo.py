"""The demo data of the whole register, in layer order (DESIGN.md §4: demo orchestration lives
at the project level, above every app; `manage.py seed_demo` runs it).

Institutions and people are generated reproducibly from the seed and inserted in bulk through
`bulk_create_with_audit`, so every record has its first version and change-log entry, as if it
had arrived through an import; then the demo staff, programmes, pupils (with their learning:
electives, exams, olympiads, NVŠ groups), students, the parents of the children, and the demo
school's documents.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from edureg.access.demo import demo_access_ensure
from edureg.archive.demo import retention_rules_seed
from edureg.core.context import Actor, Channel, audit_context
from edureg.core.demo import DEFAULT_BATCH_SIZE, Progress, Scale, demo_admin_ensure
from edureg.credentials.demo import credentials_seed
from edureg.exchange.demo import agreements_seed, feeds_demo_files_write
from edureg.institutions.demo import (
    institutions_generate,
    institutions_insert,
    municipality_weights,
)
from edureg.people.demo import families_seed, people_generate, people_insert
from edureg.programmes.demo import programmes_seed
from edureg.pupils.demo import pupils_seed
from edureg.pupils.demo_learning import learning_seed
from edureg.pupils.models import Enrolment
from edureg.statistics.demo import funding_rules_seed
from edureg.students.demo import students_seed


@dataclass(frozen=True)
class DemoSeeded:
    institutions: int
    persons: int
    programmes: int
    enrolments: int
    study_rights: int
    parents: int
    documents: int
    staff: int
    admin_created: bool


def demo_seed(
    *, scale: Scale, seed: int, progress: Progress, batch_size: int = DEFAULT_BATCH_SIZE
) -> DemoSeeded:
    """Fill an empty database with the demo data of every register, in one transaction."""
    with audit_context(Actor.system("seed_demo", Channel.IMPORT)), transaction.atomic():
        institution_specs = institutions_generate(scale=scale, seed=seed)
        institutions = institutions_insert(
            institution_specs, progress=progress, batch_size=batch_size
        )
        person_specs = people_generate(
            scale=scale, seed=seed, municipalities=municipality_weights(scale)
        )
        progress(f"persons: generated {len(person_specs)}")
        persons = people_insert(person_specs, progress=progress, batch_size=batch_size)
        admin_created = demo_admin_ensure()
        staff = demo_access_ensure()
        programmes = programmes_seed(scale=scale, seed=seed, progress=progress)
        enrolments = pupils_seed(scale=scale, seed=seed, progress=progress, batch_size=batch_size)
        learning_seed(scale=scale, seed=seed, progress=progress, batch_size=batch_size)
        study_rights = students_seed(
            scale=scale, seed=seed, progress=progress, batch_size=batch_size
        )
        # After the learners: parents of children, who are no learners of the registers.
        parents = families_seed(scale=scale, seed=seed, progress=progress, batch_size=batch_size)
        funding_rules_seed()
        # Demo retention rules (demo values), so the archive's pages show something.
        retention_rules_seed()
        documents = credentials_seed(scale=scale, seed=seed, progress=progress)
        # A recipient's system under an active data-provision agreement.
        agreements_seed()
        # A file for each inbound feed, for the agency to run (FEEDS_DROP_DIR/demo/).
        feeds_demo_files_write()
        # The documents' graduating class is enrolled by the documents' seed: count them too.
        enrolments = Enrolment.objects.count()
    return DemoSeeded(
        institutions=institutions,
        persons=persons,
        programmes=programmes,
        enrolments=enrolments,
        study_rights=study_rights,
        parents=parents,
        documents=documents,
        staff=len(staff),
        admin_created=admin_created,
    )
