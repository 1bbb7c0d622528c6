"""iCalendar feeds (/calendar/<signed token>.ics): no session, so calendar programs can subscribe;
a forged or altered token is 404. The feeds are built in shezhi.activities.calendar."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from shezhi.activities import calendar
from shezhi.core.errors import NotFound
from shezhi.core.page_errors import not_found


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = calendar.feed_for_token(token[:200])
    except NotFound as exc:
        raise not_found(exc) from None
    response = HttpResponse(calendar.render(data), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="shezhi.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
