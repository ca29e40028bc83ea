"""Reading bank statements: exported files of each bank, pasted rows, keys and the tab."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openorder_sheets.core.bank_statements import (
    ColumnMapping,
    Statement,
    credit_key,
    parse_export,
    parse_pasted,
    rows_to_append,
    tab_header,
    tab_rows,
)
from openorder_sheets.core.model import Credit
from openorder_sheets.errors import ConfigError

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "statements"
D, T = dt.date, dt.time


def sample(name: str) -> Statement:
    return parse_export((SAMPLES / name).read_text(encoding="utf-8"))


def seen(statement: Statement) -> list[tuple[dt.date | None, dt.time | None, Decimal, str]]:
    return [(c.day, c.time, c.amount, c.description) for c in statement.credits]


def reasons(statement: Statement) -> list[str]:
    """Each skipped row's reason, as one word: debit, pending, total, same."""
    words = {"debit)": "debit", "(PEND)": "pending", "total line": "total", "counts once": "same"}
    return [next(w for k, w in words.items() if k in text) for text in statement.skipped]


def paste(*rows: Sequence[object]) -> Statement:
    return parse_pasted([list(row) for row in rows])


# Each layout, from its sample file ---------------------------------------------------------

LAYOUTS = {
    "bca_personal.csv": (
        "BCA",
        [
            (D(2026, 1, 2), None, Decimal("150123.00"),
             "TRSF E-BANKING CR 0201/FTSCY/WS95031 150123.00 PO-0012 SITI RAHMA"),
            (D(2026, 1, 3), None, Decimal("1500000.00"),
             "BI-FAST CR BIF TRANSFER DR 014 PO-0015 DEWI ANGGRAINI"),
            (D(2026, 1, 6), None, Decimal("82050.00"),
             "SWITCHING CR TRANSFER DR 009 PO-0018 BUDI SANTOSO"),
        ],
        ["debit", "debit", "pending", "total", "total", "total", "total"],
    ),
    "bca_business.csv": (
        "BCA (KlikBCA Bisnis)",
        [
            (D(2026, 2, 2), None, Decimal(250000),
             "TRSF E-BANKING CR 0202/FTSCY/WS95031 250000.00 PO-0101 ANDI PRATAMA"),
            (D(2026, 2, 4), None, Decimal(137500),
             "TRSF E-BANKING CR 0402/FTSCY/WS95044 137500.00 INV 0102 MAYA SARI"),
        ],
        ["debit", "debit", "pending", "total", "total", "total", "total"],
    ),
    "mandiri_personal.csv": (
        "Mandiri",
        [
            (D(2026, 8, 3), T(9, 15, 42), Decimal(150000),
             "Transfer dari BCA PO-0033 LINDA KUSUMA"),
            (D(2026, 8, 5), T(14, 22, 5), Decimal(212500),
             "Transfer BI Fast Dari BRI PO-0035 AGUS SETIAWAN"),
            (D(2026, 8, 10), T(20, 45), Decimal(1025000),
             "Transfer dari MANDIRI PO-0040 FITRI HANDAYANI"),
        ],
        ["debit", "debit", "total", "total", "total", "total"],
    ),
    "mandiri_mcm.csv": (
        "Mandiri (MCM)",
        [
            (D(2026, 3, 2), T(8, 14, 9), Decimal(450000),
             "TRANSFER DARI SITI NURJANAH PO-0201 KUE KERING"),
            (D(2026, 3, 4), T(10, 2, 31), Decimal(1275000),
             "SKN CR DARI BNI PO-0204 HENDRA WIJAYA"),
            (D(2026, 3, 6), T(9, 9, 9), Decimal(98750), "TRANSFER DARI AYU LESTARI PO-0210"),
        ],
        ["debit", "debit", "total", "total", "total", "total"],
    ),
    "bri_personal.csv": (
        "BRI",
        [
            (D(2026, 4, 2), T(9, 15, 33), Decimal(125000), "NBMB SITI AMINAH TO IBU SRI PO-0301"),
            (D(2026, 4, 5), T(19, 47, 2), Decimal(64900), "BRIVA PO-0305 DIAN PERMATA"),
        ],
        ["total", "debit", "debit", "total", "total", "total", "total"],
    ),
    "bri_cms.csv": (
        "BRI (CMS)",
        [
            (D(2026, 5, 4), T(9, 22, 5), Decimal("150123.00"), "TRF DR PUTRI MAHARANI PO-0401"),
            (D(2026, 5, 6), T(8, 5, 1), Decimal(320000), "TRF DR RIZKY RAMADHAN PO-0405"),
        ],
        ["debit", "debit", "total", "total", "total", "total"],
    ),
    "bni_personal.csv": (
        "BNI",
        [
            (D(2026, 5, 2), T(10, 11, 12), Decimal(175000),
             "TRANSFER DARI | LESTARI NINGSIH | PO-0501"),
            (D(2026, 5, 9), T(21, 30), Decimal(2450000), "TRANSFER DARI | EKO PRASETYO | PO-0508"),
        ],
        ["debit", "debit", "total", "total", "total", "total"],
    ),
    "bni_direct.csv": (
        "BNI (BNIDirect)",
        [
            (D(2025, 12, 1), T(8, 30, 15), Decimal(310000), "TRANSFER FROM WULAN SARI PO-0601"),
            (D(2025, 12, 15), T(17, 5, 59), Decimal(1150000),
             "TRANSFER FROM TAUFIK HIDAYAT PO-0612"),
        ],
        ["debit", "debit", "total", "total", "total", "total"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_each_layout_is_recognised_and_read_exactly(name: str) -> None:
    """Each bank's export names its layout and gives exactly its credits, nothing else."""
    bank, credits, skipped = LAYOUTS[name]
    statement = sample(name)
    assert statement.bank == bank
    assert seen(statement) == credits
    assert all(isinstance(c.amount, Decimal) and c.bank == bank for c in statement.credits)
    assert all(c.row is None for c in statement.credits)
    assert reasons(statement) == skipped
    assert statement.problems == []


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_windows_and_old_mac_line_ends(newline: str) -> None:
    """Line ends do not change what a file says, nor the line numbers in its reasons."""
    text = (SAMPLES / "bca_personal.csv").read_text(encoding="utf-8")
    assert parse_export(text.replace("\n", newline)) == sample("bca_personal.csv")


def test_skipped_rows_say_why_with_the_line() -> None:
    """A debit, a pending row and a total line each get one plain sentence naming the line."""
    skipped = sample("bca_personal.csv").skipped
    assert skipped[0] == "Line 8: money going out (debit), not an incoming transfer."
    assert skipped[2].startswith("Line 12: pending (PEND)")
    assert skipped[3] == "Line 13: a balance or total line ('Saldo Awal :'), not a transfer."


def test_messages_in_indonesian() -> None:
    """With language="id" the reasons are Indonesian."""
    text = (SAMPLES / "bca_personal.csv").read_text(encoding="utf-8")
    skipped = parse_export(text, language="id").skipped
    assert skipped[0] == "Baris 8: uang keluar (debet), bukan transfer masuk."


def test_a_file_without_a_known_table_is_a_problem() -> None:
    """A file with no date and amount headings says to give a column mapping."""
    statement = parse_export("Nama,Alamat\nSiti,Jl. Mawar 1\n")
    assert statement.credits == []
    assert "column mapping" in statement.problems[0]


def test_unknown_bank_with_recognisable_headings_is_still_read() -> None:
    """Headings the tool knows (Tanggal, Keterangan, Kredit) are read with bank ''."""
    statement = parse_export("Tanggal;Keterangan;Debet;Kredit\n02/01/2026;PO-1 ANI;;50.000\n")
    assert statement.bank == ""
    assert seen(statement) == [(D(2026, 1, 2), None, Decimal(50000), "PO-1 ANI")]


# A column mapping for any other bank -------------------------------------------------------

OTHER_BANK = """Bank Contoh - Account activity
Account,999-000-111
Trx Date,Trx Time,Details,Note,Money In,Money Out,Running Balance
01/31/2026,7:05 PM,Incoming transfer,PO-0701 SARI,"45,000.00",,"145,000.00"
02/01/2026,8:10 AM,Card payment,,,"20,000.00","125,000.00"
"""


def test_a_column_mapping_reads_another_banks_export() -> None:
    """Named columns, two description columns and a month-first date format."""
    mapping = ColumnMapping(
        date="trx date",
        description=("Details", "Note"),
        credit="Money In",
        debit="Money Out",
        date_format="%m/%d/%Y",
        bank="Bank Contoh",
    )
    statement = parse_export(OTHER_BANK, mapping)
    assert statement.bank == "Bank Contoh"
    assert seen(statement) == [
        (D(2026, 1, 31), None, Decimal(45000), "Incoming transfer PO-0701 SARI")
    ]
    assert reasons(statement) == ["debit"]


def test_a_column_mapping_by_position_skips_the_lines_above_the_table() -> None:
    """Positions only: reading starts at the first line whose date cell holds a date."""
    mapping = ColumnMapping(date=0, description=2, credit=4, debit=5, date_format="%m/%d/%Y")
    statement = parse_export(OTHER_BANK, mapping)
    assert seen(statement) == [(D(2026, 1, 31), None, Decimal(45000), "Incoming transfer")]
    assert statement.skipped == ["Line 5: money going out (debit), not an incoming transfer."]
    assert statement.problems == []


def test_a_mapping_naming_a_missing_heading_is_a_problem() -> None:
    """A heading the file does not have is named in the problem."""
    statement = parse_export(OTHER_BANK, ColumnMapping(date="Tanggal", amount="Money In"))
    assert statement.credits == []
    assert "Tanggal" in statement.problems[0]


def test_a_mapping_needs_an_amount_column() -> None:
    """A mapping without amount or credit is refused with the fix."""
    with pytest.raises(ConfigError, match="give amount"):
        ColumnMapping(date=0, description=1)


# Dates, times and numbers ------------------------------------------------------------------


def one_credit(date: object, amount: object = "50.000", time: object = None) -> Credit:
    statement = paste(["Tanggal", "Jam", "Keterangan", "Jumlah"], [date, time, "PO-1", amount])
    assert statement.problems == []
    (credit,) = statement.credits
    return credit


@pytest.mark.parametrize(
    ("written", "day", "time"),
    [
        ("'02/01/2026", D(2026, 1, 2), None),
        ("02/01/26", D(2026, 1, 2), None),
        ("02-01-2026", D(2026, 1, 2), None),
        ("02/01/2026 14:22", D(2026, 1, 2), T(14, 22)),
        ("'02/01/26 14.22.05", D(2026, 1, 2), T(14, 22, 5)),
        ("2026-01-02", D(2026, 1, 2), None),
        ("02-Jan-2026", D(2026, 1, 2), None),
        ("02 Jan 2026 09:05:00 WIB", D(2026, 1, 2), T(9, 5)),
        (dt.datetime(2026, 1, 2, 14, 22, 5), D(2026, 1, 2), T(14, 22, 5)),
        (dt.datetime(2026, 1, 2), D(2026, 1, 2), None),
        (D(2026, 1, 2), D(2026, 1, 2), None),
        (46024.5, D(2026, 1, 2), T(12)),  # a Google serial number
    ],
)
def test_dates_in_every_written_form(written: object, day: dt.date, time: dt.time | None) -> None:
    """Apostrophes, dd/mm/yy, dd-MMM-yyyy, a time inside, and values the sheet converted."""
    credit = one_credit(written)
    assert (credit.day, credit.time) == (day, time)


@pytest.mark.parametrize(
    ("month", "number"),
    [
        ("Jan", 1), ("Feb", 2), ("Mar", 3), ("Apr", 4), ("Mei", 5), ("May", 5), ("Jun", 6),
        ("Jul", 7), ("Agu", 8), ("Agt", 8), ("Aug", 8), ("Sep", 9), ("Okt", 10), ("Oct", 10),
        ("Nov", 11), ("Des", 12), ("Dec", 12), ("Agustus", 8), ("DES", 12),
    ],
)  # fmt: skip
def test_indonesian_and_english_month_names(month: str, number: int) -> None:
    """dd-MMM-yyyy and dd MMM yyyy in either language."""
    assert one_credit(f"05-{month}-2026").day == D(2026, number, 5)
    assert one_credit(f"05 {month} 2026").day == D(2026, number, 5)


def test_a_date_without_its_year_takes_it_from_the_period_line() -> None:
    """KlikBCA's `'dd/mm`: the period line says the year, also across New Year."""
    text = (
        "Periode : ,15/12/2025 - 15/01/2026\n"
        "Tanggal Transaksi,Keterangan,Cabang,Jumlah,Saldo\n"
        "'30/12,TRSF CR PO-1,'0000,\"10,000.00 CR\",0\n"
        "'02/01,TRSF CR PO-2,'0000,\"20,000.00 CR\",0\n"
    )
    assert [c.day for c in parse_export(text).credits] == [D(2025, 12, 30), D(2026, 1, 2)]
    no_period = parse_export(text.split("\n", 1)[1])
    assert no_period.credits == []
    assert "has no year" in no_period.problems[0]


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("5,000,000.00", Decimal(5000000)),
        ("5.000.000,00", Decimal(5000000)),
        ("150.000", Decimal(150000)),
        ("150,000", Decimal(150000)),
        ("150123.5", Decimal("150123.5")),
        ("150123,50", Decimal("150123.5")),
        ("Rp 85.000", Decimal(85000)),
        ("Rp85.000,00", Decimal(85000)),
        ("1,500,000.00 CR", Decimal(1500000)),
        ("1.500.000,00 K", Decimal(1500000)),
        ("+75.000", Decimal(75000)),
        (150000, Decimal(150000)),
        (150123.5, Decimal("150123.5")),
    ],
)
def test_both_number_styles_decided_by_the_pattern(written: object, amount: Decimal) -> None:
    """English and Indonesian separators, Rp, and a CR/K written with the amount."""
    assert one_credit("02/01/2026", written).amount == amount


@pytest.mark.parametrize(
    "written", ["287,490.00 DB", "287.490,00 D", "-287.490", "(287,490.00)", "287,490.00-"]
)
def test_debits_written_with_the_amount_are_skipped(written: str) -> None:
    """DB/D, a minus sign or brackets make the row a debit."""
    statement = paste(["Tanggal", "Keterangan", "Jumlah"], ["02/01/2026", "X", written])
    assert statement.credits == []
    assert reasons(statement) == ["debit"]


@pytest.mark.parametrize(
    ("written", "time"),
    [
        (92205, T(9, 22, 5)),
        ("092205", T(9, 22, 5)),
        (92205.0, T(9, 22, 5)),
        (143010, T(14, 30, 10)),
        ("14:22:05", T(14, 22, 5)),
        ("14.22", T(14, 22)),
        (T(14, 22, 5), T(14, 22, 5)),
        (0.5, T(12)),  # a Google day fraction
        (dt.datetime(2026, 1, 2, 7, 30), T(7, 30)),
    ],
)
def test_time_of_day_in_its_own_column(written: object, time: dt.time) -> None:
    """HH:MM:SS, HHMMSS as a number or text, a time value or a day fraction."""
    assert one_credit("02/01/2026", time=written).time == time


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        (["02/01/2026", "X", "sepuluh ribu"], "the amount 'sepuluh ribu' is not a number"),
        (["31/02/2026", "X", "50.000"], "the date '31/02/2026' cannot be read"),
        (["kemarin", "X", "50.000"], "the date 'kemarin' cannot be read"),
        (["02/01/2026", "X", "1,2,3"], "the amount '1,2,3' is not a number"),
    ],
)
def test_unreadable_rows_are_problems_naming_the_row_and_value(
    row: list[object], fragment: str
) -> None:
    """A row with an amount that cannot be read is a problem, not a silent skip."""
    statement = paste(["Tanggal", "Keterangan", "Jumlah"], row)
    assert statement.credits == []
    assert len(statement.problems) == 1
    assert statement.problems[0].startswith(f"Bank statement row 2: {fragment} — ")


