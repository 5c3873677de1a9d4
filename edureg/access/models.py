"""Who may do what where: role assignments, user requests, confidentiality pledges, clients.

A role assignment is (holder, scope, function area, level, validity). The holder is a staff user
or a system client (an OAuth2 application); the scope is one institution with its branches, one
municipality, or the whole country. Everything that decides access reads these rows, through
`access.scoping`.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edureg.core.history import AuditedHistory
from edureg.core.models import TrackedModel


class FunctionArea(models.TextChoices):
    """The function areas of the register's user-request form."""

    PUPIL_PERSONAL = "pupil_personal", _("pupil personal data")
    PUPIL_LEARNING = "pupil_learning", _("pupil learning data")
    BLANK_ALLOCATION = "blank_allocation", _("blank allocation")
    CERTIFICATES = "certificates", _("certificate forming and printing")
    FUNDING_CALCULATION = "funding_calculation", _("per-pupil funding calculation")
    EXAM_PLANNING = "exam_planning", _("exam planning")
    LISTS = "lists", _("lists")
    COMPETENCE_ASSESSMENT = "competence_assessment", _("competence assessment")
    STUDENT_DATA = "student_data", _("student data")
    PROGRAMME_SUBMISSION = "programme_submission", _("programme submission")
    PROGRAMME_REGISTRATION = "programme_registration", _("programme registration")
    INSTITUTIONS = "institutions", _("institutions")
    CLASSIFIERS = "classifiers", _("classifiers")
    AGREEMENTS = "agreements", _("data-provision agreements")
    STATISTICS = "statistics", _("statistics")
    USER_ADMIN = "user_admin", _("user administration")
    # Lawful access to the archive (records past their active period), restore, retention.
    ARCHIVE = "archive", _("archive")


# Areas whose data is about persons: holding any of them requires a second factor and a current
# confidentiality pledge before any personal data is shown.
PERSONAL_DATA_AREAS = frozenset(
    {
        FunctionArea.PUPIL_PERSONAL,
        FunctionArea.PUPIL_LEARNING,
        FunctionArea.CERTIFICATES,
        FunctionArea.FUNDING_CALCULATION,
        FunctionArea.EXAM_PLANNING,
        FunctionArea.LISTS,
        FunctionArea.COMPETENCE_ASSESSMENT,
        FunctionArea.STUDENT_DATA,
        FunctionArea.USER_ADMIN,
        FunctionArea.ARCHIVE,
    }
)


class Level(models.TextChoices):
    VIEWER = "viewer", _("viewer")
    MANAGER = "manager", _("manager")


LEVEL_RANK: dict[str, int] = {Level.VIEWER: 1, Level.MANAGER: 2}


class ScopeKind(models.TextChoices):
    INSTITUTION = "institution", _("institution (with its branches)")
    MUNICIPALITY = "municipality", _("municipality")
    NATIONAL = "national", _("national")


class RoleQuerySet(models.QuerySet["RoleAssignment"]):
    def active_on(self, day: Any = None) -> RoleQuerySet:
        day = day or timezone.localdate()
        return self.filter(valid_from__lte=day).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=day)
        )


class RoleAssignment(TrackedModel):
    """A right of a user or a system client: area and level within a scope, for a period."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("user"),
    )
    client = models.ForeignKey(
        "access.ClientBinding",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("system client"),
    )
    scope_kind = models.CharField(_("scope"), max_length=16, choices=ScopeKind.choices)
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("institution"),
    )
    municipality = models.ForeignKey(
        "institutions.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    function_area = models.CharField(
        _("function area"), max_length=32, choices=FunctionArea.choices
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    request = models.ForeignKey(
        "access.UserRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="granted_roles",
        verbose_name=_("user request"),
    )

    objects = RoleQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(user__isnull=False) & models.Q(client__isnull=True))
                | (models.Q(user__isnull=True) & models.Q(client__isnull=False)),
                name="role_one_holder",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        scope_kind="institution",
                        institution__isnull=False,
                        municipality__isnull=True,
                    )
                    | models.Q(
                        scope_kind="municipality",
                        institution__isnull=True,
                        municipality__isnull=False,
                    )
                    | models.Q(
                        scope_kind="national", institution__isnull=True, municipality__isnull=True
                    )
                ),
                name="role_scope_consistent",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="role_validity_ordered",
            ),
        ]
        indexes = [models.Index(fields=["user", "function_area"], name="role_user_area")]

    def __str__(self) -> str:
        where = self.institution or self.municipality or _("national")
        return f"{self.get_function_area_display()} · {self.get_level_display()} · {where}"

    def clean(self) -> None:
        errors: dict[str, list[Any]] = {}
        if self.scope_kind == ScopeKind.INSTITUTION and self.institution_id is None:
            errors["institution"] = [_("Choose the institution of this role.")]
        if self.scope_kind == ScopeKind.MUNICIPALITY and self.municipality_id is None:
            errors["municipality"] = [_("Choose the municipality of this role.")]
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = [_("The end cannot come before the start.")]
        if errors:
            raise ValidationError(errors)


class PledgeText(TrackedModel):
    """A version of the confidentiality pledge (pasižadėjimas saugoti asmens duomenų paslaptį)."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    text_lt = models.TextField(_("text (Lithuanian)"))
    text_en = models.TextField(_("text (English)"))
    valid_from = models.DateField(_("in force from"))

    history = AuditedHistory()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("confidentiality pledge text")
        verbose_name_plural = _("confidentiality pledge texts")

    def __str__(self) -> str:
        return _("Pledge version %(version)s") % {"version": self.version}

    @classmethod
    def current(cls) -> PledgeText | None:
        return cls.objects.filter(valid_from__lte=timezone.localdate()).order_by("-version").first()


