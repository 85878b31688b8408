"""Plain functions for create/read/update/archive of records: no Flask, no HTTP.

Every function takes the SQLAlchemy ``session`` as a keyword argument and raises the domain
exceptions of :mod:`service.errors`; the caller commits.
"""
