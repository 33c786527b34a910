from django.urls import path

from sovereignty import views

app_name = "sovereignty"

# One set of views for the three sections; the anchor of each on the register page is its key.
urlpatterns = [path("o/<slug:slug>/sovereignty/", views.register, name="register")]
for section, prefix, name in (
    ("storage", "storage", "storage"),
    ("access", "access", "access"),
    ("laws", "laws", "law"),
):
    urlpatterns += [
        path(
            f"o/<slug:slug>/sovereignty/{prefix}/new/",
            views.line_create,
            {"section": section},
            name=f"{name}-create",
        ),
        path(
            f"o/<slug:slug>/sovereignty/{prefix}/<int:pk>/",
            views.line_edit,
            {"section": section},
            name=f"{name}-edit",
        ),
        path(
            f"o/<slug:slug>/sovereignty/{prefix}/<int:pk>/delete/",
            views.line_remove,
            {"section": section},
            name=f"{name}-delete",
        ),
    ]
