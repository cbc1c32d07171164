"""The api domain's services, moved from store/server.py: its own helpers, and the functions other domains may call."""


API = "/api/v1"


def v1_label(value):
    # the same name as a helper of server.py: renamed when the two are merged
    return f"[{value}]"
