"""Replay of real Google answers (gspread's cassettes) against the local server."""

from __future__ import annotations

from openorder_sheets.testing.sheets_server.replay import (
    IdMap,
    compare,
    default_directory,
    format_table,
    replay_directory,
)

RECORDINGS = default_directory()

#: Interactions that cannot match, as (file, interaction index) → reason. Empty: every recorded
#: interaction matches. (The private-spreadsheet recording needs one precondition, declared in
#: replay.PRECONDITIONS: the spreadsheet exists on Google but belongs to someone else.)
KNOWN_MISMATCHES: dict[tuple[str, int], str] = {}


def test_every_recorded_interaction_matches() -> None:
    """Every recorded Sheets/Drive request gets Google's status and JSON body (ids normalised)."""
    results = replay_directory(RECORDINGS)
    print(format_table(results))
    assert results, "no recordings found"
    unexpected = [
        f"{r.name} #{o.index}: {o.diff}"
        for r in results
        for o in r.outcomes
        if not o.matched and (r.name, o.index) not in KNOWN_MISMATCHES
    ]
    assert unexpected == []
    stale = [
        key
        for key in KNOWN_MISMATCHES
        if any(
            r.name == key[0] and o.index == key[1] and o.matched
            for r in results
            for o in r.outcomes
        )
    ]
    assert stale == [], "listed as known mismatches but now matching"
    assert sum(r.total for r in results) >= 297


def test_compare_normalises_ids_but_catches_differences() -> None:
    """The comparison maps ids consistently and reports the first real difference."""
    ids = IdMap()
    recorded = {"spreadsheetId": "rec", "sheetId": 7, "values": [["a"]]}
    assert (
        compare(recorded, {"spreadsheetId": "ours", "sheetId": 9, "values": [["a"]]}, ids) is None
    )
    assert compare({"sheetId": 7}, {"sheetId": 10}, ids) is not None  # 7 already means 9
    diff = compare({"range": "Sheet1!A1:D4"}, {"range": "Sheet1!A1:Z1000"}, ids)
    assert diff == "$.range: expected 'Sheet1!A1:D4', got 'Sheet1!A1:Z1000'"
    assert compare({"values": [["a"], []]}, {"values": [["a"]]}, ids) is not None
    assert compare({"a": 1}, {"a": 1, "b": 2}, ids) is not None
