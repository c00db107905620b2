"""Checks that codes survived their trip through spreadsheets: strings, unique, matched."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pandas as pd

from dashboard.errors import CodeError, DataFileError

_SCIENTIFIC = re.compile(r"^-?\d+(\.\d+)?[eE][+-]?\d+$")
_FLOAT_SUFFIX = re.compile(r"^\d+\.0+$")
INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")  # soft hyphen, zero-width, BOM
_EXCEL_HINT = (
    "This usually means the file was opened and saved in Excel; re-export it with the column "
    "formatted as Text, or import the CSV with the column set to Text."
)


def _show(values: Sequence[str], limit: int = 5) -> str:
    values = list(values)
    shown = ", ".join(f"'{v}'" for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def clean_codes(values: pd.Series, source: str, column: str) -> pd.Series:
    """Return ``values`` as stripped strings, refusing blanks and spreadsheet-mangled codes.

    Raises
    ------
    CodeError
        When codes are missing, became numbers in scientific notation (``1.2E+05``) or gained a
        ``.0`` suffix, naming the file, column and offending codes.
    """
    if pd.api.types.is_float_dtype(values) or pd.api.types.is_integer_dtype(values):
        raise CodeError(
            f"{source}: column '{column}' holds numbers, not text codes (e.g. {values.iloc[0]!r}). "
            f"Codes must stay text so that leading zeros survive. {_EXCEL_HINT}"
        )
    # Invisible characters pasted from web pages or PDFs make equal-looking codes differ.
    text = values.astype("string").str.replace(INVISIBLE, "", regex=True).str.strip()
    blank = text.isna() | (text == "")
    if blank.any():
        rows = [str(i + 2) for i in blank[blank].index[:5]]
        raise CodeError(
            f"{source}: column '{column}' has {int(blank.sum())} empty code(s) (rows "
            f"{', '.join(rows)} counting the header as row 1). Fill them in or delete those rows."
        )
    text = text.astype(str)
    mangled = [v for v in text if _SCIENTIFIC.match(v) or _FLOAT_SUFFIX.match(v)]
    if mangled:
        raise CodeError(
            f"{source}: column '{column}' has codes that look like spreadsheet numbers: "
            f"{_show(mangled)}. {_EXCEL_HINT}"
        )
    return pd.Series(text.to_numpy(dtype=object), index=values.index, dtype=object)


def require_unique(codes: pd.Series, source: str, column: str) -> None:
    """Raise :class:`CodeError` naming duplicated codes."""
    dup = codes[codes.duplicated(keep=False)]
    if len(dup):
        raise CodeError(
            f"{source}: column '{column}' must hold each code once, but "
            f"{_show(sorted(set(dup)))} appear more than once. Remove or merge the duplicate rows."
        )


def unmatched(codes: Iterable[str], known: Iterable[str]) -> list[str]:
    """Codes not among ``known``, in first-seen order."""
    known_set = set(known)
    seen: dict[str, None] = {}
    for c in codes:
        if c not in known_set:
            seen.setdefault(c, None)
    return list(seen)


def explain_unmatched(missing: Sequence[str], known: Iterable[str], source: str, column: str,
                      target: str) -> str:
    """A message for codes that do not match, spotting lost leading zeros and case changes."""
    known = list(known)
    by_stripped = {k.lstrip("0"): k for k in known}
    by_upper = {k.upper(): k for k in known}
    zero = [(m, by_stripped[m.lstrip("0")]) for m in missing
            if m.lstrip("0") in by_stripped and by_stripped[m.lstrip("0")] != m]
    if zero:
        pairs = ", ".join(f"'{m}' (should be '{k}')" for m, k in zero[:5])
        return (
            f"{source}: column '{column}' has codes that lost their leading zeros: {pairs}. "
            f"{_EXCEL_HINT}"
        )
    case = [(m, by_upper[m.upper()]) for m in missing if m.upper() in by_upper]
    if case:
        pairs = ", ".join(f"'{m}' (should be '{k}')" for m, k in case[:5])
        return f"{source}: column '{column}' has codes in the wrong case: {pairs}."
    example = _show(known, 3) if known else "(none)"
    return (
        f"{source}: column '{column}' has {len(missing)} code(s) that are not in {target}: "
        f"{_show(missing)}. Codes there look like {example}; check the file is for the same "
        "borough and the same boundary vintage."
    )


def require_columns(frame: pd.DataFrame, columns: Iterable[str], source: str) -> None:
    """Raise :class:`DataFileError` listing the columns ``frame`` lacks and the ones it has."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        have = ", ".join(f"'{c}'" for c in frame.columns if c != "geometry")
        raise DataFileError(
            f"{source}: missing column(s) {', '.join(repr(c) for c in missing)}. "
            f"The file has: {have or '(no columns)'}. Rename the column in the file or point "
            "the manifest at the right one."
        )


def numeric_column(frame: pd.DataFrame, column: str, source: str, *, allow_negative: bool = False,
                   allow_missing: bool = False, codes: pd.Series | None = None,
                   label: str | None = None) -> pd.Series:
    """Parse ``column`` as numbers, naming rows (by code when given) that are not valid.

    ``label`` is the column's name in the user's file when it differs from ``column``.
    """
    raw = frame[column]
    shown = label or column
    text = raw.astype("string").str.replace(",", "", regex=False).str.strip()
    values = pd.to_numeric(text, errors="coerce")
    where = codes if codes is not None else pd.Series(
        [f"row {i + 2}" for i in range(len(frame))], index=frame.index
    )
    bad = values.isna() & ~(text.isna() | (text == "")) if allow_missing else values.isna()
    if bad.any():
        examples = [f"{where[i]} ({raw[i]!r})" for i in bad[bad].index[:5]]
        raise DataFileError(
            f"{source}: column '{shown}' must be a number for every row; "
            f"{int(bad.sum())} are missing or not numbers: {', '.join(examples)}."
        )
    if not allow_negative and (values < 0).any():
        neg = values < 0
        examples = [f"{where[i]} ({values[i]:g})" for i in neg[neg].index[:5]]
        raise DataFileError(
            f"{source}: column '{shown}' cannot be negative; {int(neg.sum())} rows are: "
            f"{', '.join(examples)}."
        )
    return values.astype(float)


def column_label(columns: dict[str, str], role: str) -> str:
    """The column's name in the user's file, for messages (roles are our internal names)."""
    return columns.get(role, role)
