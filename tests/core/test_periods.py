"""Calendar and fiscal periods: labels, inclusive bounds, overlap days (pure Python)."""

from datetime import date

import pytest

from teamquota.core.periods import (
    Period,
    overlap_days,
    parse_period,
    period_of,
    periods_between,
)


def test_period_of__quarter_month_year_inclusive_bounds():
    q = period_of("quarter", date(2017, 2, 14))
    assert q == Period(date(2017, 1, 1), date(2017, 3, 31), "quarter", "2017-Q1")
    assert q.days == 90  # 31 + 28 + 31
    assert period_of("month", date(2016, 2, 29)) == Period(
        date(2016, 2, 1), date(2016, 2, 29), "month", "2016-02")
    assert period_of("year", date(2017, 12, 31)) == Period(
        date(2017, 1, 1), date(2017, 12, 31), "year", "2017")
    assert period_of("quarter", date(2017, 12, 31)).label == "2017-Q4"
    assert period_of("quarter", date(2017, 10, 1)).start == date(2017, 10, 1)


def test_period__contains_both_ends_only():
    q = period_of("quarter", date(2017, 5, 1))  # Apr 1 .. Jun 30
    assert q.contains(date(2017, 4, 1)) and q.contains(date(2017, 6, 30))
    assert not q.contains(date(2017, 3, 31)) and not q.contains(date(2017, 7, 1))


def test_period_of__fiscal_year_named_by_the_year_it_ends_in():
    # FY2018 starts 2017-02-01: Feb-Apr 2017 is its Q1, Jan 2018 its last month
    q = period_of("quarter", date(2017, 3, 15), 2)
    assert (q.start, q.end, q.label) == (date(2017, 2, 1), date(2017, 4, 30), "2018-Q1")
    assert period_of("quarter", date(2018, 1, 31), 2).label == "2018-Q4"
    assert period_of("year", date(2017, 1, 31), 2) == Period(
        date(2016, 2, 1), date(2017, 1, 31), "year", "2017")
    assert period_of("year", date(2017, 2, 1), 2).label == "2018"
    assert period_of("month", date(2017, 2, 1), 2).label == "2017-02"
    # a year starting in July: Jul 2017 .. Jun 2018 is FY2018, Q3 = Jan .. Mar 2018
    q3 = period_of("quarter", date(2018, 2, 1), 7)
    assert (q3.start, q3.end, q3.label) == (date(2018, 1, 1), date(2018, 3, 31), "2018-Q3")


def test_periods_between__every_overlapping_period_in_order():
    labels = [p.label for p in periods_between("quarter", date(2017, 3, 31),
                                               date(2017, 7, 1))]
    assert labels == ["2017-Q1", "2017-Q2", "2017-Q3"]
    assert [p.label for p in periods_between("month", date(2017, 1, 1),
                                             date(2017, 1, 31))] == ["2017-01"]
    assert [p.label for p in periods_between("quarter", date(2017, 4, 1), date(2017, 4, 1),
                                             2)] == ["2018-Q1"]


@pytest.mark.parametrize(("label", "start", "end", "kind"), [
    ("2017", date(2017, 1, 1), date(2017, 12, 31), "year"),
    ("2017-Q2", date(2017, 4, 1), date(2017, 6, 30), "quarter"),
    ("2017-03", date(2017, 3, 1), date(2017, 3, 31), "month"),
    (" 2017-12 ", date(2017, 12, 1), date(2017, 12, 31), "month"),
])
def test_parse_period__calendar_labels(label, start, end, kind):
    period = parse_period(label)
    assert (period.start, period.end, period.kind, period.label) == (
        start, end, kind, label.strip())


def test_parse_period__fiscal_labels_round_trip():
    # FY2018 from February: Q1 = Feb-Apr 2017; the year = Feb 2017 .. Jan 2018
    q1 = parse_period("2018-Q1", 2)
    assert (q1.start, q1.end, q1.label) == (date(2017, 2, 1), date(2017, 4, 30), "2018-Q1")
    year = parse_period("2018", 2)
    assert (year.start, year.end) == (date(2017, 2, 1), date(2018, 1, 31))
    assert parse_period("2018-Q4", 2).end == date(2018, 1, 31)
    assert parse_period("2017-01", 2).label == "2017-01"


@pytest.mark.parametrize("label", ["2017-Q5", "2017-13", "17", "2017-Q0", "2017-00", "x2017"])
def test_parse_period__bad_labels(label):
    with pytest.raises(ValueError) as raised:
        parse_period(label)
    assert str(raised.value) == (f"not a period label: {label!r}; expected YYYY, YYYY-Qn or "
                                 "YYYY-MM")


Q1 = period_of("quarter", date(2017, 1, 1))  # Jan 1 .. Mar 31, 90 days


@pytest.mark.parametrize(("start", "end", "days"), [
    (date(2016, 1, 1), None, 90),                  # open end: the whole quarter
    (date(2017, 1, 1), date(2017, 2, 14), 45),     # Jan 31 + Feb 14 days, both ends in
    (date(2017, 2, 15), None, 45),                 # Feb 15 .. Mar 31: 14 + 31
    (date(2017, 3, 31), date(2017, 3, 31), 1),     # one day: start = end = last day
    (date(2017, 1, 1), date(2017, 1, 1), 1),       # one day: the first day
    (date(2017, 4, 1), None, 0),                   # after the quarter
    (date(2016, 1, 1), date(2016, 12, 31), 0),     # ended the day before it
    (date(2016, 12, 1), date(2017, 1, 1), 1),      # ends on its first day
])
def test_overlap_days__inclusive_both_ends(start, end, days):
    assert overlap_days(start, end, Q1) == days


def test_months__one_three_or_twelve_by_kind() -> None:
    assert [parse_period(label).months for label in ("2017-03", "2017-Q2", "2017")] == [
        1, 3, 12]
