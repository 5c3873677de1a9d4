"""The documents as PDF: sealed with PAdES, the seal validated by pyHanko and broken by a changed
byte, Lithuanian letters intact in the text, and the verification page's upload check."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from edureg.access.models import FunctionArea
from edureg.credentials import pdf, seal, services
from edureg.credentials.tests import factories as f
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(settings, tmp_path):  # type: ignore[no-untyped-def]
    """An issued maturity certificate of a holder whose name needs Lithuanian letters."""
    settings.SEAL_DIR = tmp_path / "seal"
    settings.SEAL_KEY_FILE = settings.SEAL_DIR / "seal.key.pem"
    settings.SEAL_CERT_FILE = settings.SEAL_DIR / "seal.cert.pem"
    settings.SEAL_CHAIN_FILE = settings.SEAL_DIR / "ca.cert.pem"
    settings.SEAL_TRUST_ROOTS = [str(settings.SEAL_CHAIN_FILE)]
    seal.demo_seal_ensure(settings.SEAL_DIR)
    school = InstitutionFactory(name_lt="Šiaulių Juliaus Janonio gimnazija")
    holder = PersonFactory(given_names="Žydrūnė Ąžuolė", family_name="Čiurlytė-Šėmaitė")
    graduating = f.graduating_class(size=0, school=school)
    from edureg.pupils import exams
    from edureg.pupils import services as pupil_services

    pupil_services.pupil_enrol(
        actor=f.SYSTEM, person=holder, group=graduating.group, valid_from=f.SEPT_1
    )
    f.annual_grades(school, holder, f.GRADES)
    for code in ("lithuanian", "mathematics"):
        exam = graduating.exams[code]
        exams.exam_register(actor=f.SYSTEM, exam=exam, person=holder, institution=school)
        exams.exam_result_record(actor=f.SYSTEM, exam=exam, person=holder, score=88)
    f.blanks_on_hand(school, "3014", 2)
    f.blanks_on_hand(school, "3016", 2)
    former = f.staff(school, "former", FunctionArea.CERTIFICATES)
    document = services.document_form(
        actor=former,
        document_type=f.document_type("maturity"),
        person=holder,
        institution=school,
    )
    return services.document_approve(actor=f.SYSTEM, document=document)


def test_the_sealed_pdf_validates_and_a_changed_byte_breaks_it(issued):
    data = pdf.document_pdf(actor=f.SYSTEM, document=issued)
    check = seal.validate_pdf(data)
    assert check.valid and check.intact and check.trusted
    assert check.verification_code == issued.verification_code
    assert "demo seal" in check.signer
    # The same bytes every time: the register keeps its copy
    assert pdf.document_pdf(actor=f.SYSTEM, document=issued) == data
    position = data.index(b"BRANDOS") if b"BRANDOS" in data else len(data) // 3
    tampered = bytearray(data)
    tampered[position] ^= 0x01
    broken = seal.validate_pdf(bytes(tampered))
    assert not broken.valid


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdftotext_shows_the_holders_name_with_lithuanian_letters(issued, tmp_path):
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf.document_pdf(actor=f.SYSTEM, document=issued))
    pdftotext = shutil.which("pdftotext") or "pdftotext"
    text = subprocess.run(  # noqa: S603  (our own file, a fixed command)
        [pdftotext, "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Žydrūnė Ąžuolė Čiurlytė-Šėmaitė" in text
    assert "BRANDOS ATESTATAS" in text and "Lietuvių kalba ir literatūra" in text
    assert issued.registration_number in text


def test_the_verification_page_checks_an_uploaded_pdf(issued):
    data = pdf.document_pdf(actor=f.SYSTEM, document=issued)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    good = client.post(
        "/verify/", {"file": SimpleUploadedFile("a.pdf", data, content_type="application/pdf")}
    )
    assert good.status_code == 200
    assert "The seal is valid and the file is the register" in good.content.decode()
    assert issued.person.personal_code not in good.content.decode()
    tampered = bytearray(data)
    tampered[len(data) // 2] ^= 0x01
    bad = client.post(
        "/verify/",
        {"file": SimpleUploadedFile("b.pdf", bytes(tampered), content_type="application/pdf")},
    )
    assert "The seal is valid and the file is the register" not in bad.content.decode()
