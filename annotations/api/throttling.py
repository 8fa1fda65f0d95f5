from rest_framework.authtoken.models import Token
from rest_framework.throttling import UserRateThrottle


class TokenRateThrottle(UserRateThrottle):
    """Limits scripts using API tokens; people in the browser (session) are not limited."""

    scope = "token"

    def allow_request(self, request, view) -> bool:
        if not isinstance(request.auth, Token):
            return True
        return super().allow_request(request, view)
