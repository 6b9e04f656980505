"""The product's URLs plus one bare JSON view, served by the same server through the same
middleware, as the yardstick of bench/cases_load.py."""

from django.http import JsonResponse
from django.urls import path

from gongzhi.urls import urlpatterns as product_urlpatterns


def bare(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare", bare), *product_urlpatterns]
