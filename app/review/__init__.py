"""The front office's review: intakes that need a look, its actions on them, and how often
people agree with the classifier."""
