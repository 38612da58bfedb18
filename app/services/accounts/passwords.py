"""Passwords: how they are stored and which ones are refused.

Passwords are hashed with argon2id (argon2-cffi) at or above OWASP's minimum (19 MiB, t=2); a hash
made with weaker parameters is replaced at the next successful sign-in (see `sign_in`).

Other modules read the hasher as `passwords.HASHER`, through the module, so a test that replaces
it here replaces it for them too.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.services.errors import ValidationFailed

# OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1 is the minimum.
ARGON2_MEMORY_KIB = 19_456
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256  # long enough for any passphrase, short enough not to be a DoS lever

# Passwords that are among the most common in breach lists (or obvious for this app). Refused
# whatever their length; compared case-insensitively.
COMMON_PASSWORDS: frozenset[str] = frozenset(
    {
        "password",
        "password1",
        "password12",
        "password123",
        "password1234",
        "passw0rd",
        "p@ssw0rd",
        "p@ssword",
        "passwort",
        "motdepasse",
        "contraseña",
        "contrasena",
        "12345678",
        "123456789",
        "1234567890",
        "0123456789",
        "87654321",
        "11111111",
        "00000000",
        "12121212",
        "11223344",
        "12341234",
        "123123123",
        "1q2w3e4r",
        "1qaz2wsx",
        "qwertyui",
        "qwertyuiop",
        "qwerty123",
        "qwerty12",
        "asdfghjk",
        "asdfghjkl",
        "zxcvbnm1",
        "zaq12wsx",
        "abc12345",
        "abcd1234",
        "abcdefgh",
        "aaaaaaaa",
        "iloveyou",
        "iloveyou1",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "basketball",
        "superman",
        "batman123",
        "starwars",
        "trustno1",
        "letmein1",
        "letmein!",
        "welcome1",
        "welcome123",
        "welcome!",
        "whatever",
        "dragon12",
        "monkey12",
        "master12",
        "shadow12",
        "michael1",
        "jennifer",
        "computer",
        "internet",
        "changeme",
        "changeme1",
        "default1",
        "secret12",
        "secret123",
        "admin123",
        "admin1234",
        "administrator",
        "root1234",
        "test1234",
        "testtest",
        "guest123",
        "user1234",
        "login123",
        "qazwsxedc",
        "plantrack",
        "plantrack1",
        "plantrack123",
        "sanjose1",
        "sanjose123",
        "city1234",
        "government",
        "summer2024",
        "summer2025",
        "winter2024",
        "winter2025",
        "spring2025",
        "autumn2025",
        "january1",
        "password!",
        "passw0rd!",
        "access14",
        "mustang1",
        "freedom1",
        "charlie1",
        "hello123",
        "loveyou1",
        "monkey123",
        "dragon123",
    }
)


HASHER: PasswordHasher = PasswordHasher(
    time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM
)
"""The hasher for new hashes. A stored hash made with other parameters is rehashed at sign-in."""


@lru_cache(maxsize=4)
def _dummy_hash(memory_cost: int, time_cost: int, parallelism: int) -> str:
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism
    ).hash(secrets.token_urlsafe(16))


def _dummy_for(hasher: PasswordHasher) -> str:
    return _dummy_hash(hasher.memory_cost, hasher.time_cost, hasher.parallelism)


def check_password_policy(password: str, *, username: str = "") -> None:
    """Raise ValidationFailed (field `password`) for a password we refuse to store."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed.one("password", f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed.one("password", f"Use at most {MAX_PASSWORD_LENGTH} characters.")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) == 1:
        raise ValidationFailed.one(
            "password", "This password is too common; choose one that is hard to guess."
        )
    if username and lowered == username.lower():
        raise ValidationFailed.one("password", "The password cannot be the username.")


def hash_password(password: str, *, username: str = "") -> str:
    """The argon2id hash of an acceptable password (policy checked first)."""
    check_password_policy(password, username=username)
    return HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches. Always spends one argon2 verification, even without a hash."""
    hasher = HASHER
    try:
        return hasher.verify(password_hash or _dummy_for(hasher), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


_dummy_for(HASHER)  # made once at import, so even the first unknown user costs only a verify
