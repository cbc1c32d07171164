"""Unit tests of legacy/services and legacy/seed_data.

These build their own small Flask app on in-memory SQLite from legacy.models, so they do not
depend on app.py (and run the same whatever --app the behavioural suite is given).
"""
import random
import uuid
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.security import check_password_hash

from legacy.models import ActivityLog, User, UserStreak, XPTransaction, db
from legacy.seed_data import _category_words, seed_database
from legacy.services import avatars, streaks, text_processing, xp
from legacy.services.llm import ChatClient, LLMError
from legacy.upstream import start_in_thread

TODAY = date(2026, 3, 10)


def make_app(uri="sqlite:///:memory:"):
    app = Flask("services_test")
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    db.init_app(app)
    return app


@pytest.fixture
def ctx():
    app = make_app()
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()


@pytest.fixture
def user(ctx):
    u = User(username="anna", email="anna@example.com", password_hash="x", level=1, xp_total=0)
    db.session.add(u)
    db.session.commit()
    return u


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr(streaks, "_today", lambda: TODAY)
    return TODAY


def set_streak(user_id, current, longest, last, freezes=0):
    db.session.add(
        UserStreak(
            user_id=user_id,
            current_streak=current,
            longest_streak=longest,
            last_activity_date=last,
            freezes_available=freezes,
        )
    )
    db.session.commit()


# --- streaks --------------------------------------------------------------------------------------

def test_first_activity_starts_a_streak_and_logs(user, fixed_today):
    streak = streaks.record_activity(user.id, "practice", {"words": 3})
    db.session.commit()
    assert (streak.current_streak, streak.longest_streak) == (1, 1)
    assert streak.last_activity_date == fixed_today
    log = ActivityLog.query.filter_by(user_id=user.id).one()
    assert log.activity_type == "practice"
    assert log.details == '{"words": 3}'
    assert log.activity_date == fixed_today


def test_record_activity_does_not_commit(user, fixed_today):
    streaks.record_activity(user.id, "practice")
    db.session.rollback()
    assert ActivityLog.query.count() == 0
    assert UserStreak.query.count() == 0


def test_same_day_keeps_the_streak(user, fixed_today):
    set_streak(user.id, 4, 9, fixed_today)
    streak = streaks.record_activity(user.id, "word_added")
    db.session.commit()
    assert (streak.current_streak, streak.longest_streak) == (4, 9)
    assert ActivityLog.query.count() == 1


def test_yesterday_extends_and_updates_longest(user, fixed_today):
    set_streak(user.id, 5, 5, fixed_today - timedelta(days=1))
    streak = streaks.record_activity(user.id, "practice")
    assert (streak.current_streak, streak.longest_streak) == (6, 6)


def test_gap_resets_to_one_but_keeps_longest(user, fixed_today):
    set_streak(user.id, 5, 12, fixed_today - timedelta(days=2), freezes=0)
    streak = streaks.record_activity(user.id, "practice")
    assert (streak.current_streak, streak.longest_streak) == (1, 12)


def test_freeze_covers_one_missed_day(user, fixed_today):
    set_streak(user.id, 5, 5, fixed_today - timedelta(days=2), freezes=1)
    streak = streaks.record_activity(user.id, "practice")
    assert streak.current_streak == 6
    assert streak.freezes_available == 0


def test_freeze_does_not_cover_a_longer_gap(user, fixed_today):
    set_streak(user.id, 5, 5, fixed_today - timedelta(days=3), freezes=2)
    streak = streaks.record_activity(user.id, "practice")
    assert streak.current_streak == 1
    assert streak.freezes_available == 2


def test_every_seventh_day_earns_a_freeze(user, fixed_today):
    set_streak(user.id, 6, 6, fixed_today - timedelta(days=1), freezes=0)
    streak = streaks.record_activity(user.id, "practice")
    assert streak.current_streak == 7
    assert streak.freezes_available == 1


