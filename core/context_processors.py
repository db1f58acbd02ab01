from .navigation import menu_for


def portal(request):
    user = getattr(request, "user", None)
    return {"nav_menu": menu_for(user) if user is not None and user.is_authenticated else []}
