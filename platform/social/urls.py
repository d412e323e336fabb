"""The social pages, included at the site root. social.text reverses `hashtag` and `profile`.
The home page's tabs share this namespace but are feeds' (feeds.home_urls; flywheel.urls
mounts both)."""

from django.urls import path, re_path

from social import views, views_groups, views_people, views_posts

app_name = "social"

USERNAME = r"(?P<username>[^/]+)"

urlpatterns = [
    path("explore/", views_posts.explore, name="explore"),
    path("tags/<str:name>/", views_posts.hashtag, name="hashtag"),
    # posts and comments
    path("posts/new/", views_posts.post_create, name="post_create"),
    path("posts/<int:pk>/", views_posts.post_detail, name="post"),
    path("posts/<int:pk>/card/", views_posts.post_card, name="post_card"),
    path("posts/<int:pk>/edit/", views_posts.post_edit, name="post_edit"),
    path("posts/<int:pk>/delete/", views_posts.post_delete, name="post_delete"),
    path("posts/<int:pk>/like/", views_posts.like, name="like"),
    path("posts/<int:pk>/unlike/", views_posts.unlike, name="unlike"),
    path("posts/<int:pk>/share/", views_posts.share, name="share"),
    path("posts/<int:pk>/unshare/", views_posts.unshare, name="unshare"),
    path("posts/<int:pk>/comments/", views_posts.comment_create, name="comment_create"),
    path("comments/<int:pk>/delete/", views_posts.comment_delete, name="comment_delete"),
    # people: /@ana is the profile; /u/ana/ redirects there; actions live under /u/ana/
    re_path(rf"^@{USERNAME}$", views_people.profile, name="profile"),
    re_path(rf"^@{USERNAME}/followers$", views_people.followers, name="followers"),
    re_path(rf"^@{USERNAME}/following$", views_people.following, name="following"),
    path("u/<str:username>/", views_people.profile_by_path, name="profile_alias"),
    path("u/<str:username>/follow/", views_people.follow, name="follow"),
    path("u/<str:username>/unfollow/", views_people.unfollow, name="unfollow"),
    path("u/<str:username>/mute/", views_people.mute, name="mute"),
    path("u/<str:username>/unmute/", views_people.unmute, name="unmute"),
    path("u/<str:username>/block/", views_people.block, name="block"),
    path("u/<str:username>/unblock/", views_people.unblock, name="unblock"),
    # groups
    path("groups/", views_groups.group_list, name="groups"),
    path("groups/<slug:slug>/", views_groups.group_detail, name="group"),
    path("groups/<slug:slug>/members/", views_groups.group_members, name="group_members"),
    path("groups/<slug:slug>/join/", views_groups.group_join, name="group_join"),
    path("groups/<slug:slug>/leave/", views_groups.group_leave, name="group_leave"),
    path(
        "groups/<slug:slug>/requests/<str:username>/approve/",
        views_groups.group_approve,
        name="group_approve",
    ),
    path(
        "groups/<slug:slug>/requests/<str:username>/reject/",
        views_groups.group_reject,
        name="group_reject",
    ),
    # notifications, search, reports
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_mark_read, name="notifications_read"),
    path("notifications/badge/", views.notifications_badge, name="notifications_badge"),
    path("search/", views.search, name="search"),
    path("report/post/<int:target>/", views.report, {"kind": "post"}, name="report_post"),
    path("report/comment/<int:target>/", views.report, {"kind": "comment"}, name="report_comment"),
    path("report/person/<str:target>/", views.report, {"kind": "person"}, name="report_person"),
]
