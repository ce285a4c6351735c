"""Cross-domain flows: a question through the desk (record, correct, withdraw consent), each
step calling the packages that own its rules, and the /intakes endpoints that start them."""