def test_streak_info(user, fixed_today):
    assert streaks.get_streak_info(user.id) == {
        "current": 0,
        "longest": 0,
        "last_activity_date": None,
        "active_today": False,
        "freezes_available": 0,
    }
    set_streak(user.id, 3, 8, fixed_today - timedelta(days=1), freezes=1)
    info = streaks.get_streak_info(user.id)
    assert info == {
        "current": 3,
        "longest": 8,
        "last_activity_date": (fixed_today - timedelta(days=1)).isoformat(),
        "active_today": False,
        "freezes_available": 1,
    }


def test_streak_info_reports_a_broken_streak_as_zero(user, fixed_today):
    set_streak(user.id, 3, 8, fixed_today - timedelta(days=4))
    assert streaks.get_streak_info(user.id)["current"] == 0


def test_activity_calendar(user, fixed_today):
    streaks.record_activity(user.id, "practice")
    streaks.record_activity(user.id, "word_added")
    streaks.record_activity(user.id, "practice")
    db.session.add(
        ActivityLog(user_id=user.id, activity_type="login", activity_date=fixed_today - timedelta(days=2))
    )
    db.session.commit()
    calendar = streaks.activity_calendar(user.id, days=7)
    assert [d["date"] for d in calendar] == [
        (fixed_today - timedelta(days=k)).isoformat() for k in range(6, -1, -1)
    ]
    assert calendar[-1] == {"date": fixed_today.isoformat(), "count": 3, "types": ["practice", "word_added"]}
    assert calendar[-3]["count"] == 1 and calendar[-3]["types"] == ["login"]
    assert sum(d["count"] for d in calendar) == 4


# --- xp ---------------------------------------------------------------------------------------

def test_level_table():
    assert [xp.xp_for_level(n) for n in range(1, 6)] == [0, 100, 300, 600, 1000]
    assert xp.level_for_xp(0) == 1
    assert xp.level_for_xp(99) == 1
    assert xp.level_for_xp(100) == 2
    assert xp.level_for_xp(299) == 2
    assert xp.level_for_xp(300) == 3
    assert xp.level_for_xp(-5) == 1


@given(st.integers(min_value=0, max_value=400_000))
def test_level_for_xp_is_the_inverse_of_xp_for_level(points):
    level = xp.level_for_xp(points)
    assert xp.xp_for_level(level) <= points
    assert level == xp.MAX_LEVEL or points < xp.xp_for_level(level + 1)


def test_xp_rules_cover_the_documented_reasons():
    for reason in ("word_added", "practice_correct", "session_completed", "daily_goal", "achievement"):
        assert xp.XP_RULES[reason] > 0


def test_award_xp_updates_total_level_and_ledger(user):
    assert xp.award_xp(user, 80, "session_completed") == 80
    assert xp.award_xp(user, 40, "daily_goal") == 120
    db.session.commit()
    assert (user.xp_total, user.level) == (120, 2)
    assert [(t.amount, t.reason) for t in XPTransaction.query.order_by(XPTransaction.id)] == [
        (80, "session_completed"),
        (40, "daily_goal"),
    ]


def test_leaderboard_orders_by_total_and_counts_the_week(ctx):
    users = [
        User(username=f"u{i}", email=f"u{i}@example.com", password_hash="x", xp_total=0, level=1)
        for i in range(3)
    ]
    db.session.add_all(users)
    db.session.commit()
    xp.award_xp(users[0], 50, "word_added")
    xp.award_xp(users[1], 500, "session_completed")
    xp.award_xp(users[2], 20, "word_added")
    users[2].xp_total += 1000  # earned long ago
    db.session.add(
        XPTransaction(user_id=users[2].id, amount=1000, reason="old", created_at=datetime.utcnow() - timedelta(days=30))
    )
    db.session.commit()
    board = xp.leaderboard(limit=2)
    assert [(row["rank"], row["username"], row["xp_total"], row["xp_week"]) for row in board] == [
        (1, "u2", 1020, 20),
        (2, "u1", 500, 500),
    ]


# --- avatars -------------------------------------------------------------------------------------

@pytest.mark.parametrize("style", avatars.AVATAR_STYLES)
def test_avatar_svg_is_deterministic_valid_svg(style):
    svg = avatars.generate_avatar_svg("anna-42", style)
    assert svg == avatars.generate_avatar_svg("anna-42", style)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(list(root)) >= 2  # background plus at least one shape


