"""libhangul's hanja word list: about 300,000 words and characters with their readings.

The list ships inside Toji, gzipped (translit/data/hanja.txt.gz, BSD licence, notice in
translit/data/hanja-LICENSE.txt), so that an installed wheel needs no system package;
TOJI_HANJA_LIST names another copy, and Debian's libhangul-data
(/usr/share/libhangul/hanja/hanja.txt) serves where a packager left the bundled copy
out. Parsing its 6 MB of text takes over a second, so the first load writes a
compiled copy (pickle, which loads this dict four times faster than marshal) to the
user's cache, keyed by the file's size and time, and
later loads read that in a fraction of the time.

A word may have several readings (番地 번지/번디, 女子 여자/녀자); `readings` keeps
them in file order and the reader chooses by rule.
"""

from __future__ import annotations

import functools
import gc
import gzip
import os
import pickle
from pathlib import Path

import platformdirs

BUNDLED_LIST = Path(__file__).resolve().parent / "data" / "hanja.txt.gz"
SYSTEM_LIST = Path("/usr/share/libhangul/hanja/hanja.txt")
CACHE_VERSION = 3


class DictionaryMissingError(RuntimeError):
    """The hanja word list is not installed; the message names the package."""


def list_path() -> Path:
    configured = os.environ.get("TOJI_HANJA_LIST")
    if configured:
        path = Path(configured)
    else:
        path = BUNDLED_LIST if BUNDLED_LIST.is_file() else SYSTEM_LIST
    if not path.is_file():
        raise DictionaryMissingError(
            f"the hanja word list {path} is missing: reinstall Toji (its wheel carries "
            "the list), install Debian's libhangul-data (apt-get install libhangul-data), "
            "or point TOJI_HANJA_LIST at a hanja.txt")
    return path


def _cache_path(source: Path) -> Path:
    stat = source.stat()
    configured = os.environ.get("XDG_CACHE_HOME")
    root = Path(configured) / "toji" if configured else Path(platformdirs.user_cache_dir("toji"))
    return root / f"hanja-v{CACHE_VERSION}-{stat.st_size}-{int(stat.st_mtime)}.pickle"


def _parse(source: Path) -> tuple[dict[str, str], dict[str, str]]:
    """word → its readings joined by "|" (one string per word loads fastest), and
    character+reading → meaning."""
    readings: dict[str, str] = {}
    meanings: dict[str, str] = {}
    opener = gzip.open if source.suffix == ".gz" else open
    with opener(source, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or line.count(":") < 2:
                continue
            reading, word, meaning = line.rstrip("\n").split(":", 2)
            known = readings.get(word)
            if known is None:
                readings[word] = reading
            elif reading not in known.split("|"):
                readings[word] = known + "|" + reading
            if len(word) == 1 and meaning:
                meanings[word + reading] = meaning
    return readings, meanings


@functools.cache
def load() -> tuple[dict[str, str], dict[str, str]]:
    """(word → readings, character+reading → meaning), from the cache when it is current."""
    source = list_path()
    cache = _cache_path(source)
    gc.disable()  # 600,000 new strings: collection passes would only slow the load
    try:
        with cache.open("rb") as f:
            return pickle.load(f)
    except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
        pass
    finally:
        gc.enable()
    data = _parse(source)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        with tmp.open("wb") as f:
            pickle.dump(data, f, protocol=5)
        tmp.replace(cache)
    except OSError:  # a read-only home still reads, only slower
        pass
    return data


def readings(word: str) -> list[str]:
    found = load()[0].get(word)
    return found.split("|") if found else []


def meaning_count(char: str, reading: str) -> int:
    """How many senses the list gives a character under a reading (a hint of its use)."""
    meaning = load()[1].get(char + reading, "")
    return meaning.count(",") + 1 if meaning else 0


@functools.cache
def longest_word() -> int:
    return max(len(w) for w in load()[0])


def _in_ks_x_1001(word: str) -> bool:
    """One of the 4,888 hanja of Korea's standard set (what Korean fonts always have)."""
    try:
        word.encode("euc_kr")
    except UnicodeEncodeError:
        return False
    return True


@functools.cache
def _by_reading() -> dict[str, list[str]]:
    """hangul → the hanja words read so, for typing hanja: the standard set first, then
    the most used (a character's use: how many dictionary words hold it)."""
    index: dict[str, list[str]] = {}
    use: dict[str, int] = {}
    for word, found in load()[0].items():
        for ch in word:
            use[ch] = use.get(ch, 0) + 1
        for reading in found.split("|"):
            index.setdefault(reading, []).append(word)
    for words in index.values():
        words.sort(key=lambda w: (not _in_ks_x_1001(w), -sum(use.get(c, 0) for c in w), w))
    return index


def candidates(hangul: str, limit: int = 40) -> list[str]:
    """Hanja that read as `hangul` (a syllable or a word), for a hanja input helper."""
    return _by_reading().get(hangul.strip(), [])[:limit]