def test_a_direction_column_that_says_neither_is_a_problem() -> None:
    """CR/DB column with another word: the row is not taken and the value is named."""
    statement = paste(
        ["Tanggal", "Keterangan", "Jumlah", "DB/CR"], ["02/01/2026", "X", "5.000", "?"]
    )
    assert statement.credits == []
    assert "'?' does not say credit or debit" in statement.problems[0]


def test_notes_without_date_or_amount_are_passed_over() -> None:
    """A seller's note line in the tab is neither a credit nor a problem."""
    statement = paste(["Tanggal", "Keterangan", "Jumlah"], ["", "cek lagi besok", None])
    assert statement == Statement()


# Pasted rows -------------------------------------------------------------------------------


def test_pasted_rows_with_an_indonesian_header_and_converted_cells() -> None:
    """The header row is found below a title; datetimes and numbers from the sheet are read."""
    statement = paste(
        ["Mutasi rekening Januari", None, None, None],
        [None, None, None, None],
        ["Tanggal", "Uraian", "Mutasi", "CR/DB"],
        [dt.datetime(2026, 1, 2, 14, 22, 5), "TRSF E-BANKING CR PO-0012 SITI", 150123.0, "CR"],
        [dt.date(2026, 1, 3), "KARTU DEBIT", 45500, "DB"],
        ["PEND", "TRSF E-BANKING CR PO-0013", 9000, "CR"],
    )
    assert seen(statement) == [
        (D(2026, 1, 2), T(14, 22, 5), Decimal(150123), "TRSF E-BANKING CR PO-0012 SITI")
    ]
    assert statement.credits[0].row == 3
    assert reasons(statement) == ["debit", "pending"]
    assert statement.skipped[0].startswith("Bank statement row 5:")


