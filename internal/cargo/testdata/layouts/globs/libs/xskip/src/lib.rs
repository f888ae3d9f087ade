// xskip-not-member
