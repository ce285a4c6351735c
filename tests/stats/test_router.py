import csv
import io
import itertools
from datetime import UTC, datetime

import pytest

from app.auth.scopes import Scope
from app.organisations.models import OrganisationType
from tests.helpers import assert_problem
from tests.intakes.helpers import make_intake
from tests.referrals.helpers import set_status
from tests.stats.helpers import (
    POSTCODES,
    cells,
    changed_behind_the_services,
    intakes,
    lead_times,
    move_in_time,
    stats,
)


def test_needs_a_key_with_stats_read(client, world, make_party):
    assert_problem(client.get("/api/v1/stats/referrals"), 401)
    partner = make_party(OrganisationType.corporatie)  # no stats:read
    assert_problem(client.get("/api/v1/stats/referrals", headers=partner.headers), 403)
    assert client.get("/api/v1/stats/referrals", headers=world.gemeente.headers).status_code == 200


def test_empty_table(client, world):
    body = stats(client, world.gemeente, group_by="domain")
    assert body["data"] == []
    assert body["min_cell_size"] == 5
    assert body["rounding_base"] == 5
    assert body["group_by"] == ["domain"]
    assert body["as_of"] <= body["generated_at"]


def test_group_by_domain_counts_suppresses_and_rounds(client, world):
    intakes(client, world.thuiszorg, 12, domains=["wonen"])
    intakes(client, world.thuiszorg, 6, domains=["zorg"])
    intakes(client, world.thuiszorg, 3, domains=["welzijn"])
    by = cells(stats(client, world.gemeente, group_by="domain"))
    assert by[("wonen",)]["count"] == 10  # 12, rounded to a multiple of 5
    assert by[("wonen",)]["suppressed"] is False
    assert by[("zorg",)]["count"] == 5  # 6
    welzijn = by[("welzijn",)]
    assert welzijn["suppressed"] is True  # 3 < k
    assert all(welzijn[m] is None for m in ("count", "share_accepted", "overdue"))


def test_every_dimension_and_combinations(client, world, session):
    done = intakes(client, world.thuiszorg, 5, domains=["wonen"], channel="telefoon")
    for intake in done:
        ref = intake["referrals"][0]["id"]
        for step in ("received", "accepted", "in_progress"):
            set_status(client, world.corporatie, ref, step)
        set_status(client, world.corporatie, ref, "completed", outcome="geholpen")
    move_in_time(session, [i["id"] for i in done], datetime(2026, 3, 10, 9, tzinfo=UTC))
    row = {
        "domain": "wonen",
        "organisation": world.corporatie.id,
        "organisation_type": "corporatie",
        "status": "completed",
        "outcome": "geholpen",
        "channel": "telefoon",
        "week": "2026-W11",
        "month": "2026-03",
    }
    for dim, value in row.items():
        body = stats(client, world.gemeente, group_by=dim)
        assert [c["group"][dim] for c in body["data"]] == [value], dim
        assert body["data"][0]["count"] == 5
    org = stats(client, world.gemeente, group_by="organisation")["data"][0]
    assert org["labels"] == {"organisation": "Woonstichting De Linie"}
    area = stats(client, world.gemeente, group_by="area")["data"][0]
    assert area["labels"] == {"area": "Centrum"}
    sub = stats(client, world.gemeente, group_by="subcategory")["data"][0]
    assert sub["group"]["subcategory"] == "woningaanpassing"  # from the classifier
    both = stats(client, world.gemeente, group_by=["domain,month", "channel"])
    assert both["group_by"] == ["domain", "month", "channel"]
    assert both["data"][0]["group"] == {
        "domain": "wonen",
        "month": "2026-03",
        "channel": "telefoon",
    }


def test_unknown_dimension_and_bad_period_are_422(client, world):
    body = assert_problem(
        client.get(
            "/api/v1/stats/referrals?group_by=domain,resident", headers=world.gemeente.headers
        ),
        422,
    )
    assert "resident" in body["detail"]
    assert "month" in body["detail"]  # names the choices
    assert_problem(
        client.get(
            "/api/v1/stats/referrals?from=2026-05-01&to=2026-04-01",
            headers=world.gemeente.headers,
        ),
        422,
    )
    assert_problem(
        client.get("/api/v1/stats/referrals?domain=huisdieren", headers=world.gemeente.headers),
        422,
    )