def test_avatar_svg_depends_on_seed():
    for style in avatars.AVATAR_STYLES:
        assert avatars.generate_avatar_svg("a", style) != avatars.generate_avatar_svg("b", style)


def test_avatar_unknown_style():
    with pytest.raises(ValueError, match="unknown avatar style"):
        avatars.generate_avatar_svg("seed", "cubist")


def test_variation_seeds_are_stable_and_distinct():
    seeds = [avatars.variation_seed("base", i) for i in range(4)]
    assert seeds == [avatars.variation_seed("base", i) for i in range(4)]
    assert len(set(seeds)) == 4
    assert avatars.variation_seed("other", 0) not in seeds


def test_initials_avatar_escapes_markup():
    svg = avatars.generate_avatar_svg("<&>", "initials")
    ET.fromstring(svg)  # still well-formed


# --- text processing -----------------------------------------------------------------------------

def test_tokenize_keeps_umlauts_hyphens_and_drops_numbers():
    assert text_processing.tokenize("Die Straße-Bahn fährt um 8 Uhr, oder?") == [
        "Die", "Straße-Bahn", "fährt", "um", "Uhr", "oder",
    ]
    assert text_processing.tokenize("") == []


def test_normalize_word():
    assert text_processing.normalize_word("  Äpfel ") == "äpfel"
    assert text_processing.normalize_word("don’t") == "don't"
    assert text_processing.normalize_word("'quoted'") == "quoted"


def test_extract_unknown_words_is_ordered_unique_and_filtered():
    text = "Der Hund sieht die Katze. Die Katze sieht den Hund und einen Vogel im Baum."
    result = text_processing.extract_unknown_words(text, known={"Hund"}, excluded={"baum"})
    assert result == ["sieht", "katze", "vogel"]


def test_extract_unknown_words_skips_stopwords():
    assert text_processing.extract_unknown_words("und oder aber Fahrrad", set(), set()) == ["fahrrad"]


ARTICLE = """<html><head><title>Site | Headline</title><script>var tracking = "Tracker";</script>
<style>.x{}</style></head><body><nav><a href="/">Startseite</a></nav>
<div class="ad">Anzeige kaufen</div><article><h1>Neue Brücke</h1>
<p>Die Brücke ist fertig.</p><div class="advertisement">Rabatt</div><p>Viele Menschen kommen.</p>
</article><aside class="related"><p>Mehr lesen</p></aside><footer><p>Impressum</p></footer>
<script>console.log("bye")</script></body></html>"""


def test_clean_article_html_strips_noise():
    cleaned = text_processing.clean_article_html(ARTICLE)
    assert cleaned["title"] == "Neue Brücke"
    assert cleaned["text"] == "Die Brücke ist fertig.\n\nViele Menschen kommen."
    for noise in ("Tracker", "Startseite", "Anzeige", "Rabatt", "Mehr lesen", "Impressum", "console"):
        assert noise not in cleaned["text"]


def test_clean_article_html_falls_back_to_title_tag():
    cleaned = text_processing.clean_article_html("<html><head><title>Only Title</title></head><body>Text</body></html>")
    assert cleaned == {"title": "Only Title", "text": "Text"}


def test_word_frequencies_sorted_by_count_then_word():
    assert text_processing.word_frequencies("b a B c a b") == [("b", 3), ("a", 2), ("c", 1)]


# --- llm client against the local upstream --------------------------------------------------------

@pytest.fixture(scope="module")
def upstream():
    base, stop = start_in_thread(latency_ms=0)
    yield base
    stop()


def test_chat_client_translates_words(upstream):
    client = ChatClient(upstream + "/v1", "sk-test", "gpt-3.5-turbo")
    result = client.translate_words(["Apfel", "Hund", "Apfelpreis"], "de", "en")
    assert result == {"Apfel": "apple", "Hund": "dog", "Apfelpreis": "apple price"}
    assert client.translate_words([], "de", "en") == {}


