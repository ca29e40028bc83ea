"""Fault injection rules and request statistics.

A rule applies to the next ``count`` requests whose kind matches (``None`` = any request,
``"read"`` / ``"write"`` = any read / write request, or an exact kind such as
``"values_batch_update"``). Rules are consumed in the order they were added.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

READ_KINDS = frozenset({
    "metadata_get", "values_get", "values_batch_get", "values_batch_get_by_data_filter",
    "drive_get", "drive_list", "drive_export",
})  # fmt: skip
ALL_KINDS = READ_KINDS | {
    "spreadsheet_create",
    "values_update",
    "values_batch_update",
    "values_append",
    "values_clear",
    "values_batch_clear",
    "batch_update",
    "sheet_copy_to",
    "drive_create",
    "drive_delete",
    "drive_copy",
    "drive_comments",
    "drive_import",
}


def is_read(kind: str) -> bool:
    """True for request kinds that count against Google's read quota."""
    return kind in READ_KINDS


def kind_matches(wanted: str | None, kind: str) -> bool:
    """Whether a rule's kind selector matches a request kind."""
    if wanted is None or wanted == kind:
        return True
    if wanted == "read":
        return is_read(kind)
    if wanted == "write":
        return not is_read(kind)
    return False


@dataclass
class Rule:
    """One pending fault: ``error``, ``drop``, ``delay`` or ``before`` (a callback)."""

    action: str
    count: int = 1
    kind: str | None = None
    status: int = 0
    seconds: float = 0.0
    after_apply: bool = False
    callback: Callable[[], None] | None = None
    label: str = ""

    def describe(self) -> dict[str, Any]:
        """A JSON-friendly description (for ``/_control/faults``)."""
        out: dict[str, Any] = {"action": self.action, "remaining": self.count, "kind": self.kind}
        if self.status:
            out["status"] = self.status
        if self.seconds:
            out["seconds"] = self.seconds
        if self.action == "drop":
            out["when"] = "after" if self.after_apply else "before"
        if self.label:
            out["label"] = self.label
        return out


@dataclass
class Plan:
    """What to do to one request."""

    delay: float = 0.0
    actions: list[Callable[[], None]] = field(default_factory=list)
    error: int = 0
    drop_before: bool = False
    drop_after: bool = False

    @property
    def faulted(self) -> bool:
        """True when the request will not get its normal answer."""
        return bool(self.error or self.drop_before or self.drop_after)


class Faults:
    """The queue of pending fault rules plus a constant latency."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Rule] = []
        self.latency = 0.0

    def add(self, rule: Rule) -> None:
        """Queue a rule (unknown kinds are refused, so a typo cannot silently never fire)."""
        if rule.count < 1:
            raise ValueError("count must be at least 1")
        if rule.kind is not None and rule.kind not in ALL_KINDS | {"read", "write"}:
            raise ValueError(f"unknown request kind {rule.kind!r}; known: {sorted(ALL_KINDS)}")
        with self._lock:
            self._rules.append(rule)

    def clear(self) -> None:
        """Drop every pending rule and the latency."""
        with self._lock:
            self._rules.clear()
            self.latency = 0.0

    def pending(self) -> list[dict[str, Any]]:
        """Descriptions of the rules still waiting."""
        with self._lock:
            return [rule.describe() for rule in self._rules]

    def plan(self, kind: str) -> Plan:
        """Consume the rules that apply to a request of ``kind``."""
        plan = Plan(delay=self.latency)
        with self._lock:
            delay_taken = outcome_taken = False
            for rule in self._rules:
                if not kind_matches(rule.kind, kind):
                    continue
                if rule.action == "delay" and not delay_taken:
                    plan.delay += rule.seconds
                    delay_taken = True
                elif rule.action == "before" and rule.callback is not None:
                    plan.actions.append(rule.callback)
                elif rule.action in ("error", "drop") and not outcome_taken:
                    outcome_taken = True
                    if rule.action == "error":
                        plan.error = rule.status
                    elif rule.after_apply:
                        plan.drop_after = True
                    else:
                        plan.drop_before = True
                else:
                    continue
                rule.count -= 1
            self._rules = [rule for rule in self._rules if rule.count > 0]
        return plan


class Stats:
    """Request counts by kind, bytes in/out, and a bounded log of recent requests."""

    def __init__(self, log_size: int = 2000) -> None:
        self._lock = threading.Lock()
        self._log_size = log_size
        self.reset()

    def reset(self) -> None:
        """Zero every counter and empty the log."""
        with self._lock:
            self.by_kind: Counter[str] = Counter()
            self.bytes_received = 0
            self.bytes_sent = 0
            self.faults_injected = 0
            self.log: deque[dict[str, Any]] = deque(maxlen=self._log_size)

    def record(
        self,
        kind: str,
        method: str,
        path: str,
        received: int,
        sent: int,
        status: int,
        faulted: bool,
    ) -> None:
        """Count one finished request."""
        with self._lock:
            self.by_kind[kind] += 1
            self.bytes_received += received
            self.bytes_sent += sent
            self.faults_injected += int(faulted)
            self.log.append({"kind": kind, "method": method, "path": path, "status": status})

    def count(self, kind: str | None = None) -> int:
        """Requests of ``kind`` (``None`` = all, ``"read"``/``"write"`` = groups)."""
        with self._lock:
            return sum(n for k, n in self.by_kind.items() if kind_matches(kind, k))

    def snapshot(self) -> dict[str, Any]:
        """All counters as JSON."""
        with self._lock:
            reads = sum(n for k, n in self.by_kind.items() if is_read(k))
            total = sum(self.by_kind.values())
            return {
                "requests": dict(sorted(self.by_kind.items())),
                "total": total,
                "reads": reads,
                "writes": total - reads,
                "bytes_received": self.bytes_received,
                "bytes_sent": self.bytes_sent,
                "faults_injected": self.faults_injected,
            }

    def recent(self) -> list[dict[str, Any]]:
        """The recent-request log, oldest first."""
        with self._lock:
            return list(self.log)
