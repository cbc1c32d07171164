"""Helper modules shared by the API handlers in app.py.

These started life as functions at the bottom of app.py and were moved out when the file passed
3,000 lines. They still talk to the database directly through the Flask-SQLAlchemy session.
"""
