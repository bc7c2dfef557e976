"""Reading codes: decoders for receipt QRs and dossier barcodes, later frame sources and wedge scanners."""
