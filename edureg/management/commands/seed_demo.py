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

from edureg.core.demo import DEFAULT_BATCH_SIZE, DEMO_ADMIN_USERNAME, Scale
from edureg.demo import demo_seed
from edureg.institutions.demo import municipality_weights
from edureg.institutions.models import Institution, Municipality
from edureg.people.models import Person


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
        seeded = demo_seed(
            scale=scale, seed=seed, batch_size=options["batch_size"], progress=self.stdout.write
        )
        elapsed = time.perf_counter() - started
        admin = "created" if seeded.admin_created else "already there"
        self.stdout.write(
            self.style.SUCCESS(
                f"Done in {elapsed:.1f} s: {seeded.institutions} institutions, "
                f"{seeded.persons} persons, {seeded.programmes} programmes, "
                f"{seeded.enrolments} enrolments, {seeded.study_rights} study rights, "
                f"{seeded.parents} parents, {seeded.documents} documents; "
                f"demo superuser '{DEMO_ADMIN_USERNAME}' {admin}; {seeded.staff} demo staff users."
            )
        )