def test_filters(client, world, session):
    march = intakes(client, world.thuiszorg, 7, domains=["wonen"])
    april = intakes(client, world.thuiszorg, 6, domains=["wonen"], where="noord")
    zorg = intakes(client, world.thuiszorg, 5, domains=["zorg"], where="noord")
    move_in_time(session, [i["id"] for i in march], datetime(2026, 3, 31, 21, tzinfo=UTC))
    # 22:30 UTC on 30 April is 00:30 on 1 May in Dutch summer time.
    move_in_time(session, [i["id"] for i in april], datetime(2026, 4, 30, 22, 30, tzinfo=UTC))
    move_in_time(session, [i["id"] for i in zorg], datetime(2026, 4, 15, 12, tzinfo=UTC))
    g = world.gemeente

    by_month = cells(stats(client, g, group_by="month"))
    assert set(by_month) == {("2026-03",), ("2026-04",), ("2026-05",)}

    april_only = stats(client, g, group_by="domain", **{"from": "2026-04-01", "to": "2026-04-30"})
    assert set(cells(april_only)) == {("zorg",)}
    assert april_only["filters"]["from"] == "2026-04-01"
    may = stats(client, g, group_by="domain", **{"from": "2026-05-01"})
    assert cells(may)[("wonen",)]["count"] == 5  # 6

    only_wonen = cells(stats(client, g, group_by="month", domain="wonen"))
    assert set(only_wonen) == {("2026-03",), ("2026-05",)}

    areas = {
        a["name"]: a["id"] for a in client.get("/api/v1/areas", headers=g.headers).json()["data"]
    }
    noord = cells(stats(client, g, group_by="domain", area=areas["Noord"]))
    assert set(noord) == {("wonen",), ("zorg",)}

    thuiszorg = cells(stats(client, g, group_by="domain", organisation=world.thuiszorg.id))
    assert set(thuiszorg) == {("zorg",)}


def test_intakes_without_consent_count(client, world):
    intakes(client, world.thuiszorg, 6, domains=["wonen"], consent=False, resident=None)
    intakes(client, world.thuiszorg, 5, domains=["wonen"])
    by = cells(stats(client, world.gemeente, group_by="status"))
    assert by[("no_consent",)]["count"] == 5  # 6
    assert by[("requested",)]["count"] == 5
    total = stats(client, world.gemeente)["data"]
    assert len(total) == 1
    assert total[0]["count"] == 10  # 11
    # They go to no organisation, so a filter on one leaves them out.
    assert stats(client, world.gemeente, organisation=world.corporatie.id)["data"][0]["count"] == 5


def test_shares_and_lead_times(client, world, session):
    made = intakes(client, world.thuiszorg, 10, domains=["wonen"])
    refs = [i["referrals"][0]["id"] for i in made]
    for ref in refs[:5]:
        set_status(client, world.corporatie, ref, "received")
        set_status(client, world.corporatie, ref, "accepted")
    for ref in refs[5:]:
        set_status(client, world.corporatie, ref, "received")
        set_status(client, world.corporatie, ref, "rejected", note="niet ons gebied")
    # Mid-step values, so the histogram (see test_service) gives them exactly.
    lead_times(session, refs[:5], [1.5, 2.5, 3.5, 4.5, 11])
    cell = stats(client, world.gemeente, group_by="domain")["data"][0]
    assert cell["count"] == 10
    assert cell["share_accepted"] == 0.5
    assert cell["share_rejected"] == 0.5
    assert cell["median_hours_to_accept"] == 3.5
    assert cell["p90_hours_to_accept"] == 8.4  # linear interpolation, as percentile_cont
    assert cell["median_hours_to_complete"] is None  # nothing completed: not applicable
    assert cell["suppressed_measures"] == []


def test_measures_on_few_referrals_are_suppressed_within_a_cell(client, world, session):
    made = intakes(client, world.thuiszorg, 12, domains=["wonen"])
    refs = [i["referrals"][0]["id"] for i in made]
    for ref in refs[:2]:
        set_status(client, world.corporatie, ref, "received")
        set_status(client, world.corporatie, ref, "rejected", note="dubbel")
    for ref in refs[2:5]:
        set_status(client, world.corporatie, ref, "received")
        set_status(client, world.corporatie, ref, "accepted")
    cell = stats(client, world.gemeente, group_by="domain")["data"][0]
    assert cell["suppressed"] is False
    assert cell["count"] == 10
    assert cell["share_rejected"] is None  # 2 rejections
    assert cell["median_hours_to_accept"] is None  # 3 acceptances
    assert set(cell["suppressed_measures"]) >= {
        "share_rejected",
        "share_accepted",
        "median_hours_to_accept",
        "p90_hours_to_accept",
    }


def test_overdue_count(client, world, session):
    made = intakes(client, world.thuiszorg, 7, domains=["zorg"])
    move_in_time(session, [i["id"] for i in made], datetime(2026, 1, 5, 9, tzinfo=UTC))
    from sqlalchemy import update

    from app.referrals.models import Referral

    session.execute(update(Referral).values(due_at=datetime(2026, 1, 7, 9, tzinfo=UTC)))
    changed_behind_the_services(session)
    cell = stats(client, world.gemeente, group_by="domain")["data"][0]
    assert cell["overdue"] == 5  # 7 overdue, rounded


