"""One service call, one transaction: on any exception nothing is committed."""
from __future__ import annotations

from functools import wraps

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .errors import Conflict
from .models import db


def transactional(service):
    @wraps(service)
    def run(*args, **kwargs):
        try:
            result = service(*args, **kwargs)
            from . import instances  # here, not at the top: instances' own imports use this module

            saved = _flushed_workflows(instances)
            db.session.commit()
            instances.remember_committed(saved)
            return result
        except (StaleDataError, IntegrityError):
            # Another transaction saved the same case (or task) first: the caller should reload.
            db.session.rollback()
            raise Conflict("Someone else changed this case at the same moment; reload it and try again") from None
        except BaseException:
            db.session.rollback()
            raise
        finally:
            db.session.info.pop("saved_workflows", None)

    return run


def _flushed_workflows(instances) -> list:
    """Flush, then list each workflow saved in this transaction with its instance's new lock version."""
    db.session.flush()
    return instances.saved_in_transaction()
