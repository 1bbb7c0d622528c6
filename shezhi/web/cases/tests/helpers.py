"""Helpers shared by the casework page tests."""


def page(client, user, url, data=None):
    """GET the page as this user, or POST `data` to it."""
    client.force_login(user)
    return client.post(url, data) if data is not None else client.get(url)
