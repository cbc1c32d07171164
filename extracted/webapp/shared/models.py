"""Database models.

Started as three tables (users, categories, words) and grew with every feature. Most foreign
keys were added without indexes; relationships use the default lazy loading.
"""
from datetime import datetime

from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80), unique=True, nullable=False)
    email = db.Column(db.String(120), unique=True, nullable=False)
    password_hash = db.Column(db.String(256), nullable=False)
    native_language = db.Column(db.String(10), default="en")
    target_language = db.Column(db.String(10), default="de")
    level = db.Column(db.Integer, default=1)
    xp_total = db.Column(db.Integer, default=0)
    is_admin = db.Column(db.Boolean, default=False)
    created_at = db.Column(db.DateTime, default=datetime.utcnow)
    last_login = db.Column(db.DateTime)

    settings = db.relationship("UserSettings", backref="user", uselist=False)
    vocabulary = db.relationship("UserVocabulary", backref="user", lazy="dynamic")
    sessions = db.relationship("PracticeSession", backref="user", lazy="dynamic")
    achievements = db.relationship("UserAchievement", backref="user")
    avatars = db.relationship("Avatar", backref="user")
    streak = db.relationship("UserStreak", backref="user", uselist=False)

    def to_dict(self):
        return {
            "id": self.id,
            "username": self.username,
            "email": self.email,
            "native_language": self.native_language,
            "target_language": self.target_language,
            "level": self.level,
            "xp_total": self.xp_total,
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }


class UserSettings(db.Model):
    __tablename__ = "user_settings"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    openai_api_key = db.Column(db.String(200))
    preferred_model = db.Column(db.String(50), default="gpt-3.5-turbo")
    daily_goal = db.Column(db.Integer, default=20)
    theme = db.Column(db.String(20), default="light")
    notifications_enabled = db.Column(db.Boolean, default=True)
    show_images = db.Column(db.Boolean, default=True)
    practice_direction = db.Column(db.String(20), default="to_native")

    def to_dict(self, include_key=False):
        data = {
            "preferred_model": self.preferred_model,
            "daily_goal": self.daily_goal,
            "theme": self.theme,
            "notifications_enabled": self.notifications_enabled,
            "show_images": self.show_images,
            "practice_direction": self.practice_direction,
            "has_openai_key": bool(self.openai_api_key),
        }
        if include_key and self.openai_api_key:
            data["openai_api_key"] = self.openai_api_key[:3] + "..." + self.openai_api_key[-4:]
        return data


class Category(db.Model):
    __tablename__ = "categories"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(100), unique=True, nullable=False)
    slug = db.Column(db.String(100), unique=True, nullable=False)
    description = db.Column(db.Text)
    icon = db.Column(db.String(50))
    level = db.Column(db.String(10), default="A1")
    created_at = db.Column(db.DateTime, default=datetime.utcnow)

    words = db.relationship("Word", backref="category", lazy="select")

    def to_dict(self):
        return {
            "id": self.id,
            "name": self.name,
            "slug": self.slug,
            "description": self.description,
            "icon": self.icon,
            "level": self.level,
        }


class Word(db.Model):
    __tablename__ = "words"

    id = db.Column(db.Integer, primary_key=True)
    text = db.Column(db.String(100), nullable=False)
    translation = db.Column(db.String(200))
    category_id = db.Column(db.Integer, db.ForeignKey("categories.id"))
    part_of_speech = db.Column(db.String(20))
    difficulty = db.Column(db.Integer, default=1)
    frequency_rank = db.Column(db.Integer)
    example = db.Column(db.Text)
    created_by = db.Column(db.Integer, db.ForeignKey("users.id"))
    created_at = db.Column(db.DateTime, default=datetime.utcnow)

    images = db.relationship("WordImage", backref="word", lazy="select")
    sentences = db.relationship("ExampleSentence", backref="word", lazy="select")

    def to_dict(self):
        return {
            "id": self.id,
            "text": self.text,
            "translation": self.translation,
            "category_id": self.category_id,
            "part_of_speech": self.part_of_speech,
            "difficulty": self.difficulty,
            "frequency_rank": self.frequency_rank,
            "example": self.example,
        }


class UserVocabulary(db.Model):
    __tablename__ = "user_vocabulary"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    word_id = db.Column(db.Integer, db.ForeignKey("words.id"), nullable=False)
    status = db.Column(db.String(20), default="new")  # new, learning, known
    correct_count = db.Column(db.Integer, default=0)
    incorrect_count = db.Column(db.Integer, default=0)
    source = db.Column(db.String(30), default="manual")
    added_at = db.Column(db.DateTime, default=datetime.utcnow)
    last_practiced = db.Column(db.DateTime)

    word = db.relationship("Word")

    def to_dict(self):
        return {
            "id": self.id,
            "word_id": self.word_id,
            "status": self.status,
            "correct_count": self.correct_count,
            "incorrect_count": self.incorrect_count,
            "source": self.source,
            "added_at": self.added_at.isoformat() if self.added_at else None,
            "last_practiced": self.last_practiced.isoformat() if self.last_practiced else None,
        }


class ExcludedWord(db.Model):
    __tablename__ = "excluded_words"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    word_text = db.Column(db.String(100), nullable=False)
    reason = db.Column(db.String(50))
    created_at = db.Column(db.DateTime, default=datetime.utcnow)


