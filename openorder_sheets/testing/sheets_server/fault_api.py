"""The fault-injection and statistics half of :class:`~.server.SheetsServer`'s Python API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .faults import Faults, Rule, Stats


class FaultApi:
    """Methods to inject faults and read request counts (mixed into SheetsServer)."""

    faults: Faults
    counters: Stats

    def fail_next(self, status: int = 429, count: int = 1, kind: str | None = None) -> None:
        """Answer the next ``count`` matching requests with ``status`` (429, 500, 503...)."""
        self.faults.add(Rule("error", count, kind, status=status))

    def delay_next(self, seconds: float, count: int = 1, kind: str | None = None) -> None:
        """Delay the next ``count`` matching requests by ``seconds``."""
        self.faults.add(Rule("delay", count, kind, seconds=seconds))

    def set_latency(self, seconds: float) -> None:
        """Delay every request by ``seconds`` (0 to stop)."""
        self.faults.latency = seconds

    def drop_next(self, count: int = 1, kind: str | None = None, after_apply: bool = False) -> None:
        """Close the connection without answering the next ``count`` matching requests.

        With ``after_apply`` the request is carried out first (the write lands), then dropped.
        """
        self.faults.add(Rule("drop", count, kind, after_apply=after_apply))

    def before_next(
        self, kind: str | None, action: Callable[[], None], count: int = 1, label: str = ""
    ) -> None:
        """Run ``action`` just before the next ``count`` requests of ``kind``."""
        self.faults.add(Rule("before", count, kind, callback=action, label=label))

    def clear_faults(self) -> None:
        """Forget every pending fault and the latency."""
        self.faults.clear()

    def pending_faults(self) -> list[dict[str, Any]]:
        """Faults still waiting for their requests."""
        return self.faults.pending()

    # --- stats --------------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Counts by kind, reads/writes, bytes received/sent, faults injected."""
        return self.counters.snapshot()

    def request_count(self, kind: str | None = None) -> int:
        """Requests of one kind (``None`` = all, ``"read"``/``"write"`` = groups)."""
        return self.counters.count(kind)

    def recent_requests(self) -> list[dict[str, Any]]:
        """The last requests (kind, method, path, status), oldest first."""
        return self.counters.recent()

    def reset_stats(self) -> None:
        """Zero the counters."""
        self.counters.reset()
