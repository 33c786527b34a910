from django.urls import path

from accessreviews import views

app_name = "accessreviews"

urlpatterns = [
    path("o/<slug:slug>/access-reviews/", views.campaign_list, name="campaign-list"),
    path("o/<slug:slug>/access-reviews/new/", views.campaign_open, name="campaign-open"),
    path("o/<slug:slug>/access-reviews/interval/", views.policy_edit, name="policy-edit"),
    path("o/<slug:slug>/access-reviews/<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path(
        "o/<slug:slug>/access-reviews/<int:pk>/close/",
        views.campaign_close,
        name="campaign-close",
    ),
    path(
        "o/<slug:slug>/access-reviews/<int:pk>/lines/<int:item_pk>/decide/",
        views.item_decide,
        name="item-decide",
    ),
]
