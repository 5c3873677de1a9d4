"""The audit chains witnessed outside the database: signed checkpoints of every chain head catch
what the chains alone cannot (a shard rewritten with a consistent head, an edited head of an
empty chain), and a forged checkpoint is caught too. An outsider verifies with only the exported
files and the public key."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.management import CommandError, call_command

from edureg.core import schedule, witness
from edureg.core.audit import (
    GENESIS,
    chain_access_log,
    entry_hash,
    log_person_access,
    shard_for,
    verify_all,
)
from edureg.core.models import AccessLogEntry, AuditChainHead
from edureg.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def _read_person(actor, times: int = 3):  # type: ignore[no-untyped-def]
    person = PersonFactory()
    for _ in range(times):
        log_person_access(actor=actor, person_public_ids=[person.public_id], what="test.read")
    chain_access_log()  # as the periodic task does seconds after the reads
    return person, shard_for(str(person.public_id))


def _rewrite_shard(shard: int, *, actor: str) -> None:
    """What an insider with write access to the database could do: change every row of one
    access-log shard and recompute the whole chain and its head, consistently."""
    previous = GENESIS
    rows = list(AccessLogEntry.objects.filter(shard=shard).order_by("seq"))
    for row in rows:
        row.actor = actor
        row.prev_hash = previous
        row.entry_hash = entry_hash(previous, row.payload())
        previous = row.entry_hash
    AccessLogEntry.objects.bulk_update(rows, ["actor", "prev_hash", "entry_hash"])
    AuditChainHead.objects.filter(log="access", shard=shard).update(last_hash=previous)


def test_a_checkpoint_signs_every_chain_head_and_an_outsider_can_check_it(admin_actor, tmp_path):
    # Given some reads, and a checkpoint taken
    _read_person(admin_actor)
    checkpoint = witness.checkpoint_create()

    # Then it names the head of every shard of both logs, the empty chains included
    heads = checkpoint.document["heads"]
    assert {(h["log"], h["shard"]) for h in heads} == {
        (log, shard) for log in ("change", "access") for shard in range(settings.AUDIT_CHAIN_SHARDS)
    }
    assert any(h["seq"] == 0 and h["hash"] == "" for h in heads)
    assert checkpoint.document["previous"] == GENESIS

    # and anybody with the public key checks it with openssl alone
    public = checkpoint.path.parent / witness.PUBLIC_KEY_FILE
    command = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(public), "-rawin"]
    command += ["-in", str(checkpoint.path), "-sigfile", str(checkpoint.path.with_suffix(".sig"))]
    verified = subprocess.run(  # noqa: S603
        command,
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stderr
    assert "Signature Verified Successfully" in verified.stdout

    # or with the project's standalone script over the whole directory and an export of the
    # chains' hash links (no content)
    second = witness.checkpoint_create()
    assert second.document["previous"] == checkpoint.digest
    export = tmp_path / "chains.jsonl"
    call_command("audit_export_heads", str(export))
    command = [sys.executable, str(ROOT / "scripts" / "verify_checkpoints.py")]
    command += [str(checkpoint.path.parent), str(public), "--chain-export", str(export)]
    script = subprocess.run(  # noqa: S603
        command,
        capture_output=True,
        text=True,
        check=False,
    )
    assert script.returncode == 0, script.stdout
    assert "checkpoints intact up to number 2" in script.stdout


def test_a_rewritten_shard_with_a_consistent_head_is_caught_by_the_checkpoint(admin_actor):
    # Given reads of a person, witnessed by a checkpoint
    _person, shard = _read_person(admin_actor)
    witness.checkpoint_create()

    # When an insider rewrites that shard and its head consistently
    _rewrite_shard(shard, actor="user:999")

    # Then the chains alone look intact ...
    assert verify_all() == []
    # ... but not against the signed checkpoint
    problems = witness.verify_against_checkpoint()
    assert any(
        f"access log, shard {shard}: rewritten since checkpoint-000001" in p for p in problems
    )
    with pytest.raises(CommandError):
        call_command("audit_verify")


def test_an_edited_head_of_an_empty_chain_is_caught(admin_actor):
    # Given a checkpoint while some shards of the access log are still empty
    _read_person(admin_actor, times=1)
    witness.checkpoint_create()
    empty = AuditChainHead.objects.filter(log="access", last_seq=0).order_by("shard").first()
    assert empty is not None

    # When its head is edited
    AuditChainHead.objects.filter(pk=empty.pk).update(last_hash="f" * 64)

    # Then verification names it
    problems = witness.verify_against_checkpoint()
    assert any(f"access log, shard {empty.shard}: the chain head" in p for p in problems)
    with pytest.raises(CommandError):
        call_command("audit_verify")


def test_a_forged_checkpoint_is_caught(admin_actor, tmp_path):
    # Given a genuine checkpoint
    _person, shard = _read_person(admin_actor)
    genuine = witness.checkpoint_create()
    # When an insider rewrites a shard and replaces the checkpoint with one that matches it,
    # signed with a key of their own
    _rewrite_shard(shard, actor="user:999")
    document = genuine.document
    for head in document["heads"]:
        if head["log"] == "access" and head["shard"] == shard:
            head["hash"] = AuditChainHead.objects.get(log="access", shard=shard).last_hash
    body = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    genuine.path.write_bytes(body)
    genuine.path.with_suffix(".sig").write_bytes(Ed25519PrivateKey.generate().sign(body))

    # Then the signature does not verify with the agency's key
    problems = witness.verify_against_checkpoint()
    assert any("checkpoint-000001.json: the signature does not verify" in p for p in problems)
    with pytest.raises(CommandError):
        call_command("audit_verify")


def test_intact_chains_pass_against_the_checkpoint_and_later_appends_are_fine(admin_actor, capsys):
    _read_person(admin_actor)
    witness.checkpoint_create()
    _read_person(admin_actor)  # appended after the checkpoint
    call_command("audit_verify")
    assert "consistent with checkpoint 1" in capsys.readouterr().out


def test_checkpoints_are_a_periodic_task_and_the_demo_key_is_made_on_first_use(admin_actor):
    assert not Path(settings.AUDIT_WITNESS_KEY).exists()
    periodic = {p.name: p for p in schedule.registered()}["core.audit_checkpoint"]
    assert periodic.every.total_seconds() == settings.AUDIT_CHECKPOINT_MINUTES * 60
    number = periodic.task.call()
    assert number == 1
    assert (Path(settings.AUDIT_CHECKPOINT_DIR) / "checkpoint-000001.json").exists()
    assert Path(settings.AUDIT_WITNESS_KEY).stat().st_mode & 0o077 == 0  # owner only
