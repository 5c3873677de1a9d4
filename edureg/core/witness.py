"""The audit chains witnessed from outside the database: signed checkpoints of every chain head.

The hash chains (`core.audit`) show that rows were not edited, inserted or removed *relative to
each other*; someone who can write to the database could still rewrite a whole shard and its head
consistently. A checkpoint closes that gap: every so often (a periodic task) the head of every
shard of both logs, empty chains included, is signed with the agency's Ed25519 key and written to
a directory outside the database (`AUDIT_CHECKPOINT_DIR`; in production a place the database's
administrators cannot write, e.g. a mounted write-once store or a directory synchronised away).

Each checkpoint is two files, so that an outsider needs nothing of ours to check it:

    checkpoint-000042.json   the signed bytes: {"format", "number", "issued_at", "previous",
                             "shards", "heads": [{"log", "shard", "seq", "hash"}, ...], "key_id"}
    checkpoint-000042.sig    the raw 64-byte Ed25519 signature of exactly those bytes

`previous` is the SHA-256 of the previous checkpoint's .json, so a removed or replaced checkpoint
breaks the sequence. `openssl pkeyutl -verify -pubin -inkey agency-public.pem -rawin -in
checkpoint-000042.json -sigfile checkpoint-000042.sig` checks one; `scripts/verify_checkpoints.py`
checks a whole directory; `manage.py audit_verify` checks the database against the latest one.

The key: `AUDIT_WITNESS_KEY` (PEM, PKCS#8) signs; `AUDIT_WITNESS_PUBLIC_KEY` (PEM) verifies and
defaults to the public half of the signing key. Outside production a demo key is generated on
first use under var/ (never committed); in production a missing key is an error.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django_tasks import task

from edureg.core.audit import GENESIS, chain_heads_ensure
from edureg.core.backup import BackupError
from edureg.core.models import AccessLogEntry, AuditChainHead, ChangeLogEntry

FORMAT = 1
LOGS = (ChangeLogEntry, AccessLogEntry)
PUBLIC_KEY_FILE = "agency-public.pem"
_NAME = re.compile(r"^checkpoint-(\d{6,})\.json$")


# --- The key ----------------------------------------------------------------------------------


def _key_path() -> Path:
    return Path(settings.AUDIT_WITNESS_KEY)


def private_key() -> Ed25519PrivateKey:
    """The agency's signing key; outside production a demo key is created on first use."""
    path = _key_path()
    if not path.exists():
        if settings.PRODUCTION:
            raise ImproperlyConfigured(f"AUDIT_WITNESS_KEY {path} does not exist")
        _generate_demo_key(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"AUDIT_WITNESS_KEY {path} is not an Ed25519 key")
    return key


def _generate_demo_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Created with owner-only permissions, and never over an existing key (another process may
    # have created it a moment ago: then that one is used).
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)


