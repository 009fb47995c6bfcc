"""The account use cases under one name, for callers that want them all: staff users
(``staff_directory``, ``staff_changes``), sign-in and passwords (``sign_in``, hashed by
``password_hashing``), API keys (``api_keys``) and the email domains a business claims
(``email_domains``). Each lives in its own module, split by verb; nothing is defined here.
Console sessions are ``sessions``'s; set-password links ``password_links``'s.
"""

from __future__ import annotations

from hub.domain.accounts import ApiKey, AppPassword, Role, User
from hub.domain.errors import AuthenticationError
from hub.services.account_ports import (
    AccountsUnitOfWork,
    ApiKeyRepository,
    AppPasswordRepository,
    ConsoleSessionRepository,
    UserRepository,
)
from hub.services.api_keys import (
    API_KEY_PREFIX,
    authenticate_api_key,
    create_api_key,
    list_api_keys,
    revoke_api_key,
)
from hub.services.password_hashing import hash_password
from hub.services.sign_in import (
    authenticate_app_password,
    authenticate_password,
    change_password,
    create_app_password,
    list_app_passwords,
    revoke_app_password,
    set_password,
)
from hub.services.staff_changes import change_staff, deactivate_user
from hub.services.staff_directory import (
    create_user,
    find_user,
    list_users,
    search_staff,
    set_own_phone,
    staff_member,
)

# The records these use cases take and give, and the error a failed sign-in raises, are
# named here too (callers have long read them from this module).
__all__ = [
    "API_KEY_PREFIX",
    "AccountsUnitOfWork",
    "ApiKey",
    "ApiKeyRepository",
    "AppPassword",
    "AppPasswordRepository",
    "AuthenticationError",
    "ConsoleSessionRepository",
    "Role",
    "User",
    "UserRepository",
    "authenticate_api_key",
    "authenticate_app_password",
    "authenticate_password",
    "change_password",
    "change_staff",
    "create_api_key",
    "create_app_password",
    "create_user",
    "deactivate_user",
    "find_user",
    "hash_password",
    "list_api_keys",
    "list_app_passwords",
    "list_users",
    "revoke_api_key",
    "revoke_app_password",
    "search_staff",
    "set_own_phone",
    "set_password",
    "staff_member",
]
