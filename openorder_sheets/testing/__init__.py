"""Testing helpers shipped with the package: fakes and local servers for offline runs.

Production code never imports this package. Most of it needs only what a plain install has;
the local SMTP server also needs ``aiosmtpd`` and ``cryptography``, which come with the
``testing`` extra (``pip install 'openorder-sheets[testing]'``).
"""

from __future__ import annotations

EXTRA_HINT = (
    "install the test tools with `pip install 'openorder-sheets[testing]'` (in a checkout: "
    "`.venv/bin/pip install -e '.[test]'`)"
)


def missing_extra(error: ModuleNotFoundError, what: str) -> ModuleNotFoundError:
    """The error to raise when ``what`` needs a package of the ``testing`` extra."""
    package = error.name or "a test-only package"
    return ModuleNotFoundError(
        f"{what} needs {package}, which a plain install of openorder-sheets does not "
        f"include: {EXTRA_HINT}.",
        name=error.name,
    )
