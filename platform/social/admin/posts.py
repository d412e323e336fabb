"""Posts, comments and hashtags in the admin; hiding and deleting go through the services."""

from django.contrib import admin
from django.db.models import Count, Q

from social import moderation, services
from social.admin.display import _admin_link, _short, _site_url
from social.models import Comment, Hashtag, Post, Report


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "author",
        "excerpt",
        "group",
        "created_at",
        "like_count",
        "share_count",
        "comment_count",
        "open_reports",
        "is_hidden",
    ]
    list_display_links = ["id", "excerpt"]
    list_filter = ["is_hidden", "created_at", "group__privacy"]
    search_fields = ["text", "author__username", "author__display_name"]
    list_select_related = ["author", "group"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["author", "group"]
    raw_id_fields = ["hashtags", "mentions"]
    readonly_fields = [
        "author",
        "text",
        "image",
        "group",
        "hashtags",
        "mentions",
        "created_at",
        "edited_at",
        "like_count",
        "share_count",
        "comment_count",
        "is_hidden",
    ]
    actions = ["hide_posts", "unhide_posts"]

    def has_add_permission(self, request):
        return False  # posts are written by people, through the site

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                open_report_count=Count("reports", filter=Q(reports__status=Report.Status.OPEN))
            )
        )

    @admin.display(description="text")
    def excerpt(self, post):
        return _short(post.text)

    @admin.display(description="open reports", ordering="open_report_count")
    def open_reports(self, post):
        return post.open_report_count

    def view_on_site(self, post):
        return _site_url("social:post", post.pk)

    @admin.action(description="Hide the selected posts", permissions=["change"])
    def hide_posts(self, request, queryset):
        hidden = sum(moderation.post_hide(staff=request.user, post=post) for post in queryset)
        self.message_user(request, f"Hid {hidden} post(s); nobody but staff can see them now.")

    @admin.action(description="Unhide the selected posts", permissions=["change"])
    def unhide_posts(self, request, queryset):
        shown = sum(moderation.post_unhide(staff=request.user, post=post) for post in queryset)
        self.message_user(request, f"{shown} post(s) are visible again.")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "author", "excerpt", "post_link", "created_at", "is_hidden"]
    list_filter = ["is_hidden", "created_at"]
    search_fields = ["text", "author__username"]
    list_select_related = ["author", "post"]
    raw_id_fields = ["post"]
    autocomplete_fields = ["author"]
    readonly_fields = ["post", "author", "text", "created_at", "is_hidden"]
    actions = ["hide_comments"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="text")
    def excerpt(self, comment):
        return _short(comment.text)

    @admin.display(description="on post")
    def post_link(self, comment):
        return _admin_link(comment.post, f"#{comment.post_id}")

    @admin.action(description="Hide the selected comments", permissions=["change"])
    def hide_comments(self, request, queryset):
        hidden = sum(moderation.comment_hide(staff=request.user, comment=c) for c in queryset)
        self.message_user(request, f"Hid {hidden} comment(s).")

    # Deleting goes through the service, so the post's comment count follows.
    def delete_model(self, request, obj):
        services.comment_delete(user=request.user, comment=obj)

    def delete_queryset(self, request, queryset):
        for comment in queryset.select_related("post"):
            services.comment_delete(user=request.user, comment=comment)


@admin.register(Hashtag)
class HashtagAdmin(admin.ModelAdmin):
    list_display = ["name", "posts_using", "created_at"]
    search_fields = ["name"]
    list_filter = ["created_at"]
    readonly_fields = ["name", "created_at"]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_total=Count("posts"))

    @admin.display(description="posts", ordering="post_total")
    def posts_using(self, hashtag):
        return hashtag.post_total
