"""The places app's views, one module per area: ``places`` (a place's description and power
map), ``people`` (joining, invitations, members, interests) and ``home`` (the place home)."""
