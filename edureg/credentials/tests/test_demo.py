"""Demo documents: the small demo data set has last year's graduating class of the demo school
with exam results from the feed, its maturity certificates approved on blanks by someone other
than the person who formed them, one annulled and replaced by a duplicate, and blanks allocated
to the school."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from edureg.access.models import FunctionArea, RoleAssignment
from edureg.core.context import Actor
from edureg.credentials.models import Blank, BlankStatus, Document, DocumentStatus, ReissueKind
from edureg.credentials.selectors import document_verify
from edureg.pupils.models import Achievement, ExamResult, ExamSession


@pytest.mark.django_db
def test_small_seed_gives_a_graduating_class_with_its_certificates():
    # Given a freshly migrated database
    # When the small demo data is seeded
    out = StringIO()
    call_command("seed_demo", "--scale", "small", "--seed", "3", stdout=out)

    # Then the demo school (where `mokykla` forms certificates) has last year's class IV d
    school = (
        RoleAssignment.objects.get(
            user__username="mokykla", function_area=FunctionArea.CERTIFICATES
        )
    ).institution
    maturity = Document.objects.filter(institution=school, document_type__code="maturity")
    assert maturity.count() == 11  # twelve pupils; the one without Lithuanian was refused
    group = maturity.first().group
    assert group.name == "IV d" and group.grade == "12"
    # with exam results that came through the feed, also as the pupils' achievements
    results = ExamResult.objects.filter(person__in=group.enrolments.values("person"))
    assert results.count() == 12 * 3 - 1
    assert Achievement.objects.filter(person__in=group.enrolments.values("person")).count() >= 35
    # and the certificates were formed by `mokykla`, approved by `direktore`, on blanks
    issued = maturity.filter(status=DocumentStatus.ISSUED)
    assert issued.count() == 10
    users = get_user_model().objects
    former = Actor.for_user(users.get(username="mokykla")).label
    approver = Actor.for_user(users.get(username="direktore")).label
    for document in maturity.select_related("blank", "supplement_blank"):
        assert document.formed_by == former and document.approved_by == approver
        assert document.registration_number and document.blank and document.supplement_blank
    # and one was annulled and replaced by an issued duplicate on a blank of its own
    annulled = maturity.get(status=DocumentStatus.ANNULLED)
    duplicate = Document.objects.get(replaces=annulled)
    assert duplicate.reissue_kind == ReissueKind.DUPLICATE
    assert duplicate.status == DocumentStatus.ISSUED and duplicate.blank != annulled.blank
    assert document_verify(code=annulled.verification_code).validity == "replaced"
    # and blanks are allocated to the school: 12 maturity blanks used, the rest on hand
    blanks = Blank.objects.filter(institution=school, blank_type__code="3014")
    assert blanks.filter(status=BlankStatus.USED).count() == 12
    assert blanks.filter(status=BlankStatus.SPOILED).count() == 1
    assert blanks.filter(status=BlankStatus.ON_HAND).count() == 87
    # and this school year's exam session is there for the school to plan
    assert ExamSession.objects.filter(school_year=group.school_year + 1).get().exams.count() == 4
    assert "12 maturity certificates issued, 1 refused" in out.getvalue()
