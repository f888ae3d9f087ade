// dotted