def test_pasted_rows_without_a_header_are_guessed_from_their_shapes() -> None:
    """Date, time, description and a CR/DB amount told apart; the balance is not the amount."""
    statement = paste(
        [1, "02/01/2026", "09:15", "TRSF CR PO-0012 SITI RAHMA", "150,123.00 CR", "1,650,123.00"],
        [2, "02/01/2026", "10:00", "KARTU DEBIT ALFAMART", "45,500.00 DB", "1,604,623.00"],
        [
            3,
            dt.datetime(2026, 1, 3, 8, 0),
            None,
            "BI-FAST CR PO-0015 DEWI",
            "99.000 CR",
            "1.703.623",
        ],
    )
    assert seen(statement) == [
        (D(2026, 1, 2), T(9, 15), Decimal("150123.00"), "TRSF CR PO-0012 SITI RAHMA"),
        (D(2026, 1, 3), T(8), Decimal(99000), "BI-FAST CR PO-0015 DEWI"),
    ]
    assert [c.row for c in statement.credits] == [0, 2]
    assert reasons(statement) == ["debit"]


def test_pasted_rows_with_a_separate_direction_column_and_no_header() -> None:
    """With a CR/DB column the first number column is the amount."""
    statement = paste(
        [dt.date(2026, 1, 2), "PO-1 ANI", 50000, "CR", 1050000],
        [dt.date(2026, 1, 2), "BELI GULA", 20000, "DB", 1030000],
    )
    assert seen(statement) == [(D(2026, 1, 2), None, Decimal(50000), "PO-1 ANI")]


