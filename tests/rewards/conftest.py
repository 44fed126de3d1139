from tests.complaints.conftest import (  # noqa: F401  the same people and units
    accused,
    bureau,
    dept,
    desk,
    investigator,
    official,
    reporter_user,
    supervisor,
)
