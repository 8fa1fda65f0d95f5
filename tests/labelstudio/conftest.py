import pytest

from annotations.models import Document
from tests import factories


@pytest.fixture
def document(db):
    """A document of a collection bound to Label Studio project 5, as task 40."""
    collection = factories.collection(ls_project_id=5, overlap=1)
    return factories.document(collection, ls_task_id=40, status=Document.Status.QUEUED)
