"""What every spreadsheet download of the project shares: cells a spreadsheet would
run as formulas are defused (CSV injection)."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """Prefix text a spreadsheet would run as a formula with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
