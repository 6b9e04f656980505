from gongzhi.core.navigation import entries_for, groups_for


def navigation(request):
    items = entries_for(request) if hasattr(request, "user") else []
    return {"nav_items": items, "nav_groups": groups_for(items)}
