from django import template

from public.cache import page_address

register = template.Library()


@register.simple_tag(takes_context=True)
def current_page(context) -> str:
    """`{% current_page as here %}`: this page's address as it may be echoed (see
    `public.cache.page_address`)."""
    return page_address(context["request"])
