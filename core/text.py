"""What counts as text: the rule every free-text field is validated by and every feed keeps to."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.utils.deconstruct import deconstructible

# The longest free text a record holds: a quote, a summary, a note, a description. The longest
# real ones are a few hundred characters; a complete official statement (a G7 or Security
# Council text) runs to a few thousand. The bound also keeps every document the search builds
# well inside PostgreSQL's 1 MB tsvector limit (see core.search).
LONG_TEXT = 20_000

_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000)
)
# Not text: the C0 controls but tab, line feed and carriage return; DEL and the C1 controls;
# surrogates, which only ever come alone from a broken decoder; the Unicode noncharacters.
# XML 1.0 cannot carry the C0 controls, surrogates, U+FFFE or U+FFFF at all; the rest is legal
# there but is never part of a real text: it is debris of a bad copy or a wrong encoding.
NOT_TEXT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")


@deconstructible
class TextValidator:
    """Refuses a value holding a character that is not text, naming the first one found.

    Tab, line feed and carriage return are text: multi-line quotes and notes keep them.
    """

    code = "not_text"

    def __call__(self, value):
        found = NOT_TEXT.search(str(value))
        if found is None:
            return
        character = found.group()
        if character == "\x00":
            # Django's own words, as its form and REST framework fields refuse NUL first.
            message = "Null characters are not allowed."
        elif unicodedata.category(character) == "Cc":
            message = "Control characters are not allowed: %(character)s."
        elif unicodedata.category(character) == "Cs":
            message = "Surrogate characters are not allowed: %(character)s."
        else:
            message = "Unicode noncharacters are not allowed: %(character)s."
        raise ValidationError(
            message, code=self.code, params={"character": f"U+{ord(character):04X}"}
        )

    def __eq__(self, other):
        return isinstance(other, TextValidator)

    def __hash__(self):
        return hash(type(self))


def text_only(value):
    """`value` without the characters that are not text, for output that must stay valid XML."""
    return NOT_TEXT.sub("", value)


# PostgreSQL cannot store NUL in text: refused for every writer, the importers included. What
# people read refuses more (TEXT); this rule is left for files kept verbatim.
NO_NUL = [ProhibitNullCharactersValidator()]
# Every free-text field, for every writer: no control characters, noncharacters or surrogates,
# which break the feeds and are never part of a real text.
TEXT = [TextValidator()]
# Free text of several paragraphs, bounded by model validation as a CharField is by its own.
LONG = [*TEXT, MaxLengthValidator(LONG_TEXT)]
