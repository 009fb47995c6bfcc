"""Bound commands of a client's own history, opened with a one-time code: ask for a code
(and hand it to the first sender that delivers it), check it, and read the history of the
contact it proved. Each runs at the root's clock with the root's throttles.

Part of the one door, ``hub.services.bound.Services``. Not here: the rules (``history``,
``history_codes``), delivering a code (the notify connector's sender).
"""

from __future__ import annotations

from typing import cast

from hub.services.bound_base import Bindings
from hub.services.history import ClientHistory, contact_history
from hub.services.history_codes import (
    ClientContact,
    CodeMessage,
    HistoryThrottles,
    HistoryUnitOfWork,
    check_code,
    request_code,
)
from hub.services.ports import UnitOfWork


class HistoryCommands(Bindings):
    def _history(self, uow: UnitOfWork | None) -> tuple[HistoryUnitOfWork, HistoryThrottles]:
        if self.history_throttles is None:
            raise RuntimeError("the hub has no throttles for one-time codes")
        return cast(HistoryUnitOfWork, self._uow(uow)), self.history_throttles

    def request_history_code(
        self,
        business_id: str,
        contact: str,
        *,
        source: str,
        language: str,
        uow: UnitOfWork | None = None,
    ) -> CodeMessage | None:
        history_uow, throttles = self._history(uow)
        return request_code(
            history_uow,
            throttles,
            business_id,
            contact,
            source=source,
            language=language,
            now=self.clock(),
        )

    def send_history_code(self, message: CodeMessage) -> bool:
        """Hand the code to the first sender that delivers it."""
        return any(sender.send_code(message) for sender in self.code_senders)

    def check_history_code(
        self,
        business_id: str,
        contact: str,
        code: str,
        *,
        source: str,
        uow: UnitOfWork | None = None,
    ) -> ClientContact:
        history_uow, throttles = self._history(uow)
        return check_code(
            history_uow, throttles, business_id, contact, code, source=source, now=self.clock()
        )

    def contact_history(
        self, business_id: str, contact: ClientContact, *, uow: UnitOfWork | None = None
    ) -> ClientHistory:
        history_uow, _ = self._history(uow)
        return contact_history(history_uow, business_id, contact, now=self.clock())
