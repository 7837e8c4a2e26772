"""Two-step verification with TOTP (RFC 6238, pyotp) and single-use recovery codes.

- The secret is stored encrypted (Fernet, key from ``TOTP_KEY`` or derived from the secret key) and is
  never logged; it is shown only on the enrolment page (QR as SVG from segno, and as text for screen
  readers and for typing in by hand).
- A code is accepted within one 30-second step either way (clock drift), and only for a step later
  than the last accepted one: the same code cannot be used twice (replay).
- Ten recovery codes are made at enrolment, shown once, stored as keyed hashes; each works once.
- Wrong codes are limited by the routes (per address and, delaying only, per account); entering a code
  at all needs the account's password first, so nobody can slow another person's sign-in down
  without knowing their password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import select, update

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import RecoveryCode, User
from portal.db import utcnow
from portal.extensions import db

FEATURE = "auth"
RECOVERY_CODES = 10
STEP = 30
DRIFT_STEPS = 1


def required_for(user: User) -> bool:
    """Staff with a local password must use TOTP where the installation says so (production by default)."""
    return (user.is_staff and not user.oidc_only and user.password_hash is not None
            and current_app.config["STAFF_TOTP_REQUIRED"])


# --- enrolment ---------------------------------------------------------------------------------------

def begin_enrolment(user: User) -> str:
    """A new, unconfirmed secret for ``user`` (replacing an unconfirmed one); returns it in base32."""
    if user.totp_enabled:
        raise ValueError("already enrolled")
    secret = pyotp.random_base32()
    user.totp_secret = _fernet().encrypt(secret.encode()).decode()
    user.totp_last_step = None
    db.session.flush()
    return secret


def pending_secret(user: User) -> str | None:
    """The unconfirmed secret being enrolled, or None."""
    return None if user.totp_enabled or user.totp_secret is None else _secret(user)


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email or str(user.id),
                                               issuer_name=current_app.config["TOTP_ISSUER"])


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG (no external image request; the secret never leaves the page)."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    # The page labels the figure (role="img"); the drawing itself is hidden from screen readers.
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def confirm_enrolment(user: User, code: str, now: float | None = None) -> list[str] | None:
    """Turn TOTP on if ``code`` matches the pending secret; returns the recovery codes (shown once)."""
    if user.totp_enabled or user.totp_secret is None or not _accept(user, code, now):
        return None
    user.totp_enabled_at = utcnow()
    codes = _new_recovery_codes(user)
    record(user, AuditAction.UPDATE, FEATURE, "user", user.id, detail={"totp": "enabled"})
    db.session.flush()
    return codes


def disable(actor: User, user: User) -> None:
    """Turn TOTP off (the user themself, or an administrator resetting a lost phone); audited."""
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
                       .values(used_at=utcnow()))
    record(actor, AuditAction.UPDATE, FEATURE, "user", user.id, detail={"totp": "disabled"})
    db.session.flush()


def regenerate_recovery_codes(user: User) -> list[str]:
    db.session.execute(update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
                       .values(used_at=utcnow()))
    codes = _new_recovery_codes(user)
    record(user, AuditAction.UPDATE, FEATURE, "user", user.id, detail={"totp": "recovery_codes"})
    return codes


# --- verification ------------------------------------------------------------------------------------

def verify(user: User, code: str, now: float | None = None) -> str | None:
    """Check a second-factor answer: a TOTP code or a recovery code. Returns "totp", "recovery" or None."""
    if not user.totp_enabled:
        return None
    compact = "".join(code.split()).replace("-", "").lower()
    if compact.isdigit() and len(compact) == 6:
        return "totp" if _accept(user, compact, now) else None
    return "recovery" if _use_recovery_code(user, compact) else None


def _accept(user: User, code: str, now: float | None) -> bool:
    """The code matches a step within the drift window and later than the last accepted (no replay)."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(_secret(user))
    current = int((now if now is not None else time.time()) // STEP)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False
            # Conditional, so two requests racing with one code cannot both pass.
            won = db.session.execute(
                update(User).where(User.id == user.id)
                .where((User.totp_last_step.is_(None)) | (User.totp_last_step < step))
                .values(totp_last_step=step).execution_options(synchronize_session=False)).rowcount
            user.totp_last_step = step
            return won == 1
    return False


def _use_recovery_code(user: User, compact: str) -> bool:
    row = db.session.scalar(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                       RecoveryCode.code_hash == _code_hash(compact)))
    if row is None or row.used_at is not None:
        return False
    used = db.session.execute(update(RecoveryCode).where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
                              .values(used_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if used == 1:
        record(user, AuditAction.UPDATE, FEATURE, "user", user.id, detail={"totp": "recovery_code_used"})
    return used == 1


def recovery_codes_left(user: User) -> int:
    return len(list(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))))


def _new_recovery_codes(user: User) -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)  # 40 bits each, shown as xxxxx-xxxxx
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_code_hash(raw)))
    db.session.flush()
    return codes


def _code_hash(compact: str) -> str:
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), b"silta-recovery-codes", hashlib.sha256).digest()
    return hmac.new(key, compact.encode(), hashlib.sha256).hexdigest()


def _secret(user: User) -> str:
    try:
        return _fernet().decrypt(user.totp_secret.encode()).decode()
    except InvalidToken:
        # The key changed (TOTP_KEY or the secret key): the person enrols again after an admin resets it.
        return pyotp.random_base32()


def _fernet() -> Fernet:
    configured = current_app.config["TOTP_KEY"] or current_app.config["SECRET_KEY"]
    key = hmac.new(configured.encode(), b"silta-totp-secrets", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))
