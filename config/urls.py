from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from base.signin import SignInForm
from base.views import healthz, session_keep_alive

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Every signed-in user changes their own password here (admin has its own page).
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="registration/change_password.html",
            success_url=reverse_lazy("password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/changed/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_changed.html"
        ),
        name="password_change_done",
    ),
    path("session/keep-alive/", session_keep_alive, name="session_keep_alive"),
    path("admin/", admin.site.urls),
    path("", include("rosters.urls")),
    path("", include("visits.urls")),
    path("", include("desk.urls")),
    path("", include("departments.urls")),
    path("", include("notices.urls")),
    path("", include("accounts.urls")),
    path("", include("activities.urls")),
    path("", include("points.urls")),
    path("", include("public.urls")),
]

# The server's errors, and the database out of reach (503); a form over the size limit
# (413); 403 and 404 are Django's own handlers rendering templates/403.html and 404.html.
handler400 = "base.errors.bad_request"
handler500 = "base.errors.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
