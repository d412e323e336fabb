"""Likes, shares, follows, blocks and mutes in the admin, read-only: the services keep the
counters that depend on them."""

from django.contrib import admin

from flywheel.admin import ReadOnlyAdmin
from social.models import Block, Follow, Like, Mute, Share


@admin.register(Like)
class LikeAdmin(ReadOnlyAdmin):
    list_display = ["user", "post", "created_at"]
    search_fields = ["user__username", "post__text"]
    list_filter = ["created_at"]
    list_select_related = ["user", "post__author"]
    raw_id_fields = ["post"]
    autocomplete_fields = ["user"]

    def has_delete_permission(self, request, obj=None):
        return False  # the post's like count would lie


@admin.register(Share)
class ShareAdmin(ReadOnlyAdmin):
    list_display = ["user", "post", "comment", "created_at"]
    search_fields = ["user__username", "comment", "post__text"]
    list_filter = ["created_at"]
    list_select_related = ["user", "post__author"]
    raw_id_fields = ["post"]
    autocomplete_fields = ["user"]

    def has_delete_permission(self, request, obj=None):
        return False  # the post's share count would lie


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    list_display = ["follower", "followee", "created_at"]
    search_fields = ["follower__username", "followee__username"]
    list_filter = ["created_at"]
    list_select_related = ["follower", "followee"]
    autocomplete_fields = ["follower", "followee"]


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    list_display = ["blocker", "blocked", "created_at"]
    search_fields = ["blocker__username", "blocked__username"]
    list_filter = ["created_at"]
    list_select_related = ["blocker", "blocked"]
    autocomplete_fields = ["blocker", "blocked"]


@admin.register(Mute)
class MuteAdmin(ReadOnlyAdmin):
    list_display = ["muter", "muted", "created_at"]
    search_fields = ["muter__username", "muted__username"]
    list_filter = ["created_at"]
    list_select_related = ["muter", "muted"]
    autocomplete_fields = ["muter", "muted"]
