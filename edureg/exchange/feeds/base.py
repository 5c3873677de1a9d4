"""Inbound feeds of other registers: the interface, the registry and how a feed's file is run.

A feed is another register's system that sends the registers changes they must follow (the
population register's births and deaths, the exam centre's results, …). Each feed is a `Feed`:
its name, its source system (the label in every version and change-log row it writes, e.g.
`gyventoju-registras`), its columns, what a row breaks alone, and how one row is applied
through the registers' own services. The real systems plug in later behind `FeedSource`; the
local one is `FileDropSource` (a directory per feed) and the agency's upload page.

A feed's file is run as an `ImportRun` of the feed's kind (`FeedKind`): staged, applied in the
background with progress, resumed after a crash and reported per row by the file import's
machinery (`exchange.imports.services`), so the transfer dashboard shows feed runs beside file
imports. The worker acts as the feed (a system actor, channel "feed"); each row is applied in
its own savepoint, whole or not at all, and gets created, unchanged, updated or refused with its
field, a stable machine code and a message in the run's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from edureg.core import jobs
from edureg.core.context import Actor, ActorKind, Channel
from edureg.exchange.import_models import ImportRow, ImportRun
from edureg.exchange.imports import parsing
from edureg.exchange.imports import services as imports
from edureg.exchange.imports.services import Result
from edureg.people.identity import validate_personal_code

# Whoever drops a file: the run belongs to the feeds' pick-up.
DROP_OWNER = Actor.system("feeds", Channel.FEED)


def refusal(field: str, code: str, message: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def not_found(field: str = "personal_code") -> ValidationError:
    return refusal(field, "not_found", _("No such person in the register."))


def date_of(data: Mapping[str, str], name: str) -> dt.date | None:
    return dt.date.fromisoformat(data[name]) if data.get(name) else None


class Feed:
    """One inbound feed. Subclasses set the class attributes and `apply_row`."""

    kind: str  # a FeedKind value
    slug: str  # its directory under FEEDS_DROP_DIR
    source_system: str
    required: tuple[str, ...] = ("local_id",)
    optional: tuple[str, ...] = ()
    dates: frozenset[str] = frozenset()
    numbers: frozenset[str] = frozenset()
    personal_codes: tuple[str, ...] = ("personal_code",)
    # Values a column must take (checked at staging, code "invalid_choice").
    choices: Mapping[str, tuple[str, ...]] = {}

    @property
    def name(self) -> str:
        from edureg.exchange.import_models import FeedKind

        return str(FeedKind(self.kind).label)

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.required, *self.optional)

    def actor(self) -> Actor:
        """The feed as it writes: a system actor of its source, channel "feed"."""
        return Actor.system(self.source_system, Channel.FEED)

    def parse(self, stream: IO[bytes], file_name: str) -> Iterator[parsing.Row]:
        """The file's rows (CSV, XLSX or JSON Lines, by its name)."""
        file_format = parsing.format_of(file_name)
        if file_format is None:
            raise ValidationError(
                {"file": [_("Upload a CSV, XLSX or JSON Lines (.jsonl) file.")]}, code="invalid"
            )
        return parsing.rows(stream, file_format)

    def required_for(self, data: Mapping[str, str]) -> tuple[str, ...]:
        """Columns a row needs beyond `required` (e.g. by its event)."""
        return ()

    def problem(self, data: Mapping[str, str]) -> tuple[str, str, str] | None:
        """What a row breaks alone: refused at staging, before anything is applied."""
        for name in (*self.required, *self.required_for(data)):
            if not data.get(name):
                return name, "required", _("This column is required.")
        for name, allowed in self.choices.items():
            if data.get(name) and data[name] not in allowed:
                return (
                    name,
                    "invalid_choice",
                    _("Unknown value “%(value)s”; expected one of: %(allowed)s.")
                    % {"value": data[name], "allowed": ", ".join(allowed)},
                )
        for name in self.dates & data.keys():
            try:
                dt.date.fromisoformat(data[name])
            except ValueError:
                return name, "invalid", _("Give the date as YYYY-MM-DD.")
        for name in self.numbers & data.keys():
            try:
                float(data[name])
            except ValueError:
                return name, "invalid", _("Give a number.")
        for name in self.personal_codes:
            if data.get(name):
                try:
                    validate_personal_code(data[name])
                except ValidationError as exc:
                    return name, exc.code or "invalid", exc.messages[0]
        return None

    def apply_row(self, actor: Actor, data: Mapping[str, str]) -> Result:
        """Apply one row through the registers' services (inside the row's savepoint)."""
        raise NotImplementedError

    def apply(self, run: ImportRun, actor: Actor, rows: list[ImportRow]) -> list[Result]:
        results = []
        for row in rows:
            try:
                with transaction.atomic():
                    result = self.apply_row(actor, row.data)
            except (ValidationError, Http404, PermissionDenied) as exc:
                result = imports.refused_result(exc, {"person": "personal_code"})
            results.append(result)
        return results

    def spec(self) -> imports.RunKind:
        return imports.RunKind(
            columns=self.columns,
            problem=self.problem,
            apply=self.apply,
            actor=lambda run: self.actor(),
        )


