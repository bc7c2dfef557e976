"""The printed forms as PDF (receipt and, later, the other slips) and the QR and barcode drawing they share."""
