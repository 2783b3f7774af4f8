"""Sessions held for review: implausible sessions kept off billing until an operator
accepts, corrects or rejects them."""
