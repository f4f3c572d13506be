"""Vietnamese text normalisation: every text that enters the system goes through `clean_text`."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def clean_text(value: object) -> str:
    """NFC-normalise and collapse whitespace (files arrive in NFC and NFD, with stray newlines)."""
    if value is None:
        return ""
    text = str(value)
    # Printable ASCII with single inner spaces and none at the ends is clean already (most cells
    # of a file: codes, periods, numbers), and a national file has millions of them.
    if text.isascii() and text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def match_key(value: object) -> str:
    """A key for comparing names: NFC, whitespace-collapsed, case-folded."""
    return clean_text(value).casefold()


def strip_accents(value: object) -> str:
    """ASCII-ish form of a Vietnamese text ("Hương Trà" → "huong tra"), for slugs and tolerant matching."""
    text = unicodedata.normalize("NFD", clean_text(value).replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


def looks_like_formula(value: str) -> bool:
    """Cells starting with =, +, -, @ are spreadsheet formulas (CSV injection), unless plainly numeric."""
    if not value or value[0] not in "=+-@":
        return False
    try:
        float(value.replace(",", "."))
    except ValueError:
        return True
    return False
