"""TLS facts of a port: protocol, cipher, and the certificate, read with `cryptography`.

Trust is reported, not required: SEPM certificates are self-signed by default. The
handshake accepts any certificate so that an expired or foreign one can be shown.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import ssl
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from sep_port_doctor.core.i18n import FALLBACK_LANG, Message

EXPIRY_WARNING_DAYS = 30

_T = TypeVar("_T")


class TlsFailure(Exception):
    """The handshake failed; ``words`` say how, for the user (``str()``: in English, for the log)."""

    def __init__(self, words: Message) -> None:
        super().__init__(words.say(FALLBACK_LANG))
        self.words = words


class TlsTimedOut(TlsFailure):
    """No handshake within the deadline (on a lossy path the engine tries again)."""


class CertificateUnreadable(TlsFailure):
    """The server's certificate is not a certificate `cryptography` can read at all."""


@dataclass(frozen=True)
class CertificateFacts:
    subject: str
    issuer: str
    common_name: str | None
    sans: tuple[str, ...]
    not_before: str
    not_after: str
    days_left: int
    expired: bool
    not_yet_valid: bool
    expires_soon: bool
    self_signed: bool
    sha256: str
    key: str
    name_matches: bool
    checked_name: str
    unreadable: tuple[str, ...] = ()
    """Facts that could not be read, each with the parser's reason (an x400Address SAN, a bad extension)."""
    hours_left: int = 0
    """Whole hours to the end of validity (negative once expired), counted like ``days_left``: a
    certificate that expired a few hours ago is said in hours, not as "0 days ago"."""


@dataclass(frozen=True)
class TlsFacts:
    version: str
    cipher: str
    certificate: CertificateFacts | None

    def to_evidence(self) -> dict[str, Any]:
        return {
            "tls_version": self.version,
            "cipher": self.cipher,
            "certificate": None if self.certificate is None else asdict(self.certificate),
        }


