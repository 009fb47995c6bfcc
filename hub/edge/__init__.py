"""What every request passes before it reaches a route: the body-size and body-time limits
(``body``) and the text rule for paths, query strings and parsed bodies (``text``).

``hub.app`` installs both middlewares in front of every mount; the API's JSON parsing and the
pages' form reading apply the same text rule to what they parse. Nothing here knows a route's
meaning: which limits apply where is the app factory's to say.
"""

from hub.edge.body import BodyLimitMiddleware, BodyLimits, BodyRule, Refusal, Refuse
from hub.edge.text import (
    REFUSED_TEXT,
    TextCheckMiddleware,
    bad_character,
    first_bad_field,
    first_bad_pair,
)

__all__ = [
    "REFUSED_TEXT",
    "BodyLimitMiddleware",
    "BodyLimits",
    "BodyRule",
    "Refusal",
    "Refuse",
    "TextCheckMiddleware",
    "bad_character",
    "first_bad_field",
    "first_bad_pair",
]
