from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("inbox/", views.inbox_list, name="inbox"),
    path("inbox/read-all/", views.read_all, name="read_all"),
    path("inbox/<int:pk>/open/", views.message_open, name="open"),
    # The addresses given to the SMS providers for their pushes (the token is the secret).
    *(
        path(
            f"notices/{provider}/{plural}/<str:token>/",
            views.provider_push,
            {"provider": provider, "kind": kind},
            name=f"{provider}_{plural}",
        )
        for provider in ("aliyun", "tencent")
        for kind, plural in (("report", "reports"), ("reply", "replies"))
    ),
]
