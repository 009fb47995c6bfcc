"""Old import path; the fake lives in ``tests.support.google_accounts``."""
