"""Where quotations are: the spans inside quotation marks, outermost only.

English, German, French and Japanese marks are paired with a stack, so a quote inside a quote
stays part of the outer one and „…“ is told from “…”. A quotation does not run past the end of
its paragraph: an unclosed mark there is dropped (a page cut mid-sentence leaves one).
"""

# Opening mark: the marks that may close it.
PAIRS = {
    '"': '"',
    "“": "”“",
    "„": "“”",
    "«": "»",
    "‹": "›",
    "「": "」",
    "『": "』",
    "‘": "’",
}


def quote_spans(text):
    """[(start, end)] of the text inside each outermost pair of quotation marks."""
    spans, stack = [], []
    for i, char in enumerate(text):
        if char == "\n":
            stack.clear()
            continue
        if stack and char in PAIRS[stack[-1][0]] and not _apostrophe(text, i):
            _opening, start = stack.pop()
            if not stack:
                spans.append((start + 1, i))
            continue
        if char in PAIRS and not (char == "‘" and _apostrophe(text, i)):
            stack.append((char, i))
    return spans


def _apostrophe(text, i):
    """A single quotation mark between letters ("Japan's" typeset) is an apostrophe."""
    if text[i] not in "’‘":
        return False
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return before.isalnum() and after.isalnum()
