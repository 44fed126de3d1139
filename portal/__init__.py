"""Yingshang Portal (营商环境政企通): project package and core domain."""

from .celery import app as celery_app

__all__ = ("celery_app",)
