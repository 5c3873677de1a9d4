"""The change feed's tables (issue #14 item 3): one row per recorded change of a record that
information systems mirror, and one row per audience that change is addressed to.

An *audience* is a key of what scopes are made of: `i:<institution id>`, `m:<municipality id>`
and `n` (national). A change is addressed to every audience the record belongs to after it, and
a record that left an audience (a pupil's residence moved to another municipality) gets an
"out of scope" row there. A client reads the audiences its grant holds; a page of one audience
is one range scan of the index (audience, xid, change).

Order: by (transaction id, change id). On PostgreSQL ids taken before commit can commit out of
order, so a feed ordered by id alone could hand out a cursor beyond a change still uncommitted;
the writer's top-level transaction id (`pg_current_xact_id()`) is stored with each row and the
feed serves only rows of transactions older than every transaction of this database still
running (`changes.feed._served_below`; transactions of other databases on the same server are
left out, as they cannot write here): a transaction that commits later has a larger id than any
row served, so it sorts after every cursor given out. On SQLite writers are serialised
and the transaction id is 0: the order is the id's.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CurrentTransactionId(models.Func):
    """The writer's top-level transaction id on PostgreSQL, 0 elsewhere (a column default)."""

    template = "0"
    output_field = models.BigIntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return "(pg_current_xact_id()::text::bigint)", []


class ChangeAction(models.TextChoices):
    CREATED = "created", _("created")
    UPDATED = "updated", _("updated")
    DELETED = "deleted", _("deleted")


class Change(models.Model):
    """One recorded change of a mirrored record (an enrolment, a group, a study right)."""

    id = models.BigAutoField(primary_key=True)
    xid = models.BigIntegerField(db_default=CurrentTransactionId(), editable=False)
    dataset = models.CharField(_("data set"), max_length=32)
    object_id = models.BigIntegerField(_("record id"))
    public_id = models.UUIDField(_("public id"))
    action = models.CharField(_("action"), max_length=8, choices=ChangeAction.choices)
    # The audiences the record belongs to after this change (the next change compares with it).
    audiences = models.JSONField(default=list)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("change feed")
        indexes = [
            # The latest change of a record (its audiences before the next one).
            models.Index(fields=["dataset", "object_id", "id"], name="change_record_idx"),
            # /changes/latest: the newest position served.
            models.Index(fields=["xid", "id"], name="change_position_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} {self.public_id} {self.action}"


class AudienceKind(models.TextChoices):
    CHANGE = "change", _("changed")
    OUT = "out", _("moved out of scope")


class ChangeAudience(models.Model):
    """A change addressed to one audience: the row a client's page reads."""

    id = models.BigAutoField(primary_key=True)
    audience = models.CharField(max_length=24)
    xid = models.BigIntegerField(db_default=CurrentTransactionId(), editable=False)
    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="+", db_index=False)
    dataset = models.CharField(max_length=32)
    kind = models.CharField(max_length=8, choices=AudienceKind.choices)

    class Meta:
        indexes = [
            # A page is one range scan of this index: audience = ?, (xid, change) > cursor;
            # data set and kind ride along so that the scan reads no table rows.
            models.Index(
                fields=["audience", "xid", "change", "dataset", "kind"],
                name="change_audience_page_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.audience}: {self.change_id} {self.kind}"
