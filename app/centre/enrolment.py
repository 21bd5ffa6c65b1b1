"""Enrolling a hall PC with the centre and knowing it afterwards.

An administrator makes a device of a hall and gets a one-time code (valid for 7 days); the
PC exchanges it once for its credential (``enrol``). The centre keeps only hashes of both.
Every later call names the device by its credential (``authenticate``): the hall is always
derived from it, never taken from a payload.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any, Final

from sqlalchemy import text

from app.centre.base import CentreBase, CentreError, DeviceCtx, secret_hash

ENROL_VALID: Final = timedelta(days=7)


class EnrolmentMixin(CentreBase):
    def enrol_device(self, hall_code: str) -> tuple[str, str]:
        """A new device of the hall and its one-time enrolment code (valid for 7 days)."""
        code = "-".join(secrets.token_hex(2).upper() for _ in range(4))
        with self.engine.begin() as conn:
            hall_id = self.hall_id(conn, hall_code)
            device_id = conn.execute(
                text(
                    "INSERT INTO device (hall_id, code, enrol_code_hash, enrol_expires) "
                    "VALUES (:h, 'new-' || gen_random_uuid(), :e, :x) RETURNING id"
                ),
                {"h": hall_id, "e": secret_hash(code), "x": self.clock() + ENROL_VALID},
            ).scalar_one()
            device_code = f"D{int(device_id):05d}"
            conn.execute(
                text("UPDATE device SET code = :c WHERE id = :i"),
                {"c": device_code, "i": device_id},
            )
        return device_code, code

    def revoke_device(self, device_code: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                text("UPDATE device SET revoked = true WHERE code = :c"), {"c": device_code}
            )

    def enrol(self, code: str) -> dict[str, Any]:
        credential = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            row = conn.execute(
                text(
                    "UPDATE device d SET credential_hash = :c, enrol_code_hash = NULL, "
                    "enrolled_at = now() FROM hall h WHERE h.id = d.hall_id AND "
                    "d.enrol_code_hash = :e AND d.enrol_expires > :now AND NOT d.revoked "
                    "RETURNING d.code, h.code, h.name, h.epoch"
                ),
                {
                    "c": secret_hash(credential),
                    "e": secret_hash(code.strip().upper()),
                    "now": self.clock(),
                },
            ).first()
        if row is None:
            raise CentreError(403, "bad_code", "the enrolment code is unknown, used or expired")
        return {
            "device_code": row[0],
            "credential": credential,
            "hall_code": row[1],
            "hall_name": row[2],
            "epoch": row[3],
        }

    def authenticate(self, credential: str | None) -> DeviceCtx:
        """The device a credential names (401 unknown, 403 revoked)."""
        if not credential:
            raise CentreError(401, "no_credential", "this call needs a device credential")
        with self.engine.begin() as conn:
            row = conn.execute(
                text(
                    "UPDATE device d SET last_seen_at = now() FROM hall h "
                    "WHERE h.id = d.hall_id AND d.credential_hash = :c "
                    "RETURNING d.id, d.hall_id, d.code, d.revoked, h.code, h.epoch"
                ),
                {"c": secret_hash(credential)},
            ).first()
        if row is None:
            raise CentreError(401, "unknown_device", "the device credential is not known")
        if row[3]:
            raise CentreError(403, "revoked", "this device has been revoked")
        return DeviceCtx(int(row[0]), int(row[1]), str(row[2]), str(row[4]), int(row[5]))
