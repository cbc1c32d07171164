"""WSGI entry point: `gunicorn --chdir DIR wsgi:app`, or `DIR.wsgi:app` from DIR's parent.

The package imports itself relatively, so it works under both names.
"""

import os

if __package__:
    from .webapp import create_app
else:  # a top-level module: gunicorn --chdir DIR, or python DIR/wsgi.py
    from webapp import create_app

app = create_app()

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", 5000)), debug=True)
