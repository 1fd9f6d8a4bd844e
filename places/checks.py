"""A system check that no app can forget a person's data (``manage.py check``, and every start).

Every model that refers to the user model — a foreign key, a one-to-one or many-to-many field,
or a plain ``…user_id`` column such as governance's history keeps — must be listed in the
``models`` of a data handler registered in ``places.registry`` that has both an ``export`` and
an ``erase``. Otherwise the check fails with ``places.E010``, naming the model, so a new app
(or a new model in an old one) cannot ship without saying what a person's download and account
erasure do with it. The user model itself, proxies and unmanaged models (database views) are
left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.db import models

from .registry import Registry, registry


def refers_to_user(model: type[models.Model]) -> list[str]:
    """The model's fields that refer to a person (empty when none do)."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    fields = []
    for field in model._meta.get_fields():
        if field.auto_created and not field.concrete:
            continue  # the reverse side of someone else's relation
        relation = field.is_relation and field.related_model is user_model
        id_column = (
            isinstance(field, models.IntegerField)
            and not field.is_relation
            and (field.name == "user_id" or field.name.endswith("_user_id"))
        )
        if relation or id_column:
            fields.append(field.name)
    return fields


def models_to_check() -> list[type[models.Model]]:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return [
        model
        for model in apps.get_models()
        if model is not user_model and model._meta.managed and not model._meta.proxy
    ]


def unaccounted(
    candidates: Iterable[type[models.Model]], reg: Registry
) -> list[tuple[type[models.Model], list[str]]]:
    """The models that refer to a person and that no handler with export and erase lists."""
    covered = reg.data_models()
    missing = []
    for model in candidates:
        fields = refers_to_user(model)
        if fields and model._meta.label_lower not in covered:
            missing.append((model, fields))
    return missing


def check_data_handlers(
    app_configs: Any = None,
    *,
    candidates: Iterable[type[models.Model]] | None = None,
    reg: Registry | None = None,
    **kwargs: Any,
) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for model, fields in unaccounted(
        models_to_check() if candidates is None else candidates, reg or registry
    ):
        errors.append(
            checks.Error(
                f"{model._meta.label} refers to a person ({', '.join(fields)}) but no data "
                "handler accounts for it.",
                hint=(
                    "List it in the models= of a registry.register_data_handler(...) call that "
                    "has an export and an erase (places/registry.py), and make them cover it."
                ),
                obj=model,
                id="places.E010",
            )
        )
    known = {m._meta.label_lower for m in apps.get_models(include_auto_created=True)}
    for key, handler in sorted((reg or registry).data_handlers.items()):
        for label in handler.models:
            if label not in known:
                errors.append(
                    checks.Error(
                        f"The data handler {key!r} lists {label!r}, which is not a model.",
                        id="places.E011",
                    )
                )
    return errors


def register() -> None:
    checks.register(check_data_handlers, checks.Tags.models)
