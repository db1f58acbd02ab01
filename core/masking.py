"""Masking of ID and phone numbers for users without the sensitive-data permission."""


def mask_value(value) -> str:
    """`430124199001011234` → `4301********1234` (as DESIGN.md shows it); short values keep less."""
    text = "" if value is None else str(value)
    if not text:
        return ""
    if len(text) >= 11:
        return text[:4] + "********" + text[-4:]
    if len(text) > 4:
        return text[:2] + "*" * (len(text) - 4) + text[-2:]
    return "*" * len(text)


def mask_for(user, value) -> str:
    if user is not None and getattr(user, "sees_sensitive", False):
        return "" if value is None else str(value)
    return mask_value(value)
