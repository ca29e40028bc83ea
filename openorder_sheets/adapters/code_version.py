"""Fingerprints of code, for the caches kept on this machine: a cache written by other code (or
with other versions of the libraries it calls) is not read."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path


def fingerprint(modules: Iterable[Path], packages: Iterable[str], seed: bytes = b"") -> bytes:
    """A digest of ``modules`` (name and text, in the order given) and of the installed
    versions of ``packages``."""
    digest = hashlib.blake2b(seed, digest_size=16)
    for path in modules:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for package in packages:
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f"{package}={metadata.version(package)}".encode())
    return digest.digest()
