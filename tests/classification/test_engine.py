"""How the classifier copes with how people really write."""

import re

import pytest

from app.classification.service import classify


def domains(text: str) -> set[str]:
    return {str(d) for d in classify(text).labels()}


def subcategories(text: str) -> set[str]:
    return {
        f"{d.domain}.{s['subcategory']}" for d in classify(text).domains for s in d.subcategories
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mevrouw slaapt beneden omdat de badkamer boven is; de trap lukt niet meer.", "wonen"),
        ("Ik heb al drie maanden huurachterstand en nu komt de deurwaarder.", "welzijn"),
        ("Mijn moeder is erg vergeetachtig en raakt steeds in de war.", "zorg"),
        ("dhr heeft ADL hulp nodig bij douchen en aankleden", "zorg"),
        ("Ik voel me zo eenzaam sinds mijn man is overleden, ik zie niemand meer.", "welzijn"),
    ],
)
def test_clear_questions(text, expected):
    assert expected in domains(text)


def test_evidence_names_the_words():
    result = classify("Er zit schimmel in de badkamer en het dak lekt.")
    wonen = next(d for d in result.domains if str(d.domain) == "wonen")
    assert any("schimmel" in e for e in wonen.evidence)
    assert "wonen.onderhoud_reparatie" in subcategories(
        "Er zit schimmel in de badkamer en het dak lekt."
    )


def test_spelling_errors_and_missing_diacritics():
    # eensaam (eenzaam), dementerend without capitals, cooperatie without the trema
    assert "welzijn" in domains("mn moeder is heel eensaam")
    assert "zorg" in domains("mijn vader is dementerend en vergeet alles")
    assert classify("zorgcooperatie").version == classify("zorgcoöperatie").version


def test_compound_words_are_understood():
    assert "wonen.onderhoud_reparatie" in subcategories("badkamerschimmel, al maanden")
    assert "wonen.huur_betalen" in subcategories("ik heb een huurachterstand")


def test_staff_abbreviations():
    subs = subcategories("cl. HH 2 uur pw, ADL ochtend, wv voor insuline")
    assert {"zorg.huishoudelijke_hulp", "zorg.persoonlijke_verzorging"} <= subs


def test_negation_removes_only_what_is_denied():
    text = "Geen hulp nodig bij het wassen, wel bij het schoonmaken van het huis."
    subs = subcategories(text)
    assert "zorg.huishoudelijke_hulp" in subs
    assert "zorg.persoonlijke_verzorging" not in subs
    assert "welzijn" not in domains("Ze heeft geen schulden, maar de huurverhoging is te hoog.")


@pytest.mark.parametrize(
    ("text", "reason", "phone"),
    [
        (
            "Hij zegt dat hij niet meer wil leven sinds zijn vrouw er niet meer is.",
            "suicide",
            "0800-0113",
        ),
        (
            "Mijn zoon slaat mij als hij gedronken heeft en pakt mijn pinpas.",
            "violence",
            "0800-2000",
        ),
        ("Moeder is gevallen en lag de hele nacht op de grond.", "danger", "112"),
        ("Ik ruik gas in de keuken en de corporatie neemt niet op.", "danger", "112"),
        ("Vader (dementie) dwaalt 's nachts over straat.", "danger", "112"),
    ],
)
def test_safety_signals_carry_guidance(text, reason, phone):
    result = classify(text)
    assert result.urgent
    assert reason in result.urgent_reasons
    assert any(phone in g for g in result.guidance())
    assert result.urgent_evidence[reason]


@pytest.mark.parametrize(
    "text",
    [
        "Ik wil graag een traplift aanvragen.",
        "Er is geen sprake van geweld, wel van veel ruzie met de buren.",
        "Geen suïcidale gedachten, wel somber sinds de verhuizing.",
    ],
)
def test_no_false_alarm_on_ordinary_or_explicitly_denied(text):
    assert not classify(text).urgent


@pytest.mark.parametrize(
    "text",
    [
        "I need help paying my rent and my landlord does not fix the heating",
        "Evimde merdiven çıkamıyorum, banyo yukarıda, yardım lazım",
        "أحتاج مساعدة في دفع الإيجار",
        "Potrzebuję pomocy w sprzątaniu mieszkania",
        "asdf qwer zxcv uiop",
        "😀😀😀",
        "12345 67890",
    ],
)
def test_other_languages_and_gibberish_are_low_confidence(text):
    result = classify(text)
    assert result.low_confidence
    assert result.low_confidence_reason
    assert result.domains == []


def test_long_and_odd_input_never_breaks():
    long = ("De trap is te steil en ik voel me eenzaam. " * 200)[:5000]
    result = classify(long)
    assert {"wonen", "welzijn"} <= {str(d) for d in result.labels()}
    for odd in ["\x00\x01", "....", "-" * 5000, "ß" * 300, "\u202e\u200b", "a\nb\tc"]:
        classify(odd)  # no exception


def test_every_classification_names_its_version():
    assert classify("huur te hoog").version.startswith("lexicon-")


def test_short_common_words_are_not_read_as_typos_of_cues():
    # willen/pillen, onder/sonde, jaren/haren: correctly spelled words, one letter from a cue.
    from app.classification.service import engine

    for word in ("willen", "onder", "jaren", "morgen", "tillen", "staan"):
        assert engine().analyse(word).label_scores == {}, word
    # A real typo in a longer word still counts.
    assert "welzijn.eenzaamheid_ontmoeting" in engine().analyse("eensaam").label_scores


def test_function_words_and_deep_stems_do_not_become_cues():
    # "was" is the stem of "wassen", "haar" of "haren"; vergeetachtigheid stems to "vergeet".
    from app.classification.service import engine

    assert engine().analyse("het was koud en ze had haar jas aan").label_scores == {}
    forgot = engine().analyse("ik ben vergeten de huur te betalen").label_scores
    habitually = engine().analyse("hij vergeet alles").label_scores
    assert forgot.get("zorg.geheugen_dementie", 0) < habitually["zorg.geheugen_dementie"]


def test_evidence_from_the_learned_layer_shows_words_as_written_not_stems():
    from app.classification import service

    result = service.classify(
        "Mevrouw kan de trap niet meer op en slaapt beneden sinds haar man is overleden."
    )
    words = {w for d in result.domains for w in d.evidence}
    text = "mevrouw kan de trap niet meer op en slaapt beneden sinds haar man is overleden"
    for word in words:
        # Every piece of evidence is whole words of the (folded) text: "sinds", never "sind".
        assert re.search(rf"\b{re.escape(word)}\b", text), word
