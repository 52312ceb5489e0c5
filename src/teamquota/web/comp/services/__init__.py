"""What views do beyond reading: build datasets, run the engine, close periods, export."""
