"""The staff pages through the app, as a browser without JavaScript would use them."""

import re

import pytest
from sqlmodel import col, select

from app.audit.models import AuditEntry
from app.web.pages import WEB_CSP
from tests.web.helpers import csrf_of, log_in, main_text, try_login

QUESTION = (
    "Mevrouw kan de trap niet meer op en slaapt beneden; de badkamer is boven. "
    "Ze wil graag een aangepaste woning."
)


def _record_intake(client, **fields):  # type: ignore[no-untyped-def]
    page = client.get("/intake")
    data = {
        "csrf_token": csrf_of(page.text),
        "question": QUESTION,
        "channel": "signalering",
        "postcode": "3811 AB",
        "consent": "ja",
        "name": "mevrouw J. de Vries",
        "phone": "06-12345678",
        **fields,
    }
    return client.post("/intake", data=data)


def _api_intake(client, party, **fields):  # type: ignore[no-untyped-def]
    """The same question and resident, recorded through the API (as a partner system would)."""
    r = client.post(
        "/api/v1/intakes",
        headers=party.headers,
        json={
            "question": QUESTION,
            "channel": "signalering",
            "postcode": "3811 AB",
            "consent": True,
            "resident": {"name": "mevrouw J. de Vries", "phone": "06-12345678"},
            **fields,
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


def _referral_ids(html: str) -> list[str]:
    return re.findall(r'href="/referrals/([0-9a-f-]{36})"', html)


def _corporatie_on_a_new_referral(client, staff):  # type: ignore[no-untyped-def]
    """The thuiszorg records the question on the page; the corporatie logs in and finds it.
    Its id and the corporatie's CSRF token."""
    desk = staff["thuiszorg"]
    log_in(client, desk.username, desk.password)
    _record_intake(client)
    client.cookies.clear()
    corporatie = staff["corporatie"]
    log_in(client, corporatie.username, corporatie.password)
    (referral_id,) = _referral_ids(client.get("/inbox").text)
    page = client.get(f"/referrals/{referral_id}")
    return referral_id, csrf_of(page.text)


def _status_now(client, referral_id: str) -> str:  # type: ignore[no-untyped-def]
    now = re.search(
        r'id="status-now">(.*?)</dd>', client.get(f"/referrals/{referral_id}").text, re.S
    )
    assert now
    return re.sub(r"<[^>]+>", "", now.group(1)).strip()


# --- login -----------------------------------------------------------------------------------


def test_pages_send_you_to_the_login_page_first(client, staff):
    r = client.get("/inbox", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/inbox"
    page = client.get("/login")
    assert page.status_code == 200
    assert '<label for="password">Wachtwoord</label>' in page.text
    assert page.headers["content-security-policy"] == WEB_CSP
    assert page.headers["cache-control"] == "no-store"


def test_a_wrong_password_fails_in_plain_dutch(client, staff):
    r = try_login(
        client, staff["thuiszorg"].username, "niet-het-goede-wachtwoord", follow_redirects=False
    )
    assert r.status_code == 401
    assert "De gebruikersnaam of het wachtwoord klopt niet." in main_text(r.text)
    assert "wwk_session" not in r.cookies
    assert client.get("/intake", follow_redirects=False).status_code == 303


def test_an_unknown_username_gets_the_same_answer(client, staff):
    r = try_login(client, "niemand", "x" * 12)
    assert r.status_code == 401
    assert "De gebruikersnaam of het wachtwoord klopt niet." in r.text


def test_repeated_failures_lock_the_account(client, staff):
    user = staff["corporatie"]
    for _ in range(4):
        r = try_login(client, user.username, "fout")
        assert "klopt niet" in r.text
    r = try_login(client, user.username, "fout")
    assert r.status_code == 401
    answer = main_text(r.text)
    assert "op slot" in answer  # the rule is told, not whether this account is locked
    # Locked: even the right password does not open it now.
    r = try_login(client, user.username, user.password, follow_redirects=False)
    assert r.status_code == 401
    assert main_text(r.text) == answer


def test_the_lockout_does_not_tell_which_usernames_exist(client, staff):
    def answers(username: str) -> list[str]:
        out = []
        for _ in range(6):
            r = try_login(client, username, "fout")
            assert r.status_code == 401
            out.append(main_text(r.text).replace(username, "NAAM"))
        return out

    assert answers(staff["corporatie"].username) == answers("niemand-hier")


def test_a_login_post_without_csrf_token_is_refused(client, staff):
    user = staff["thuiszorg"]
    r = client.post("/login", data={"username": user.username, "password": user.password})
    assert r.status_code == 403
    assert "De pagina is verlopen" in r.text
    assert "wwk_session" not in client.cookies


def test_the_session_cookie_is_httponly_lax_and_secure_behind_tls(client, staff):
    user = staff["thuiszorg"]
    r = try_login(
        client,
        user.username,
        user.password,
        headers={"X-Forwarded-Proto": "https"},
        follow_redirects=False,
    )
    (cookie,) = [c.lower() for c in r.headers.get_list("set-cookie") if "wwk_session=" in c]
    flags = {part.strip().split("=")[0] for part in cookie.split(";")}
    assert {"httponly", "secure", "samesite"} <= flags
    assert "samesite=lax" in cookie


def test_logout_ends_the_session_on_the_server(client, staff):
    user = staff["thuiszorg"]
    log_in(client, user.username, user.password)
    token = client.cookies["wwk_session"]
    page = client.get("/intake")
    r = client.post("/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    client.cookies.set("wwk_session", token)  # a copy of the old cookie opens nothing
    assert client.get("/intake", follow_redirects=False).headers["location"].startswith("/login")


# --- intake ----------------------------------------------------------------------------------


def test_thuiszorg_records_a_signal_and_reads_who_got_what(client, staff, session):
    user = staff["thuiszorg"]
    log_in(client, user.username, user.password)
    page = client.get("/intake")
    assert page.status_code == 200
    assert "Lees deze vraag voor aan de bewoner" in page.text
    r = _record_intake(client)
    assert r.status_code == 200
    assert r.url.path.startswith("/intakes/")
    text = main_text(r.text)
    assert "De vraag is opgeslagen" in text
    assert "Woonstichting De Linie kreeg een verwijzing over wonen" in text

    # The person is the actor in the access log; no API key was used.
    entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    assert entries
    assert {e.actor for e in entries} == {user.username}
    assert {e.api_key_id for e in entries} == {None}
    assert {e.action for e in entries} >= {"create", "read"}


def test_the_intake_form_says_what_is_missing(client, staff):
    user = staff["thuiszorg"]
    log_in(client, user.username, user.password)
    r = _record_intake(client, question="   ", consent="", postcode="12")
    assert r.status_code == 422
    text = main_text(r.text)
    assert "Schrijf de vraag op" in text
    assert "Kies of de bewoner toestemming geeft." in text
    assert "Schrijf de postcode als 1234 AB" in text


def test_the_intake_form_wants_a_real_email_address_and_keeps_the_text(client, staff):
    user = staff["thuiszorg"]
    log_in(client, user.username, user.password)
    r = _record_intake(client, email="niet-een-adres", name="\u200b\u200b")
    assert r.status_code == 422
    text = main_text(r.text)
    assert "Schrijf een e-mailadres zoals naam@voorbeeld.nl" in text
    assert "De naam is te lang, of er staat een vreemd teken in." in text
    assert "niet-een-adres" in r.text  # what was typed is still in the form


def test_without_consent_nothing_goes_to_a_partner(client, staff):
    user = staff["frontoffice"]
    log_in(client, user.username, user.password)
    r = _record_intake(client, consent="nee")
    assert "er is niets naar een partner gestuurd" in main_text(r.text)


def test_the_preview_shows_domains_and_urgent_guidance(client, staff):
    user = staff["thuiszorg"]
    log_in(client, user.username, user.password)
    token = csrf_of(client.get("/intake").text)
    r = client.post(
        "/intake/preview",
        json={"text": "Meneer zegt dat hij niet meer wil leven en zit alleen thuis."},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["urgent"] is True
    assert any("113" in g for g in body["guidance"])
    # Without the token (a foreign page cannot send it) nothing is classified.
    r = client.post("/intake/preview", json={"text": "de trap lukt niet meer"})
    assert r.status_code == 403


def test_the_preview_button_works_without_javascript(client, staff):
    user = staff["thuiszorg"]
    log_in(client, user.username, user.password)
    r = _record_intake(client, action="preview")
    assert r.status_code == 200
    assert "Wonen (het huis)" in main_text(r.text)
    assert "De vraag is opgeslagen" not in r.text


def test_a_gemeente_analyst_cannot_open_the_intake_form(client, staff):
    user = staff["gemeente"]
    log_in(client, user.username, user.password)
    r = client.get("/intake")
    assert r.status_code == 403
    assert "Geen toegang" in r.text


# --- inbox and referral ----------------------------------------------------------------------


def test_partner_works_a_referral_through_to_completed(client, other_client, staff, session):
    desk = staff["thuiszorg"]
    log_in(client, desk.username, desk.password)
    _record_intake(client)

    corporatie = staff["corporatie"]
    log_in(other_client, corporatie.username, corporatie.password)
    inbox = other_client.get("/inbox")
    assert inbox.status_code == 200
    assert "Mevrouw kan de trap niet meer op" in inbox.text
    (referral_id,) = _referral_ids(inbox.text)

    page = other_client.get(f"/referrals/{referral_id}")
    assert "mevrouw J. de Vries" in page.text  # consent covers every kind of partner
    buttons = re.findall(r'name="status" value="(\w+)"', page.text)
    assert buttons == ["received"]  # exactly the legal next step

    for status, expected in (
        ("received", ["accepted", "rejected"]),
        ("accepted", ["in_progress"]),
        ("in_progress", ["on_hold", "completed"]),
    ):
        r = other_client.post(
            f"/referrals/{referral_id}/status",
            data={"csrf_token": csrf_of(page.text), "status": status},
        )
        assert r.status_code == 200
        assert re.findall(r'name="status" value="(\w+)"', r.text) == expected
        page = r
    r = other_client.post(
        f"/referrals/{referral_id}/status",
        data={"csrf_token": csrf_of(page.text), "status": "completed", "outcome": "geholpen"},
    )
    text = main_text(r.text)
    assert "Gelukt. De status is nu: Afgerond." in text
    assert "Uitkomst Geholpen" in text
    assert "Wat wilt u doen?" not in text  # final: no buttons left

    # An illegal step (a stale page) is a Dutch page, and changes nothing.
    r = other_client.post(
        f"/referrals/{referral_id}/status",
        data={"csrf_token": csrf_of(page.text), "status": "accepted"},
    )
    assert r.status_code == 409
    assert "Dat kan nu niet" in r.text

    actors = {e.actor for e in session.exec(select(AuditEntry)).all()}
    assert actors == {desk.username, corporatie.username}


def test_a_status_post_without_csrf_token_changes_nothing(client, staff):
    referral_id, _ = _corporatie_on_a_new_referral(client, staff)
    r = client.post(f"/referrals/{referral_id}/status", data={"status": "received"})
    assert r.status_code == 403
    assert "De pagina is verlopen" in r.text
    r = client.post(
        f"/referrals/{referral_id}/status", data={"status": "received", "csrf_token": "geraden"}
    )
    assert r.status_code == 403
    assert "Nieuw" in _status_now(client, referral_id)


def test_another_partners_referral_page_does_not_exist(client, other_client, staff):
    referral_id, _ = _corporatie_on_a_new_referral(client, staff)

    welzijn = staff["welzijn"]
    log_in(other_client, welzijn.username, welzijn.password)
    assert _referral_ids(other_client.get("/inbox").text) == []
    r = other_client.get(f"/referrals/{referral_id}")
    assert r.status_code == 404
    assert "Niet gevonden" in r.text
    assert "Mevrouw" not in r.text
    token = csrf_of(other_client.get("/inbox").text)
    r = other_client.post(
        f"/referrals/{referral_id}/status", data={"csrf_token": token, "status": "received"}
    )
    assert r.status_code == 404


def test_contact_details_only_where_consent_allows(client, staff):
    desk = staff["thuiszorg"]
    _api_intake(
        client,
        desk,
        consent_details={"method": "verbaal", "organisation_types": ["thuiszorg"]},
    )
    corporatie = staff["corporatie"]
    log_in(client, corporatie.username, corporatie.password)
    (referral_id,) = _referral_ids(client.get("/inbox").text)
    page = client.get(f"/referrals/{referral_id}")
    text = main_text(page.text)
    assert "geen toestemming om contactgegevens met uw organisatie te delen" in text
    assert "de Vries" not in page.text
    assert "06-12345678" not in page.text
    assert "3811 AB" not in page.text


def test_a_partner_forwards_a_referral(client, staff):
    referral_id, _ = _corporatie_on_a_new_referral(client, staff)
    page = client.get(f"/referrals/{referral_id}")
    assert "Doorsturen naar een andere organisatie" in page.text
    r = client.post(
        f"/referrals/{referral_id}/forward",
        data={
            "csrf_token": csrf_of(page.text),
            "organisation_id": staff["welzijn"].id,
            "reason": "Vooral een vraag om steun.",
        },
    )
    assert r.status_code == 200
    assert "De verwijzing is doorgestuurd." in r.text
    assert "Doorgestuurd" in main_text(r.text)
    client.cookies.clear()
    welzijn = staff["welzijn"]
    log_in(client, welzijn.username, welzijn.password)
    assert len(_referral_ids(client.get("/inbox").text)) == 1


def test_the_inbox_filters_by_status(client, staff):
    desk = staff["thuiszorg"]
    log_in(client, desk.username, desk.password)
    _record_intake(client)
    corporatie = staff["corporatie"]
    log_in(client, corporatie.username, corporatie.password)
    assert len(_referral_ids(client.get("/inbox?status=requested").text)) == 1
    assert _referral_ids(client.get("/inbox?status=completed").text) == []
    assert _referral_ids(client.get("/inbox?te_laat=1").text) == []
    assert len(_referral_ids(client.get("/inbox?status=all").text)) == 1


# --- dashboard -------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 6])
def test_gemeente_sees_counts_and_never_a_resident(client, staff, count):
    desk = staff["thuiszorg"]
    for _ in range(count):
        _api_intake(client, desk)
    gemeente = staff["gemeente"]
    log_in(client, gemeente.username, gemeente.password)
    page = client.get("/dashboard")
    assert page.status_code == 200
    text = main_text(page.text)
    assert "Verwijzingen per domein per maand" in text
    for secret in ("de Vries", "06-12345678", "3811 AB", "trap"):
        assert secret not in page.text
    if count == 1:
        # A cell of the table under the monthly chart, not the legend or the explanation.
        assert re.search(r"<td[^>]*>\s*minder dan 5\s*</td>", page.text), page.text
    else:
        assert re.search(r"Centrum\s+5\b", text), text
    link = re.search(r'href="(/dashboard/verwijzingen\.csv[^"]*)"', page.text)
    assert link
    csv = client.get(link.group(1).replace("&amp;", "&"))
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.startswith("domain,month,suppressed,count")
    # No personal pages for a statistics-only login.
    assert client.get("/inbox").status_code == 403


@pytest.mark.parametrize(
    ("next_", "expected"),
    [("/inbox?status=all", "/inbox?status=all"), ("//evil.example", "/inbox"), ("/\\x", "/inbox")],
)
def test_after_login_back_to_the_page_asked_for_but_never_off_site(client, staff, next_, expected):
    user = staff["corporatie"]
    page = client.get("/login", params={"next": next_})
    r = client.post(
        "/login",
        data={
            "csrf_token": csrf_of(page.text),
            "username": user.username,
            "password": user.password,
            "next": next_,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == expected


def test_errors_outside_the_api_are_dutch_pages_and_the_api_keeps_problem_json(client):
    r = client.get("/bestaat-niet")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "Niet gevonden" in r.text
    r = client.get("/api/v1/bestaat-niet")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert "script-src" not in r.headers["content-security-policy"]


def test_an_urgent_signal_shows_the_guidance_after_saving(client, staff):
    user = staff["thuiszorg"]
    log_in(client, user.username, user.password)
    r = _record_intake(
        client,
        question="Meneer zegt dat hij niet meer wil leven. Hij eet niet meer en zit alleen thuis.",
    )
    assert r.status_code == 200
    text = main_text(r.text)
    assert "Let op: dit kan een noodsituatie zijn." in text
    assert "0800-0113" in text


@pytest.mark.parametrize(
    "query", ["van=0001-01-01&tot=9999-12-31", "van=gisteren", "van=2026-05-01&tot=2026-01-01"]
)
def test_the_dashboard_copes_with_odd_periods(client, staff, query):
    user = staff["gemeente"]
    log_in(client, user.username, user.password)
    r = client.get(f"/dashboard?{query}")
    assert r.status_code == 200
    assert "Verwijzingen per domein per maand" in r.text


def test_many_failed_logins_from_one_address_are_slowed_down(client, staff, monkeypatch):
    from app.auth import logins
    from app.core.ratelimit import TokenBucketLimiter

    monkeypatch.setattr(logins, "_failures", TokenBucketLimiter(per_minute=2, burst=2))
    for name in ("demo-corporatie", "demo-welzijn"):  # one password tried on many accounts
        r = try_login(client, name, "Welkom01!")
        assert r.status_code == 401
    user = staff["thuiszorg"]
    r = try_login(client, user.username, user.password)
    assert r.status_code == 429
    assert "te veel mislukte pogingen" in main_text(r.text)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"status": "rejected", "note": "   "}, "waarom u de verwijzing afwijst"),
        ({"status": "received", "outcome": "geholpen"}, "alleen bij afronden"),
        ({"status": "received", "note": "nul\x00teken"}, "niet bewaard kan worden"),
        ({}, "Controleer wat u heeft ingevuld"),
    ],
)
def test_the_status_form_keeps_the_apis_rules(client, staff, data, says):
    referral_id, csrf = _corporatie_on_a_new_referral(client, staff)
    if data.get("status") == "rejected":
        r = client.post(
            f"/referrals/{referral_id}/status", data={"csrf_token": csrf, "status": "received"}
        )
        assert r.status_code == 200
    before = _status_now(client, referral_id)
    r = client.post(f"/referrals/{referral_id}/status", data={"csrf_token": csrf, **data})
    assert r.status_code == 422
    assert says in main_text(r.text)
    assert _status_now(client, referral_id) == before


def test_completing_needs_an_outcome_chosen_by_a_person(client, staff):
    referral_id, _ = _corporatie_on_a_new_referral(client, staff)
    page = client.get(f"/referrals/{referral_id}")
    for status in ("received", "accepted", "in_progress"):
        page = client.post(
            f"/referrals/{referral_id}/status",
            data={"csrf_token": csrf_of(page.text), "status": status},
        )
    assert '<option value="" selected disabled>Kies een uitkomst</option>' in page.text
    r = client.post(
        f"/referrals/{referral_id}/status",
        data={"csrf_token": csrf_of(page.text), "status": "completed"},
    )
    assert r.status_code == 422
    assert "Kies een uitkomst" in main_text(r.text)
    assert _status_now(client, referral_id) == "In behandeling"


def test_a_forward_needs_a_reason_and_refuses_odd_text(client, staff):
    referral_id, csrf = _corporatie_on_a_new_referral(client, staff)
    page = client.get(f"/referrals/{referral_id}").text
    target = re.search(r'name="organisation_id"[^>]*>\s*<option value="([0-9a-f-]{36})"', page)
    assert target, page
    for reason in ("", "   ", "nul\x00teken"):
        r = client.post(
            f"/referrals/{referral_id}/forward",
            data={"csrf_token": csrf, "organisation_id": target.group(1), "reason": reason},
        )
        assert r.status_code == 422
        assert "waarom u de verwijzing doorstuurt" in main_text(r.text)
    assert _status_now(client, referral_id) == "Nieuw"


def test_a_made_up_done_banner_is_not_shown(client, staff):
    referral_id, _ = _corporatie_on_a_new_referral(client, staff)
    page = client.get(f"/referrals/{referral_id}?gedaan=Afgerond")
    assert "Gelukt" not in main_text(page.text)


def test_one_view_of_a_referral_is_one_access_log_entry(client, staff, session):
    referral_id, _ = _corporatie_on_a_new_referral(client, staff)
    before = len(session.exec(select(AuditEntry)).all())
    client.get(f"/referrals/{referral_id}")
    session.expire_all()
    assert len(session.exec(select(AuditEntry)).all()) == before + 1


def test_the_intake_form_records_which_partners_may_see_contact_details(client, staff):
    desk = staff["thuiszorg"]
    log_in(client, desk.username, desk.password)
    page = client.get("/intake").text
    boxes = re.findall(r'name="consent_types" value="(\w+)" checked', page)
    assert set(boxes) == {"corporatie", "gemeente", "thuiszorg", "welzijn", "zorgcooperatie"}
    # Nobody ticked: a yes that reaches no one is not a yes; nothing is stored.
    r = _record_intake(client, consent_types_shown="1")
    assert r.status_code == 422
    assert "Kies minstens één soort organisatie" in main_text(r.text)
    assert "mevrouw J. de Vries" in r.text  # what was typed is kept
    r = _record_intake(client, consent_types_shown="1", consent_types=["thuiszorg", "gemeente"])
    assert r.status_code == 200
    client.cookies.clear()
    corporatie = staff["corporatie"]
    log_in(client, corporatie.username, corporatie.password)
    (referral_id,) = _referral_ids(client.get("/inbox").text)
    page = client.get(f"/referrals/{referral_id}").text
    assert "de Vries" not in page
    assert "geen toestemming om contactgegevens met uw organisatie te delen" in main_text(page)


def test_a_page_address_with_a_made_up_id_is_not_found(client, staff):
    corporatie = staff["corporatie"]
    log_in(client, corporatie.username, corporatie.password)
    r = client.get("/referrals/not-an-id")
    assert r.status_code == 404
    assert "Niet gevonden" in main_text(r.text)


def test_a_full_inbox_says_there_is_more(client, staff, monkeypatch):
    from app.referrals import feed

    desk = staff["thuiszorg"]
    log_in(client, desk.username, desk.password)
    _record_intake(client)
    _record_intake(client)
    client.cookies.clear()
    corporatie = staff["corporatie"]
    log_in(client, corporatie.username, corporatie.password)
    assert "U ziet de eerste" not in main_text(client.get("/inbox").text)
    monkeypatch.setattr(feed, "MAX_PAGE", 1)
    page = client.get("/inbox").text
    assert len(_referral_ids(page)) == 1
    assert "U ziet de eerste 1 verwijzingen" in main_text(page)


def test_a_question_typed_while_the_login_ran_out_is_given_back_not_lost(client, staff, session):
    from app.intakes.models import Intake

    desk = staff["thuiszorg"]
    log_in(client, desk.username, desk.password)
    page = client.get("/intake").text
    client.post("/logout", data={"csrf_token": csrf_of(page)})  # as if the login ran out
    r = client.post(
        "/intake",
        data={"csrf_token": csrf_of(page), "question": QUESTION, "consent": "ja"},
    )
    assert r.status_code == 401
    text = main_text(r.text)
    assert "nog niet opgeslagen" in text
    assert QUESTION in r.text  # to copy, log in again and paste
    assert session.exec(select(Intake)).all() == []  # nothing was stored


def _choose(client, **fields):  # type: ignore[no-untyped-def]
    """The intake form as the page sends it now: the proposal it showed, the boxes ticked."""
    return _record_intake(client, domains_shown="1", **fields)


def test_the_form_sends_only_a_proposal_the_person_saw_for_this_text(client, staff, session):
    from app.intakes.models import Intake

    user = staff["thuiszorg"]
    log_in(client, user.username, user.password)
    # The page showed no proposal yet (no JavaScript, no preview): nothing is stored, the
    # proposal for this text is shown ticked, to check and send again.
    r = _choose(client, proposal="")
    assert r.status_code == 200
    assert "Het voorstel hieronder hoort bij de vraag zoals die nu is" in main_text(r.text)
    assert 'value="wonen" checked' in r.text
    assert session.exec(select(Intake)).all() == []
    r = _choose(client, proposal="wonen", domains=["zorg"], confirm="ja")
    assert "De vraag is opgeslagen" in main_text(r.text)
    intake = session.exec(select(Intake)).one()
    assert intake.domains == ["zorg"]
    assert intake.domains_confirmed_by == user.username


def test_an_urgent_proposal_needs_an_explicit_check(client, staff, session):
    from app.intakes.models import Intake

    user = staff["thuiszorg"]
    log_in(client, user.username, user.password)
    question = "Meneer zegt dat hij niet meer wil leven en zit alleen thuis."
    r = _choose(client, question=question, proposal="zorg", domains=["zorg"])
    assert r.status_code == 422
    assert "vink aan dat het klopt" in main_text(r.text)
    assert session.exec(select(Intake)).all() == []
    r = _choose(client, question=question, proposal="zorg", domains=["zorg"], confirm="ja")
    assert "De vraag is opgeslagen" in main_text(r.text)


def test_with_no_domain_ticked_the_desk_decides(client, staff, session):
    from app.intakes.models import Intake

    user = staff["thuiszorg"]
    log_in(client, user.username, user.password)
    r = _choose(client, proposal="wonen", confirm="ja")
    assert "De wijkwinkel kijkt ernaar" in main_text(r.text)
    intake = session.exec(select(Intake)).one()
    assert (intake.domains, intake.status) == ([], "needs_review")
