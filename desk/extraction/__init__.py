"""Reading an article: what Salvo proposes from it. Nothing in this package writes.

`extract(article)` returns the proposals as plain JSON (docs/desk.md gives the shape); the
desk page, `manage.py extract_article` and `POST /api/v1/extractions/` all call it. The
extractor is chosen by the `DESK_EXTRACTOR` setting (a dotted path to a class with an
`extract(article)` method), so a statistical model or an LLM endpoint can replace the rules
without touching the callers.
"""

from desk.extraction.document import Article, ArticleError, Sentence, read_article
from desk.extraction.pipeline import extract, extractor

__all__ = ["Article", "ArticleError", "Sentence", "extract", "extractor", "read_article"]
