from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from thiduabloc.forms import LoginForm
from thiduabloc.views import FaviconView

admin.site.site_header = _("Quản trị thiduabloc")
admin.site.site_title = _("Quản trị thiduabloc")
admin.site.index_title = _("Danh mục và dữ liệu")

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", FaviconView.as_view()),
    path("", include("blocs.urls")),
    path("", include("scoring.urls")),
    path("", include("reports.urls")),
]
