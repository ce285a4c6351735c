"""Areas (wijken): named sets of PC4 postcodes that routing and statistics group by."""
