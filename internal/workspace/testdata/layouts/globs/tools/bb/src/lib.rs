// tool-bb-not-member
