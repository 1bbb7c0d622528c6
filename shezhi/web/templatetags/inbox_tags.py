from django import template

from shezhi.notifications.selectors import unread_count

register = template.Library()
CAP = 99


@register.simple_tag(takes_context=True)
def inbox_unread(context: template.Context) -> str:
    """Unread notifications of the signed-in user for the badge in the navigation ("" if none,
    "99+" for many)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    n = unread_count(user, cap=CAP)
    return "" if n == 0 else f"{CAP}+" if n > CAP else str(n)
