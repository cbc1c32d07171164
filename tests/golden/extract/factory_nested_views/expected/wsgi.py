"""WSGI entry point: `gunicorn --chdir DIR wsgi:app`, or `DIR.wsgi:app` from DIR's parent.

The package imports itself relatively, so it works under both names.
"""

if __package__:
    from .webapp import create_app
else:  # a top-level module: gunicorn --chdir DIR, or python DIR/wsgi.py
    from webapp import create_app

app = create_app()
