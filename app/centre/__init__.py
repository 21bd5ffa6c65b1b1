"""The centre: the HTTP sync service in front of PostgreSQL (needs the ``[centre]`` extra)."""
