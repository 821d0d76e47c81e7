"""Users, passwords and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from . import clock
from .errors import Conflict, NotFound, ValidationFailed
from .models import ApiToken, User, db
from .transaction import transactional

ROLES = (
    "officer", "complaints_manager", "investigating_officer", "independent_person",
    "panel_member", "senior_manager", "process_owner", "admin",
)


@transactional
def create_user(username: str, *, roles: list[str], teams: list[str] = (), password: str | None = None,
                email: str | None = None, display_name: str | None = None) -> User:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown or not roles:
        raise ValidationFailed({"role": f"Unknown role(s): {', '.join(unknown) or 'none given'}"})
    if db.session.scalar(select(User).where(User.username == username)) is not None:
        raise Conflict(f"A user called {username} already exists")
    user = User(
        username=username, display_name=display_name or username, email=email, roles=sorted(set(roles)),
        teams=sorted(set(teams)), password_hash=generate_password_hash(password) if password else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transactional
def issue_token(username: str) -> str:
    """Create an API token for the user and return it; only its hash is stored."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"No user called {username}")
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_hash_token(token), created_at=clock.now()))
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _hash_token(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.active:
        return None
    return row.user


def check_password(user: User, password: str) -> bool:
    return bool(user.password_hash) and check_password_hash(user.password_hash, password)


MAX_FAILED_SIGN_INS = 5
LOCK_OUT_FOR = timedelta(minutes=15)
# Checked against when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class SignInRefused(Exception):
    """The same words whatever was wrong, so the page does not say which usernames exist."""


@transactional
def sign_in(username: str, password: str) -> User:
    """Return the user if the password is right; count failures and lock the account for a while."""
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    now = clock.now()
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        raise SignInRefused("Enter a correct username and password")
    if user.locked_until and user.locked_until > now:
        raise SignInRefused("Too many failed attempts. Wait 15 minutes, then try again")
    if not check_password(user, password):
        user.failed_sign_ins += 1
        if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
            user.locked_until, user.failed_sign_ins = now + LOCK_OUT_FOR, 0
        db.session.commit()
        raise SignInRefused("Enter a correct username and password")
    user.failed_sign_ins, user.locked_until = 0, None
    return user


def get_user_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def list_users() -> list[User]:
    return db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.username)).all()


def get_user(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"No user called {username}")
    return user
