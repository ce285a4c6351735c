"""The staff pages in a real browser: Playwright driving Debian's chromium (never a browser
download). `.ci/run` installs chromium with apt; locally these tests skip without it.

Set WIJKWINKEL_SCREENSHOTS=docs/screenshots to also write the README's screenshots.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import Staff

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install -y chromium)"
)
SCREENSHOTS = os.environ.get("WIJKWINKEL_SCREENSHOTS")
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}

QUESTION = (
    "Mevrouw kan de trap niet meer op en slaapt nu beneden in de kamer; de badkamer is boven. "
    "Ze vraagt of er een traplift of een andere woning kan komen."
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # --no-sandbox: CI runs as root in a container, where chromium's sandbox cannot start.
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--lang=nl-NL"])
        yield b
        b.close()


class Person:
    """One browser context (own cookies) logged in as one staff member; records any console
    error, which is how a Content-Security-Policy violation shows."""

    def __init__(self, browser: Any, base: str, viewport: dict[str, int]) -> None:
        self.context = browser.new_context(viewport=viewport, base_url=base, locale="nl-NL")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def log_in(self, user: Staff) -> None:
        page = self.page
        page.goto("/login")
        page.get_by_label("Gebruikersnaam").fill(user.username)
        page.get_by_label("Wachtwoord").fill(user.password)
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_load_state()

    def shot(self, name: str) -> None:
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)

    def fits_the_screen(self) -> bool:
        return bool(self.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def people(browser: Any, live_server: str) -> Iterator[Any]:
    opened: list[Person] = []

    def open_as(viewport: dict[str, int] = DESKTOP) -> Person:
        person = Person(browser, live_server, viewport)
        opened.append(person)
        return person

    yield open_as
    for person in opened:
        person.close()


def _more_wonen_intakes(client: Any, desk: Staff, n: int) -> None:
    for i in range(n):
        r = client.post(
            "/api/v1/intakes",
            headers=desk.headers,
            json={
                "question": f"De trap lukt niet meer, graag een traplift ({i}).",
                "channel": "huisbezoek",
                "postcode": "3811 AB",
                "consent": True,
            },
        )
        assert r.status_code == 201


def test_from_a_thuiszorg_signal_to_a_completed_referral_and_the_dashboard(
    people: Any, staff: dict[str, Staff], client: Any
) -> None:
    from playwright.sync_api import expect

    # 1. The thuiszorg worker, on a phone, logs a signal.
    phone = people(PHONE)
    phone.log_in(staff["thuiszorg"])
    page = phone.page
    expect(page).to_have_url(re.compile(r"/intake$"))
    expect(page.get_by_role("heading", name="Nieuwe vraag of signaal")).to_be_visible()
    page.get_by_label("Wat is de vraag of wat ziet u?").press_sequentially(QUESTION[:60], delay=5)
    page.get_by_label("Wat is de vraag of wat ziet u?").fill(QUESTION)
    # The proposal updates while typing (debounced fetch), without saving anything: the
    # proposed domain is ticked, with the words that proposed it.
    expect(page.get_by_label("Wonen (het huis)")).to_be_checked()
    expect(page.locator("#evidence-wonen")).to_contain_text("voorgesteld door:")
    expect(page.get_by_label("Zorg (lichaam en geest)")).not_to_be_checked()
    expect(page.get_by_role("button", name="Bekijk het voorstel")).to_be_hidden()
    # The classifier flags this one (a fall risk): a person must say they checked it.
    page.get_by_label(re.compile("Ik heb de onderwerpen nagekeken")).check()
    page.get_by_label("Postcode van de bewoner").fill("3811ab")
    page.get_by_label("Ja, de bewoner geeft toestemming").check()
    page.locator("summary", has_text="Contactgegevens").click()
    page.get_by_label("Naam").fill("mevrouw J. de Vries")
    page.get_by_label("Telefoon").fill("06-12345678")
    assert phone.fits_the_screen()
    phone.shot("intake-phone")
    page.get_by_role("button", name="Vraag opslaan en doorsturen").click()
    expect(page.get_by_role("heading", name="De vraag is opgeslagen")).to_be_visible()
    expect(page.locator("#uitkomst")).to_contain_text(
        "Woonstichting De Linie kreeg een verwijzing over wonen"
    )
    assert phone.fits_the_screen()

    # 2. The corporatie finds it in its inbox, accepts and completes it.
    desk = people(DESKTOP)
    desk.log_in(staff["corporatie"])
    page = desk.page
    expect(page).to_have_url(re.compile(r"/inbox$"))
    item = page.locator(".inbox-item").filter(has_text="Mevrouw kan de trap niet meer op")
    expect(item).to_contain_text("Nieuw")
    item.get_by_role("link").click()
    expect(page.locator("#contact")).to_contain_text("mevrouw J. de Vries")
    referral_url = page.url
    for button, status in (
        ("Ontvangst bevestigen", "Ontvangen"),
        ("Accepteren", "Geaccepteerd"),
        ("Starten", "In behandeling"),
    ):
        page.get_by_role("button", name=button).click()
        expect(page.locator("#status-now")).to_contain_text(status)
    page.get_by_label("Wat is de uitkomst?").select_option("geholpen")
    page.get_by_role("button", name="Afronden").click()
    expect(page.locator("#status-now")).to_contain_text("Afgerond")
    expect(page.get_by_role("button", name="Accepteren")).to_have_count(0)

    # A form post without the CSRF token, with the corporatie's own cookie: refused.
    response = desk.context.request.post(
        referral_url.split("?")[0] + "/status", form={"status": "in_progress"}
    )
    assert response.status == 403
    assert "De pagina is verlopen" in response.text()

    # 3. Another partner opening that referral page: it does not exist for them.
    other = people(DESKTOP)
    other.log_in(staff["welzijn"])
    response = other.page.goto(referral_url.split("?")[0])
    assert response is not None
    assert response.status == 404
    expect(other.page.get_by_role("heading", name="Niet gevonden")).to_be_visible()
    expect(other.page.locator("main")).not_to_contain_text("Mevrouw")

    # 4. The gemeente sees it counted (with four more, so the wijk's cell is published).
    _more_wonen_intakes(client, staff["thuiszorg"], 4)
    gemeente = people(DESKTOP)
    gemeente.log_in(staff["gemeente"])
    page = gemeente.page
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    areas = page.locator("figure").filter(has_text="Per wijk")
    expect(areas.get_by_role("row", name=re.compile("Centrum"))).to_contain_text("5")
    outcomes = page.locator("figure").filter(has_text="Uitkomsten")
    expect(outcomes.get_by_role("row", name=re.compile("Geholpen"))).to_contain_text("minder dan 5")
    expect(page.locator("main")).not_to_contain_text("de Vries")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download als CSV").click()
    assert download.value.suggested_filename == "wijkwinkel-verwijzingen.csv"

    # No console errors (a CSP violation would be one); the other partner's 404 is expected.
    for person in (phone, desk, gemeente):
        assert person.errors == [], person.errors


def test_a_thuiszorg_worker_changes_the_proposed_domains_before_sending(
    people: Any, staff: dict[str, Staff], client: Any
) -> None:
    """Issue 20: the person, not the classifier, decides where a question goes."""
    from playwright.sync_api import expect

    phone = people(PHONE)
    phone.log_in(staff["thuiszorg"])
    page = phone.page
    question = page.get_by_label("Wat is de vraag of wat ziet u?")
    question.fill(
        "Meneer heeft een huurachterstand van drie maanden en durft de post niet open te doen."
    )
    expect(page.get_by_label("Wonen (het huis)")).to_be_checked()
    # The worker knows better: not the corporatie now, but money help and his mood.
    page.get_by_label("Wonen (het huis)").uncheck()
    page.get_by_label("Welzijn (meedoen en steun)").check()
    page.get_by_label("Zorg (lichaam en geest)").check()
    # Typing on does not undo the person's choice.
    question.press_sequentially(" Hij slaapt slecht.", delay=5)
    page.wait_for_timeout(700)
    expect(page.get_by_label("Wonen (het huis)")).not_to_be_checked()
    expect(page.get_by_label("Zorg (lichaam en geest)")).to_be_checked()
    page.get_by_label("Ja, de bewoner geeft toestemming").check()
    confirm = page.get_by_label(re.compile("Ik heb de onderwerpen nagekeken"))
    if confirm.is_visible():
        confirm.check()
    assert phone.fits_the_screen()
    phone.shot("intake-choice-phone")
    page.get_by_role("button", name="Vraag opslaan en doorsturen").click()
    expect(page.get_by_role("heading", name="De vraag is opgeslagen")).to_be_visible()
    outcome = page.locator("#uitkomst")
    expect(outcome).to_contain_text("Welzijn Voorbeeld kreeg een verwijzing over welzijn")
    expect(outcome).to_contain_text("Thuiszorg Zuidwest kreeg een verwijzing over zorg")
    expect(outcome).not_to_contain_text("Woonstichting De Linie")
    assert phone.errors == [], phone.errors

    # On record: who chose, and the correction of the classifier's proposal, counted.
    intake_id = page.url.rstrip("/").split("/")[-1]
    desk = staff["frontoffice"]
    body = client.get(f"/api/v1/intakes/{intake_id}", headers=desk.headers).json()
    assert body["domains_confirmed_by"] == staff["thuiszorg"].username
    assert sorted(d["domain"] for d in body["domains"]) == ["welzijn", "zorg"]
    agreement = client.get("/api/v1/classification/agreement", headers=desk.headers).json()
    cells = {c["domain"]: c for c in agreement["data"]}
    assert cells["wonen"]["removed"] == 1
    assert cells["zorg"]["added"] == 1


def test_a_wrong_password_shows_an_error_and_the_form_works_by_keyboard(
    people: Any, staff: dict[str, Staff]
) -> None:
    from playwright.sync_api import expect

    person = people(PHONE)
    page = person.page
    page.goto("/login")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Naar de inhoud")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Wijkwinkel")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Gebruikersnaam")).to_be_focused()
    page.keyboard.type(staff["corporatie"].username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Wachtwoord")).to_be_focused()
    page.keyboard.type("dit-is-het-niet")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text(
        "De gebruikersnaam of het wachtwoord klopt niet."
    )
    expect(page).to_have_url(re.compile(r"/login$"))
    assert person.errors == [] or all("401" in e for e in person.errors), person.errors


# --- screenshots for the README --------------------------------------------------------------

HISTORY_QUESTIONS = {
    "wonen": [
        "De trap lukt niet meer; mevrouw vraagt om een traplift.",
        "Er zit schimmel in de badkamer en de verhuurder reageert niet.",
        "Meneer heeft een huurachterstand van drie maanden.",
        "Veel overlast van de buren, 's nachts harde muziek.",
    ],
    "welzijn": [
        "Mevrouw is eenzaam sinds haar man overleden is en komt de deur niet meer uit.",
        "Meneer snapt de brieven van de gemeente niet en heeft hulp nodig met formulieren.",
        "De mantelzorger is overbelast en zoekt iemand om even af te lossen.",
    ],
    "zorg": [
        "Meneer kan zich niet meer zelf wassen en aankleden.",
        "Mevrouw vergeet haar medicijnen in te nemen.",
        "Hulp bij het huishouden is nodig, schoonmaken lukt niet meer.",
    ],
}


def _seed_a_year(client: Any, desk: Staff, session: Any) -> None:
    """A year of referrals, so the charts have something to show: made through the API, then
    moved back in time and finished behind the services' back (screenshots only)."""
    import random
    from datetime import timedelta

    from app.core.types import utcnow
    from app.referrals.models import Referral
    from tests.stats.helpers import changed_behind_the_services, move_in_time

    rng = random.Random(9)
    postcodes = ["3811 AB", "3812 CD", "3813 EF", "3814 GH", "3828 JK"]
    now = utcnow()
    this_month = now.replace(day=12, hour=10)
    for months_ago in range(11, -1, -1):
        year, month = divmod(this_month.month - 1 - months_ago, 12)
        moment = this_month.replace(year=this_month.year + year, month=month + 1)
        for domain, questions in HISTORY_QUESTIONS.items():
            n = rng.randint(2, 9) + (6 if domain == "zorg" else 0)
            ids = []
            for _ in range(n):
                r = client.post(
                    "/api/v1/intakes",
                    headers=desk.headers,
                    json={
                        "question": rng.choice(questions),
                        "channel": rng.choice(["balie", "telefoon", "signalering", "huisbezoek"]),
                        "postcode": rng.choice(postcodes),
                        "consent": True,
                        "domains": [domain],
                    },
                )
                assert r.status_code == 201
                ids.append(r.json()["id"])
            if months_ago:
                move_in_time(session, ids, moment - timedelta(days=rng.randint(0, 9)))
    outcomes = ["geholpen"] * 6 + ["doorverwezen", "geen_hulp_nodig", "wachtlijst"]
    for ref in session.exec(__import__("sqlmodel").select(Referral)).all():
        age = now - ref.created_at
        ref.due_at = ref.created_at + timedelta(days=3)
        ref.complete_due_at = ref.created_at + timedelta(days=25)
        if age < timedelta(days=1):
            ref.status = rng.choice(["requested", "requested", "received"])
        elif age < timedelta(days=30) or rng.random() < 0.08:
            # Still being worked on; the older ones of these ran late.
            ref.status = rng.choice(["accepted", "in_progress", "in_progress", "on_hold"])
            ref.accepted_at = ref.created_at + timedelta(hours=rng.uniform(2, 60))
        else:
            ref.status = "completed"
            ref.outcome = rng.choice(outcomes)
            ref.accepted_at = ref.created_at + timedelta(hours=rng.uniform(2, 90))
            ref.closed_at = ref.accepted_at + timedelta(days=rng.uniform(3, 25))
        session.add(ref)
    changed_behind_the_services(session)