def client_context() -> ssl.SSLContext:
    """Accept any certificate and old protocols: a diagnostic must see what the server offers."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    with contextlib.suppress(ssl.SSLError):
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


def _matches_name(pattern: str, name: str) -> bool:
    """RFC 6125: exact match, or a wildcard as the whole left-most label."""
    pattern, name = pattern.lower().rstrip("."), name.lower().rstrip(".")
    if pattern == name:
        return True
    if pattern.startswith("*.") and "." in name:
        return name.split(".", 1)[1] == pattern[2:] and pattern.count(".") >= 2
    return False


def name_matches(cert: x509.Certificate, name: str) -> bool:
    san = _subject_alt_names(cert)
    try:
        address = ipaddress.ip_address(name.partition("%")[0])
    except ValueError:
        address = None
    if san is not None:
        if address is not None:
            return address in san.get_values_for_type(x509.IPAddress)
        return any(_matches_name(d, name) for d in san.get_values_for_type(x509.DNSName))
    # No SAN: old certificates (and many SEPM ones) carry the name in the CN only.
    cns = [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    return any(cn == name if address is not None else _matches_name(cn, name) for cn in cns)


def _key_description(cert: x509.Certificate) -> str:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}"
    return type(key).__name__


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.subject != cert.issuer:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except Exception:  # InvalidSignature, unsupported key types, unreadable parameters
        return False
    return True


def _why(exc: BaseException) -> str:
    text = str(exc)
    return f"{exc.__class__.__name__}: {text[:200]}" if text else exc.__class__.__name__


def certificate_facts(der: bytes, checked_name: str, now: dt.datetime | None = None) -> CertificateFacts:
    """Every fact of the certificate that can be read; what cannot is listed in ``unreadable``.

    The certificate comes from the server being diagnosed and may be anything. `cryptography`
    parses extensions lazily and raises several classes (``ValueError``,
    ``UnsupportedGeneralNameType``, ``DuplicateExtension``...), so each fact is read on its own.
    Raises CertificateUnreadable (only) when the bytes are not a certificate at all.
    """
    try:
        cert = x509.load_der_x509_certificate(der)
    except Exception as exc:  # any parse error class: the bytes are the server's
        raise CertificateUnreadable(Message("evidence.cert-unreadable", error=_why(exc))) from None
    now = now or dt.datetime.now(dt.UTC)
    unreadable: list[str] = []

    def read(what: str, reader: Callable[[], _T], default: _T) -> _T:
        try:
            return reader()
        except Exception as exc:
            unreadable.append(f"{what}: {_why(exc)}")
            return default

    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    not_before = read("validity", lambda: cert.not_valid_before_utc, epoch)
    not_after = read("validity", lambda: cert.not_valid_after_utc, epoch)
    san = read("alternative names", lambda: _subject_alt_names(cert), None)
    san_ok = not any(u.startswith("alternative names") for u in unreadable)
    sans = () if san is None else (
        tuple(f"DNS:{d}" for d in san.get_values_for_type(x509.DNSName))
        + tuple(f"IP:{ip}" for ip in san.get_values_for_type(x509.IPAddress))
    )  # fmt: skip
    no_names: list[str] = []
    cns = read(
        "common name",
        lambda: [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)],
        no_names,
    )
    valid_dates = not any(u.startswith("validity") for u in unreadable)
    return CertificateFacts(
        subject=read("subject", lambda: cert.subject.rfc4514_string(), "?"),
        issuer=read("issuer", lambda: cert.issuer.rfc4514_string(), "?"),
        common_name=cns[0] if cns else None,
        sans=sans,
        not_before=not_before.isoformat() if valid_dates else "?",
        not_after=not_after.isoformat() if valid_dates else "?",
        # Whole days either way: the floor of a negative time counts a started day (expired 10 days
        # and some seconds ago read "11 days ago").
        days_left=((not_after - now).days if now <= not_after else -(now - not_after).days) if valid_dates else 0,
        hours_left=(
            (not_after - now) // dt.timedelta(hours=1)
            if now <= not_after
            else -((now - not_after) // dt.timedelta(hours=1))
        )
        if valid_dates
        else 0,
        expired=valid_dates and now > not_after,
        not_yet_valid=valid_dates and now < not_before,
        expires_soon=valid_dates
        and not now > not_after
        and (not_after - now) <= dt.timedelta(days=EXPIRY_WARNING_DAYS),
        self_signed=read("self-signed", lambda: _self_signed(cert), False),
        sha256=cert.fingerprint(hashes.SHA256()).hex(":").upper(),
        key=read("public key", lambda: _key_description(cert), "?"),
        # Without readable alternative names the name cannot be confirmed (the reason is listed once).
        name_matches=read("name match", lambda: name_matches(cert, checked_name), False) if san_ok else False,
        checked_name=checked_name,
        unreadable=tuple(dict.fromkeys(unreadable)),
    )


def _subject_alt_names(cert: x509.Certificate) -> x509.SubjectAlternativeName | None:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None


async def tls_probe(address: str, port: int, server_name: str | None, checked_name: str, timeout: float) -> TlsFacts:
    """Handshake with the port and read its facts; raises TlsFailure with the reason."""
    writer = None
    try:
        async with asyncio.timeout(timeout):
            _reader, writer = await asyncio.open_connection(
                address, port, ssl=client_context(), server_hostname=server_name or ""
            )
            ssl_object = writer.get_extra_info("ssl_object")
            if ssl_object is None:
                raise TlsFailure(Message("evidence.tls-none"))
            der = ssl_object.getpeercert(binary_form=True)
            cipher = ssl_object.cipher()
            facts = TlsFacts(
                version=str(ssl_object.version()),
                cipher=cipher[0] if cipher else "unknown",
                certificate=certificate_facts(der, checked_name) if der else None,
            )
    except TimeoutError:
        raise TlsTimedOut(Message("evidence.tls-timeout", seconds=f"{timeout:g}")) from None
    except ssl.SSLError as exc:
        reason = exc.reason or str(exc)
        if "WRONG_VERSION_NUMBER" in str(reason).upper() or "record layer" in str(exc).lower():
            raise TlsFailure(Message("evidence.not-tls")) from None
        raise TlsFailure(Message("evidence.tls-failed", error=str(reason))) from None
    except ConnectionResetError:
        raise TlsFailure(Message("evidence.tls-reset")) from None
    except (OSError, EOFError) as exc:
        raise TlsFailure(Message("evidence.tls-failed", error=f"{exc.__class__.__name__}: {exc}")) from None
    finally:
        if writer is not None:
            writer.close()
            try:
                async with asyncio.timeout(0.5):
                    await writer.wait_closed()
            except (TimeoutError, OSError, ssl.SSLError):
                pass
    return facts


def _days_or_hours(group: str, days: int, hours: int) -> Message:
    """A certificate's distance from its end as a person says it: days, else hours, never "0 days"."""
    if days > 1:
        return Message(f"{group}.days", days=days)
    if days == 1:
        return Message(f"{group}.day")
    if hours > 1:
        return Message(f"{group}.hours", hours=hours)
    if hours == 1:
        return Message(f"{group}.hour")
    return Message(f"{group}.under-an-hour")


def expired_ago(cert: CertificateFacts) -> Message:
    """How long ago the certificate expired ("3 hours ago")."""
    return _days_or_hours("ago", -cert.days_left, -cert.hours_left)


def expires_in(cert: CertificateFacts) -> Message:
    """How long until a valid certificate expires ("in 3 hours")."""
    return _days_or_hours("until", cert.days_left, cert.hours_left)


def describe_certificate_problems(cert: CertificateFacts) -> list[Message]:
    """What stops clients from communicating: an expired or not yet valid certificate."""
    problems = []
    if cert.expired:
        problems.append(Message("evidence.cert-expired", date=cert.not_after[:10], ago=expired_ago(cert)))
    elif cert.not_yet_valid:
        problems.append(Message("evidence.cert-not-yet-valid", date=cert.not_before[:10]))
    return problems


def describe_certificate_warnings(cert: CertificateFacts) -> list[Message]:
    """Worth a look, not a failure: SEP clients pin the manager's certificate rather than its name."""
    warnings = []
    if cert.expires_soon:
        warnings.append(Message("evidence.cert-expires-soon", until=expires_in(cert), date=cert.not_after[:10]))
    warnings += [Message("evidence.cert-unreadable-field", what=what) for what in cert.unreadable]
    if not cert.name_matches:
        warnings.append(Message("evidence.cert-other-name", name=repr(cert.checked_name), subject=cert.subject))
    return warnings