_FEEDS: dict[str, Feed] = {}


def feed_register(feed: Feed) -> None:
    """Make a feed known: its runs are staged, applied and resumed by the import machinery."""
    _FEEDS[feed.kind] = feed
    imports.run_kind_register(feed.kind, feed.spec())


def feeds() -> list[Feed]:
    return list(_FEEDS.values())


def feed_of(kind: str) -> Feed:
    return _FEEDS[kind]


# --- Running a file --------------------------------------------------------------------------


def feed_run_start(
    *, feed: Feed, stream: IO[bytes], file_name: str, owner: Actor = DROP_OWNER
) -> ImportRun:
    """Stage a feed's file and queue its application (the worker); the run's job shows the
    progress. `owner` is who brought the file (the pick-up of dropped files, or the agency
    user who uploaded it): the run is theirs to follow; the records are written by the feed."""
    from edureg.exchange.imports.tasks import import_apply_task

    user = owner.user if getattr(owner.user, "is_authenticated", False) else None
    rows = feed.parse(stream, file_name)
    with transaction.atomic():
        run = ImportRun.objects.create(
            kind=feed.kind,
            file_format=parsing.format_of(file_name),
            file_name=file_name[:255],
            source_system=feed.source_system,
            institution=None,
            owner_label=owner.label,
            owner_user=user if owner.kind == ActorKind.STAFF else None,
            owner_second_factor=owner.second_factor,
            language=(translation.get_language() or settings.LANGUAGE_CODE)[:8],
        )
        count = imports.stage(run, rows)
        if count == 0:
            raise ValidationError({"file": [_("The file has no rows.")]}, code="required")
        imports.refuse_in_file(run)
        run.rows_total = count
        run.job = jobs.job_create(
            actor=owner,
            kind="exchange.feed",
            title=_("%(feed)s: %(file)s") % {"feed": feed.name, "file": run.file_name},
            total=count,
            params={"import": str(run.public_id)},
        )
        run.save(update_fields=["rows_total", "job"])
        transaction.on_commit(lambda: import_apply_task.enqueue(run_id=run.pk))
    return run


# --- Where files come from -------------------------------------------------------------------


@dataclass(frozen=True)
class FeedFile:
    name: str
    open: Callable[[], IO[bytes]]


class FeedSource:
    """Where a feed's files come from: `pending` yields those not yet run, `finish` is told how
    each went (a real system's source acknowledges to it)."""

    def pending(self, feed: Feed) -> Iterator[FeedFile]:
        raise NotImplementedError

    def finish(self, feed: Feed, feed_file: FeedFile, run: ImportRun | None, error: str) -> None:
        raise NotImplementedError


class FileDropSource(FeedSource):
    """Files dropped into `<FEEDS_DROP_DIR>/<feed>/incoming/`. A file whose run was started
    moves to `processed/` (its results are the run's); one that could not be read at all moves
    to `failed/` with a `.error.txt` beside it. A file still being written is left for the next
    pick-up: drop a file under a temporary name starting with "." and rename it when done."""

    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(directory or settings.FEEDS_DROP_DIR)

    def folder(self, feed: Feed, name: str) -> Path:
        path = self.directory / feed.slug / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def pending(self, feed: Feed) -> Iterator[FeedFile]:
        for path in sorted(self.folder(feed, "incoming").iterdir()):
            if path.is_file() and not path.name.startswith("."):
                yield FeedFile(name=path.name, open=lambda path=path: path.open("rb"))

    def finish(self, feed: Feed, feed_file: FeedFile, run: ImportRun | None, error: str) -> None:
        source = self.folder(feed, "incoming") / feed_file.name
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
        target = self.folder(feed, "processed" if run is not None else "failed")
        moved = target / f"{stamp}-{feed_file.name}"
        source.replace(moved)
        if run is None:
            moved.with_name(moved.name + ".error.txt").write_text(error + "\n", encoding="utf-8")


def feeds_poll(source: FeedSource | None = None, kinds: list[str] | None = None) -> list[ImportRun]:
    """Start a run for every file waiting in every feed (the periodic task and
    `manage.py feeds_poll` call this); returns the runs started."""
    source = source or FileDropSource()
    started = []
    for feed in feeds():
        if kinds and feed.kind not in kinds:
            continue
        for feed_file in source.pending(feed):
            try:
                with feed_file.open() as stream:
                    run = feed_run_start(feed=feed, stream=stream, file_name=feed_file.name)
            except (ValidationError, UnicodeDecodeError, ValueError) as exc:
                messages = getattr(exc, "messages", None) or [str(exc)]
                source.finish(feed, feed_file, None, "; ".join(messages))
                continue
            source.finish(feed, feed_file, run, "")
            started.append(run)
    return started
