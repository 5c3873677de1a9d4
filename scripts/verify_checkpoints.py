#!/usr/bin/env python3
"""Verify exported audit checkpoints with nothing but the files and the agency's public key.

    python3 scripts/verify_checkpoints.py CHECKPOINT_DIR PUBLIC_KEY.pem [--chain-export FILE]

Needs only Python and the `cryptography` package — no edureg, no database. Checks that every
checkpoint-NNNNNN.json is signed by the key (its .sig), that the numbers have no gaps, that each
names the SHA-256 of the one before it, and that no chain head ever went backwards. Exits 0 when
all hold; otherwise prints each problem and exits 1.

With --chain-export (the JSON lines `manage.py audit_export_heads` writes from a database copy:
one {"log", "shard", "seq", "prev", "hash"} per chained row, no content), also checks that the
exported chains link and hold every head the latest checkpoint signed, with the same hash.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

NAME = re.compile(r"^checkpoint-(\d{6,})\.json$")
GENESIS = "0" * 64


def verify(directory: Path, key: Ed25519PublicKey) -> tuple[list[str], dict | None]:
    problems: list[str] = []
    files = sorted((int(m.group(1)), p) for p in directory.iterdir() if (m := NAME.match(p.name)))
    if not files:
        return [f"no checkpoints in {directory}"], None
    previous_number, previous_digest = None, GENESIS
    heads: dict[tuple[str, int], int] = {}
    latest = None
    for number, path in files:
        body = path.read_bytes()
        signature_path = path.with_suffix(".sig")
        try:
            key.verify(signature_path.read_bytes() if signature_path.exists() else b"", body)
        except InvalidSignature:
            problems.append(f"{path.name}: the signature does not verify (forged or altered)")
            continue
        document = json.loads(body)
        if document.get("number") != number:
            problems.append(f"{path.name}: says it is number {document.get('number')}")
        if previous_number is not None and number != previous_number + 1:
            problems.append(f"{path.name}: checkpoints {previous_number + 1}… are missing")
        elif document.get("previous") != previous_digest:
            problems.append(f"{path.name}: does not follow the checkpoint before it")
        for head in document["heads"]:
            chain = (head["log"], head["shard"])
            if head["seq"] < heads.get(chain, 0):
                problems.append(
                    f"{path.name}: {head['log']} log shard {head['shard']} went back to "
                    f"seq {head['seq']} from {heads[chain]}"
                )
            heads[chain] = head["seq"]
        previous_number, previous_digest = number, hashlib.sha256(body).hexdigest()
        latest = document
    return problems, latest


def verify_export(latest: dict, export: Path) -> list[str]:
    """The exported chains link (each row names the hash of the row before it, from seq 1 on)
    and hold every head the latest checkpoint signed."""
    chains: dict[tuple[str, int], list[dict]] = {}
    with export.open() as handle:
        for line in handle:
            row = json.loads(line)
            chains.setdefault((row["log"], row["shard"]), []).append(row)
    problems = []
    hashes = {}
    for (log, shard), rows in sorted(chains.items()):
        rows.sort(key=lambda r: r["seq"])
        previous = GENESIS
        for expected_seq, row in enumerate(rows, start=1):
            if row["seq"] != expected_seq or row["prev"] != previous:
                problems.append(f"{log} log shard {shard}: the chain breaks at seq {row['seq']}")
                break
            previous = row["hash"]
            hashes[(log, shard, row["seq"])] = row["hash"]
    for head in latest["heads"]:
        if head["seq"] == 0:
            continue
        found = hashes.get((head["log"], head["shard"], head["seq"]))
        if found != head["hash"]:
            problems.append(
                f"{head['log']} log shard {head['shard']}: row seq {head['seq']} "
                + ("is missing" if found is None else "does not have the signed hash")
            )
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("public_key", type=Path)
    parser.add_argument("--chain-export", type=Path)
    options = parser.parse_args()
    key = load_pem_public_key(options.public_key.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        print(f"{options.public_key} is not an Ed25519 public key")
        return 1
    problems, latest = verify(options.directory, key)
    if latest is not None and options.chain_export:
        problems += verify_export(latest, options.chain_export)
    for problem in problems:
        print(f"BROKEN: {problem}")
    if problems:
        return 1
    assert latest is not None
    print(
        f"checkpoints intact up to number {latest['number']} of {latest['issued_at']} "
        f"({len(latest['heads'])} chain heads)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
