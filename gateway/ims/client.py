"""The IMS connector: the gateway's side of docs/ims-api.yaml (sales orders over REST).

Every call has a timeout and is retried with exponential backoff and jitter on what may
pass (a 5xx, 408/429, a timeout, a refused connection). Retrying is safe for every call:
a create carries ``Idempotency-Key: <PO number>``, so when the IMS committed an order and
then timed out, the retry gets the committed order back instead of making a second one;
changes carry absolute quantities and a cancel of a cancelled order is a no-op.

Two errors tell the caller what to do next: :class:`ImsUnavailable` (still failing after
the retries: try again later) and :class:`ImsRejected` (the IMS refused the request: a
person must look; its problem ``detail`` is kept for them).
"""
from __future__ import annotations

from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from gateway.platform import tls
from gateway.platform.config import Settings

RETRIED_STATUSES = (408, 429)
MAX_BACKOFF_SECONDS = 30.0


class ImsError(Exception):
    """An IMS call did not succeed."""


class ImsNotConfigured(ImsError):
    """No IMS URL is set (``edi-gateway run`` starts the sandbox IMS and sets one)."""


class ImsUnavailable(ImsError):
    """The IMS did not answer usefully within the retries: a timeout, no connection, a 5xx."""


class ImsRejected(ImsError):
    """The IMS answered 4xx; ``detail`` is its problem detail, shown to operations as is."""

    def __init__(self, status: int, detail: str) -> None:
        self.status, self.detail = status, detail
        super().__init__(f"IMS answered {status}: {detail}")


class _Transient(Exception):
    """A failure worth another attempt; becomes :class:`ImsUnavailable` after the last one."""


class ImsClient:
    """Sales-order calls to one IMS. Use as a context manager, or call :meth:`close`."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 10.0, attempts: int = 4,
                 backoff_seconds: float = 1.0) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=timeout, verify=tls.context(),
                                  headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
        self._attempts = attempts
        self._backoff_seconds = backoff_seconds

    @classmethod
    def from_settings(cls, settings: Settings) -> ImsClient:
        if settings.ims_url is None or settings.ims_token is None:
            raise ImsNotConfigured("no IMS configured: set EDI_GATEWAY_IMS_URL and EDI_GATEWAY_IMS_TOKEN")
        return cls(settings.ims_url, settings.ims_token, timeout=settings.ims_timeout_seconds,
                   attempts=settings.ims_attempts, backoff_seconds=settings.ims_backoff_seconds)

    def __enter__(self) -> ImsClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def create_sales_order(self, order: dict[str, Any]) -> dict[str, Any]:
        """Create (or, on a retry, get back) the sales order for ``order["po_number"]``."""
        return self._call("POST", "/api/v1/sales-orders", json=order,
                          headers={"Idempotency-Key": order["po_number"]})

    def get_sales_order(self, po_number: str) -> dict[str, Any]:
        """The order with its current allocation per line."""
        return self._call("GET", f"/api/v1/sales-orders/{po_number}")

    def update_sales_order(self, po_number: str, change: dict[str, Any]) -> dict[str, Any]:
        """Apply a change (absolute line quantities, cancelled lines, a ship window)."""
        return self._call("PATCH", f"/api/v1/sales-orders/{po_number}", json=change)

    def cancel_sales_order(self, po_number: str) -> dict[str, Any]:
        return self._call("POST", f"/api/v1/sales-orders/{po_number}/cancel")

    def list_stock(self) -> dict[str, Any]:
        """Every SKU's stock (``{"items": [...]}``), for an IMS that does not push its reports."""
        return self._call("GET", "/api/v1/stock")

    def _call(self, method: str, path: str, **request: Any) -> dict[str, Any]:
        retrying = Retrying(
            retry=retry_if_exception_type(_Transient),
            stop=stop_after_attempt(self._attempts),
            wait=wait_random_exponential(multiplier=self._backoff_seconds, max=MAX_BACKOFF_SECONDS),
            reraise=True,
        )
        try:
            return retrying(self._attempt, method, path, **request)
        except _Transient as error:
            raise ImsUnavailable(f"{method} {path}: {error} (after {self._attempts} attempts)") from error

    def _attempt(self, method: str, path: str, **request: Any) -> dict[str, Any]:
        try:
            response = self._http.request(method, path, **request)
        except httpx.TimeoutException as error:
            raise _Transient(f"no answer within the timeout ({type(error).__name__})") from error
        except httpx.TransportError as error:
            raise _Transient(f"{type(error).__name__}: {error}") from error
        if response.status_code >= 500 or response.status_code in RETRIED_STATUSES:
            raise _Transient(f"HTTP {response.status_code}: {_problem_detail(response)}")
        if response.is_error:
            raise ImsRejected(response.status_code, _problem_detail(response))
        return response.json()


def _problem_detail(response: httpx.Response) -> str:
    """The problem+json ``detail`` (with its per-field ``errors``), else the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:500] or response.reason_phrase
    if not isinstance(body, dict):
        return response.text[:500]
    detail = str(body.get("detail") or body.get("title") or response.reason_phrase)
    errors = [f"{error.get('pointer', '')}: {error.get('detail', '')}" for error in body.get("errors") or []
              if isinstance(error, dict)]
    return "; ".join([detail, *(text for text in errors if text not in detail)])
