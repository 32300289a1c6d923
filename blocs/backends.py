"""Django's model backend, loading the user's unit with the user: the menu of every page shows it."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserWithUnitBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related("unit").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
