from django import template

register = template.Library()


@register.filter
def get_display(figures, key):
    """A figure of a mapping key → Figure, shown with % for rates and — when undefined."""
    figure = figures.get(key)
    if figure is None or figure.value is None:
        return "—"
    return f"{figure.value}%" if key.endswith("_rate") else str(figure.value)


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key, "")
