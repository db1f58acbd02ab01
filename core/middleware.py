import uuid


# Everything the pages load is served from our own origin; no inline scripts (htmx and our JS are files).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)
# Swagger UI needs its own inline bootstrap script; it is served only under /api/docs/.
SWAGGER_CSP = CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


class RequestIdMiddleware:
    """Tags every request with an id, echoed in the response and kept on history rows' change reason."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            policy = SWAGGER_CSP if request.path.startswith("/api/docs") else CONTENT_SECURITY_POLICY
            response["Content-Security-Policy"] = policy
        return response


class PortalLocaleMiddleware:
    """Pages are Chinese unless the user picked another language (cookie); the browser's
    Accept-Language is ignored there. The API honours Accept-Language (zh-hans default)."""

    def __init__(self, get_response):
        from django.middleware.locale import LocaleMiddleware

        self.inner = LocaleMiddleware(get_response)

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.inner(request)


class ControlCharacterQueryMiddleware:
    """A NUL byte (or another C0 control character but tab/newline) in a query parameter is refused with a 400
    and a message before any view, filter or database sees it (PostgreSQL cannot compare such strings: a
    `?region=%00` used to be a 500). Pages get the error page, the API the JSON error shape."""

    FORBIDDEN = frozenset(chr(code) for code in range(32)) - {"\t", "\n", "\r"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, values in request.GET.lists():
            if any(ch in self.FORBIDDEN for text in (key, *values) for ch in text):
                return self.refuse(request, key)
        return self.get_response(request)

    def refuse(self, request, key):
        from django.http import JsonResponse
        from django.shortcuts import render
        from django.utils.translation import gettext as _

        message = _("The query parameter “%(name)s” contains a control character (such as a NUL byte); "
                    "remove it and try again.") % {"name": key.replace("\x00", "\\0")[:40]}
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return render(request, "errors/400.html", {"message": message}, status=400)
