from gongzhi.core.navigation import entries_for


def navigation(request):
    return {"nav_items": entries_for(request) if hasattr(request, "user") else []}
