"""Pointing gspread (or any ``requests`` code) at the local server.

gspread has no base-URL setting; it always calls ``https://sheets.googleapis.com/v4/...`` and
``https://www.googleapis.com/drive/v3/...``. :class:`LocalRedirectAdapter` is a transport adapter
that rewrites those URLs to the local server; :func:`local_session` mounts it on a session that
also sends a fake bearer token, and :func:`local_client` builds a ``gspread.Client`` on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import requests

from openorder_sheets.adapters.local_api import GOOGLE_HOSTS, RedirectToLocal

if TYPE_CHECKING:
    import gspread

DEFAULT_TOKEN = "local-sheets-server-token"  # noqa: S105 - not a secret: the fake server accepts any


class LocalRedirectAdapter(RedirectToLocal):
    """An HTTPAdapter that sends Google API requests to ``base_url`` instead (the same
    redirect the Google backend uses for ``api_url``; a bad URL is a ValueError here)."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not a base URL: {base_url!r}")
        super().__init__(f"{parts.scheme}://{parts.netloc}", **kwargs)


class LocalSheetsSession(requests.Session):
    """A ``requests.Session`` whose Google API calls go to a local server."""

    def __init__(
        self, base_url: str, token: str = DEFAULT_TOKEN, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__()
        adapter = LocalRedirectAdapter(base_url)
        for host in GOOGLE_HOSTS:
            self.mount(host + "/", adapter)
        self.base_url = adapter.base_url
        self.headers["Authorization"] = f"Bearer {token}"
        self.headers.update(headers or {})


def local_session(base_url: str, token: str = DEFAULT_TOKEN) -> LocalSheetsSession:
    """A session that rewrites Google API URLs to ``base_url`` and sends a fake bearer token."""
    return LocalSheetsSession(base_url, token)


def mount_local(session: requests.Session, base_url: str) -> requests.Session:
    """Redirect an existing session's Google API calls to ``base_url`` (returns the session)."""
    adapter = LocalRedirectAdapter(base_url)
    for host in GOOGLE_HOSTS:
        session.mount(host + "/", adapter)
    return session


def local_client(
    base_url: str, token: str = DEFAULT_TOKEN, timeout: float | None = 30.0
) -> gspread.Client:
    """A ``gspread.Client`` talking to the local server at ``base_url``.

    Built as ``gspread.Client(auth=None, session=local_session(base_url))`` — gspread 6 uses the
    given session as is and never touches the (absent) credentials.
    """
    import gspread

    client = gspread.Client(auth=cast(Any, None), session=local_session(base_url, token))
    if timeout is not None:
        client.set_timeout(timeout)
    return client
