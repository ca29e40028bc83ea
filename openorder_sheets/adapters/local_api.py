"""Sending the Sheets API calls to another base URL (`api_url` under [sheet]).

gspread has no base-URL setting: it always calls ``https://sheets.googleapis.com/v4/...``.
:func:`redirected_session` returns a ``requests`` session that rewrites those URLs to
``api_url`` (the local Sheets server of offline trials and tests) and sends a fixed bearer
token instead of a signed one. Part of the package proper, so that production code never
imports :mod:`openorder_sheets.testing`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from openorder_sheets.errors import ConfigError

GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")
LOCAL_TOKEN = "local-sheets-server-token"  # noqa: S105 - not a secret: a local server accepts any


class RedirectToLocal(HTTPAdapter):
    """Sends Google API requests to ``base_url`` (scheme://host:port) instead."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        url = request.url or ""
        for host in GOOGLE_HOSTS:
            if url.startswith(host):
                request.url = self.base_url + url[len(host) :]
                break
        return super().send(request, *args, **kwargs)


def base_url(api_url: str) -> str:
    """``scheme://host:port`` of ``api_url``; a config error when it is not an http(s) URL."""
    parts = urlsplit(api_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"api_url '{api_url}' under [sheet] is not a web address: write it like "
            '"http://127.0.0.1:8765", or remove the line to use Google.'
        )
    return f"{parts.scheme}://{parts.netloc}"


def redirected_session(api_url: str, token: str = LOCAL_TOKEN) -> requests.Session:
    """A session whose Google API calls go to ``api_url``, with a fixed bearer token."""
    session = requests.Session()
    adapter = RedirectToLocal(base_url(api_url))
    for host in GOOGLE_HOSTS:
        session.mount(host + "/", adapter)
    session.headers["Authorization"] = f"Bearer {token}"
    return session
