from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    pass


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]
    pass


class SocialAccountAdapter(DefaultSocialAccountAdapter):  # type: ignore[misc]
    pass
