"""Archived orders' buyers are kept one voice per buyer (`announcements.folded`): for any batch
that opened after they were all submitted, the audience heard from the folded voices and the
live orders' is exactly the one heard from every archived order's voice and the live ones —
whatever the order of answers, blanks, changes of mind and waitlists."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from openorder_sheets.core import memory as mem
from openorder_sheets.core.announcements import Voice, audience, folded
from openorder_sheets.core.model import Batch, Stage

START = dt.datetime(2027, 1, 1, 9, 0, tzinfo=dt.UTC)
EMAILS = ["ani@x.id", "budi@x.id", "citra@x.id", "dedi@x.id"]


def voices(hours: int) -> st.SearchStrategy[list[Voice]]:
    """Voices submitted within ``hours`` after START (answers may be edited later)."""

    def voice(email: str, submitted: int, later: int, opt_in: bool | None, waited: bool) -> Voice:
        moment = START + dt.timedelta(hours=submitted)
        when = moment + dt.timedelta(hours=later)
        return Voice(email, f"Name {submitted}", moment, when, opt_in, waited)

    return st.lists(
        st.builds(
            voice,
            st.sampled_from(EMAILS),
            st.integers(0, hours),
            st.integers(0, 3),
            st.sampled_from([True, False, None]),
            st.booleans(),
        ),
        max_size=12,
    )


def batch(opens: dt.datetime) -> Batch:
    return Batch("PO", opens, opens + dt.timedelta(days=5), None, Stage.NONE, "", 2)


@settings(max_examples=300, deadline=None)
@given(archived=voices(48), live=voices(200), opens_after=st.integers(1, 150))
def test_folded_voices_are_heard_as_all_of_them(
    archived: list[Voice], live: list[Voice], opens_after: int
) -> None:
    last = max((v.submitted for v in archived), default=START)
    opening = batch(last + dt.timedelta(hours=opens_after))
    for waitlisted_too in (True, False):
        every = audience([*archived, *live], opening, waitlisted_too=waitlisted_too)
        kept = audience([*folded(archived), *live], opening, waitlisted_too=waitlisted_too)
        assert kept == every


@settings(max_examples=100, deadline=None)
@given(archived=voices(48))
def test_folded_voices_survive_the_memory(archived: list[Voice]) -> None:
    """Written into the memory and read back, the folded voices are the same voices."""
    back = [
        mem._voice(v.email, mem._voice_data(v))  # the memory's own record of a voice
        for v in folded(archived)
    ]
    assert back == folded(archived)