def test_differencing_attack_finds_nothing(client, world, session):
    """Three wonen referrals in Hoogland hide in a suppressed cell. An analyst who knows the
    total, the other areas and every other slicing cannot get the 3 back."""
    intakes(client, world.thuiszorg, 12, domains=["wonen"], where="centrum")
    intakes(client, world.thuiszorg, 8, domains=["wonen"], where="noord")
    hidden = intakes(client, world.thuiszorg, 3, domains=["wonen"], where="hoogland")
    intakes(client, world.thuiszorg, 9, domains=["zorg"], where="hoogland")
    g = world.gemeente
    areas = {
        a["name"]: a["id"] for a in client.get("/api/v1/areas", headers=g.headers).json()["data"]
    }
    by_area = cells(stats(client, g, group_by="area,domain"))
    assert by_area[(areas["Hoogland"], "wonen")]["suppressed"] is True

    published: list[int] = []
    queries = [
        {},
        {"group_by": "domain"},
        {"group_by": "area"},
        {"group_by": "area,domain"},
        {"group_by": "status"},
        {"group_by": "channel,domain"},
        {"group_by": "organisation"},
        {"domain": "wonen"},
        {"domain": "zorg"},
        *({"area": a} for a in areas.values()),
        *({"area": a, "domain": "wonen"} for a in areas.values()),
        {"organisation": world.corporatie.id},
    ]
    for params in queries:
        for cell in stats(client, g, **params)["data"]:
            for measure in ("count", "overdue"):
                if cell[measure] is not None:
                    published.append(cell[measure])
    assert published
    # Every published count is a multiple of 5, so no sum or difference of them is 3.
    assert all(n % 5 == 0 for n in published)
    for a, b in itertools.combinations(published, 2):
        assert abs(a - b) != len(hidden)
    # Totals: all wonen (23) and all but Hoogland (20) would give 3 away without rounding.
    all_wonen = stats(client, g, domain="wonen")["data"][0]["count"]
    centrum = stats(client, g, domain="wonen", area=areas["Centrum"])["data"][0]["count"]
    noord = stats(client, g, domain="wonen", area=areas["Noord"])["data"][0]["count"]
    assert all_wonen - centrum - noord != 3


def test_csv(client, world):
    intakes(client, world.thuiszorg, 6, domains=["wonen"])
    intakes(client, world.thuiszorg, 2, domains=["zorg"])
    r = client.get(
        "/api/v1/stats/referrals?group_by=domain,organisation",
        headers={**world.gemeente.headers, "Accept": "text/csv"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["API-Version"]
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert list(rows[0]) == [
        "domain",
        "organisation",
        "organisation_name",
        "suppressed",
        "count",
        "share_accepted",
        "share_rejected",
        "median_hours_to_accept",
        "p90_hours_to_accept",
        "median_hours_to_complete",
        "p90_hours_to_complete",
        "overdue",
    ]
    wonen = next(r for r in rows if r["domain"] == "wonen")
    assert wonen["count"] == "5"
    assert wonen["organisation_name"] == "Woonstichting De Linie"
    zorg = next(r for r in rows if r["domain"] == "zorg")
    assert zorg["suppressed"] == "true"
    assert zorg["count"] == ""
    # A download link cannot set Accept: format=csv does the same.
    link = client.get(
        "/api/v1/stats/referrals?group_by=domain,organisation&format=csv",
        headers=world.gemeente.headers,
    )
    assert link.text == r.text


@pytest.mark.parametrize("accept", ["application/xml", "image/png"])
def test_unsupported_media_type_is_406(client, world, accept):
    assert_problem(
        client.get("/api/v1/stats/referrals", headers={**world.gemeente.headers, "Accept": accept}),
        406,
    )


def test_json_by_default_and_for_browsers(client, world):
    for accept in (None, "*/*", "application/json", "text/html,application/json;q=0.9,*/*;q=0.8"):
        headers = dict(world.gemeente.headers)
        if accept:
            headers["Accept"] = accept
        r = client.get("/api/v1/stats/referrals", headers=headers)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/json")
        assert "Accept" in r.headers.get("vary", "")


def test_a_stats_only_key_reads_no_referrals(client, world, make_party):
    dashboard = make_party(OrganisationType.gemeente, scopes=[Scope.stats_read])
    make_intake(client, world.thuiszorg, postcode=POSTCODES["centrum"])
    assert stats(client, dashboard)["data"][0]["suppressed"] is True
    assert_problem(client.get("/api/v1/referrals", headers=dashboard.headers), 403)


@pytest.mark.parametrize(
    ("query", "status"),
    [("to=9999-12-31", 422), ("from=0001-01-01", 422), ("from=2999-12-15", 200)],
)
def test_dates_beyond_what_we_can_hold_are_422_not_500(client, world, query, status):
    # Found in review: these overflowed into a 500.
    r = client.get(f"/api/v1/stats/referrals?{query}", headers=world.gemeente.headers)
    assert r.status_code == status, r.text
