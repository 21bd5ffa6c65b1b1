"""How the hall reaches the centre: HTTP (stdlib only, so a hall PC needs no extra), or any
object with the same ``call`` (the in-process transport of the tests,
``app.centre.local.LocalTransport``)."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from typing import Any, Protocol

from app.i18n import N_
from app.sync.protocol import SyncError, SyncOffline, error_for_status
from app.sync.status import is_loopback, unencrypted

__all__ = ["HttpTransport", "PlainHttpRefused", "Transport", "is_loopback", "unencrypted"]


class PlainHttpRefused(SyncError):
    def __init__(self, url: str) -> None:
        super().__init__(
            N_(
                "The centre's address {url} is not encrypted (http://). Use an https:// "
                "address, or let an administrator allow unencrypted connections in the sync "
                "settings."
            ),
            url=url,
        )


class Transport(Protocol):
    def call(self, endpoint: str, body: dict[str, Any], credential: str | None) -> Any: ...


class HttpTransport:
    """``POST {url}/sync/{endpoint}`` with JSON; ``cafile`` pins the centre's CA for TLS.

    Plain ``http://`` goes only to this machine (loopback) unless ``allow_plain_http``
    (an administrator's setting, shown with a warning): anything else is refused before a
    byte is sent."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 60.0,
        cafile: str | None = None,
        allow_plain_http: bool = False,
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.allow_plain_http = allow_plain_http
        self._context = ssl.create_default_context(cafile=cafile) if cafile else None

    @property
    def unencrypted(self) -> bool:
        return unencrypted(self.url)

    def call(self, endpoint: str, body: dict[str, Any], credential: str | None) -> Any:
        if self.unencrypted and not self.allow_plain_http:
            raise PlainHttpRefused(self.url)
        try:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:  # a damaged string (lone surrogate): the centre refuses it
            data = json.dumps(body, ensure_ascii=True).encode("ascii")
        headers = {"Content-Type": "application/json"}
        if credential:
            headers["Authorization"] = f"Bearer {credential}"
        request = urllib.request.Request(
            f"{self.url}/sync/{endpoint}", data=data, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(
                request, timeout=self.timeout, context=self._context
            ) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            try:
                detail = json.loads(exc.read().decode("utf-8") or "{}")
            except ValueError:
                detail = {}
            raise error_for_status(
                exc.code, str(detail.get("error", "")), str(detail.get("message", ""))
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise SyncOffline(str(getattr(exc, "reason", exc))) from None
