"""The events an article mentions: sanctions, summits, visits, warnings, exercises."""


def find_events(article):
    """[{"match": slug or None, "proposed": {...} or None, "relation", "evidence"}]."""
    return []
