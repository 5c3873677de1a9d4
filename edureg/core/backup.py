"""Backups that restore: a consistent copy of the database with a manifest that proves it.

`manage.py backup` writes a directory:

    manifest.json   engine, time, the files with their SHA-256, and for every table its row
                    count and checksum (and a signature when the agency's witness key is set up)
    db.sqlite3      SQLite: a copy made with SQLite's online backup API (consistent while the
                    register keeps writing)
    db.dump         PostgreSQL: `pg_dump --format=custom` of an exported snapshot
    media.tar       the files background work produced (MEDIA_ROOT), when there are any

The table checksums are computed from the same snapshot the copy holds: for SQLite from the copy
itself, for PostgreSQL inside the REPEATABLE READ transaction whose snapshot pg_dump imports. They
are computed the same way on both engines (rows in primary-key order, each value rendered by
`core.history.canonical`), so a checksum says "these rows, with these values" whatever the engine.

`manage.py restore` refuses a backup whose files do not match their checksums (or whose manifest
signature does not verify), restores it, recomputes every table checksum of the restored
database, and verifies the audit chains; any difference is a failure.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.utils import timezone

from edureg.core.history import canonical

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "db.sqlite3"
PG_FILE = "db.dump"
MEDIA_FILE = "media.tar"
_INTEGER_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}


class BackupError(Exception):
    """A backup that cannot be made, or one that must not be restored."""


# --- Table checksums ------------------------------------------------------------------------


def _tables() -> list[type[models.Model]]:
    """Every table the project's models own (register, history, logs, third-party apps, the
    migration record), one model per table, in table-name order."""
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy:
            found.setdefault(meta.db_table, model)
    found.setdefault(MigrationRecorder.Migration._meta.db_table, MigrationRecorder.Migration)
    return [found[name] for name in sorted(found)]


def _value(value: Any, field: models.Field) -> Any:
    if isinstance(value, memoryview | bytes | bytearray):
        return bytes(value).hex()
    return canonical(value, field)


def _integer_pk(model: type[models.Model]) -> bool:
    pk = model._meta.pk
    target = pk.target_field if pk.is_relation else pk  # type: ignore[attr-defined]
    return target.get_internal_type() in _INTEGER_TYPES


def table_checksum(model: type[models.Model], using: str) -> dict[str, Any]:
    """Row count and SHA-256 of one table: rows in primary-key order, each the JSON list of its
    canonical values. Integer keys are ordered by the database (the same on both engines); other
    keys (sessions, task results) are sorted here, so no collation decides the order."""
    fields = list(model._meta.concrete_fields)
    names = [f.attname for f in fields]
    rows = model._base_manager.using(using).values_list(*names)
    digest = hashlib.sha256()
    count = 0

    def lines() -> Iterator[str]:
        if _integer_pk(model):
            for row in rows.order_by("pk").iterator(chunk_size=5000):
                yield json.dumps([_value(v, f) for v, f in zip(row, fields, strict=True)])
        else:
            rendered = [
                json.dumps([_value(v, f) for v, f in zip(row, fields, strict=True)])
                for row in rows.iterator(chunk_size=5000)
            ]
            pk_index = names.index(model._meta.pk.attname)
            rendered.sort(key=lambda line: str(json.loads(line)[pk_index]))
            yield from rendered

    for line in lines():
        digest.update(line.encode())
        digest.update(b"\n")
        count += 1
    return {"rows": count, "checksum": digest.hexdigest()}


def table_checksums(using: str = "default") -> dict[str, dict[str, Any]]:
    """Checksums of every table that exists in the database `using` points at."""
    existing = set(connections[using].introspection.table_names())
    return {
        model._meta.db_table: table_checksum(model, using)
        for model in _tables()
        if model._meta.db_table in existing
    }


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Human-readable differences of the tables a backup holds (tables it does not hold, such
    as those of a later migration, are not its business)."""
    problems = []
    for table in sorted(expected):
        want, got = expected[table], actual.get(table)
        if got is None:
            problems.append(f"{table}: missing after restore")
        elif want != got:
            problems.append(
                f"{table}: {got['rows']} rows (checksum {got['checksum'][:12]}…), "
                f"the backup holds {want['rows']} (checksum {want['checksum'][:12]}…)"
            )
    return problems


@contextlib.contextmanager
def temporary_database(settings_dict: dict[str, Any]) -> Iterator[str]:
    """A database alias for the length of the block (to read a backup copy with the ORM).

    The connection is made directly rather than added to the configured databases, so that it
    is nobody's default, is never migrated or flushed, and is gone after the block."""
    base = dict(connections["default"].settings_dict)
    base.update(settings_dict)
    base.pop("TEST", None)
    complete = connections.configure_settings({"default": base})["default"]
    alias = f"backup_{uuid.uuid4().hex[:12]}"
    wrapper = load_backend(complete["ENGINE"]).DatabaseWrapper(complete, alias)
    connections[alias] = wrapper
    try:
        yield alias
    finally:
        wrapper.close()
        with contextlib.suppress(AttributeError):
            delattr(connections._connections, alias)  # type: ignore[attr-defined]


# --- Files ----------------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_tar(target: Path) -> bool:
    media = Path(settings.MEDIA_ROOT)
    if not media.is_dir() or not any(media.iterdir()):
        return False
    with tarfile.open(target, "w") as archive:
        for path in sorted(media.rglob("*")):
            archive.add(path, arcname=str(path.relative_to(media)), recursive=False)
    return True


