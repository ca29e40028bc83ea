"""Files that survive a crash: what the journal and the workbook's atomic save share."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` survive a power cut, where a folder can be opened (Windows
    cannot open one; the file itself is still fsynced by its writer)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
