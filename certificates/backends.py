from accounts.backends import ActiveStaffBackend

from .pki import CertificateRejected
from .services import certificate_sign_in_user


class CertificateBackend(ActiveStaffBackend):
    """Signs in the account a presented client certificate is bound to. Going through
    django.contrib.auth.authenticate() keeps django-axes' lockout and the 登录记录 of failures;
    disabled and deleted accounts cannot sign in (ActiveStaffBackend)."""

    # `step` names the kind of attempt in a failure's 登录记录 (Django passes the credentials on).
    def authenticate(self, request, *, client_certificate: str | bytes, step: str = "certificate"):
        try:
            user = certificate_sign_in_user(data=client_certificate)
        except CertificateRejected as rejected:
            if request is not None:
                request.certificate_rejected = str(rejected)
            return None
        return user if self.user_can_authenticate(user) else None
