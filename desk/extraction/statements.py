"""Who said what: the statements in an article, with actor, speaker, quote and channel."""


def find_statements(article):
    """The statements in `article`, in text order. Each is a dict:
    {"actor": code, "speaker": {"name", "role"}, "quote", "quote_kind": "verbatim|reported",
     "via", "issued_on": "YYYY-MM-DD" or None, "channel", "evidence": the sentence}.
    Stance and themes are added by the pipeline."""
    return []
