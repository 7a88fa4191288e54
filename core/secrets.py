"""Key material kept outside the database.

Keys live as files in ``settings.secrets_dir`` (mode 0600, created on first run) or come from
environment variables (``ZB_SECRET_<NAME>``, base64) where a deployment injects them from a vault.
A database dump alone therefore never decrypts personal data or forges a signature.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from core import settings as settings_mod


def secret_path(name: str) -> Path:
    return settings_mod.get().secrets_dir / name


def load_or_create(name: str, length: int = 32) -> bytes:
    """Return the secret ``name``; generate and store ``length`` random bytes if it does not exist."""
    env_value = os.environ.get(f"ZB_SECRET_{name.upper().replace('.', '_').replace('-', '_')}")
    if env_value:
        return base64.b64decode(env_value)
    path = secret_path(name)
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    value = secrets.token_bytes(length)
    # O_EXCL: two workers starting at once must agree on one key, never overwrite each other's.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as handle:
        handle.write(value)
    return value


def store(name: str, value: bytes) -> Path:
    path = secret_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(value)
    os.replace(tmp, path)
    return path


def load(name: str) -> bytes | None:
    env_value = os.environ.get(f"ZB_SECRET_{name.upper().replace('.', '_').replace('-', '_')}")
    if env_value:
        return base64.b64decode(env_value)
    path = secret_path(name)
    return path.read_bytes() if path.exists() else None
