"""Files people open: Word documents (``word``), Excel workbooks (``excel``), and the one check
of an uploaded Office package before anything unpacks it (``office``)."""
