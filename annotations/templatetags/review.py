from django import template

register = template.Library()


@register.filter
def get(mapping: dict, key: str):
    return mapping.get(key)


@register.filter
def index(sequence, position: int):
    try:
        return sequence[position]
    except (IndexError, TypeError):
        return None