class PracticeSession(db.Model):
    __tablename__ = "practice_sessions"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    mode = db.Column(db.String(30), default="flashcards")
    category_id = db.Column(db.Integer, db.ForeignKey("categories.id"))
    total_questions = db.Column(db.Integer, default=0)
    correct_answers = db.Column(db.Integer, default=0)
    xp_earned = db.Column(db.Integer, default=0)
    started_at = db.Column(db.DateTime, default=datetime.utcnow)
    completed_at = db.Column(db.DateTime)

    answers = db.relationship("PracticeAnswer", backref="session", lazy="select")

    def to_dict(self):
        return {
            "id": self.id,
            "mode": self.mode,
            "category_id": self.category_id,
            "total_questions": self.total_questions,
            "correct_answers": self.correct_answers,
            "xp_earned": self.xp_earned,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "completed_at": self.completed_at.isoformat() if self.completed_at else None,
        }


class PracticeAnswer(db.Model):
    __tablename__ = "practice_answers"

    id = db.Column(db.Integer, primary_key=True)
    session_id = db.Column(db.Integer, db.ForeignKey("practice_sessions.id"), nullable=False)
    word_id = db.Column(db.Integer, db.ForeignKey("words.id"), nullable=False)
    user_answer = db.Column(db.String(200))
    is_correct = db.Column(db.Boolean, default=False)
    response_ms = db.Column(db.Integer)
    answered_at = db.Column(db.DateTime, default=datetime.utcnow)

    word = db.relationship("Word")


class ExampleSentence(db.Model):
    __tablename__ = "example_sentences"

    id = db.Column(db.Integer, primary_key=True)
    word_id = db.Column(db.Integer, db.ForeignKey("words.id"), nullable=False)
    sentence = db.Column(db.Text, nullable=False)
    translation = db.Column(db.Text)
    model = db.Column(db.String(50))
    created_at = db.Column(db.DateTime, default=datetime.utcnow)


class TextSubmission(db.Model):
    __tablename__ = "text_submissions"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    title = db.Column(db.String(200))
    content = db.Column(db.Text, nullable=False)
    word_count = db.Column(db.Integer, default=0)
    unknown_count = db.Column(db.Integer, default=0)
    source_url = db.Column(db.String(500))
    created_at = db.Column(db.DateTime, default=datetime.utcnow)


class NewsArticle(db.Model):
    __tablename__ = "news_articles"

    id = db.Column(db.Integer, primary_key=True)
    url = db.Column(db.String(500), unique=True, nullable=False)
    title = db.Column(db.String(300))
    summary = db.Column(db.Text)
    content = db.Column(db.Text)
    published = db.Column(db.String(100))
    fetched_at = db.Column(db.DateTime, default=datetime.utcnow)


class WordImage(db.Model):
    __tablename__ = "word_images"

    id = db.Column(db.Integer, primary_key=True)
    word_id = db.Column(db.Integer, db.ForeignKey("words.id"), nullable=False)
    url = db.Column(db.String(500), nullable=False)
    thumb_url = db.Column(db.String(500))
    photographer = db.Column(db.String(200))
    source_id = db.Column(db.String(100))
    query = db.Column(db.String(200))
    created_at = db.Column(db.DateTime, default=datetime.utcnow)

    def to_dict(self):
        return {
            "id": self.id,
            "word_id": self.word_id,
            "url": self.url,
            "thumb_url": self.thumb_url,
            "photographer": self.photographer,
            "source_id": self.source_id,
        }


class UserStreak(db.Model):
    __tablename__ = "user_streaks"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    current_streak = db.Column(db.Integer, default=0)
    longest_streak = db.Column(db.Integer, default=0)
    last_activity_date = db.Column(db.Date)
    freezes_available = db.Column(db.Integer, default=0)


class ActivityLog(db.Model):
    __tablename__ = "activity_log"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    activity_type = db.Column(db.String(50), nullable=False)
    details = db.Column(db.Text)
    activity_date = db.Column(db.Date, default=lambda: datetime.utcnow().date())
    created_at = db.Column(db.DateTime, default=datetime.utcnow)

    user = db.relationship("User")


class XPTransaction(db.Model):
    __tablename__ = "xp_transactions"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    amount = db.Column(db.Integer, nullable=False)
    reason = db.Column(db.String(100))
    created_at = db.Column(db.DateTime, default=datetime.utcnow)

    user = db.relationship("User")


class Achievement(db.Model):
    __tablename__ = "achievements"

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(50), unique=True, nullable=False)
    name = db.Column(db.String(100), nullable=False)
    description = db.Column(db.String(300))
    icon = db.Column(db.String(50))
    metric = db.Column(db.String(50))  # words_known, streak, sessions, xp, ...
    threshold = db.Column(db.Integer, default=1)
    xp_reward = db.Column(db.Integer, default=10)

    def to_dict(self):
        return {
            "id": self.id,
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "icon": self.icon,
            "metric": self.metric,
            "threshold": self.threshold,
            "xp_reward": self.xp_reward,
        }


class UserAchievement(db.Model):
    __tablename__ = "user_achievements"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    achievement_id = db.Column(db.Integer, db.ForeignKey("achievements.id"), nullable=False)
    unlocked_at = db.Column(db.DateTime, default=datetime.utcnow)

    achievement = db.relationship("Achievement")


class Avatar(db.Model):
    __tablename__ = "avatars"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    source = db.Column(db.String(20), default="generated")  # generated, variation, upload
    style = db.Column(db.String(30))
    seed = db.Column(db.String(64))
    prompt = db.Column(db.Text)
    image_url = db.Column(db.String(500))
    image_data = db.Column(db.Text)  # svg markup or base64 upload
    parent_id = db.Column(db.Integer, db.ForeignKey("avatars.id"))
    is_current = db.Column(db.Boolean, default=False)
    created_at = db.Column(db.DateTime, default=datetime.utcnow)

    def to_dict(self):
        return {
            "id": self.id,
            "source": self.source,
            "style": self.style,
            "seed": self.seed,
            "prompt": self.prompt,
            "image_url": self.image_url,
            "parent_id": self.parent_id,
            "is_current": self.is_current,
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }
