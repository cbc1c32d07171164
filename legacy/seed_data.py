"""Deterministic demo data: `flask seed` (see app.py) calls seed_database().

Everything comes from random.Random(seed) and a fixed base time, so two databases seeded with
the same arguments hold the same rows (ids included) on SQLite and on PostgreSQL. The default
size is roughly what the staging database had: 50 learners, 40 themes, 2,000 words.
"""
import hashlib
import json
import random
from datetime import datetime, timedelta

from sqlalchemy import inspect as sa_inspect

from legacy.models import (
    Achievement,
    ActivityLog,
    Avatar,
    Category,
    ExampleSentence,
    ExcludedWord,
    PracticeAnswer,
    PracticeSession,
    TextSubmission,
    User,
    UserAchievement,
    UserSettings,
    UserStreak,
    UserVocabulary,
    Word,
    WordImage,
    XPTransaction,
)
from legacy.services.avatars import AVATAR_STYLES, generate_avatar_svg
from legacy.services.xp import XP_RULES, level_for_xp
from legacy.wordlists import (
    ADJECTIVES,
    CATEGORIES,
    COMPOUND_HEADS,
    VERBS,
    compound,
    parse_pairs,
)

# Fixed "now" of the seeded world. Streaks and "this week" are relative to this, not to the clock.
BASE_TIME = datetime(2026, 11, 27, 20, 0, 0)

DEFAULT_PASSWORD = "password123"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin123"
# Cheap on purpose: 51 users must seed in well under a second. Production used the default.
PASSWORD_METHOD = "pbkdf2:sha256:1000"

ACHIEVEMENTS = [
    # code, name, description, icon, metric, threshold, xp_reward
    ("first_word", "First Word", "Add your first word", "🌱", "words_added", 1, 10),
    ("collector_50", "Collector", "Add 50 words to your vocabulary", "📚", "words_added", 50, 25),
    ("collector_150", "Hoarder", "Add 150 words to your vocabulary", "🗄️", "words_added", 150, 50),
    ("known_10", "Getting There", "Know 10 words", "💡", "words_known", 10, 20),
    ("known_50", "Word Smith", "Know 50 words", "🛠️", "words_known", 50, 50),
    ("known_100", "Walking Dictionary", "Know 100 words", "📖", "words_known", 100, 100),
    ("streak_3", "On a Roll", "Keep a 3-day streak", "🔥", "streak", 3, 15),
    ("streak_7", "Week Warrior", "Keep a 7-day streak", "📅", "streak", 7, 30),
    ("streak_30", "Unstoppable", "Keep a 30-day streak", "🏆", "streak", 30, 100),
    ("session_1", "First Practice", "Complete a practice session", "🎯", "sessions", 1, 10),
    ("session_10", "Regular", "Complete 10 practice sessions", "🏋️", "sessions", 10, 40),
    ("perfect_1", "Flawless", "Finish a session without a mistake", "💯", "perfect_sessions", 1, 25),
    ("xp_500", "Rising Star", "Earn 500 XP", "⭐", "xp", 500, 25),
    ("xp_2000", "Superstar", "Earn 2,000 XP", "🌟", "xp", 2000, 50),
    ("level_5", "Level 5", "Reach level 5", "🎖️", "level", 5, 30),
    ("reader", "Reader", "Read 5 news articles", "📰", "articles", 5, 20),
    ("text_1", "Text Explorer", "Process your first text", "📝", "texts", 1, 15),
    ("avatar", "New Look", "Create an avatar", "🖼️", "avatars", 1, 10),
]

EXCLUDED_CANDIDATES = ["und", "oder", "aber", "Berlin", "Müller", "okay", "hallo", "ja", "nein", "Euro"]
SENTENCE_TEMPLATES = [
    ("Ich brauche heute {w}.", "I need {e} today."),
    ("Wo ist {w}?", "Where is {e}?"),
    ("{W} gefällt mir sehr.", "I like {e} very much."),
    ("Kennst du {w}?", "Do you know {e}?"),
]
TEXT_SNIPPETS = [
    ("Mein Wochenende", "Am Samstag war ich auf dem Markt. Ich habe Äpfel, Brot und Käse gekauft."),
    ("Im Büro", "Mein Kollege hat morgen einen Termin mit einem wichtigen Kunden."),
    ("Urlaubspläne", "Im Sommer fahren wir mit dem Zug an das Meer. Wir brauchen noch ein Hotel."),
    ("Beim Arzt", "Ich habe Fieber und Schmerzen im Rücken. Der Arzt gibt mir ein Rezept."),
]
VOCAB_SOURCES = ["manual", "manual", "text", "suggested", "bulk", "news", "top100"]
MODES = ["flashcards", "flashcards", "multiple_choice", "typing", "listening"]
LEVEL_DIFFICULTY = {"A1": 1, "A2": 2, "B1": 3, "B2": 4, "C1": 5, "C2": 5}


def _slugify(name):
    out = []
    for ch in name.lower():
        out.append(ch if ch.isalnum() else "-")
    slug = "".join(out)
    while "--" in slug:
        slug = slug.replace("--", "-")
    return slug.strip("-")