def test_chat_client_example_sentences(upstream):
    client = ChatClient(upstream + "/v1/", "sk-test", "gpt-3.5-turbo")
    sentences = client.example_sentences("Katze", "de", n=2)
    assert len(sentences) == 2
    assert all(set(s) == {"sentence", "translation"} for s in sentences)
    assert all("Katze" in s["sentence"] and "cat" in s["translation"] for s in sentences)


def test_chat_client_complete_returns_text(upstream):
    client = ChatClient(upstream + "/v1", "sk-test", "gpt-3.5-turbo")
    reply = client.complete([{"role": "user", "content": "Why are nouns capitalised?"}])
    assert isinstance(reply, str) and reply


def test_chat_client_raises_llm_error_on_http_errors(upstream):
    with pytest.raises(LLMError) as info:
        ChatClient(upstream + "/v1", "", "gpt-3.5-turbo").complete([{"role": "user", "content": "hi"}])
    assert info.value.status_code == 401
    with pytest.raises(LLMError) as info:
        ChatClient(upstream + "/nowhere", "sk-test", "m").complete([{"role": "user", "content": "hi"}])
    assert info.value.status_code == 404


# --- seed data --------------------------------------------------------------------------------------

SMALL = {"users": 4, "categories": 5, "words_per_category": 30, "seed": 7}
TINY = {"users": 2, "categories": 3, "words_per_category": 12, "seed": 3}


def seeded_dump(uri="sqlite:///:memory:", **sizes):
    app = make_app(uri)
    with app.app_context():
        db.create_all()
        counts = seed_database(db, **sizes)
        dump = {}
        for table in db.metadata.sorted_tables:
            dump[table.name] = [tuple(row) for row in db.session.execute(select(table).order_by(*table.primary_key.columns))]
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return counts, dump


def test_seed_is_deterministic():
    counts_a, dump_a = seeded_dump(**SMALL)
    counts_b, dump_b = seeded_dump(**SMALL)
    assert counts_a == counts_b
    assert dump_a == dump_b
    _, dump_c = seeded_dump(**{**SMALL, "seed": 8})
    assert dump_c["user_vocabulary"] != dump_a["user_vocabulary"]


def test_seed_sizes_and_contents(ctx):
    counts = seed_database(db, **SMALL)
    assert counts["categories"] == 5
    assert counts["words"] == 150
    assert counts["users"] == 5  # plus admin
    assert counts["achievements"] >= 15
    for table in ("user_vocabulary", "practice_sessions", "practice_answers", "user_streaks",
                  "activity_log", "xp_transactions", "user_achievements", "example_sentences",
                  "word_images"):
        assert counts[table] > 0, table
    admin = User.query.filter_by(username="admin").one()
    assert admin.is_admin and check_password_hash(admin.password_hash, "admin123")
    user1 = User.query.filter_by(username="user1").one()
    assert check_password_hash(user1.password_hash, "password123")
    ledger = sum(t.amount for t in XPTransaction.query.filter_by(user_id=user1.id))
    assert user1.xp_total == ledger and user1.level == xp.level_for_xp(ledger)
    with pytest.raises(RuntimeError, match="already has users"):
        seed_database(db, **SMALL)


def test_seed_goes_beyond_the_word_lists(ctx):
    counts = seed_database(db, users=1, categories=42, words_per_category=3, seed=1)
    assert counts["categories"] == 42 and counts["words"] == 126
    pairs = [("Apfel", "apple"), ("Brot", "bread")]
    words = _category_words(pairs, 80, random.Random(1))
    assert len(words) == 80 and len({w[0] for w in words}) == 80
    assert words[:2] == [("Apfel", "apple", "noun"), ("Brot", "bread", "noun")]
    assert ("Apfel 2", "apple 2", "noun") in words


@pytest.mark.postgres
def test_seed_is_identical_on_postgresql():
    import psycopg2

    name = f"legacy_seed_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg2.connect("dbname=postgres user=postgres host=127.0.0.1 port=5432", connect_timeout=5)
    except psycopg2.OperationalError as exc:
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is not reachable ({exc}); start it (make test does)")
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        counts_pg, dump_pg = seeded_dump(f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}", **TINY)
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    counts_sqlite, dump_sqlite = seeded_dump(**TINY)
    assert counts_pg == counts_sqlite
    assert dump_pg == dump_sqlite
