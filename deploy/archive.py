"""A zip file whose bytes depend only on its entries: the same code and rules give the same SHA-256.

Zip files carry timestamps, permissions and the order entries were added in; each is fixed here
(1980-01-01, the zip format's earliest date; 0644; sorted names), so a package's hash says whether
anything in it changed, and an unchanged package is not uploaded or redeployed. Deflate output also
depends on zlib, so the hash is stable for one Python build, not across every zlib version.
"""
from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644  # a regular file, rw-r--r--; Lambda needs no execute bit to import a .so
UNIX = 3  # the "made by" system, so the mode above is read as Unix permissions
COMPRESS_LEVEL = 9


def write_zip(path: str | os.PathLike[str], entries: Mapping[str, bytes]) -> tuple[int, str]:
    """Write `entries` (archive name -> content) to `path`; return its size and SHA-256."""
    for name in entries:
        if name.startswith("/") or ".." in name.split("/") or "\\" in name or not name or name.endswith("/"):
            raise ValueError(f"not a relative file name for a zip entry: {name!r}")
    target = Path(path)
    with zipfile.ZipFile(target, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = UNIX
            info.external_attr = FILE_MODE << 16
            archive.writestr(info, entries[name], compresslevel=COMPRESS_LEVEL)
    data = target.read_bytes()
    return len(data), hashlib.sha256(data).hexdigest()
