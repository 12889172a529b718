"""``anjian form``: a local web form over the authoring code, for staff who never open a terminal."""
