"""The desk in the API: `POST /api/v1/extractions/` answers what Salvo proposes for an article.

The same JSON as `manage.py extract_article`, from the same extractor; nothing is written.
"""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import StrictFieldsMixin
from core.errors import too_large_message
from core.renderers import JSONRenderer
from editorial.api import ERRORS
from reactions.models import QuoteKind, Stance
from timeline.models import Relation

from .extraction import ArticleError, extract, read_article


class StringField(serializers.CharField):
    """A JSON string and nothing else: DRF's CharField would read the number 12 as "12"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ArticleInputSerializer(StrictFieldsMixin, serializers.Serializer):
    """The article: its text or its saved page, and where it was published."""

    text = StringField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="The article's text, as pasted. Give `text` or `html`, not both.",
    )
    html = StringField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="A saved web page (its HTML): the main text, title, publisher, date and "
        "language are read from it. Give `text` or `html`, not both.",
    )
    url = StringField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The article's address (http or https); optional.",
    )

    def validate(self, data):
        given = [name for name in ("text", "html") if name in data]
        if len(given) != 1:
            raise exceptions.ValidationError(
                {"text": ["Send the article as `text` (pasted text) or `html` (a saved page)."]}
            )
        return data


def _text(help_text):
    return serializers.CharField(allow_null=True, help_text=help_text)


class ExtractedSourceSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="The address given, or the page's own; may be empty.")
    title = serializers.CharField(help_text="The page's title; empty for pasted text.")
    publisher = serializers.CharField(help_text="The site's name, or the address's host.")
    published_on = serializers.DateField(allow_null=True, help_text="From the page's metadata.")
    language = serializers.CharField(help_text="ISO 639-1 code, e.g. `en`, `ja`.")


class ExtractedLaunchSerializer(serializers.Serializer):
    match = serializers.SlugField(
        allow_null=True, help_text="The slug of the launch on record the article is about."
    )
    alternatives = serializers.ListField(
        child=serializers.SlugField(), help_text="Other launches it may be about, best first."
    )
    proposed = serializers.DictField(
        allow_null=True,
        help_text="A new draft launch with the figures the text states (as claims with their "
        "claimant), when none on record matches.",
    )


class ExtractedSpeakerSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = _text("Their office, e.g. “Kremlin spokesman”.")


class ExtractedStatementSerializer(serializers.Serializer):
    actor = serializers.CharField(help_text="ISO 3166-1 code of a state, or an organisation's.")
    speaker = ExtractedSpeakerSerializer(allow_null=True)
    quote = serializers.CharField(help_text="The words exactly as written in the article.")
    quote_kind = serializers.ChoiceField(
        choices=[QuoteKind.VERBATIM.value, "reported"],
        help_text="`verbatim`: in quotation marks; `reported`: reported speech.",
    )
    via = _text("The outlet it came through, e.g. “RIA Novosti”.")
    issued_on = serializers.DateField(allow_null=True, help_text="The day it was issued.")
    channel = _text("`written_statement`, `briefing`, `remarks`, `social_media`, …")
    stance = serializers.ChoiceField(
        choices=[name.lower() for name in Stance.names],
        allow_null=True,
        help_text="The suggested stance towards the launch.",
    )
    themes = serializers.ListField(child=serializers.CharField(), help_text="Suggested themes.")
    evidence = serializers.CharField(help_text="The sentence the statement was found in.")


class ExtractedEventSerializer(serializers.Serializer):
    match = serializers.SlugField(allow_null=True, help_text="The slug of the event on record.")
    proposed = serializers.DictField(allow_null=True, help_text="A new draft event.")
    relation = serializers.ChoiceField(
        choices=Relation.choices, allow_null=True, help_text="The proposed link to the launch."
    )
    evidence = serializers.CharField(help_text="The sentence that mentions the event.")


class ExtractionSerializer(serializers.Serializer):
    """What the desk proposes; docs/desk.md describes each field. More keys may appear."""

    source = ExtractedSourceSerializer()
    launch = ExtractedLaunchSerializer()
    statements = ExtractedStatementSerializer(many=True)
    events = ExtractedEventSerializer(many=True)


class UnreadableArticle(exceptions.APIException):
    status_code = 400
    default_code = "unreadable_article"


class MayAddStatements(permissions.BasePermission):
    """Extraction is for those who enter reactions: the add-statement permission."""

    message = "Extracting an article needs a user who may add statements."

    def has_permission(self, request, view):
        return request.user.has_perm("reactions.add_statement")


class ExtractionView(APIView):
    permission_classes = [MayAddStatements]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="extractions_create",
        summary="Read an article",
        description="What Salvo proposes for an article: its source, the launch it concerns, "
        "each statement (actor, speaker, quote, stance, themes) and the events it mentions, "
        "each with the sentence it came from. The same JSON as `manage.py extract_article`. "
        "Nothing is written. Needs a token whose user may add statements.",
        request=ArticleInputSerializer,
        examples=[
            OpenApiExample(
                "Pasted text",
                request_only=True,
                value={
                    "text": "Seoul, 7 November 2025. South Korea's Office of National "
                    "Security condemned the launch as a violation of U.N. Security Council "
                    "resolutions.",
                    "url": "https://news.example/seoul-condemns",
                },
            ),
            OpenApiExample(
                "A saved page",
                request_only=True,
                value={
                    "html": "<html><head><title>Seoul condemns the launch</title></head>"
                    "<body><article><p>South Korea condemned the launch.</p></article>"
                    "</body></html>",
                },
            ),
        ],
        responses={
            200: ExtractionSerializer,
            400: OpenApiResponse(
                description="The article cannot be read (empty, too long, not text, an "
                "address that is not http or https): `detail` says why; or a field is "
                "invalid: messages per field."
            ),
            401: ERRORS[401],
            403: ERRORS[403],
            413: OpenApiResponse(description=too_large_message()),
        },
    )
    def post(self, request):
        serializer = ArticleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        html = "html" in data
        try:
            article = read_article(data["html" if html else "text"], url=data["url"], html=html)
        except ArticleError as error:
            raise UnreadableArticle(str(error)) from None
        return Response(extract(article))
