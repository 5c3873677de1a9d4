from django.urls import URLPattern, path

from edureg.citizen import views

app_name = "citizen"


def mine_and_childrens(route: str, view: object, name: str) -> list[URLPattern]:
    """A page of the citizen's own (`me/<route>`) and the same page for one of their children
    (`me/children/<child>/<route>`, named `child-<name>`)."""
    return [
        path(f"me/{route}", view, name=name),  # type: ignore[arg-type]
        path(f"me/children/<uuid:child>/{route}", view, name=f"child-{name}"),  # type: ignore[arg-type]
    ]


urlpatterns = [
    *mine_and_childrens("", views.history, "home"),
    *mine_and_childrens("documents/", views.documents, "documents"),
    *mine_and_childrens("access/", views.access_log, "access"),
    *mine_and_childrens("access/export.csv", views.access_log_csv, "access-csv"),
    *mine_and_childrens("file/", views.data_file, "file"),
    *mine_and_childrens("file/my-data.json", views.data_json, "file-json"),
    *mine_and_childrens("file/my-data.pdf", views.data_pdf, "file-pdf"),
    *mine_and_childrens("corrections/", views.corrections, "corrections"),
    *mine_and_childrens("corrections/new/", views.correction_new, "correction-new"),
    path("me/shares/", views.shares, name="shares"),
    path("me/shares/new/", views.share_new, name="share-new"),
    path("me/shares/<uuid:public_id>/revoke/", views.share_revoke, name="share-revoke"),
    # Anyone with the link, without signing in. The token is the only key; no personal code,
    # no public id of the person.
    path("shared/<str:token>/", views.shared, name="shared"),
    path("demo-idp/", views.demo_idp, name="demo-idp"),
]
