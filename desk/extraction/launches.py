"""Which launch an article is about: a match among launches on record, or a proposed one."""


def match_launch(article):
    """{"match": slug or None, "alternatives": [slug...], "proposed": {...} or None}."""
    return {"match": None, "alternatives": [], "proposed": None}
