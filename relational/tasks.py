"""Celery tasks of the project package."""

from __future__ import annotations

from celery import shared_task

from . import pageversions


@shared_task
def page_cache_clock() -> int:
    """Beat, every minute: bump the page versions of places where a moment on the clock changed
    what their pages show (a gathering started or ended, a fund round changed phase). Harmless
    to run twice: a place bumped since the moment is left alone."""
    return pageversions.bump_for_clock()
