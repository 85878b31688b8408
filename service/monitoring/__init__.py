"""Ongoing monitoring: the organisation's customers and vendors rescreened on every list change.

Plain functions, no Flask, no HTTP (the API is thin resources in :mod:`service.api.monitoring`):

- :mod:`.subjects`: the portfolio (create or replace, batch, CSV through the bulk jobs' reader);
- :mod:`.subject_index`: the subjects as an in-memory screening index, for the reverse look-up;
- :mod:`.delta`: the delta rescreen of the entities a list change touched, behind a cursor over
  the change log;
- :mod:`.screen`: screening subjects against the whole lists (new or changed subjects, and the
  full rescreen), and the one place that turns matches into alerts (:func:`.screen.plan_pairs`);
- :mod:`.alerts`: the alert store and its review workflow;
- :mod:`.runs`: run records and the storm guard; :mod:`.outbox`: events for webhooks;
- :mod:`.hooks` and :mod:`.executor`: when runs start (after every list commit, and a periodic
  poll), in a thread of the service or on Celery workers (:mod:`.tasks`).
"""