def test_pasted_rows_whose_amount_cannot_be_told_apart_ask_for_a_header() -> None:
    """Two unsigned number columns and no header: a problem, never a guess."""
    statement = paste([dt.date(2026, 1, 2), "PO-1", 50000, 1050000])
    assert statement.credits == []
    assert statement.problems == [
        "The Bank statement tab has no header row and its columns cannot be told apart "
        "— add one: Date, Time, Description, Amount."
    ]


def test_an_empty_tab_is_an_empty_statement() -> None:
    """Nothing pasted yet: no credits and no problems."""
    assert parse_pasted([]) == Statement()
    assert parse_pasted([[None, ""], []]) == Statement()


HOSTILE = ['=HYPERLINK("http://evil.example","klik")', "{{ 7*7 }}", "<script>alert(1)</script>"]


@pytest.mark.parametrize("description", HOSTILE)
def test_hostile_descriptions_are_kept_verbatim_as_text(description: str) -> None:
    """Buyer-typed text stays text: exported, pasted and written back to the tab."""
    quoted = '"' + description.replace('"', '""') + '"'
    exported = parse_export(f"Tanggal,Keterangan,Kredit\n02/01/2026,{quoted},50000\n")
    assert exported.credits[0].description == description
    pasted = paste(["Date", "Description", "Amount"], ["02/01/2026", description, 1])
    assert pasted.credits[0].description == description
    (written,) = tab_rows(exported.credits, "en")
    assert written[2] == ("'" + description if description.startswith("=") else description)
    back = parse_pasted([tab_header("en"), written])
    assert back.credits[0].description == description


