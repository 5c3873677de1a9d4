"""The agency's electronic seal on documents: PAdES signatures with pyHanko, and their validation.

The seal's key, certificate and chain are files named by settings (`SEAL_KEY_FILE`,
`SEAL_CERT_FILE`, `SEAL_CHAIN_FILE`); in production they are the agency's qualified seal. In demo
mode `make setup` generates a local test CA and a seal certificate under `var/seal/`
(`manage.py credentials_demo_seal`, `demo_seal_ensure`); they are never committed, and a missing
demo seal is generated on first use. Validation trusts the roots in `SEAL_TRUST_ROOTS`.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

SEAL_FIELD = "AgencySeal"
KEYWORD_PREFIX = "edureg-verification:"


def _certificate(
    *,
    common_name: str,
    key: Any,
    issuer_cert: Any = None,
    issuer_key: Any = None,
    ca: bool,
    years: int,
) -> Any:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "LT"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "edureg demo"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert is not None else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if not ca:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        ).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    return builder.sign(issuer_key if issuer_key is not None else key, hashes.SHA256())


def demo_seal_ensure(directory: Path | None = None) -> bool:
    """Generate a test CA and a seal certificate signed by it, unless present; True if made.

    Written to a temporary directory first and moved into place, so that parallel processes
    never see a seal certificate that does not match its CA.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    directory = Path(directory or settings.SEAL_DIR)
    names = ("ca.cert.pem", "seal.cert.pem", "seal.key.pem")
    if all((directory / name).exists() for name in names):
        return False
    directory.parent.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = _certificate(common_name="edureg demo root CA", key=ca_key, ca=True, years=20)
    seal_key = ec.generate_private_key(ec.SECP256R1())
    seal_cert = _certificate(
        common_name="Nacionalinė švietimo agentūra (demo seal)",
        key=seal_key,
        issuer_cert=ca_cert,
        issuer_key=ca_key,
        ca=False,
        years=10,
    )
    pem = serialization.Encoding.PEM
    staging = Path(tempfile.mkdtemp(prefix=".seal-", dir=directory.parent))
    (staging / "ca.cert.pem").write_bytes(ca_cert.public_bytes(pem))
    (staging / "seal.cert.pem").write_bytes(seal_cert.public_bytes(pem))
    key_path = staging / "seal.key.pem"
    key_path.write_bytes(
        seal_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    os.chmod(key_path, 0o600)
    try:
        staging.rename(directory)
    except OSError:
        # Another process made it first (or the directory exists, empty): keep theirs.
        for name in names:
            (staging / name).unlink(missing_ok=True)
        staging.rmdir()
        if not all((directory / name).exists() for name in names):
            directory.mkdir(parents=True, exist_ok=True)
            return demo_seal_ensure(directory)
        return False
    return True


@functools.cache
def _signer(key_file: str, cert_file: str, chain_file: str) -> Any:
    from pyhanko.sign import signers

    passphrase = settings.SEAL_KEY_PASSPHRASE.encode() or None
    signer = signers.SimpleSigner.load(
        key_file, cert_file, ca_chain_files=(chain_file,), key_passphrase=passphrase
    )
    if signer is None:
        raise ImproperlyConfigured(f"The seal could not be loaded from {key_file}")
    return signer


def signer() -> Any:
    """The seal's signer; in demo mode the test seal is generated when missing."""
    if settings.DEMO_MODE and not Path(settings.SEAL_KEY_FILE).exists():
        demo_seal_ensure(Path(settings.SEAL_KEY_FILE).parent)
    return _signer(
        str(settings.SEAL_KEY_FILE), str(settings.SEAL_CERT_FILE), str(settings.SEAL_CHAIN_FILE)
    )


def seal_pdf(pdf: bytes, *, reason: str) -> bytes:
    """The PDF with the agency's PAdES seal added as an incremental update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD, subfilter=SigSeedSubFilter.PADES, reason=reason[:200]
    )
    return signers.sign_pdf(writer, metadata, signer=signer()).getvalue()


# --- Validation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SealCheck:
    valid: bool  # the seal is intact, cryptographically valid and from a trusted chain
    intact: bool
    trusted: bool
    signer: str = ""
    signed_at: dt.datetime | None = None
    verification_code: str = ""
    covers_whole_file: bool = False
    problem: str = ""


@functools.cache
def _trust_roots(paths: tuple[str, ...]) -> list[Any]:
    from pyhanko.keys import load_cert_from_pemder

    return [load_cert_from_pemder(p) for p in paths if Path(p).exists()]


def _keywords(reader: Any) -> str:
    try:
        info = reader.trailer["/Info"]
        return str(info.get("/Keywords", ""))
    except Exception:  # a damaged info dictionary means "no code"
        return ""


def validate_pdf(data: bytes) -> SealCheck:
    """Validate the seal of an uploaded PDF with pyHanko against the trusted roots."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    if settings.DEMO_MODE and not Path(settings.SEAL_CHAIN_FILE).exists():
        demo_seal_ensure(Path(settings.SEAL_CHAIN_FILE).parent)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # anything unreadable is "not a sealed PDF"
        return SealCheck(False, False, False, problem=_("The file is not a readable PDF."))
    if not signatures:
        return SealCheck(False, False, False, problem=_("The file carries no electronic seal."))
    embedded = signatures[-1]
    roots = _trust_roots(tuple(settings.SEAL_TRUST_ROOTS))
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        status = validate_pdf_signature(embedded, context)
    except Exception:  # a malformed signature fails validation
        return SealCheck(False, False, False, problem=_("The seal could not be validated."))
    keywords = _keywords(reader)
    code = keywords.split(KEYWORD_PREFIX, 1)[1].split()[0] if KEYWORD_PREFIX in keywords else ""
    signer_name = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    coverage = str(getattr(status, "coverage", ""))
    return SealCheck(
        valid=bool(status.bottom_line),
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        signer=signer_name,
        signed_at=getattr(status, "signer_reported_dt", None),
        verification_code=code,
        covers_whole_file="ENTIRE_FILE" in coverage,
    )