def _media_restore(source: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    staging = Path(tempfile.mkdtemp(prefix="media-restore-", dir=media.parent))
    try:
        with tarfile.open(source) as archive:
            archive.extractall(staging, filter="data")
        if media.exists():
            shutil.rmtree(media)
        staging.rename(media)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


# --- Engines --------------------------------------------------------------------------------


def _engine(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups of {vendor} databases are not supported")
    return vendor


def _pg_args(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--dbname", settings_dict["NAME"], "--no-password"]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def _sqlite_raw(using: str) -> sqlite3.Connection:
    connection = connections[using]
    connection.ensure_connection()
    return connection.connection


def _backup_sqlite(using: str, target: Path) -> dict[str, Any]:
    copy = sqlite3.connect(target)
    try:
        # One step (pages=-1): the copy is one consistent state of the database.
        _sqlite_raw(using).backup(copy)
    finally:
        copy.close()
    with temporary_database({"ENGINE": "django.db.backends.sqlite3", "NAME": str(target)}) as alias:
        return table_checksums(alias)


def _backup_postgres(using: str, target: Path) -> dict[str, Any]:
    connection = connections[using]
    args, env = _pg_args(connection.settings_dict)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        # pg_dump imports the snapshot while this transaction holds it open, so the dump and
        # the checksums computed below see exactly the same rows.
        dump = subprocess.Popen(  # noqa: S603
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--file", str(target), *args],  # noqa: S607
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            checksums = table_checksums(using)
        finally:
            _out, err = dump.communicate()
    if dump.returncode != 0:
        raise BackupError(f"pg_dump failed: {err.strip()[-2000:]}")
    return checksums


# --- Backup ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    directory: Path
    manifest: dict[str, Any]


# The manifest is signed with the agency's witness key when one is configured (core.witness);
# the signer is passed in so that this module does not decide key policy.
Signer = Callable[[bytes], dict[str, str]]
Verifier = Callable[[bytes, dict[str, str]], None]


def manifest_body(manifest: dict[str, Any]) -> bytes:
    unsigned = {k: v for k, v in manifest.items() if k != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":")).encode()


def backup(
    directory: Path | None = None,
    *,
    using: str = "default",
    sign: Signer | None = None,
    checkpoint: int | None = None,
) -> BackupResult:
    """Copy the database (and MEDIA_ROOT) into a new directory with its manifest.

    `checkpoint` is the number of the latest audit checkpoint taken before the copy: the
    restored chains must hold every head it signed."""
    engine = _engine(using)
    now = timezone.now()
    if directory is None:
        directory = Path(settings.BACKUP_DIR) / now.strftime("%Y%m%dT%H%M%SZ")
    directory.mkdir(parents=True, exist_ok=False)
    if engine == "sqlite":
        database_file = directory / SQLITE_FILE
        checksums = _backup_sqlite(using, database_file)
    else:
        database_file = directory / PG_FILE
        checksums = _backup_postgres(using, database_file)
    files = {database_file.name: file_sha256(database_file)}
    if _media_tar(directory / MEDIA_FILE):
        files[MEDIA_FILE] = file_sha256(directory / MEDIA_FILE)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "engine": engine,
        "created_at": now.astimezone(dt.UTC).isoformat(),
        "database_file": database_file.name,
        "files": files,
        "tables": checksums,
        "checkpoint": checkpoint,
    }
    if sign is not None:
        manifest["signature"] = sign(manifest_body(manifest))
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return BackupResult(directory=directory, manifest=manifest)


# --- Restore --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    tables: int
    rows: int


def read_manifest(directory: Path, *, verify: Verifier | None = None) -> dict[str, Any]:
    """The manifest of a backup whose files all match their checksums; BackupError otherwise."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"no readable {MANIFEST} in {directory}: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    if verify is not None:
        verify(manifest_body(manifest), manifest.get("signature") or {})
    for name, expected in sorted(manifest.get("files", {}).items()):
        path = directory / name
        if not path.is_file():
            raise BackupError(f"the backup file {name} is missing")
        if file_sha256(path) != expected:
            raise BackupError(f"the backup file {name} is damaged: its checksum does not match")
    if manifest.get("database_file") not in manifest.get("files", {}):
        raise BackupError("the manifest names no database file")
    return manifest


def restore(
    directory: Path, *, using: str = "default", verify: Verifier | None = None
) -> RestoreResult:
    """Replace the database `using` with the backup in `directory`, then prove it.

    Refuses (BackupError, nothing changed) a backup whose files or, for SQLite, whose table
    checksums do not match its manifest. After restoring, every table checksum is recomputed;
    a difference raises BackupError. The caller verifies the audit chains.
    """
    manifest = read_manifest(directory, verify=verify)
    engine = _engine(using)
    if manifest["engine"] != engine:
        raise BackupError(
            f"this is a {manifest['engine']} backup; the database to restore is {engine}"
        )
    source = directory / manifest["database_file"]
    expected = manifest["tables"]
    if engine == "sqlite":
        with temporary_database(
            {"ENGINE": "django.db.backends.sqlite3", "NAME": str(source)}
        ) as alias:
            problems = differences(expected, table_checksums(alias))
        if problems:
            raise BackupError("the backup does not match its manifest: " + "; ".join(problems))
        copy = sqlite3.connect(source)
        try:
            copy.backup(_sqlite_raw(using))
        finally:
            copy.close()
    else:
        connections[using].close()  # no session of ours may hold a lock on what is dropped
        args, env = _pg_args(connections[using].settings_dict)
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *args,
                str(source),
            ],
            env,
        )
    if MEDIA_FILE in manifest["files"]:
        _media_restore(directory / MEDIA_FILE)
    problems = differences(expected, table_checksums(using))
    if problems:
        raise BackupError("the restored database differs from the backup: " + "; ".join(problems))
    return RestoreResult(
        manifest=manifest,
        tables=len(expected),
        rows=sum(table["rows"] for table in expected.values()),
    )
