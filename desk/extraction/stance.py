"""What a statement says of the launch: a stance on Salvo's scale, and its themes."""


def suggest_stance(quote, language):
    """("condemns|concerned|neutral|supportive|defends", [the words that suggested it])."""
    return "neutral", []


def suggest_themes(quote, language):
    """Theme slugs the quote touches, from the themes on record."""
    return []
