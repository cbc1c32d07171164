BOOKS = ["dune", "emma", "ulysses"]
