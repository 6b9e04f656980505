"""How the case ledger feeds and drains deliberation: a case the dispatcher flags "put on the
agenda" becomes a topic on its own; a resolution's case resolved asks the residents who raised or
backed the topic to review the outcome."""


def on_case_changed(sender, case=None, event=None, **kwargs) -> None:
    from gongzhi.meetings import services

    if case is None:
        return
    if getattr(case, "on_agenda", False) and case.is_open:
        services.topic_from_case(case=case)
    if getattr(case, "source_kind", "") == services.RESOLUTION_SOURCE_KIND and case.source_id:
        if services.case_is_resolved(case):
            services.review_request_for_resolution(resolution_id=case.source_id)


def connect() -> None:
    try:
        from gongzhi.cases.signals import case_changed
    except ImportError:
        return
    case_changed.connect(on_case_changed, dispatch_uid="meetings.on_case_changed")
