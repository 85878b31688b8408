"""The version check of a form's save (the UI's If-Match): a write prepared against an older
read of a record is refused."""

from __future__ import annotations

import pytest

from service.errors import PreconditionFailed
from service.records.common import check_version
from service.records.entities import create_entity, update_entity


def test_a_write_against_an_older_version_is_refused(session):
    entity = create_entity(session=session, data={"type": "person", "name": "Version Test"})
    session.commit()
    read = entity.version
    check_version(entity, read, label="person")  # the version read: accepted
    update_entity(session=session, entity=entity, data={"notes": "changed"}, replace=False)
    session.commit()
    assert entity.version > read
    with pytest.raises(PreconditionFailed) as refused:
        check_version(entity, read, label="person")
    assert refused.value.status == 412 and refused.value.errors == {"version": ["Changed meanwhile."]}
    assert f"version {entity.version}" in refused.value.detail
    with pytest.raises(PreconditionFailed):
        check_version(entity, None, label="person")  # a form without its version field
