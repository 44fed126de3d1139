"""Inbox API: the signed-in user's own notifications only."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors import notification_list_for, notification_unread_count
from ..services import notification_mark_all_read, notification_mark_read
from .serializers import (
    MarkAllReadOutputSerializer,
    NotificationListFilterSerializer,
    NotificationOutputSerializer,
    UnreadCountOutputSerializer,
)

TAG = "notifications"


class NotificationPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50


class NotificationListView(ListAPIView):
    """Your notifications, newest first."""

    serializer_class = NotificationOutputSerializer
    pagination_class = NotificationPagination
    filter_backends: list = []  # filtering is the input serializer's job

    def get_queryset(self):
        filters = NotificationListFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return notification_list_for(user=self.request.user,
                                     unread_only=filters.validated_data["unread"])

    @extend_schema(tags=[TAG], parameters=[NotificationListFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class UnreadCountView(APIView):
    """How many of your notifications are unread."""

    @extend_schema(tags=[TAG], responses=UnreadCountOutputSerializer)
    def get(self, request):
        count = notification_unread_count(user=request.user)
        return Response(UnreadCountOutputSerializer({"unread": count}).data)


class MarkReadView(APIView):
    """Mark one of your notifications read."""

    @extend_schema(tags=[TAG], request=None, responses={
        200: NotificationOutputSerializer,
        404: OpenApiResponse(description="Not one of your notifications."),
    })
    def post(self, request, pk: int):
        notification = get_object_or_404(notification_list_for(user=request.user), pk=pk)
        notification = notification_mark_read(notification=notification)
        return Response(NotificationOutputSerializer(notification).data)


class MarkAllReadView(APIView):
    """Mark all your notifications read."""

    @extend_schema(tags=[TAG], request=None, responses=MarkAllReadOutputSerializer)
    def post(self, request):
        marked = notification_mark_all_read(user=request.user)
        return Response(MarkAllReadOutputSerializer({"marked": marked}).data,
                        status=status.HTTP_200_OK)
