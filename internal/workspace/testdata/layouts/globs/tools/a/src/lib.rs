// tool-a
