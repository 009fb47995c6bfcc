"""A business's own confirmation text, saved through the use case, is what the next
confirmation email carries (subject, plain text and HTML); the shipped text otherwise."""

from __future__ import annotations

from collections.abc import Callable

from hub.domain.booking import Actor, ChangedBy, Channel
from hub.services import message_texts as mt
from scheduler.worker import EmbeddedConsumer
from tests.scheduler.conftest import World, in_minutes, utcnow, wait_until
from tests.support.smtp import SmtpSink

ADMIN = ChangedBy(Actor.OPERATOR, Channel.CONSOLE)


def _body(mail: SmtpSink, part: str) -> str:
    found = mail.messages[0].message.get_body(preferencelist=(part,))
    assert found is not None
    return str(found.get_content()).replace("\r\n", "\n")


def test_the_edited_confirmation_is_what_the_client_gets(
    world_factory: Callable[..., World],
    embedded: Callable[[World], EmbeddedConsumer],
    mail: SmtpSink,
) -> None:
    world = world_factory({"reminders": []})
    uow, business = world.hub.uow, world.business.id
    own = {
        "email.subject.txt": "Te esperamos, {{ customer_name }}",
        "email.txt": "¡Listo {{ customer_name }}!\n"
        "Te esperamos el {{ date_text }} a las {{ time_text }}.",
    }
    for part, text in own.items():
        mt.set_text(
            uow(),
            business,
            language="es",
            kind="confirmed",
            part=part,
            source=text,
            by=ADMIN,
            now=utcnow(),
        )
    embedded(world)
    world.book(in_minutes(24 * 60), name="Ana <b>Díaz</b>", email="ana@example.com", phone=None)
    wait_until(lambda: mail.count() >= 1, timeout=20, what="the confirmation")
    message = mail.messages[0].message
    assert message["Subject"] == "Te esperamos, Ana <b>Díaz</b>"
    text = _body(mail, "plain")
    assert text.startswith("¡Listo Ana <b>Díaz</b>!\nTe esperamos el ")
    assert "Tu turno en" not in text  # not the shipped text
    html = _body(mail, "html")
    assert "¡Listo Ana &lt;b&gt;Díaz&lt;/b&gt;!<br>" in html
    assert "Tu turno en" not in html
