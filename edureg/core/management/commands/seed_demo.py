"""`manage.py seed_demo --scale small|national [--seed N] [--if-empty]`: generated demo data.

Institutions and people are generated reproducibly from the seed and inserted in bulk through
`bulk_create_with_audit`, so every record has its first version and change-log entry, as if it
had arrived through an import. The demo superuser is created too.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from edureg.access.demo import demo_access_ensure
from edureg.core.context import Actor, Channel, audit_context
from edureg.core.demo import (
    DEFAULT_BATCH_SIZE,
    DEMO_ADMIN_USERNAME,
    Scale,
    demo_admin_ensure,
)
from edureg.institutions.demo import (
    institutions_generate,
    institutions_insert,
    municipality_weights,
)
from edureg.institutions.models import Institution, Municipality
from edureg.people.demo import people_generate, people_insert
from edureg.people.models import Person
from edureg.programmes.demo import programmes_seed
from edureg.pupils.demo import pupils_seed
from edureg.students.demo import students_seed


class Command(BaseCommand):
    help = "Fill an empty database with generated, reproducible demo institutions and people."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=[scale.value for scale in Scale],
            default=Scale.SMALL.value,
            help="small: a few seconds, for trying the UI; national: Lithuania's size.",
        )
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data (default 1).")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds institutions or people.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Records per bulk insert (default {DEFAULT_BATCH_SIZE}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # A published superuser password and made-up people have no place in a live register.
        if not settings.DEMO_MODE:
            raise CommandError("Demo mode is off (EDUREG_DEMO_MODE); refusing to load demo data.")
        scale = Scale(options["scale"])
        seed: int = options["seed"]
        if Institution.objects.exists() or Person.objects.exists():
            if options["if_empty"]:
                self.stdout.write("The database already holds data; demo data not loaded.")
                return
            # Never wipe: the data may be someone's real work.
            raise CommandError(
                "The database already holds institutions or people; seed_demo only fills an "
                "empty database. Use --if-empty to skip quietly, or start from a new database."
            )
        if Municipality.objects.count() < len(municipality_weights(Scale.NATIONAL)):
            raise CommandError("Municipalities are missing; run `manage.py migrate` first.")

        started = time.perf_counter()
        self.stdout.write(f"Seeding demo data: scale {scale}, seed {seed}")
        with audit_context(Actor.system("seed_demo", Channel.IMPORT)), transaction.atomic():
            institution_specs = institutions_generate(scale=scale, seed=seed)
            institutions = institutions_insert(
                institution_specs, progress=self.stdout.write, batch_size=options["batch_size"]
            )
            person_specs = people_generate(
                scale=scale, seed=seed, municipalities=municipality_weights(scale)
            )
            self.stdout.write(f"persons: generated {len(person_specs)}")
            persons = people_insert(
                person_specs, progress=self.stdout.write, batch_size=options["batch_size"]
            )
            admin_created = demo_admin_ensure()
            staff = demo_access_ensure()
            programmes = programmes_seed(scale=scale, seed=seed, progress=self.stdout.write)
            enrolments = pupils_seed(
                scale=scale,
                seed=seed,
                progress=self.stdout.write,
                batch_size=options["batch_size"],
            )
            study_rights = students_seed(
                scale=scale,
                seed=seed,
                progress=self.stdout.write,
                batch_size=options["batch_size"],
            )
        elapsed = time.perf_counter() - started
        admin = "created" if admin_created else "already there"
        self.stdout.write(
            self.style.SUCCESS(
                f"Done in {elapsed:.1f} s: {institutions} institutions, {persons} persons, "
                f"{programmes} programmes, {enrolments} enrolments, {study_rights} study rights; "
                f"demo superuser '{DEMO_ADMIN_USERNAME}' {admin}; {len(staff)} demo staff users."
            )
        )
