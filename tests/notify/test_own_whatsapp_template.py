"""A business's own WhatsApp text becomes the template its messages go as: placeholders
numbered in order of first use, filled in from the booking when sending; texts that cannot
be a template (blocks, nothing but placeholders) stay with ours."""

from __future__ import annotations

from dataclasses import replace

from connectors.notify.context import MessageKind
from connectors.notify.templates import sample_context
from connectors.notify.whatsapp_templates import own_definition, own_parameters


def test_placeholders_become_numbered_parameters_filled_from_the_booking() -> None:
    text = (
        "Hola {{ customer_name }}, tu {{service_name}} es el {{ date_text }}. "
        "¡Gracias {{ customer_name }}!"
    )
    made = own_definition(MessageKind.CONFIRMED, "es", text)
    assert made is not None
    definition, params = made
    assert params == ("customer_name", "service_name", "date_text")
    body = definition["components"][0]
    assert body["text"] == "Hola {{1}}, tu {{2}} es el {{3}}. ¡Gracias {{1}}!"
    assert definition["name"].startswith("turnero_confirmed_") and definition["language"] == "es_AR"
    assert definition["components"][1]["type"] == "BUTTONS"  # confirm / cancel / reschedule
    context = replace(
        sample_context("Lavadero", "es"), customer_name="Ana  Pérez\n", service_name="Lavado"
    )
    values = own_parameters(params, context)
    assert values[:2] == ["Ana Pérez", "Lavado"] and "\n" not in values[2]
    again = own_definition(MessageKind.CONFIRMED, "es", text + " ")
    other = own_definition(MessageKind.CONFIRMED, "es", text + " Chau.")
    assert again and other and again[0]["name"] == definition["name"] != other[0]["name"]


def test_texts_that_cannot_be_templates_are_left_to_ours() -> None:
    for text in ("", "{% if notes %}x{% endif %}", "{{ customer_name }} {{ date_text }}"):
        assert own_definition(MessageKind.CONFIRMED, "es", text) is None