# Keys, importing twice, the tab ------------------------------------------------------------


def test_credit_key_folds_spaces_case_and_amount_form() -> None:
    """150123.00 and 150123 are one amount; a different time is a different transfer."""
    day = D(2026, 1, 2)
    one = credit_key(day, T(9), Decimal("150123.00"), "TRSF  CR po-12 Siti")
    assert one == credit_key(day, T(9), Decimal(150123), " trsf cr PO-12 SITI ")
    assert one != credit_key(day, T(10), Decimal(150123), "TRSF CR PO-12 SITI")
    assert one != credit_key(day, T(9), Decimal(150124), "TRSF CR PO-12 SITI")


def test_two_identical_transfers_count_once_and_say_so() -> None:
    """The second identical row is skipped with the advice to tick Paid by hand."""
    row = ["02/01/2026", "TRSF CR PO-1 ANI", "50.000"]
    statement = paste(["Tanggal", "Keterangan", "Jumlah"], row, row)
    assert len(statement.credits) == 1
    assert statement.skipped == [
        "Bank statement row 3: the same date, time, amount and description as Bank statement "
        "row 2, so it counts once — if it really is a second transfer, tick Paid by hand."
    ]


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_importing_the_same_file_twice_appends_nothing(name: str) -> None:
    """Append, read the tab back, import again: nothing new."""
    imported = sample(name)
    first = rows_to_append(Statement(), imported)
    assert first == [replace_row(c) for c in imported.credits]
    tab = parse_pasted([tab_header("id"), *tab_rows(first, "id")])
    assert [c.key for c in tab.credits] == [c.key for c in imported.credits]
    assert [c.bank for c in tab.credits] == [c.bank for c in imported.credits]
    assert rows_to_append(tab, sample(name)) == []


