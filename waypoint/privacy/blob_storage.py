"""Encrypted files kept in the database, so that every app server shares them (ADR 0038).

Evidence is encrypted before it reaches storage (reporting/evidence.py): what this
storage holds is ciphertext, in chunks of CHUNK_BYTES rows of privacy.StoredChunk. A file
is written in one transaction (it exists whole or not at all) and read back into a
temporary file that holds only ciphertext. Crypto-shredding is unchanged: without the
case's data key the chunks are noise, and erasing a file deletes its rows.
"""

from __future__ import annotations

import tempfile
from typing import IO, Any, Final

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Length
from django.utils.deconstruct import deconstructible

from waypoint.privacy.models import StoredChunk

CHUNK_BYTES: Final = 512 * 1024
_SPOOL_BYTES: Final = 1024 * 1024


@deconstructible
class DatabaseBlobStorage(Storage):
    def _open(self, name: str, mode: str = "rb") -> File[bytes]:
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("Stored files are written with save(), never opened for writing.")
        chunks = (
            StoredChunk.objects.filter(name=name)
            .order_by("position")
            .values_list("data", flat=True)
            .iterator(chunk_size=4)
        )
        spool: IO[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - returned open
            max_size=_SPOOL_BYTES, dir=settings.FILE_UPLOAD_TEMP_DIR
        )
        found = False
        for data in chunks:
            spool.write(bytes(data))
            found = True
        if not found:
            spool.close()
            raise FileNotFoundError(name)
        spool.seek(0)
        return File(spool, name=name)

    def _save(self, name: str, content: File[Any]) -> str:
        content.seek(0)
        with transaction.atomic():
            position = 0
            while True:
                data = content.read(CHUNK_BYTES)
                if not data and position:
                    break
                StoredChunk.objects.create(name=name, position=position, data=bytes(data))
                position += 1
                if not data:
                    break
        return name

    def delete(self, name: str) -> None:
        StoredChunk.objects.filter(name=name).delete()

    def exists(self, name: str) -> bool:
        return StoredChunk.objects.filter(name=name).exists()

    def size(self, name: str) -> int:
        total = (
            StoredChunk.objects.filter(name=name).aggregate(total=Sum(Length("data"))).get("total")
        )
        if total is None:
            raise FileNotFoundError(name)
        return int(total)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        prefix = f"{path.rstrip('/')}/" if path else ""
        names = (
            StoredChunk.objects.filter(name__startswith=prefix, position=0)
            .values_list("name", flat=True)
            .order_by("name")
        )
        directories: set[str] = set()
        files: list[str] = []
        for name in names:
            rest = name[len(prefix) :]
            if "/" in rest:
                directories.add(rest.split("/", 1)[0])
            else:
                files.append(rest)
        return sorted(directories), files

    def url(self, name: str | None) -> str:
        raise NotImplementedError("Evidence is only ever served through Waypoint's views.")
