"""The Huey instance and the background tasks: outbox dispatch, reminders, expiry, retries."""
