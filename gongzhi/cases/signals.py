"""``case_changed`` is sent after the transaction that changed a case commits, with ``case`` (the
case as it is now) and ``event`` (the ``CaseEvent`` just written). Meetings, evaluation and the
notification outbox listen to it; a receiver must not assume it runs inside the transaction."""

from django.dispatch import Signal

case_changed = Signal()
