"""Backups restore: backup → restore gives the same tables (checked by checksums), on both
databases; a damaged or altered backup is refused and changes nothing."""

from __future__ import annotations

import json
import shutil

import pytest
from django.core.management import CommandError, call_command

from edureg.core import backup, witness
from edureg.core.audit import log_person_access
from edureg.core.context import Actor, audit_context
from edureg.people import services
from edureg.people.models import Person
from edureg.people.tests.factories import PersonFactory

# Backup and restore run in their own connections (pg_dump, pg_restore) or replace the whole
# database (SQLite): the data they see must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


def _register_some_people(admin_actor: Actor) -> Person:
    with audit_context(admin_actor):
        person = PersonFactory(family_name="Backupaitė")
        PersonFactory()
        services.person_update(actor=admin_actor, person=person, given_names="Ona Marija")
    log_person_access(actor=admin_actor, person_public_ids=[person.public_id], what="test.read")
    return person


def test_backup_then_restore_gives_identical_tables(admin_actor, tmp_path, capsys):
    # Given a register with people, versions and an access log, witnessed and backed up
    person = _register_some_people(admin_actor)
    witness.checkpoint_create()
    directory = tmp_path / "backup"
    call_command("backup", "--out", str(directory))
    manifest = json.loads((directory / backup.MANIFEST).read_text())
    before = backup.table_checksums()
    # the manifest holds a checksum per table, computed from the same snapshot as the copy
    assert manifest["tables"] == before
    assert before["people_person"]["rows"] == 2
    assert manifest["checkpoint"] == 1
    # When the register changes afterwards (and a later checkpoint witnesses the change)
    services.person_update(actor=admin_actor, person=person, family_name="Pakeistaitė")
    PersonFactory()
    witness.checkpoint_create()
    assert backup.table_checksums() != before

    # and the backup is restored
    call_command("restore", str(directory), "--no-input")

    # Then every table is as it was backed up, and the audit chains verify against the
    # checkpoint taken before the backup; the later one is reported as changes undone
    assert backup.table_checksums() == before
    assert Person.objects.get(pk=person.pk).family_name == "Backupaitė"
    assert Person.objects.count() == 2
    output = capsys.readouterr().out
    assert "every table checksum matches" in output
    assert "1 checkpoints were taken after this backup" in output
    assert "audit logs of the restored database intact" in output


def test_a_damaged_or_altered_backup_is_refused_and_changes_nothing(admin_actor, tmp_path):
    # Given a backup, and the register changed after it
    _register_some_people(admin_actor)
    made = backup.backup(tmp_path / "backup", sign=witness.sign_document).directory
    PersonFactory(family_name="Poatsarginė")
    current = backup.table_checksums()

    # When its database file was damaged, restoring it is refused
    damaged = shutil.copytree(made, tmp_path / "damaged")
    manifest = json.loads((made / backup.MANIFEST).read_text())
    database_file = damaged / manifest["database_file"]
    data = bytearray(database_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    database_file.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(damaged), "--no-input")

    # When its manifest was edited, the signature no longer covers what it says
    altered = shutil.copytree(made, tmp_path / "altered")
    edited = json.loads((altered / backup.MANIFEST).read_text())
    edited["tables"]["people_person"]["rows"] = 3
    (altered / backup.MANIFEST).write_text(json.dumps(edited))
    with pytest.raises(CommandError, match="signature does not verify"):
        call_command("restore", str(altered), "--no-input")

    # Then the database is untouched
    assert backup.table_checksums() == current

    # And a copy whose rows differ from its manifest's checksums (checked here without the
    # signature, as a library caller may) is refused naming the table
    edited = json.loads((made / backup.MANIFEST).read_text())
    edited["tables"]["people_person"]["checksum"] = "0" * 64
    (made / backup.MANIFEST).write_text(json.dumps(edited))
    with pytest.raises(backup.BackupError, match="people_person"):
        backup.restore(made)