class PledgeAcceptance(models.Model):
    """A user accepted one version of the pledge at a time. Append-only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pledge_acceptances"
    )
    pledge = models.ForeignKey(PledgeText, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)

    class Meta:
        verbose_name = _("pledge acceptance")
        constraints = [
            models.UniqueConstraint(fields=["user", "pledge"], name="pledge_accepted_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.pledge_id} @ {self.accepted_at:%Y-%m-%d}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class UserRequest(TrackedModel):
    """A request to become a user of the register, routed to the approver who decides it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="user_requests",
        verbose_name=_("applicant"),
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="user_requests",
        verbose_name=_("institution"),
    )
    position = models.CharField(_("position"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    # Routing, fixed when the request is filed: a municipality's education department for
    # municipal institutions, otherwise the national agency.
    approver_scope = models.CharField(_("decided by"), max_length=16, choices=ScopeKind.choices)
    approver_municipality = models.ForeignKey(
        "institutions.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approving municipality"),
    )
    pledge = models.ForeignKey(PledgeText, on_delete=models.PROTECT, verbose_name=_("pledge"))
    pledge_accepted_at = models.DateTimeField(_("pledge accepted at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("user request")
        verbose_name_plural = _("user requests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approver_scope="national", approver_municipality__isnull=True)
                | models.Q(approver_scope="municipality", approver_municipality__isnull=False),
                name="user_request_routed",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "approver_scope", "approver_municipality"], name="ureq_route"
            ),
        ]

    def __str__(self) -> str:
        return _("Request of %(user)s for %(institution)s") % {
            "user": self.applicant.get_full_name() or self.applicant.get_username(),
            "institution": self.institution,
        }


class UserRequestLine(models.Model):
    """One right asked for in a request, and what the approver granted (possibly less)."""

    request = models.ForeignKey(UserRequest, on_delete=models.CASCADE, related_name="lines")
    function_area = models.CharField(
        _("function area"), max_length=32, choices=FunctionArea.choices
    )
    level = models.CharField(_("level asked"), max_length=16, choices=Level.choices)
    granted_level = models.CharField(
        _("level granted"), max_length=16, choices=Level.choices, blank=True
    )

    class Meta:
        verbose_name = _("requested right")
        constraints = [
            models.UniqueConstraint(fields=["request", "function_area"], name="ureq_line_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_function_area_display()}: {self.get_level_display()}"


class HeiNomination(TrackedModel):
    """A person an HEI put forward as its Student Register data manager.

    Student-register rights are granted only to persons so nominated by their HEI.
    """

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="nominations",
        verbose_name=_("higher-education institution"),
    )
    email = models.EmailField(_("e-mail"))
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    history = AuditedHistory()

    class Meta:
        verbose_name = _("HEI nomination")
        constraints = [
            models.UniqueConstraint(fields=["institution", "email"], name="hei_nomination_once")
        ]

    def __str__(self) -> str:
        return f"{self.email} @ {self.institution}"


class ClientBinding(TrackedModel):
    """Binds an OAuth2 client (an information system) to what it acts for.

    A school or HEI information system acts for one institution; its rights are role
    assignments held by the binding. Data-provision agreements arrive with the exchange issue.
    """

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.PROTECT,
        related_name="binding",
        verbose_name=_("OAuth2 client"),
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clients",
        verbose_name=_("institution"),
    )
    name = models.CharField(_("system name"), max_length=200)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("system client")
        verbose_name_plural = _("system clients")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class CitizenAccount(models.Model):
    """Links a login made through the e-identity gateway (or the demo provider) to a person."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="citizen"
    )
    person = models.OneToOneField(
        "people.Person", on_delete=models.PROTECT, related_name="citizen_account"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("citizen account")

    def __str__(self) -> str:
        return f"citizen {self.person.public_id}"