def _password_hash(password, rng):
    """What werkzeug.security.generate_password_hash(password, PASSWORD_METHOD) returns, but with
    a salt from the seeded RNG so that two seeded databases are byte-identical. The result
    verifies with werkzeug.security.check_password_hash."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    salt = "".join(rng.choice(alphabet) for _ in range(16))
    _, hash_name, iterations = PASSWORD_METHOD.split(":")
    digest = hashlib.pbkdf2_hmac(hash_name, password.encode(), salt.encode(), int(iterations)).hex()
    return f"{PASSWORD_METHOD}${salt}${digest}"


def _category_specs(count):
    specs = []
    for i in range(count):
        name, icon, level, description, pairs = CATEGORIES[i % len(CATEGORIES)]
        if i >= len(CATEGORIES):
            name = f"{name} {i // len(CATEGORIES) + 1}"
            description = f"{description} (more)"
        specs.append((name, icon, level, description, parse_pairs(pairs)))
    return specs


def _category_words(pairs, n, rng):
    """n (german, english, part_of_speech) entries: the base nouns first, then compounds, then
    verbs/adjectives, numbered only when a huge size asks for more than the lists hold."""
    words = [(de, en, "noun") for de, en in pairs]
    compounds = [compound(base, head) + ("noun",) for base in pairs for head in COMPOUND_HEADS]
    rng.shuffle(compounds)
    words.extend(compounds)
    extras = [(de, en, "verb") for de, en in VERBS] + [(de, en, "adjective") for de, en in ADJECTIVES]
    rng.shuffle(extras)
    words.extend(extras)
    seen = set()
    unique = []
    for w in words:
        if w[0].lower() not in seen:
            seen.add(w[0].lower())
            unique.append(w)
    round_no = 2
    while len(unique) < n:
        for de, en, pos in list(unique[: len(pairs)]):
            if len(unique) >= n:
                break
            unique.append((f"{de} {round_no}", f"{en} {round_no}", pos))
        round_no += 1
    return unique[:n]


def _commit(db, rows):
    """Insert through the ORM (the ids are needed later). One commit per table."""
    db.session.add_all(rows)
    db.session.commit()
    return len(rows)


def _bulk_commit(db, rows):
    """Insert rows nobody refers to with one executemany; 10x faster than the unit of work.
    The model objects are only used as typed records here and never enter the session."""
    if not rows:
        return 0
    table = rows[0].__table__
    records = [
        {key: value for key, value in sa_inspect(row).dict.items() if key in table.c}
        for row in rows
    ]
    db.session.execute(table.insert(), records)
    db.session.commit()
    return len(rows)


def seed_database(db, users=50, categories=40, words_per_category=50, seed=42):
    """Create demo data in an empty database (tables must exist). Returns row counts per table."""
    if users < 0 or categories < 1 or words_per_category < 1:
        raise ValueError("seed sizes must be positive (users may be 0)")
    if db.session.query(User.id).first() is not None:
        raise RuntimeError("the database already has users; drop it first (flask seed --drop)")
    # The rows are read again after each commit (ids, dates); with the default
    # expire_on_commit every such read would be a SELECT per row.
    session = db.session()
    expire_on_commit = session.expire_on_commit
    session.expire_on_commit = False
    try:
        return _seed(db, users, categories, words_per_category, seed)
    finally:
        session.expire_on_commit = expire_on_commit


def _seed(db, users, categories, words_per_category, seed):
    rng = random.Random(seed)
    counts = {}

    # --- catalogue ---------------------------------------------------------------------------
    category_rows = []
    category_words = []
    for i, (name, icon, level, description, pairs) in enumerate(_category_specs(categories)):
        category_rows.append(
            Category(
                name=name,
                slug=_slugify(name),
                description=description,
                icon=icon,
                level=level,
                created_at=BASE_TIME - timedelta(days=900 - i),
            )
        )
        category_words.append(_category_words(pairs, words_per_category, rng))
    counts["categories"] = _commit(db, category_rows)

    total_words = categories * words_per_category
    ranks = list(range(1, total_words + 1))
    rng.shuffle(ranks)
    word_rows = []
    for category, entries in zip(category_rows, category_words):
        base_difficulty = LEVEL_DIFFICULTY.get(category.level, 2)
        for position, (german, english, pos) in enumerate(entries):
            example = None
            if position < 5:
                de, en = SENTENCE_TEMPLATES[position % len(SENTENCE_TEMPLATES)]
                example = de.format(w=german, W=german)
            word_rows.append(
                Word(
                    text=german,
                    translation=english,
                    category_id=category.id,
                    part_of_speech=pos,
                    difficulty=min(5, base_difficulty + (1 if position >= 12 and rng.random() < 0.4 else 0)),
                    frequency_rank=ranks[len(word_rows)],
                    example=example,
                    created_by=None,
                    created_at=category.created_at + timedelta(minutes=position),
                )
            )
    counts["words"] = _commit(db, word_rows)

    sentence_rows = []
    image_rows = []
    for index, word in enumerate(word_rows):
        if index % words_per_category < 3:
            for k in range(2):
                de, en = SENTENCE_TEMPLATES[(index + k) % len(SENTENCE_TEMPLATES)]
                sentence_rows.append(
                    ExampleSentence(
                        word_id=word.id,
                        sentence=de.format(w=word.text, W=word.text),
                        translation=en.format(e=f"the {word.translation}"),
                        model="gpt-3.5-turbo",
                        created_at=BASE_TIME - timedelta(days=200 - (index % 150)),
                    )
                )
        if index % words_per_category < 4:
            photo_id = hashlib.sha1(f"{seed}:{word.text}".encode()).hexdigest()[:11]
            base = f"http://127.0.0.1:8090/unsplash/photos/{photo_id}"
            image_rows.append(
                WordImage(
                    word_id=word.id,
                    url=base + "?w=1080&q=80&fm=jpg",
                    thumb_url=base + "?w=200&q=80&fm=jpg",
                    photographer=rng.choice(["Anna Berger", "Lukas Wagner", "Mia Schulz", "Leon Koch"]),
                    source_id=photo_id,
                    query=word.translation,
                    created_at=BASE_TIME - timedelta(days=100 - (index % 90)),
                )
            )
    counts["example_sentences"] = _bulk_commit(db, sentence_rows)
    counts["word_images"] = _bulk_commit(db, image_rows)

    achievement_rows = [
        Achievement(
            code=code, name=name, description=desc, icon=icon, metric=metric, threshold=threshold,
            xp_reward=reward,
        )
        for code, name, desc, icon, metric, threshold, reward in ACHIEVEMENTS
    ]
    counts["achievements"] = _commit(db, achievement_rows)

    # --- users -------------------------------------------------------------------------------
    user_rows = []
    for n in range(1, users + 1):
        created = BASE_TIME - timedelta(days=rng.randint(40, 400), minutes=rng.randint(0, 1439))
        user_rows.append(
            User(
                username=f"user{n}",
                email=f"user{n}@example.com",
                password_hash=_password_hash(DEFAULT_PASSWORD, rng),
                native_language="en",
                target_language="de",
                level=1,
                xp_total=0,
                is_admin=False,
                created_at=created,
                last_login=BASE_TIME - timedelta(hours=rng.randint(0, 24 * 14)),
            )
        )
    user_rows.append(
        User(
            username=ADMIN_USERNAME,
            email="admin@example.com",
            password_hash=_password_hash(ADMIN_PASSWORD, rng),
            native_language="en",
            target_language="de",
            level=1,
            xp_total=0,
            is_admin=True,
            created_at=BASE_TIME - timedelta(days=1000),
            last_login=BASE_TIME - timedelta(hours=2),
        )
    )
    counts["users"] = _commit(db, user_rows)
    learners = user_rows[:users]

    settings_rows = []
    for user in user_rows:
        settings_rows.append(
            UserSettings(
                user_id=user.id,
                openai_api_key=f"sk-user-{hashlib.sha1(user.username.encode()).hexdigest()[:20]}"
                if rng.random() < 0.15
                else None,
                preferred_model=rng.choice(["gpt-3.5-turbo", "gpt-3.5-turbo", "gpt-4o-mini"]),
                daily_goal=rng.choice([10, 20, 20, 30, 50]),
                theme=rng.choice(["light", "light", "dark"]),
                notifications_enabled=rng.random() < 0.8,
                show_images=rng.random() < 0.9,
                practice_direction=rng.choice(["to_native", "to_native", "to_target"]),
            )
        )
    counts["user_settings"] = _bulk_commit(db, settings_rows)

    # --- vocabularies and practice -------------------------------------------------------------
    stats = {user.id: {"added": 0, "known": 0, "sessions": 0, "perfect": 0, "xp": []} for user in learners}
    vocab_rows = []
    vocab_by_user = {}
    for user in learners:
        size = min(rng.randint(100, 200), len(word_rows))
        chosen = rng.sample(word_rows, size)
        vocab_by_user[user.id] = chosen
        for word in chosen:
            status = rng.choices(["new", "learning", "known"], weights=[3, 4, 3])[0]
            correct = {"new": 0, "learning": rng.randint(1, 4), "known": rng.randint(4, 12)}[status]
            incorrect = rng.randint(0, 3) if status != "new" else 0
            added = user.created_at + timedelta(
                minutes=rng.randint(0, max(1, int((BASE_TIME - user.created_at).total_seconds() // 60)))
            )
            vocab_rows.append(
                UserVocabulary(
                    user_id=user.id,
                    word_id=word.id,
                    status=status,
                    correct_count=correct,
                    incorrect_count=incorrect,
                    source=rng.choice(VOCAB_SOURCES),
                    added_at=added,
                    last_practiced=None if status == "new" else added + timedelta(hours=rng.randint(1, 200)),
                )
            )
            stats[user.id]["added"] += 1
            stats[user.id]["known"] += status == "known"
            stats[user.id]["xp"].append((XP_RULES["word_added"], "word_added", added))
    counts["user_vocabulary"] = _bulk_commit(db, vocab_rows)

    session_rows = []
    session_words = []
    for user in learners:
        if not vocab_by_user[user.id]:
            continue
        for _ in range(rng.randint(5, 15)):
            started = BASE_TIME - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 1439))
            words = rng.sample(vocab_by_user[user.id], min(10, len(vocab_by_user[user.id])))
            outcomes = [rng.random() < 0.75 for _ in words]
            completed = rng.random() < 0.9
            correct = sum(outcomes)
            xp_earned = 0
            if completed:
                xp_earned = correct * XP_RULES["practice_correct"] + XP_RULES["session_completed"]
                if correct == len(words):
                    xp_earned += XP_RULES["perfect_session"]
                    stats[user.id]["perfect"] += 1
                stats[user.id]["sessions"] += 1
                stats[user.id]["xp"].append((xp_earned, "session_completed", started + timedelta(minutes=6)))
            session_rows.append(
                PracticeSession(
                    user_id=user.id,
                    mode=rng.choice(MODES),
                    category_id=words[0].category_id if rng.random() < 0.5 else None,
                    total_questions=len(words),
                    correct_answers=correct,
                    xp_earned=xp_earned,
                    started_at=started,
                    completed_at=started + timedelta(minutes=6) if completed else None,
                )
            )
            session_words.append(list(zip(words, outcomes)))
    counts["practice_sessions"] = _commit(db, session_rows)

    answer_rows = []
    for session, answers in zip(session_rows, session_words):
        for position, (word, ok) in enumerate(answers):
            answer_rows.append(
                PracticeAnswer(
                    session_id=session.id,
                    word_id=word.id,
                    user_answer=word.translation if ok else rng.choice(["?", "dunno", word.translation[::-1]]),
                    is_correct=ok,
                    response_ms=rng.randint(900, 9000),
                    answered_at=session.started_at + timedelta(seconds=30 * (position + 1)),
                )
            )
    counts["practice_answers"] = _bulk_commit(db, answer_rows)

    # --- streaks and activity -------------------------------------------------------------------
    streak_rows = []
    activity_rows = []
    today = BASE_TIME.date()
    for user in learners:
        current = rng.choice([0, 0, 1, 2, 3, 5, 8, 12, 20, 35])
        last = today - timedelta(days=rng.choice([0, 0, 1])) if current else today - timedelta(days=rng.randint(2, 20))
        longest = max(current, rng.randint(current, current + 30))
        streak_rows.append(
            UserStreak(
                user_id=user.id,
                current_streak=current,
                longest_streak=longest,
                last_activity_date=last,
                freezes_available=min(2, current // 7),
            )
        )
        active_days = {last - timedelta(days=k) for k in range(current)}
        for k in range(60):
            # nothing after the streak's last day, or the streak would be a lie
            if rng.random() < 0.35 and today - timedelta(days=k) <= last:
                active_days.add(today - timedelta(days=k))
        for day in sorted(active_days):
            for _ in range(rng.randint(1, 3)):
                activity_type = rng.choice(["practice", "word_added", "session_completed", "text_processed", "article_read", "login"])
                activity_rows.append(
                    ActivityLog(
                        user_id=user.id,
                        activity_type=activity_type,
                        details=json.dumps({"source": "seed"}),
                        activity_date=day,
                        created_at=datetime.combine(day, datetime.min.time()) + timedelta(minutes=rng.randint(360, 1380)),
                    )
                )
        stats[user.id]["longest"] = longest
        stats[user.id]["articles"] = 0
    for row in activity_rows:
        if row.activity_type == "article_read":
            stats[row.user_id]["articles"] = stats[row.user_id].get("articles", 0) + 1
    counts["user_streaks"] = _bulk_commit(db, streak_rows)
    counts["activity_log"] = _bulk_commit(db, activity_rows)

    # --- texts, excluded words, avatars -----------------------------------------------------------
    text_rows = []
    excluded_rows = []
    avatar_rows = []
    for user in learners:
        texts = 0
        for title, body in rng.sample(TEXT_SNIPPETS, rng.randint(0, 2)):
            texts += 1
            text_rows.append(
                TextSubmission(
                    user_id=user.id,
                    title=title,
                    content=body,
                    word_count=len(body.split()),
                    unknown_count=rng.randint(1, 6),
                    created_at=BASE_TIME - timedelta(days=rng.randint(1, 90)),
                )
            )
            stats[user.id]["xp"].append((XP_RULES["text_processed"], "text_processed", text_rows[-1].created_at))
        stats[user.id]["texts"] = texts
        for word in rng.sample(EXCLUDED_CANDIDATES, rng.randint(0, 4)):
            excluded_rows.append(
                ExcludedWord(
                    user_id=user.id,
                    word_text=word.lower(),
                    reason=rng.choice(["known", "name", "not useful"]),
                    created_at=BASE_TIME - timedelta(days=rng.randint(1, 120)),
                )
            )
        stats[user.id]["avatars"] = 0
        if rng.random() < 0.4:
            style = rng.choice(AVATAR_STYLES)
            avatar_seed = hashlib.sha1(f"{seed}:{user.username}".encode()).hexdigest()[:16]
            avatar_rows.append(
                Avatar(
                    user_id=user.id,
                    source="generated",
                    style=style,
                    seed=avatar_seed,
                    prompt=None,
                    image_url=None,
                    image_data=generate_avatar_svg(avatar_seed, style),
                    parent_id=None,
                    is_current=True,
                    created_at=BASE_TIME - timedelta(days=rng.randint(1, 200)),
                )
            )
            stats[user.id]["avatars"] = 1
    counts["text_submissions"] = _bulk_commit(db, text_rows)
    counts["excluded_words"] = _bulk_commit(db, excluded_rows)
    counts["avatars"] = _bulk_commit(db, avatar_rows)

    # --- XP, levels and achievements ----------------------------------------------------------------
    xp_rows = []
    unlocked_rows = []
    for user in learners:
        s = stats[user.id]
        for day in range(0, 60, 7):
            if rng.random() < 0.3:
                s["xp"].append((XP_RULES["daily_goal"], "daily_goal", BASE_TIME - timedelta(days=day, hours=3)))
        metrics = {
            "words_added": s["added"],
            "words_known": s["known"],
            "streak": s["longest"],
            "sessions": s["sessions"],
            "perfect_sessions": s["perfect"],
            "texts": s["texts"],
            "avatars": s["avatars"],
            "articles": s["articles"],
        }
        unlocked = []
        for achievement in achievement_rows:
            if achievement.metric in metrics and metrics[achievement.metric] >= achievement.threshold:
                unlocked.append(achievement)
        total = sum(amount for amount, _, _ in s["xp"]) + sum(a.xp_reward for a in unlocked)
        # xp/level achievements are judged on the total so far, without chaining their own rewards
        level = level_for_xp(total)
        for achievement in achievement_rows:
            if achievement.metric == "xp" and total >= achievement.threshold:
                unlocked.append(achievement)
            elif achievement.metric == "level" and level >= achievement.threshold:
                unlocked.append(achievement)
        when = BASE_TIME - timedelta(days=30)
        for k, achievement in enumerate(unlocked):
            unlocked_at = when + timedelta(hours=7 * k)
            unlocked_rows.append(
                UserAchievement(user_id=user.id, achievement_id=achievement.id, unlocked_at=unlocked_at)
            )
            s["xp"].append((achievement.xp_reward, "achievement", unlocked_at))
        s["xp"].sort(key=lambda item: item[2])
        for amount, reason, created in s["xp"]:
            xp_rows.append(XPTransaction(user_id=user.id, amount=amount, reason=reason, created_at=created))
        user.xp_total = sum(amount for amount, _, _ in s["xp"])
        user.level = level_for_xp(user.xp_total)
    db.session.commit()  # the users' xp_total and level
    counts["user_achievements"] = _bulk_commit(db, unlocked_rows)
    counts["xp_transactions"] = _bulk_commit(db, xp_rows)
    return counts
