"""The installable PWA (static files under ``pwa/static``), served by the API at ``/``."""