@pytest.mark.skipif(not SCREENSHOTS, reason="set WIJKWINKEL_SCREENSHOTS=docs/screenshots")
def test_screenshots(people: Any, staff: dict[str, Staff], client: Any, session: Any) -> None:
    from playwright.sync_api import expect

    _seed_a_year(client, staff["thuiszorg"], session)
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        person = people(viewport)
        person.log_in(staff["thuiszorg"])
        page = person.page
        page.get_by_label("Wat is de vraag of wat ziet u?").fill(
            "Mevrouw kan de trap niet meer op en slaapt beneden. Ze vergeet haar medicijnen "
            "en is erg eenzaam sinds haar man is overleden."
        )
        expect(page.locator("#preview-body")).to_contain_text("Zorg (lichaam en geest)")
        page.get_by_label("Postcode van de bewoner").fill("3811 AB")
        page.get_by_label("Ja, de bewoner geeft toestemming").check()
        page.locator("#question").focus()
        person.shot(f"intake-{name}")
        person.close()

        person = people(viewport)
        person.log_in(staff["corporatie"])
        expect(person.page.locator(".inbox-item").first).to_be_visible()
        person.shot(f"inbox-{name}")
        person.close()

        person = people(viewport)
        person.log_in(staff["gemeente"])
        expect(person.page.locator("svg.columns")).to_be_visible()
        person.shot(f"dashboard-{name}")
        person.close()