def replace_row(credit: Credit) -> Credit:
    return Credit(
        credit.key, credit.day, credit.time, credit.amount, credit.description, credit.bank
    )


def test_a_paste_without_times_matches_the_imported_file_once() -> None:
    """A row pasted without its time is the same transfer as the file's timed one."""
    pasted = paste(
        ["Tanggal", "Keterangan", "Jumlah"],
        ["04/05/2026", "TRF DR PUTRI MAHARANI PO-0401", "150.123,00"],
    )
    new = rows_to_append(pasted, sample("bri_cms.csv"))
    assert [c.description for c in new] == ["TRF DR RIZKY RAMADHAN PO-0405"]


def test_tab_rows_are_real_values_in_the_tab_order() -> None:
    """Date as a date, time as HH:MM:SS text, amount as a number, then the bank."""
    credits = sample("mandiri_personal.csv").credits[:1]
    assert tab_rows(credits, "id", with_header=True) == [
        ["Tanggal", "Jam", "Keterangan", "Jumlah", "Bank"],
        [D(2026, 8, 3), "09:15:42", "Transfer dari BCA PO-0033 LINDA KUSUMA", 150000, "Mandiri"],
    ]
    assert tab_header("en") == ["Date", "Time", "Description", "Amount", "Bank"]


# Invariants --------------------------------------------------------------------------------

