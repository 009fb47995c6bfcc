"""Public booking pages (``/book``) and the operator console (``/console``), server-rendered
with Jinja2, usable without JavaScript. ``booking_pages.routing.mounts(hub)`` gives both
mounts to ``hub.app.create_app``.

Layout: ``web`` (rendering, CSRF, forms), ``i18n`` + ``locales/`` (es-AR, en), ``catalogue``
(what the public pages read), ``public`` and ``manage`` (public routes), ``agenda`` (the
operator's day shaped for display), ``console_*`` (console routes), ``templates/``, ``static/``.
"""