def load_public_key(path: Path | str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(Path(path).read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ImproperlyConfigured(f"{path} is not an Ed25519 public key")
    return key


def public_key() -> Ed25519PublicKey:
    """The key checkpoints and backup manifests are verified with."""
    configured = getattr(settings, "AUDIT_WITNESS_PUBLIC_KEY", "")
    if configured:
        return load_public_key(configured)
    return private_key().public_key()


def public_key_pem(key: Ed25519PublicKey | None = None) -> bytes:
    return (key or public_key()).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_id(key: Ed25519PublicKey | None = None) -> str:
    raw = (key or public_key()).public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return hashlib.sha256(raw).hexdigest()[:16]


# --- Signing documents (backup manifests) ----------------------------------------------------


def sign_document(body: bytes) -> dict[str, str]:
    key = private_key()
    return {
        "alg": "Ed25519",
        "key_id": key_id(key.public_key()),
        "value": base64.b64encode(key.sign(body)).decode(),
    }


def verify_document(body: bytes, signature: dict[str, str]) -> None:
    """Raise BackupError unless `signature` is the agency key's signature of `body`."""
    if not signature:
        raise BackupError("the manifest is not signed")
    key = public_key()
    if signature.get("key_id") != key_id(key):
        raise BackupError(
            f"the manifest was signed with key {signature.get('key_id')}, not with this "
            f"register's key {key_id(key)} (set AUDIT_WITNESS_PUBLIC_KEY to the key it was made "
            "with)"
        )
    try:
        key.verify(base64.b64decode(signature.get("value", "")), body)
    except (InvalidSignature, ValueError) as exc:
        raise BackupError("the manifest signature does not verify: it was altered") from exc


# --- Checkpoints ------------------------------------------------------------------------------


def checkpoint_dir() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR)


@dataclass(frozen=True)
class Checkpoint:
    number: int
    path: Path
    body: bytes
    signature: bytes

    @property
    def document(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


def checkpoints(directory: Path | None = None) -> list[Checkpoint]:
    """Every checkpoint in the directory, oldest first."""
    directory = directory or checkpoint_dir()
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = _NAME.match(path.name)
        if not match:
            continue
        signature_path = path.with_suffix(".sig")
        found.append(
            Checkpoint(
                number=int(match.group(1)),
                path=path,
                body=path.read_bytes(),
                signature=signature_path.read_bytes() if signature_path.exists() else b"",
            )
        )
    return sorted(found, key=lambda c: c.number)


def _heads() -> list[dict[str, Any]]:
    """The head of every shard of both logs (migrate creates them all, empty chains too)."""
    chain_heads_ensure()
    order = {model.LOG_NAME: i for i, model in enumerate(LOGS)}
    heads = sorted(
        AuditChainHead.objects.filter(log__in=order), key=lambda h: (order[h.log], h.shard)
    )
    return [
        {"log": head.log, "shard": head.shard, "seq": head.last_seq, "hash": head.last_hash}
        for head in heads
    ]


def checkpoint_create(*, now: dt.datetime | None = None) -> Checkpoint:
    """Sign the current head of every chain and write it to the checkpoint directory."""
    directory = checkpoint_dir()
    directory.mkdir(parents=True, exist_ok=True)
    key = private_key()
    heads = _heads()
    existing = checkpoints(directory)
    previous = existing[-1] if existing else None
    number = previous.number + 1 if previous else 1
    document = {
        "format": FORMAT,
        "number": number,
        "issued_at": (now or timezone.now()).astimezone(dt.UTC).isoformat(),
        "previous": previous.digest if previous else GENESIS,
        "shards": max(1, settings.AUDIT_CHAIN_SHARDS),
        "heads": heads,
        "key_id": key_id(key.public_key()),
    }
    body = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    path = directory / f"checkpoint-{number:06d}.json"
    signature = key.sign(body)
    # The signature first: a checkpoint without its signature is never the latest valid one.
    path.with_suffix(".sig").write_bytes(signature)
    path.write_bytes(body)
    public = directory / PUBLIC_KEY_FILE
    if not public.exists():
        public.write_bytes(public_key_pem(key.public_key()))
    return Checkpoint(number=number, path=path, body=body, signature=signature)


@task()
def audit_checkpoint() -> int:
    """Periodic: sign and export the chain heads (registered in CoreConfig.ready)."""
    return checkpoint_create().number


# --- Verification -----------------------------------------------------------------------------


def verify_checkpoint_sequence(
    found: list[Checkpoint], key: Ed25519PublicKey
) -> tuple[list[str], Checkpoint | None]:
    """Problems with a sequence of checkpoints (signature, numbering, links, heads that went
    backwards), and the latest valid one. Needs only the files and the public key."""
    problems: list[str] = []
    latest: Checkpoint | None = None
    seen: dict[tuple[str, int], tuple[int, str]] = {}
    for checkpoint in found:
        name = checkpoint.path.name
        try:
            key.verify(checkpoint.signature, checkpoint.body)
        except InvalidSignature:
            problems.append(f"{name}: the signature does not verify (forged or altered)")
            continue
        document = checkpoint.document
        if document.get("number") != checkpoint.number:
            problems.append(f"{name}: its number is {document.get('number')}")
        if latest is not None:
            if checkpoint.number != latest.number + 1:
                problems.append(f"{name}: checkpoints {latest.number + 1}… are missing")
            elif document.get("previous") != latest.digest:
                problems.append(f"{name}: does not follow checkpoint {latest.number}")
        for head in document.get("heads", []):
            chain = (head["log"], head["shard"])
            before = seen.get(chain)
            if before is not None and head["seq"] < before[0]:
                problems.append(
                    f"{name}: {head['log']} log shard {head['shard']} went back from "
                    f"seq {before[0]} to {head['seq']}"
                )
            seen[chain] = (head["seq"], head["hash"])
        latest = checkpoint
    return problems, latest


def _chain_row(model: type[Any], shard: int, seq: int) -> Any:
    return model._default_manager.filter(shard=shard, seq=seq).first()


def verify_heads() -> list[str]:
    """Each head must name the last chained row of its shard (or nothing, for an empty chain):
    an edited head, also of an empty chain, would otherwise only show at the next append."""
    problems = []
    for model in LOGS:
        for head in AuditChainHead.objects.filter(log=model.LOG_NAME).order_by("shard"):
            last = (
                model._default_manager.filter(shard=head.shard, seq__isnull=False)
                .order_by("-seq")
                .first()
            )
            seq, digest = (last.seq, last.entry_hash) if last else (0, "")
            if (head.last_seq, head.last_hash) != (seq, digest):
                problems.append(
                    f"{model.LOG_NAME} log, shard {head.shard}: the chain head (seq "
                    f"{head.last_seq}) does not name the last row of its chain (seq {seq})"
                )
    return problems


def verify_against_checkpoint(
    directory: Path | None = None,
    key: Ed25519PublicKey | None = None,
    *,
    number: int | None = None,
) -> list[str]:
    """Problems of the database's chains against the latest valid checkpoint (or the one of
    this `number`: a restored backup is checked against the latest one taken before it): every
    head the checkpoint signed must still be in the chain with the same hash, and no chain may
    be shorter than it was. Also checks the checkpoint sequence and the heads themselves."""
    problems = verify_heads()
    found = checkpoints(directory)
    if number is not None:
        found = [c for c in found if c.number <= number]
    if not found:
        return problems
    sequence_problems, latest = verify_checkpoint_sequence(found, key or public_key())
    problems += sequence_problems
    if latest is None:
        return problems
    models = {model.LOG_NAME: model for model in LOGS}
    name = latest.path.name
    for head in latest.document["heads"]:
        model = models.get(head["log"])
        if model is None:
            continue
        current = AuditChainHead.objects.filter(log=head["log"], shard=head["shard"]).first()
        where = f"{head['log']} log, shard {head['shard']}"
        if current is None:
            problems.append(
                f"{where}: its chain head is gone (signed at seq {head['seq']} in {name})"
            )
            continue
        if current.last_seq < head["seq"]:
            problems.append(
                f"{where}: the chain is shorter (seq {current.last_seq}) than signed in {name} "
                f"(seq {head['seq']})"
            )
            continue
        if head["seq"] == 0:
            continue  # empty when signed: whatever follows must start from genesis (verify_log)
        row = _chain_row(model, head["shard"], head["seq"])
        if row is None or row.entry_hash != head["hash"]:
            problems.append(
                f"{where}: rewritten since {name} (its row seq {head['seq']} no longer has the "
                "signed hash)"
            )
    return problems


def latest_checkpoint() -> Checkpoint | None:
    found = checkpoints()
    return found[-1] if found else None