ASCII_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)


@given(ASCII_TEXT, st.data())
def test_credit_key_is_stable_under_whitespace_and_case(
    description: str, data: st.DataObject
) -> None:
    """Re-spacing and re-casing a description never changes its key."""
    words = description.split()
    spaces = data.draw(
        st.lists(
            st.sampled_from([" ", "  ", "\t", " \n "]),
            min_size=len(words) + 1,
            max_size=len(words) + 1,
        )
    )
    respaced = spaces[0] + "".join(w + s for w, s in zip(words, spaces[1:], strict=True))
    recased = data.draw(st.sampled_from([str.upper, str.lower, str.swapcase, str.title]))(respaced)
    day, amount = D(2026, 1, 2), Decimal("150123.00")
    assert credit_key(day, None, amount, description) == credit_key(day, None, amount, recased)


CREDITS = st.builds(
    lambda day, time, cents, description, bank: Credit(
        credit_key(day, time, Decimal(cents) / 100, description),
        day,
        time,
        Decimal(cents) / 100,
        description,
        bank,
    ),
    st.dates(D(2000, 1, 1), D(2099, 12, 31)),
    st.none() | st.times().map(lambda t: t.replace(microsecond=0)),
    st.integers(1, 10**14 - 1),
    st.text(max_size=60),
    st.sampled_from(["", "BCA", "Mandiri (MCM)", "=cmd"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(CREDITS, max_size=6, unique_by=lambda c: c.key), st.sampled_from(["en", "id"]))
def test_tab_rows_read_back_to_the_same_keys(credits: list[Credit], language: str) -> None:
    """Whatever is appended to the tab, parse_pasted reads back the same credits."""
    back = parse_pasted(tab_rows(credits, language, with_header=True))
    assert back.problems == []
    assert back.skipped == []
    assert [c.key for c in back.credits] == [c.key for c in credits]
    assert [c.row for c in back.credits] == list(range(1, len(credits) + 1))
    assert rows_to_append(back, Statement(credits=credits)) == []


CELLS = (
    st.none()
    | st.text(max_size=20)
    | st.integers()
    | st.floats()
    | st.booleans()
    | st.dates()
    | st.datetimes()
    | st.times()
    | st.sampled_from(["Tanggal", "Jumlah", "Kredit", "CR", "DB", "PEND", "02/01/2026", "1.500,00"])
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(CELLS, max_size=6), max_size=6))
def test_any_pasted_cells_never_crash(rows: list[list[object]]) -> None:
    """Whatever a seller pastes, the result is credits, skipped rows or problems."""
    statement = parse_pasted(rows)
    assert all(c.amount > 0 for c in statement.credits)


@settings(max_examples=150, deadline=None)
@given(
    st.text(st.sampled_from(list("0123456789/.,;:'\"\t\n -CRDBTanggalJumlahKredit")), max_size=200)
)
def test_any_export_text_never_crashes(text: str) -> None:
    """Whatever a file holds, the result is credits, skipped rows or problems."""
    statement = parse_export(text)
    assert all(c.amount > 0 for c in statement.credits)
