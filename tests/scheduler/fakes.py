"""Old import path of the scheduler tests' servers; they live in ``tests.support`` now."""

from tests.support.live import free_port  # noqa: F401
from tests.support.smtp import Received as Mail  # noqa: F401
from tests.support.smtp import SmtpSink as MailSink  # noqa: F401
from tests.support.whatsapp import FakeWhatsAppGraph as FakeGraph  # noqa: F401
