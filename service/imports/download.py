"""Fetching an authority's published list files (``sanctions import FORMAT --download``).

Standard library only (urllib). Files land in a folder the caller owns (a temp dir) under the
names the parsers expect; the import then reads them like any local file. ``url_base``
replaces the official location with ``{url_base}/{file name}`` (mirrors, tests).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Published:
    url: str
    filename: str  # what the parser expects (OFAC tells its files apart by name)
    required: bool = True


_OFAC = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
PUBLISHED: dict[str, tuple[Published, ...]] = {
    "ofac": (
        Published(_OFAC + "SDN.CSV", "sdn.csv"),
        Published(_OFAC + "ALT.CSV", "alt.csv"),
        Published(_OFAC + "ADD.CSV", "add.csv"),
        Published(_OFAC + "SDN_COMMENTS.CSV", "sdn_comments.csv", required=False),
        Published(_OFAC + "CONS_PRIM.CSV", "cons_prim.csv"),
        Published(_OFAC + "CONS_ALT.CSV", "cons_alt.csv"),
        Published(_OFAC + "CONS_ADD.CSV", "cons_add.csv"),
        Published(_OFAC + "CONS_COMMENTS.CSV", "cons_comments.csv", required=False),
    ),
    # OFSI Consolidated List, "2022 format" CSV.
    "uk": (Published("https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv",
                     "ConList.csv"),),
    "un": (Published("https://scsanctions.un.org/resources/xml/en/consolidated.xml", "consolidated.xml"),),
    # EU Financial Sanctions Files, XML 1.1 (the public token is part of the published URL).
    "eu": (Published("https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/"
                     "content?token=dG9rZW4tMjAxNw", "eu_fsf.xml"),),
}
USER_AGENT = "sanctions-service/0.1 (+list import)"


class DownloadError(Exception):
    """A published file could not be fetched; the message is one line."""


def download(fmt: str, folder: Path, *, url_base: str | None = None, timeout: float = 60.0,
             max_bytes: int = 512 * 1024 * 1024) -> list[Path]:
    """Fetch the files of ``fmt`` into ``folder``; returns their paths."""
    if fmt not in PUBLISHED:
        raise DownloadError(f"no published download location is known for {fmt!r}; give the files instead")
    paths = []
    for item in PUBLISHED[fmt]:
        url = f"{url_base.rstrip('/')}/{item.filename}" if url_base else item.url
        target = folder / item.filename
        try:
            _fetch(url, target, timeout=timeout, max_bytes=max_bytes)
        except urllib.error.HTTPError as exc:
            if exc.code == 404 and not item.required:
                continue
            raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise DownloadError(f"{url}: cannot download ({reason})") from None
        paths.append(target)
    return paths


def _fetch(url: str, target: Path, *, timeout: float, max_bytes: int) -> None:
    if not url.startswith(("http://", "https://")):
        raise DownloadError(f"{url}: only http(s) URLs can be downloaded")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response, open(target, "wb") as out:  # noqa: S310
        copied = 0
        while block := response.read(1 << 20):
            copied += len(block)
            if copied > max_bytes:
                raise DownloadError(f"{url}: larger than {max_bytes} bytes; refused")
            out.write(block)


__all__ = ["PUBLISHED", "DownloadError", "Published", "download"]
